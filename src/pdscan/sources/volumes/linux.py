"""Linux backend: which block devices are volumes, which are removable, and which are encrypted.

A volume is a partition, or a whole disk without partitions (USB sticks are often "superfloppies").
It is encrypted when a dm-crypt mapping sits on it (`/sys/block/dm-N/dm/uuid` starts "CRYPT-"),
when blkid called it crypto_LUKS/BitLocker, or when its first bytes carry such a signature.
"""
from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from .lsblk import BlockDev, run_lsblk
from .record import PLAIN_FILESYSTEMS, Volume
from .probe import Signature, probe_details, read_prefix
from .sysfs import SYS_ROOT, Mount, merge_lsblk, parse_mountinfo, read_sysfs

MOUNTINFO = "/proc/self/mountinfo"
DEV_ROOT = "/dev"
SKIP_PREFIXES = ("loop", "ram", "zram", "nbd")  # files, memory and network devices are not volumes
DM_SCHEMES = {"LUKS1": "luks", "LUKS2": "luks", "BITLK": "bitlocker", "TCRYPT": "veracrypt",
              "FVAULT2": "filevault", "PLAIN": "dm-crypt-plain", "LOOPAES": "loop-aes"}
FSTYPE_SCHEMES = {"crypto_LUKS": "luks", "BitLocker": "bitlocker"}
SCHEME_FSTYPES = {"luks": "crypto_LUKS", "bitlocker": "BitLocker"}
STACK_MEMBERS = {"LVM2_member", "linux_raid_member"}

Probe = Callable[[BlockDev], Signature | None]


def list_volumes(removable_only: bool = True, sys_root: str = SYS_ROOT, mountinfo: str = MOUNTINFO,
                 dev_root: str = DEV_ROOT, use_lsblk: bool = True) -> list[Volume]:
    mounts = _mounts(mountinfo)
    devs = merge_lsblk(read_sysfs(sys_root, mounts), run_lsblk() if use_lsblk else None)
    return build_volumes(devs, removable_only, device_probe(dev_root))


def volume_for_path(path: str, sys_root: str = SYS_ROOT, mountinfo: str = MOUNTINFO,
                    dev_root: str = DEV_ROOT) -> Volume | None:
    mounts = _mounts(mountinfo)
    mount = mount_for_path(os.path.realpath(path), mounts)
    if mount is None:
        return None
    devs = read_sysfs(sys_root, mounts)
    dev = _device_of(mount, devs)
    if dev is None:  # tmpfs, overlay, network filesystems: no block device to judge
        return Volume(mount.source, mount.mountpoint, mount.fstype, None, False, None, None,
                      note=f"{mount.fstype} mount is not backed by a local block device")
    graph = Graph(devs)
    crypt = next((d for d in [dev, *graph.ancestors(dev)] if _is_crypt(d)), None)
    vol = judge(dev, graph, crypt, device_probe(dev_root))
    return replace(vol, mountpoint=mount.mountpoint, fstype=mount.fstype)


def _device_of(mount: Mount, devs: dict[str, BlockDev]) -> BlockDev | None:
    by_number = next((d for d in devs.values() if d.majmin == mount.majmin), None)
    if by_number is not None or not mount.source.startswith("/dev/"):
        return by_number
    # Plain FUSE mounts (exfat-fuse, ntfs-3g without fuseblk) get an anonymous 0:N; the source names it.
    return devs.get(os.path.basename(os.path.realpath(mount.source)))


def mount_for_path(path: str, mounts: list[Mount]) -> Mount | None:
    """The mount a path lives on: the longest mountpoint prefix, the later of stacked mounts."""
    best, best_len = None, -1
    for m in mounts:
        mp = m.mountpoint.rstrip("/")
        inside = path == mp or path.startswith(mp + "/")
        if inside and len(mp) >= best_len:
            best, best_len = m, len(mp)
    return best


def device_probe(dev_root: str) -> Probe:
    """Read a device's first bytes when we may; an unreadable device simply has no signature."""
    def probe(dev: BlockDev) -> Signature | None:
        name = os.path.join("mapper", dev.dm_name) if dev.dm_name else dev.kname
        path = os.path.join(dev_root, name)
        try:
            return probe_details(read_prefix(path))
        except OSError:
            return None
    return probe


class Graph:
    """Parent/child links between block devices (partition -> disk, dm-crypt -> partition)."""

    def __init__(self, devs: dict[str, BlockDev]):
        self.devs = devs
        self.children = defaultdict(list)
        for dev in devs.values():
            for parent in dev.parents:
                self.children[parent].append(dev.kname)

    def _walk(self, start: str, step) -> list[BlockDev]:
        seen, todo, out = {start}, list(step(start)), []
        while todo:
            name = todo.pop(0)
            if name in seen or name not in self.devs:
                continue
            seen.add(name)
            out.append(self.devs[name])
            todo.extend(step(name))
        return out

    def ancestors(self, dev: BlockDev) -> list[BlockDev]:
        return self._walk(dev.kname, lambda k: self.devs[k].parents if k in self.devs else ())

    def descendants(self, dev: BlockDev) -> list[BlockDev]:
        return self._walk(dev.kname, lambda k: self.children.get(k, ()))

    def is_removable(self, dev: BlockDev) -> bool:
        # Partitions and dm devices inherit from the disk: RM, HOTPLUG or a USB transport anywhere below.
        return any(d.rm or d.hotplug or d.tran == "usb" for d in [dev, *self.ancestors(dev)])

    def is_volume(self, dev: BlockDev) -> bool:
        if dev.kname.startswith(SKIP_PREFIXES) or dev.size == 0:
            return False
        if dev.type == "part":
            return True
        has_parts = any(self.devs[c].type == "part" for c in self.children.get(dev.kname, ()))
        return dev.type in ("disk", "rom") and not has_parts


def build_volumes(devs: dict[str, BlockDev], removable_only: bool = True,
                  probe: Probe | None = None) -> list[Volume]:
    graph = Graph(devs)
    volumes = []
    for dev in devs.values():
        # Filter before judging: judging may read the device, and fixed disks need not be read.
        if graph.is_volume(dev) and (graph.is_removable(dev) or not removable_only):
            crypt = next((d for d in graph.descendants(dev) if _is_crypt(d)), None)
            volumes.append(judge(dev, graph, crypt, probe))
    return volumes


def _is_crypt(dev: BlockDev) -> bool:
    return dev.type == "crypt" or (dev.dm_uuid or "").startswith("CRYPT-")


def judge(dev: BlockDev, graph: Graph, crypt: BlockDev | None, probe: Probe | None) -> Volume:
    stack = graph.descendants(dev)
    mounts = [mp for d in [dev, *stack] for mp in d.mountpoints]
    removable = graph.is_removable(dev)
    sig = probe(dev) if probe and crypt is not dev else None
    encrypted, scheme, note = _decide(dev, crypt, sig, stack)
    fstype = dev.fstype or (SCHEME_FSTYPES.get(sig.scheme) if sig else None)
    return Volume(dev.path, mounts[0] if mounts else None, fstype, dev.size, removable,
                  encrypted, scheme, dev.label, note)


def _decide(dev: BlockDev, crypt: BlockDev | None, sig: Signature | None,
            stack: list[BlockDev]) -> tuple[bool | None, str | None, str]:
    if crypt is not None:
        return True, _crypt_scheme(dev, crypt, sig), _crypt_note(dev, crypt, stack)
    if sig is not None and sig.encrypted:
        return True, sig.scheme, f"{sig.detail}; not opened"
    if dev.fstype in FSTYPE_SCHEMES:
        return True, FSTYPE_SCHEMES[dev.fstype], f"{dev.fstype} container; not opened"
    if (dev.fstype or "").lower() in PLAIN_FILESYSTEMS:
        return False, None, f"plain {dev.fstype} filesystem, no encryption layer"
    if dev.fstype in STACK_MEMBERS and stack:
        return False, None, f"{dev.fstype} with no dm-crypt layer above it"
    if sig is not None:
        return sig.encrypted, sig.scheme, sig.detail
    if dev.fstype:
        return None, None, f"{dev.fstype}: encryption cannot be judged from Linux"
    return None, None, "no filesystem or encryption signature recognised (device unreadable or unknown)"


def _crypt_scheme(dev: BlockDev, crypt: BlockDev, sig: Signature | None) -> str:
    subsystem = _crypt_subsystem(crypt)
    if subsystem in DM_SCHEMES:
        return DM_SCHEMES[subsystem]
    if dev.fstype in FSTYPE_SCHEMES:
        return FSTYPE_SCHEMES[dev.fstype]
    return sig.scheme if sig is not None and sig.encrypted else "dm-crypt"


def _crypt_subsystem(crypt: BlockDev) -> str | None:
    parts = (crypt.dm_uuid or "").split("-")
    return parts[1] if len(parts) > 2 and parts[0] == "CRYPT" else None


def _crypt_note(dev: BlockDev, crypt: BlockDev, stack: list[BlockDev]) -> str:
    kind = _crypt_subsystem(crypt) or (dev.fstype if dev.fstype in FSTYPE_SCHEMES else None)
    label = f"{crypt.kname} ({kind})" if kind else crypt.kname
    if crypt is dev:
        note = f"dm-crypt mapping {label}"
    elif crypt in stack:
        note = f"dm-crypt holder {label}"
    else:
        note = f"on dm-crypt mapping {label}"
    inner = next((d for d in [dev, *stack] if d.mountpoints), None)
    if inner is not None:
        note += f"; {inner.fstype + ' ' if inner.fstype else ''}mounted at {inner.mountpoints[0]}"
    return note


def _mounts(mountinfo: str) -> list[Mount]:
    try:
        with open(mountinfo, encoding="utf-8", errors="surrogateescape") as f:
            return parse_mountinfo(f.read())
    except OSError:
        return []

"""Linux block devices from sysfs, mounts from mountinfo, and lsblk's extra columns merged in.

Parameters name the sysfs root and the mountinfo text so tests can build a fake tree.
"""
from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from .lsblk import BlockDev

SYS_ROOT = "/sys"


@dataclass(frozen=True)
class Mount:
    majmin: str
    mountpoint: str
    fstype: str
    source: str


def parse_mountinfo(text: str) -> list[Mount]:
    """/proc/self/mountinfo: "id parent MAJ:MIN root mountpoint opts [optional...] - fstype source super"."""
    mounts = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if sep and len(fields) >= 5 and tail:
            mounts.append(Mount(fields[2], _unescape(fields[4]), tail[0],
                                _unescape(tail[1]) if len(tail) > 1 else ""))
    return mounts


def _unescape(text: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def read_sysfs(sys_root: str = SYS_ROOT, mounts: list[Mount] = ()) -> dict[str, BlockDev]:
    """Every block device under /sys/block and its partitions, linked by slaves/holders."""
    by_majmin = defaultdict(list)
    for m in mounts:
        by_majmin[m.majmin].append(m)
    devs: dict[str, BlockDev] = {}
    block = Path(sys_root) / "block"
    for disk_dir in sorted(block.iterdir()) if block.is_dir() else ():
        disk = _sysfs_dev(disk_dir, (), sys_root, by_majmin)
        devs[disk.kname] = disk
        for part_dir in sorted(p for p in disk_dir.iterdir() if (p / "partition").exists()):
            devs[part_dir.name] = _sysfs_dev(part_dir, (disk.kname,), sys_root, by_majmin)
    return _link_holders(devs, block)


def _sysfs_dev(path: Path, parents: tuple[str, ...], sys_root: str, by_majmin) -> BlockDev:
    name = path.name
    real = os.path.realpath(path)
    majmin = _read(path / "dev")
    mounted = by_majmin.get(majmin or "", [])
    dm_uuid, dm_name = _read(path / "dm" / "uuid"), _read(path / "dm" / "name")
    sectors = _read(path / "size")
    kind = "part" if parents else _dev_type(name, dm_uuid)
    return BlockDev(
        kname=name, path=f"/dev/mapper/{dm_name}" if dm_name else f"/dev/{name}", type=kind,
        parents=parents, fstype=mounted[0].fstype if mounted else None,
        size=int(sectors) * 512 if sectors and sectors.isdigit() else None,  # sysfs counts 512-byte sectors
        rm=_read(path / "removable") == "1", hotplug=_hotplug(real, sys_root),
        tran="usb" if "/usb" in real else None, mountpoints=tuple(m.mountpoint for m in mounted),
        dm_uuid=dm_uuid or None, dm_name=dm_name or None, majmin=majmin)


def _dev_type(name: str, dm_uuid: str | None) -> str:
    if dm_uuid is not None or name.startswith("dm-"):
        prefix = (dm_uuid or "").split("-", 1)[0]
        return {"CRYPT": "crypt", "LVM": "lvm"}.get(prefix, "dm")
    if name.startswith("sr"):
        return "rom"
    return "loop" if name.startswith("loop") else "disk"


def _hotplug(real: str, sys_root: str) -> bool:
    # As lsblk does: some device above the disk (a USB port) says its "removable" is "removable".
    top = os.path.realpath(os.path.join(sys_root, "devices"))
    here = os.path.dirname(real)
    while here.startswith(top) and here != top:
        if _read(Path(here) / "removable") == "removable":
            return True
        here = os.path.dirname(here)
    return False


def _link_holders(devs: dict[str, BlockDev], block: Path) -> dict[str, BlockDev]:
    """A dm/md device's parents are its slaves; a partition's holders point the same way."""
    parents = defaultdict(list)
    for dev in devs.values():
        base = block / dev.kname if dev.type != "part" else block / dev.parents[0] / dev.kname
        for slave in _listdir(base / "slaves"):
            parents[dev.kname].append(slave)
        for holder in _listdir(base / "holders"):
            parents[holder].append(dev.kname)
    return {k: replace(d, parents=tuple(dict.fromkeys(d.parents + tuple(parents[k]))))
            for k, d in devs.items()}


def _listdir(path: Path) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def merge_lsblk(sysfs: dict[str, BlockDev], lsblk: dict[str, BlockDev] | None) -> dict[str, BlockDev]:
    """lsblk adds what sysfs lacks (FSTYPE, LABEL, HOTPLUG, TRAN); sysfs adds dm uuids and links."""
    if not lsblk:
        return sysfs
    merged = dict(sysfs)
    for kname, row in lsblk.items():
        base = sysfs.get(kname)
        if base is None:
            merged[kname] = row
            continue
        merged[kname] = replace(
            base, fstype=row.fstype or base.fstype, label=row.label, rm=base.rm or row.rm,
            hotplug=base.hotplug or row.hotplug, tran=base.tran or row.tran,
            size=base.size if base.size is not None else row.size)
    return merged

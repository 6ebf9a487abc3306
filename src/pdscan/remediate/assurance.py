"""How far an in-place overwrite can be trusted, from what the system shows of the storage.

Linux: the mount holding the file (/proc/self/mountinfo: filesystem type and
options) and the block device under it (/sys/class/block: rotational, discard,
loop backing file). Levels, worst first:

  weak      the old bytes may well survive: copy-on-write, compression, data
            journaling, an overlay's lower layer, or flash with wear levelling;
  unknown   pdscan cannot see the storage (network, FUSE, not Linux);
  in-place  a plain filesystem on a rotating disk (or memory): the overwrite
            reaches the blocks that held the data.

It never says more than it can see: anything it does not recognise is "unknown".
"""
from __future__ import annotations

import os
from dataclasses import dataclass

LEVELS = ("weak", "unknown", "in-place")
COPY_ON_WRITE = {"btrfs", "zfs", "bcachefs", "apfs", "refs", "nilfs2"}
LOG_STRUCTURED = {"f2fs", "jffs2", "ubifs"}
OVERLAYS = {"overlay", "overlayfs", "aufs", "unionfs"}
PLAIN = {"ext2", "ext3", "ext4", "xfs", "vfat", "msdos", "exfat", "ntfs", "ntfs3", "jfs", "hfsplus", "reiserfs"}
MEMORY = {"tmpfs", "ramfs"}
ADVICE = ("keep such data only on full-disk-encrypted storage (BitLocker, LUKS, FileVault), "
          "and crypto-erase (destroy the key) or physically destroy the device when it is retired")


@dataclass(frozen=True)
class Assurance:
    level: str
    reasons: tuple

    def text(self) -> str:
        why = "; ".join(self.reasons)
        advice = f"; recommended: {ADVICE}" if self.level != "in-place" else ""
        return f"{self.level} ({why}){advice}"


@dataclass(frozen=True)
class Mount:
    mountpoint: str
    fstype: str
    source: str
    options: frozenset


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as \ooo.
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text: str) -> list:
    mounts = []
    for line in text.splitlines():
        parts = line.split()
        if "-" not in parts or len(parts) < 7:
            continue
        dash = parts.index("-")
        options = set(parts[5].split(",")) | set(",".join(parts[dash + 3:dash + 4]).split(","))
        mounts.append(Mount(_unescape(parts[4]), parts[dash + 1], _unescape(parts[dash + 2]), frozenset(options)))
    return mounts


def mount_of(path: str, mounts: list):
    """The mount holding `path`: the longest mount point above it (the last one wins an over-mount)."""
    best = None
    for m in mounts:
        inside = (path + "/").startswith(m.mountpoint.rstrip("/") + "/")
        if inside and (best is None or len(m.mountpoint) >= len(best.mountpoint)):
            best = m
    return best


def _filesystem_reasons(m: Mount) -> list:
    """(level, reason) pairs from the filesystem type and its options."""
    fs, found = m.fstype, []
    if fs in COPY_ON_WRITE:
        found.append(("weak", f"{fs} is copy-on-write: the overwrite goes to new blocks, the old ones "
                              "stay until reused and in any snapshot"))
    if fs in LOG_STRUCTURED:
        found.append(("weak", f"{fs} is log-structured: the overwrite is appended elsewhere"))
    if any(o.startswith(("compress", "compression")) for o in m.options):
        found.append(("weak", "the filesystem compresses data: overwritten blocks are not the old ones"))
    if fs in ("ext3", "ext4") and "data=journal" in m.options:
        found.append(("weak", "ext4 with data=journal: copies of the data pass through the journal"))
    if fs in OVERLAYS:
        found.append(("weak", "an overlay filesystem: the original in a lower layer is not touched"))
    if fs in MEMORY:
        found.append(("in-place", f"{fs}: held in memory only"))
    elif fs in PLAIN and not found:
        found.append(("in-place", f"{fs} overwrites file data in place"))
    elif not found:
        found.append(("unknown", f"{fs or 'an unrecognised'} filesystem: pdscan cannot see how it stores data"))
    return found


def _sys_device(source: str, sys_root: str):
    """/sys/class/block/NAME for a /dev source, or None."""
    if not source.startswith("/dev/"):
        return None
    name = os.path.basename(os.path.realpath(source)) if os.path.exists(source) else os.path.basename(source)
    node = os.path.join(sys_root, "class", "block", name)
    return node if os.path.exists(node) else None


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return ""


def _queue(node: str) -> str:
    """The queue/ folder of a device, or of the disk a partition belongs to."""
    own = os.path.join(node, "queue")
    return own if os.path.isdir(own) else os.path.join(os.path.dirname(os.path.realpath(node)), "queue")


def _virtual_disk(disk: str) -> str:
    """A description if `disk` (a /sys/block/NAME folder) is a hypervisor's virtual disk."""
    name = os.path.basename(disk)
    if name.startswith(("vd", "xvd")):
        return f"virtual disk {name}"
    vendor = _read(os.path.join(disk, "device", "vendor")) + " " + _read(os.path.join(disk, "device", "model"))
    for mark in ("QEMU", "VMware", "VBOX", "Virtual", "Msft"):
        if mark.lower() in vendor.lower():
            return f"virtual disk ({vendor.strip()})"
    return ""


def _device_reasons(m: Mount, sys_root: str, mountinfo: str, depth: int) -> list:
    node = _sys_device(m.source, sys_root)
    if node is None:
        return [] if m.fstype in MEMORY or m.fstype in OVERLAYS else [
            ("unknown", "the device under the filesystem is not visible")]
    backing = _read(os.path.join(node, "loop", "backing_file"))
    if backing and depth < 3:
        # A loop device stores its blocks in a file: that file's storage decides.
        inner = assess(backing, mountinfo, sys_root, depth + 1)
        return [(inner.level, f"loop device backed by a file on storage that is: {'; '.join(inner.reasons)}")]
    queue = _queue(node)
    virtual = _virtual_disk(os.path.dirname(queue))
    if virtual:
        return [("unknown", f"{virtual}: the overwrite reaches the host's storage, which may keep "
                            "other copies (snapshots, thin provisioning, its own flash)")]
    if _read(os.path.join(queue, "rotational")) == "0":
        trim = (_read(os.path.join(queue, "discard_max_bytes")) or "0") != "0" or "discard" in m.options
        return [("weak", "solid-state storage: wear levelling may keep old copies of the blocks"
                         + (", and TRIM discards them unerased" if trim else ""))]
    if _read(os.path.join(queue, "rotational")) == "1":
        return [("in-place", "rotating disk")]
    return [("unknown", "the device's kind (disk or flash) is not visible")]


def assess(path: str, mountinfo: str = "/proc/self/mountinfo", sys_root: str = "/sys", depth: int = 0) -> Assurance:
    """The assurance an in-place overwrite of `path` can give on this machine."""
    try:
        with open(mountinfo, encoding="utf-8", errors="surrogateescape") as f:
            mounts = parse_mountinfo(f.read())
    except OSError:
        return Assurance("unknown", ("no mount table to read (not Linux?)",))
    m = mount_of(os.path.realpath(path), mounts)
    if m is None:
        return Assurance("unknown", ("the file's mount is not in the mount table",))
    found = _filesystem_reasons(m) + _device_reasons(m, sys_root, mountinfo, depth)
    level = min((lv for lv, _ in found), key=LEVELS.index)
    return Assurance(level, tuple(dict.fromkeys(r for _, r in found)))

"""The Volume record every backend produces, and the one way backends run a platform tool."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

TOOL_TIMEOUT = 20  # seconds; manage-bde and diskutil can be slow on big disks


@dataclass(frozen=True)
class Volume:
    device: str              # /dev/sdb1, \\.\E:, disk4s1
    mountpoint: str | None
    fstype: str | None       # vfat, exfat, ntfs, ext4, crypto_LUKS, BitLocker, apfs ...
    size: int | None         # bytes
    removable: bool
    encrypted: bool | None   # None: could not tell
    encryption: str | None   # luks, bitlocker, filevault, apfs-encrypted, veracrypt ...
    label: str | None = None
    note: str | None = None  # why we decided, in words


def run_tool(argv: list[str], timeout: float = TOOL_TIMEOUT) -> str | None:
    """stdout of a platform tool, or None when it is missing, fails or hangs ("could not tell")."""
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = subprocess.run(argv, capture_output=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")


# Filesystems whose superblock is readable plaintext: seeing one means the volume is not encrypted
# at the block layer (file-level encryption inside it is encryption/'s business).
PLAIN_FILESYSTEMS = frozenset({
    "vfat", "fat", "fat12", "fat16", "fat32", "msdos", "exfat", "ntfs", "ntfs3", "fuseblk",
    "ext2", "ext3", "ext4", "btrfs", "xfs", "f2fs", "hfs", "hfsplus", "iso9660", "udf",
    "jfs", "reiserfs", "nilfs2", "minix", "squashfs",
})

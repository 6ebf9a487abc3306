"""Careful overwrite of a file's bytes before it goes away.

`overwrite_and_unlink(path)` overwrites the file's contents in place with
random data, fsyncs, truncates it to zero, unlinks it and fsyncs the folder,
so the plain text is not left in the freed blocks and the deletion survives
a crash. `overwrite_fd` is the in-place part on its own, for callers that
must replace the name first (see `protect.py`).

Limits: overwriting in place reaches the same disk blocks on ordinary
filesystems (ext4, XFS, NTFS, FAT). On copy-on-write filesystems (btrfs, ZFS,
APFS), with snapshots or backups, and on SSDs with wear levelling, old copies
may survive; only encryption from the start protects against those.
"""
from __future__ import annotations

import os
import stat

from Crypto.Cipher import AES

from ..errors import ItemError

BLOCK = 1024 * 1024


class Refused(ItemError):
    """This file is left untouched; the message says why."""


def overwrite_and_unlink(path, passes: int = 1) -> None:
    """Overwrite `path`'s bytes `passes` times with random data, then unlink it."""
    path = os.fspath(path)
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"{path}: not a regular file (symbolic link, folder or device)")
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        overwrite_fd(fd, passes)
    finally:
        os.close(fd)
    os.unlink(path)
    fsync_dir(os.path.dirname(os.path.abspath(path)))


def overwrite_fd(fd: int, passes: int = 1) -> None:
    """Overwrite every byte of the open file `fd` in place, fsync, then truncate it to zero."""
    size = os.fstat(fd).st_size
    for _ in range(max(1, passes)):
        os.lseek(fd, 0, os.SEEK_SET)
        noise = _noise()
        remaining = size
        while remaining:
            remaining -= _write_all(fd, noise(min(BLOCK, remaining)))
        os.fsync(fd)  # each pass must reach the disk, or the next one may replace it in the cache
    os.ftruncate(fd, 0)
    os.fsync(fd)


def fsync_dir(folder) -> None:
    """Make a rename or unlink in `folder` durable (a no-op where folders cannot be opened)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _noise():
    """Random bytes from AES-CTR under a fresh random key: as unpredictable as
    os.urandom for this purpose and about eight times faster."""
    cipher = AES.new(os.urandom(32), AES.MODE_CTR, nonce=b"")
    zeros = bytes(BLOCK)
    return lambda n: cipher.encrypt(zeros[:n])


def _write_all(fd: int, data: bytes) -> int:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return len(data)

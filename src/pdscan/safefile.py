"""Files pdscan writes, created so that nobody else can aim them.

pdscan runs as root in folders other users can write (shared drives, /tmp,
a stick someone handed over). A plain open(path, "w") there follows a
symlink planted at `path` and truncates whatever it points to. Every file
pdscan creates goes through this module:

- `open_private(path)`: for streams (--output, logs, locks, audit logs): the
  final name is opened with O_NOFOLLOW, must be a regular file of ours with
  one link, and is set to 0600 before a byte is written.
- `atomic_write(path)`: for whole documents (plans, reports): a random,
  exclusive temp name in the target's folder, renamed over the target only
  when complete, and never over a symlink.
- `private_dir(path)`: a folder for pdscan's own state (store, key, logs):
  ours, not a symlink, not writable by group or others.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from .errors import PdscanError

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)
TEMP_MARK = ".pdscan-tmp-"


class UnsafePath(PdscanError):
    """A path pdscan was asked to write is not safe to write (exit 2)."""


def _euid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else -1


def check_ours(st: os.stat_result, path, what: str = "file") -> None:
    if what == "file" and not stat.S_ISREG(st.st_mode):
        raise UnsafePath(f"{path}: not a regular file; refusing to write to it")
    if what == "file" and st.st_nlink != 1:
        raise UnsafePath(f"{path}: has {st.st_nlink} hard links; refusing to write to it")
    if _euid() >= 0 and st.st_uid != _euid():
        raise UnsafePath(f"{path}: owned by uid {st.st_uid}, not by the user running pdscan "
                         f"(uid {_euid()}); refusing to use it")


def open_private(path, mode: str = "w") -> int:
    """A descriptor on `path` for writing: "w" truncates, "a" appends, "r+" neither.

    Refuses a symlink (even one to a file of ours), a non-regular file, a file of
    another user and a hard-linked file; the file is 0600 when this returns.
    """
    flags = {"w": os.O_WRONLY, "a": os.O_WRONLY | os.O_APPEND, "r+": os.O_RDWR}[mode]
    try:
        # O_NONBLOCK: a FIFO planted at `path` would otherwise block the open itself,
        # before the regular-file check below could refuse it.
        fd = os.open(path, flags | os.O_CREAT | NOFOLLOW | CLOEXEC | NONBLOCK, 0o600)
    except OSError as exc:
        if os.path.islink(path):
            raise UnsafePath(f"{path}: is a symbolic link; refusing to write through it") from None
        if os.path.exists(path) and not os.path.isfile(path):
            raise UnsafePath(f"{path}: not a regular file; refusing to write to it") from None
        raise UnsafePath(f"{path}: cannot open for writing: {exc.strerror or exc}") from None
    try:
        check_ours(os.fstat(fd), path)
        if NONBLOCK:
            os.set_blocking(fd, True)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        if mode == "w":
            os.ftruncate(fd, 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_private_text(path, mode: str = "w"):
    return open(open_private(path, mode), mode, encoding="utf-8", newline="\n")


def refuse_symlink(path) -> None:
    if os.path.islink(path):
        raise UnsafePath(f"{path}: is a symbolic link; refusing to replace it")


@contextlib.contextmanager
def atomic_write(path, binary: bool = False):
    """Yield a file; on success it replaces `path` whole (0600), on failure `path` is untouched."""
    path = os.fspath(path)
    refuse_symlink(path)
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}{TEMP_MARK}{secrets.token_hex(8)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | CLOEXEC, 0o600)
    except OSError as exc:
        raise UnsafePath(f"{path}: cannot create it: {exc.strerror or exc}") from None
    try:
        with (open(fd, "wb") if binary else open(fd, "w", encoding="utf-8", newline="\n")) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        refuse_symlink(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def private_dir(path, create: bool = True) -> Path:
    """`path` as a folder only its owner (the user running pdscan) can write."""
    path = Path(path)
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise UnsafePath(f"{path}: cannot create folder: {exc.strerror or exc}") from None
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise UnsafePath(f"{path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(st.st_mode):
        raise UnsafePath(f"{path}: the data folder is a symbolic link; refusing to use it")
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafePath(f"{path}: not a folder")
    check_ours(st, path, "folder")
    if os.name != "nt" and st.st_mode & 0o022:  # Windows reports every folder as 0777: its ACLs decide
        raise UnsafePath(f"{path}: the data folder is writable by group or others "
                         f"(mode {stat.S_IMODE(st.st_mode):04o}); run `chmod 700 {path}` or choose another")
    return path

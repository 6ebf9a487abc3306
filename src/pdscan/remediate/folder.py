"""Folders reached without following symbolic links, held open by descriptor.

A path checked once and used later can be redirected in between: swap a folder for a
symlink and the later rename/unlink lands elsewhere. `open_folder` walks from / one
component at a time (O_NOFOLLOW | O_DIRECTORY, each relative to the previous descriptor),
and every later action on the folder's content goes through that descriptor (dir_fd).
"""
from __future__ import annotations

import errno
import os
import stat

O_FOLDER = (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
            | getattr(os, "O_CLOEXEC", 0))


class ThroughLink(OSError):
    """A component of the path is a symbolic link."""


def open_folder(path: str) -> int:
    """A descriptor on folder `path` (absolute); ThroughLink if any component is a symlink."""
    fd = os.open("/", O_FOLDER)
    try:
        for part in path.split("/"):
            if part in ("", "."):
                continue
            try:
                following = os.open(part, O_FOLDER, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(part, fd):
                    raise ThroughLink(exc.errno, "the path passes through a symbolic link") from None
                raise
            os.close(fd)
            fd = following
    except BaseException:
        os.close(fd)
        raise
    return fd


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def same_inode(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def still_leads_to(path: str, dir_fd: int) -> bool:
    """Whether `path`, walked again without links, is still the folder `dir_fd` holds."""
    try:
        fd = open_folder(path)
    except OSError:
        return False
    try:
        return same_inode(os.fstat(fd), os.fstat(dir_fd))
    finally:
        os.close(fd)


def names(name: str, dir_fd: int, st: os.stat_result) -> bool:
    """Whether `name` in the folder is (still) the file `st` describes, not a link or another file."""
    try:
        return same_inode(os.stat(name, dir_fd=dir_fd, follow_symlinks=False), st)
    except OSError:
        return False

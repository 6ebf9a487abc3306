"""Walk files and folders read-only: skip rules first, nothing opened twice.

The walk never follows a symlink unless asked (and then guards against
loops and walks each real folder and file once), never opens FIFOs, sockets or devices, and opens folders and
files with O_NOATIME where the OS allows so that a scan leaves access
times as they were.
"""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from typing import Iterator, Optional, Union

from .. import throttle
from ..globs import GlobSet
from ..model import ErrorRecord, Item

NOATIME = getattr(os, "O_NOATIME", 0)
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)


@dataclass(frozen=True)
class FileRef:
    """A regular file found by the walk: cheap to send to a worker process."""

    path: str
    size: int
    mtime: float
    inode: int
    device: int
    ctime_ns: int
    mtime_ns: int


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class WalkOptions:
    exclude: GlobSet = GlobSet(())
    follow_symlinks: bool = False
    one_filesystem: bool = False
    max_file_size: int = 0


def _open_flags(base: int) -> int:
    return base | NOATIME


def open_readonly(path: str, follow: bool = True):
    """Open for reading without touching atime; never block on a FIFO swapped in."""
    flags = os.O_RDONLY | NONBLOCK | (0 if follow else NOFOLLOW) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, _open_flags(flags))
    except PermissionError:
        # O_NOATIME is refused on files we do not own; open them plainly.
        if not NOATIME:
            raise
        fd = os.open(path, flags)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"not a regular file: {path}")
    if throttle.active():
        return throttle.throttled(fd)
    return os.fdopen(fd, "rb", buffering=1024 * 1024)


def content_hash(path: str) -> str:
    """SHA-256 of a file's bytes, read as the scan reads (no atime, no link followed): what a
    triage decision is tied to (policy/triage.py), so an edit lapses it."""
    digest = hashlib.sha256()
    with open_readonly(path, follow=False) as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def item_for(ref: FileRef, follow: bool = True) -> Item:
    return Item(path=ref.path, open=partial(open_readonly, ref.path, follow), size=ref.size, mtime=ref.mtime,
                meta={"inode": ref.inode, "device": ref.device, "ctime_ns": ref.ctime_ns,
                      "mtime_ns": ref.mtime_ns})


def _ref(path: str, st: os.stat_result) -> FileRef:
    return FileRef(path, st.st_size, st.st_mtime, st.st_ino, st.st_dev, st.st_ctime_ns, st.st_mtime_ns)


def _special(mode: int) -> Optional[str]:
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return None


def listdir(path: str) -> list:
    """Entry names of a folder, read through an O_NOATIME descriptor where possible."""
    if DIRECTORY and os.scandir in os.supports_fd:
        try:
            fd = os.open(path, _open_flags(os.O_RDONLY | DIRECTORY))
        except PermissionError:
            fd = os.open(path, os.O_RDONLY | DIRECTORY)
        try:
            with os.scandir(fd) as it:
                return sorted(e.name for e in it)
        finally:
            os.close(fd)
    return sorted(os.listdir(path))


Event = Union[FileRef, Skipped, ErrorRecord]


class Walker:
    """Depth-first, names in sorted order, without recursion: a tree 10,000 folders deep is
    walked like a flat one. Each folder is listed when the walk enters it."""

    def __init__(self, options: WalkOptions):
        self.opt = options

    def walk(self, roots) -> Iterator[Event]:
        for root in roots:
            path = os.path.abspath(os.fsdecode(root))
            try:
                st = os.stat(path)  # an explicitly named root is followed, like find -H
            except OSError as exc:
                yield ErrorRecord(path, None, f"cannot read: {exc.strerror or exc}")
                continue
            if stat.S_ISDIR(st.st_mode):
                yield from self._tree(path, st)
            else:
                yield self._entry(path, st, st.st_dev)

    def _tree(self, top: str, top_st: os.stat_result) -> Iterator[Event]:
        root_dev = top_st.st_dev
        top_key = (top_st.st_dev, top_st.st_ino)
        # Folders on the way down from the root: a link back to one is a loop.
        ancestors = {top_key}
        # Following links, one real folder or file can have many paths (a chain of folders each
        # linking twice to the next has 2**n): each (st_dev, st_ino) is walked once.
        seen = {top_key}
        stack = []
        names = yield from self._list(top)
        if names is not None:
            stack.append((top, top_key, iter(names)))
        while stack:
            path, key, names = stack[-1]
            name = next(names, None)
            if name is None:
                stack.pop()
                ancestors.discard(key)
                continue
            child = os.path.join(path, name)
            if self.opt.exclude and self.opt.exclude.matches(child):
                yield Skipped(child, "excluded by pattern")
                continue
            try:
                st = os.lstat(child)
                if stat.S_ISLNK(st.st_mode):
                    if not self.opt.follow_symlinks:
                        yield Skipped(child, "symbolic link (use --follow-symlinks)")
                        continue
                    st = os.stat(child)
            except OSError as exc:
                yield ErrorRecord(child, None, f"cannot read: {exc.strerror or exc}")
                continue
            child_key = (st.st_dev, st.st_ino)
            is_dir = stat.S_ISDIR(st.st_mode)
            if is_dir and child_key in ancestors:
                yield Skipped(child, "symbolic link loop")
            elif self.opt.follow_symlinks and child_key in seen:
                yield Skipped(child, "already walked through another link")
            elif not is_dir:
                if self.opt.follow_symlinks:
                    seen.add(child_key)
                yield self._entry(child, st, root_dev)
            elif self.opt.one_filesystem and st.st_dev != root_dev:
                yield Skipped(child, "on another filesystem (--one-filesystem)")
            else:
                child_names = yield from self._list(child)
                if child_names is not None:
                    if self.opt.follow_symlinks:
                        seen.add(child_key)
                    ancestors.add(child_key)
                    stack.append((child, child_key, iter(child_names)))

    @staticmethod
    def _list(path: str):
        """The folder's names, or None after an error record (a generator's return value)."""
        try:
            return listdir(path)
        except OSError as exc:
            yield ErrorRecord(path, None, f"cannot list folder: {exc.strerror or exc}")
            return None

    def _entry(self, path: str, st: os.stat_result, root_dev: int) -> Event:
        special = None if stat.S_ISREG(st.st_mode) else _special(st.st_mode)
        if special:
            return Skipped(path, f"{special} (not a regular file)")
        if self.opt.one_filesystem and st.st_dev != root_dev:
            return Skipped(path, "on another filesystem (--one-filesystem)")
        if self.opt.max_file_size and st.st_size > self.opt.max_file_size:
            return ErrorRecord(path, None, f"larger than --max-file-size ({st.st_size} bytes)")
        return _ref(path, st)


def iso_utc(ts: Optional[float]) -> Optional[str]:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

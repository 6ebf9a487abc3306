"""Nested Items for container members, and the spool that holds their bytes.

Member bytes are kept in memory up to a threshold, then in an anonymous
temporary file (never under the member's own name, so a hostile name cannot
traverse paths). Every `open()` of a member returns a fresh reader with its
own position, so sniff, protect and extract can each read from the start.
While spooling, the expanded bytes are charged to the budget shared by all
levels of one top-level file, and the ratio is checked as the bytes arrive:
declared sizes in headers can lie.
"""
from __future__ import annotations

import io
import tempfile
from typing import BinaryIO, Callable, Optional

from ..errors import ItemError
from ..model import Item, join_member

BLOCK = 1024 * 1024


class _View(io.RawIOBase):
    """A read-only window on a shared file, with a position of its own."""

    def __init__(self, file, size: int):
        self._file, self._size, self._pos = file, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._file.seek(self._pos)
        data = self._file.read(min(len(buffer), self._size - self._pos))
        buffer[:len(data)] = data
        self._pos += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos


class Spool:
    """Bytes of one member, written once and opened any number of times."""

    def __init__(self, in_memory: int):
        self._file = tempfile.SpooledTemporaryFile(max_size=in_memory)
        self.size = 0

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self.size += len(data)

    def open(self) -> BinaryIO:
        return io.BufferedReader(_View(self._file, self.size))


def spool_stream(src: BinaryIO, ctx, what: str, compressed: Callable[[], int],
                 in_memory: Optional[int] = None) -> Spool:
    """Copy a decompressing stream into a Spool under the ratio and budget limits.

    `compressed()` tells how many compressed bytes produced what was read so
    far, so a member whose header understates its size is still caught.
    """
    spool = Spool(ctx.limits.max_document_size if in_memory is None else in_memory)
    while True:
        block = src.read(BLOCK)
        if not block:
            return spool
        spool.write(block)
        ctx.budget.charge(len(block), what)
        ctx.budget.check_ratio(compressed(), spool.size, what)


def member_item(parent: Item, name: str, opener: Callable[[], BinaryIO], size: int,
                mtime: Optional[float], encryption: Optional[str] = None,
                name_hint: Optional[str] = None) -> Item:
    return Item(path=parent.path, open=opener, size=size, mtime=mtime,
                member=join_member(parent.member, name), depth=parent.depth + 1,
                inherited_encryption=encryption or parent.inherited_encryption,
                name_hint=name_hint or name.rsplit("/", 1)[-1] or name)


def refusing(reason: str) -> Callable[[], BinaryIO]:
    """An opener for a member that must not or cannot be read."""

    def opener() -> BinaryIO:
        raise ItemError(reason)

    return opener


def clean_name(name: str) -> str:
    """A member path, `/`-separated, without a leading `/` or `./`."""
    name = name.replace("\\", "/")
    while name.startswith(("/", "./")):
        name = name[2:] if name.startswith("./") else name[1:]
    return name

"""7z members as nested Items through py7zr (called by archive.extract_archive).

py7zr extracts a whole archive in one call, so the unencrypted members are
spooled first and yielded after; to keep memory bounded when many members
wait at once, each keeps at most one block in memory before it goes to a
temporary file. Members in an AES-encrypted folder are not read: they become
nested Items with inherited_encryption "7z" that refuse to open. With the
header encrypted the names are hidden, and the archive is an ItemError.
"""
from __future__ import annotations

import lzma
import struct
import zlib
from typing import Iterator, Optional

import py7zr
from py7zr.exceptions import AbsolutePathError, ArchiveError
from py7zr.io import Py7zIO, WriterFactory

from ..errors import ItemError, LimitExceeded
from ..model import Item
from .members import Spool, clean_name, member_item, refusing

SEVENZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
AES_CODER = b"\x06\xf1\x07\x01"
# ArchiveError covers Bad7zFile, CrcError, DecompressionError, unsupported methods.
ERRORS = (ArchiveError, AbsolutePathError, EOFError, OSError, ValueError, KeyError, IndexError,
          TypeError, AttributeError, lzma.LZMAError, zlib.error, MemoryError, struct.error)


def extract_7z(item: Item, ctx) -> Iterator[Item]:
    with item.open() as stream:
        try:
            archive = py7zr.SevenZipFile(stream, mode="r")
        except py7zr.PasswordRequired:
            raise ItemError("encrypted 7z: names hidden") from None
        except ERRORS:
            raise ItemError("corrupt or truncated 7z") from None
        with archive:
            try:
                yield from _members(item, archive, ctx)
            except py7zr.PasswordRequired:
                raise ItemError("encrypted 7z folder could not be skipped") from None
            except ItemError:
                raise
            except ERRORS:
                raise ItemError("corrupt or truncated 7z") from None


def _members(item: Item, archive, ctx) -> Iterator[Item]:
    files = [f for f in archive.files if not f.is_directory and not f.is_symlink and clean_name(f.filename)]
    if len(files) > ctx.limits.max_members:
        raise LimitExceeded(f"more than {ctx.limits.max_members} members in 7z")
    plain = [f for f in files if not _encrypted(f)]
    factory = _SpoolFactory(ctx, item.size)
    if plain:
        archive.extract(targets=[f.filename for f in plain], factory=factory)
    for f in files:
        name, mtime = clean_name(f.filename), _mtime(f)
        if _encrypted(f):
            yield member_item(item, name, refusing("encrypted member"), f.uncompressed or 0, mtime, "7z")
        else:
            spool = factory.spools.get(f.filename) or Spool(0)  # empty files get no writer
            yield member_item(item, name, spool.open, spool.size, mtime)


def _encrypted(member) -> bool:
    folder = member.folder
    return folder is not None and any(c.get("method") == AES_CODER for c in folder.coders)


def _mtime(member) -> Optional[float]:
    stamp = member.lastwritetime
    return stamp.as_datetime().timestamp() if stamp is not None else None


class _Writer(Py7zIO):
    """Receives one member's bytes from py7zr, under the shared limits."""

    def __init__(self, factory: "_SpoolFactory"):
        self.factory = factory
        self.spool = Spool(factory.ctx.limits.block_size)

    def write(self, data) -> int:
        self.factory.account(len(data))
        self.spool.write(bytes(data))
        return len(data)

    def read(self, size=None) -> bytes:
        return b""

    def seek(self, offset, whence=0) -> int:
        return 0

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return self.spool.size


class _SpoolFactory(WriterFactory):
    def __init__(self, ctx, compressed: int):
        self.ctx, self.compressed = ctx, compressed
        self.spools, self.expanded = {}, 0

    def create(self, filename: str) -> Py7zIO:
        writer = _Writer(self)
        self.spools[filename] = writer.spool
        return writer

    def account(self, n: int) -> None:
        self.expanded += n
        self.ctx.budget.charge(n, "7z member")
        # Solid blocks hide per-member sizes: the ratio is the whole archive's so far.
        self.ctx.budget.check_ratio(self.compressed, self.expanded, "7z archive")

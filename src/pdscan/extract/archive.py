"""Archive members as nested Items: zip, tar (plain, gzip, bzip2, xz), a lone
gzip/bzip2/xz stream, and 7z.

The format is told from the magic bytes, not the name. A compression layer
is not a level (interface.md): the members of `x.tar.gz` are their paths in
the tar, and a lone `x.csv.gz` yields one member `x.csv`. Limits come from
ctx: member count, per-member ratio, and the expanded-bytes budget shared by
every level of one top-level file (so a 42.zip-style nested bomb trips it).
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import tarfile
import zlib
from typing import BinaryIO, Callable, Iterator, Optional

from ..errors import ItemError, LimitExceeded
from ..model import Item
from .members import clean_name, member_item, spool_stream
from .sevenzip import SEVENZIP_MAGIC, extract_7z
from .zipped import extract_zip

GZIP_MAGIC, BZIP2_MAGIC, XZ_MAGIC = b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00"
# Suffixes a lone compressed stream drops from its name; the tar forms keep ".tar".
SUFFIXES = {".gz": "", ".gzip": "", ".z": "", ".bz2": "", ".bz": "", ".xz": "",
            ".tgz": ".tar", ".tbz2": ".tar", ".tbz": ".tar", ".txz": ".tar"}
# Compressed bytes a decompressor may have read before a tar member starts; allowed
# for so that a member whose input was read ahead is not taken for a bomb.
READ_AHEAD = 256 * 1024
STREAM_ERRORS = (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError, ValueError)


def extract_archive(item: Item, ctx) -> Iterator[Item]:
    with item.open() as stream:
        head = stream.read(8)
    if head.startswith(b"PK"):
        yield from extract_zip(item, ctx)
    elif head.startswith(SEVENZIP_MAGIC):
        yield from extract_7z(item, ctx)
    else:
        yield from _extract_stream(item, ctx, head)


def _decompressor(head: bytes) -> tuple[Optional[Callable[[BinaryIO], BinaryIO]], str]:
    if head.startswith(GZIP_MAGIC):
        return lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"), "gzip"
    if head.startswith(BZIP2_MAGIC):
        return bz2.BZ2File, "bzip2"
    if head.startswith(XZ_MAGIC):
        return lzma.LZMAFile, "xz"
    return None, "tar"


def _extract_stream(item: Item, ctx, head: bytes) -> Iterator[Item]:
    opener, kind = _decompressor(head)
    with item.open() as raw:
        counted = _Counted(raw)
        try:
            data = opener(counted) if opener else counted
            first = _read_full(data, tarfile.BLOCKSIZE)
            if _is_tar(first):
                yield from _tar_members(item, ctx, _Prefixed(first, data), counted)
            elif opener is None:
                raise ItemError("not a recognised archive")
            else:
                spool = spool_stream(_Prefixed(first, data), ctx, f"{kind} stream", lambda: counted.count)
                name, mtime = _lone_name(item, kind, head), _gzip_mtime(item) if kind == "gzip" else None
                yield member_item(item, name, spool.open, spool.size, mtime or item.mtime)
        except ItemError:
            raise
        except STREAM_ERRORS:
            raise ItemError(f"corrupt or truncated {kind} archive") from None


def _tar_members(item: Item, ctx, data, counted: "_Counted") -> Iterator[Item]:
    seen = 0
    with tarfile.open(fileobj=data, mode="r|") as tar:
        for info in tar:
            seen += 1
            if seen > ctx.limits.max_members:
                raise LimitExceeded(f"more than {ctx.limits.max_members} members in tar")
            name = clean_name(info.name)
            if not info.isreg() or not name:
                continue  # directories, links, devices: no bytes of their own
            spool = spool_stream(tar.extractfile(info), ctx, "tar member",
                                 lambda start=counted.count: counted.count - start + READ_AHEAD)
            if spool.size != info.size:
                raise ItemError("truncated tar member")
            yield member_item(item, name, spool.open, spool.size, float(info.mtime) or None)


def _is_tar(block: bytes) -> bool:
    if len(block) < tarfile.BLOCKSIZE:
        return False
    try:
        tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


def _lone_name(item: Item, kind: str, head: bytes) -> str:
    if kind == "gzip":
        stored = _gzip_fname(item)
        if stored:
            return stored
    base = item.name
    stem, dot, suffix = base.rpartition(".")
    if dot and stem and f".{suffix.lower()}" in SUFFIXES:
        return stem + SUFFIXES[f".{suffix.lower()}"]
    return base


def _gzip_header(item: Item) -> bytes:
    with item.open() as stream:
        return stream.read(64 * 1024)


def _gzip_fname(item: Item) -> Optional[str]:
    """FNAME from the gzip header (RFC 1952: ISO 8859-1, zero-terminated)."""
    header = _gzip_header(item)
    if len(header) < 10 or not header[3] & 0x08:
        return None
    pos = 10
    if header[3] & 0x04:  # FEXTRA comes first
        pos += 2 + int.from_bytes(header[10:12], "little")
    end = header.find(b"\x00", pos)
    if end < 0:
        return None
    name = clean_name(header[pos:end].decode("latin-1")).rsplit("/", 1)[-1]
    return name or None


def _gzip_mtime(item: Item) -> Optional[float]:
    header = _gzip_header(item)[:10]
    if len(header) < 10:
        return None
    return float(int.from_bytes(header[4:8], "little")) or None  # 0 means "no time stored"


def _read_full(stream, n: int) -> bytes:
    parts, left = [], n
    while left:
        part = stream.read(left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


class _Counted:
    """Counts the compressed bytes read, for the streaming ratio check."""

    def __init__(self, stream: BinaryIO):
        self.stream, self.count = stream, 0

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.count += len(data)
        return data

    def readable(self) -> bool:
        return True


class _Prefixed:
    """A read-only stream that gives `head` first, then the rest of `stream`."""

    def __init__(self, head: bytes, stream):
        self.head, self.stream = head, stream

    def read(self, n: int = -1) -> bytes:
        if not self.head:
            return self.stream.read(n)
        if n is None or n < 0:
            out, self.head = self.head + self.stream.read(), b""
            return out
        out, self.head = self.head[:n], self.head[n:]
        return out + self.stream.read(n - len(out)) if len(out) < n else out

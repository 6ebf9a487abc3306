"""Zip members as nested Items (called by archive.extract_archive).

Encrypted members are not read: they become nested Items that carry their
scheme and refuse to open. A member that cannot be decompressed (unknown
method, bad data) becomes a nested Item that refuses to open with the reason,
so the rest of the archive is still scanned; a bomb stops the whole archive.
"""
from __future__ import annotations

import lzma
import stat
import struct
import time
import zipfile
import zlib
from typing import Iterator, Optional

from ..errors import ItemError, LimitExceeded
from ..model import Item
from .members import clean_name, member_item, refusing, spool_stream

AES_EXTRA, STRONG_EXTRA, TIME_EXTRA = 0x9901, 0x0017, 0x5455
AES_METHOD = 99
READABLE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
# PKWARE strong encryption algorithm ids that are AES (APPNOTE 7.2.3.2).
STRONG_AES = {0x660E, 0x660F, 0x6610}
FLAG_ENCRYPTED, FLAG_STRONG, FLAG_HIDDEN_NAMES = 0x0001, 0x0040, 0x2000
MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError,
                 ValueError, RuntimeError, struct.error)


def extract_zip(item: Item, ctx) -> Iterator[Item]:
    with item.open() as stream:
        if not stream.seekable():
            raise ItemError("zip needs a seekable stream")
        hidden = FLAG_HIDDEN_NAMES | FLAG_ENCRYPTED | FLAG_STRONG  # all three, or it is just corrupt
        if _local_flags(stream) & hidden == hidden:
            raise ItemError("encrypted zip: names hidden")
        stream.seek(0)
        try:
            archive = zipfile.ZipFile(stream)
            infos = archive.infolist()
        # RuntimeError: zipfile refuses some features (a "zip file version" it does not know).
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error, RuntimeError):
            raise ItemError("corrupt or truncated zip") from None
        if len(infos) > ctx.limits.max_members:
            raise LimitExceeded(f"more than {ctx.limits.max_members} members in zip")
        with archive:
            for info in infos:
                yield from _member(item, archive, info, ctx)


def _member(item: Item, archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx) -> Iterator[Item]:
    name = clean_name(info.filename)
    if info.is_dir() or _is_link(info) or not name:
        return
    mtime = _mtime(info)
    scheme = encryption_of(info)
    if scheme:
        yield member_item(item, name, refusing("encrypted member"), info.file_size, mtime, scheme)
        return
    if info.compress_type not in READABLE_METHODS:
        yield member_item(item, name, refusing("unsupported zip compression method"), info.file_size, mtime)
        return
    # A member cannot hold more compressed bytes than the archive: a header claiming so lies.
    compressed = min(info.compress_size, item.size) if item.size > 0 else info.compress_size
    ctx.budget.check_ratio(compressed, info.file_size, "zip member")
    try:
        with archive.open(info) as src:
            spool = spool_stream(src, ctx, "zip member", lambda: compressed)
    except LimitExceeded:
        raise
    except MEMBER_ERRORS:
        yield member_item(item, name, refusing("corrupt zip member"), info.file_size, mtime)
        return
    yield member_item(item, name, spool.open, spool.size, mtime)


def encryption_of(info: zipfile.ZipInfo) -> Optional[str]:
    """The scheme of an encrypted member ("zip-aes", "zip-zipcrypto", "zip-pkware"), else None."""
    if not info.flag_bits & FLAG_ENCRYPTED:
        return None
    extras = extra_fields(info.extra)
    if info.compress_type == AES_METHOD or AES_EXTRA in extras:
        return "zip-aes"
    if info.flag_bits & FLAG_STRONG or STRONG_EXTRA in extras:
        strong = extras.get(STRONG_EXTRA, b"")
        alg = int.from_bytes(strong[2:4], "little") if len(strong) >= 4 else None
        return "zip-aes" if alg in STRONG_AES else "zip-pkware"
    return "zip-zipcrypto"


def extra_fields(extra: bytes) -> dict:
    """Extra-field blocks by header id (a truncated last block keeps what is there)."""
    fields, pos = {}, 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        fields.setdefault(tag, extra[pos + 4:pos + 4 + size])
        pos += 4 + size
    return fields


def _mtime(info: zipfile.ZipInfo) -> Optional[float]:
    stamp = extra_fields(info.extra).get(TIME_EXTRA, b"")
    if len(stamp) >= 5 and stamp[0] & 0x01:  # UTC modification time present
        return float(struct.unpack_from("<i", stamp, 1)[0])
    try:  # DOS time has no zone: it is the local time of the machine that wrote it
        return time.mktime(info.date_time + (0, 0, -1))
    except (OverflowError, ValueError):
        return None


def _is_link(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _local_flags(stream) -> int:
    head = stream.read(8)
    return int.from_bytes(head[6:8], "little") if head[:4] == b"PK\x03\x04" else 0

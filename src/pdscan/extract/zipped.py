"""Zip members as nested Items (called by archive.extract_archive).

Encrypted members are not read: they become nested Items that carry their
scheme and refuse to open. Encrypted is what zipseal finds unreadable without
a password: a member flagged encrypted whose data reads is read. A member
that cannot be decompressed (unknown method, bad data) becomes a nested Item
that refuses to open with the reason, so the rest of the archive is still
scanned; a bomb stops the whole archive.
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
from ..encryption.zipseal import extra_fields, names_hidden, open_plain, sealed
from .members import clean_name, member_item, refusing, spool_stream

TIME_EXTRA = 0x5455
READABLE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError,
                 ValueError, RuntimeError, struct.error)


def extract_zip(item: Item, ctx) -> Iterator[Item]:
    with item.open() as stream:
        if not stream.seekable():
            raise ItemError("zip needs a seekable stream")
        if names_hidden(stream):
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
    scheme = sealed(archive, info)
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
        with open_plain(archive, info) as src:  # flagged, yet it reads: the flag lies
            spool = spool_stream(src, ctx, "zip member", lambda: compressed)
    except LimitExceeded:
        raise
    except MEMBER_ERRORS:
        yield member_item(item, name, refusing("corrupt zip member"), info.file_size, mtime)
        return
    yield member_item(item, name, spool.open, spool.size, mtime)


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


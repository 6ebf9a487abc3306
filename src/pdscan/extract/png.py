"""Metadata chunks of a PNG wherever they sit in the file.

Pillow sees text chunks after the pixel data only by decoding the pixels,
and exiftool and others write them there, so the chunks are walked here
instead: tEXt, zTXt, iTXt (XMP is the iTXt "XML:com.adobe.xmp") and eXIf.
Compressed text is inflated at most MAX_TEXT per chunk and charged to the
budget, so a file of many small zTXt bombs stops at the shared limit.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from typing import Optional

from ..errors import LimitExceeded

SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_TEXT = 1024 * 1024  # as Pillow's MAX_TEXT_CHUNK
XMP_KEY = "XML:com.adobe.xmp"


@dataclass
class PngMeta:
    text: list = field(default_factory=list)  # (keyword, value)
    xmp: Optional[bytes] = None
    exif: Optional[bytes] = None


def png_metadata(data: bytes, ctx) -> PngMeta:
    """Raises ValueError for a broken chunk, LimitExceeded for a text bomb."""
    meta, pos = PngMeta(), len(SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IEND":
            break
        if kind == b"eXIf":
            meta.exif = body
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            key, value = _text(kind, body, ctx)
            if key == XMP_KEY:
                meta.xmp = value.encode("utf-8")
            else:
                meta.text.append((key, value))
    return meta


def _text(kind: bytes, body: bytes, ctx) -> tuple[str, str]:
    key, _, rest = body.partition(b"\x00")
    if kind == b"tEXt":
        return key.decode("latin-1"), rest.decode("latin-1")
    if kind == b"zTXt":
        return key.decode("latin-1"), _inflate(rest[1:], ctx).decode("latin-1")
    compressed = rest[:1] == b"\x01"
    _language, _, rest = rest[2:].partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    raw = _inflate(text, ctx) if compressed else text
    return key.decode("latin-1"), raw.decode("utf-8", "replace")


def _inflate(raw: bytes, ctx) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(raw, MAX_TEXT)
    except zlib.error:
        raise ValueError("corrupt compressed PNG text") from None
    if inflater.unconsumed_tail:
        raise LimitExceeded(f"PNG text chunk over {MAX_TEXT // 1024} KiB")
    ctx.budget.charge(len(out), "PNG text")
    return out

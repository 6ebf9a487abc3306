"""What the .doc and .ppt extractors share: an OLE compound file read whole, and paragraphs cleaned.

Both formats are OLE compound files read whole (at most max_document_size) with olefile.
Encrypted files are reported by encryption/office.py before they get here; each extractor
checks its format's flag again because protect gives up quietly on a file msoffcrypto cannot
parse, and ciphertext must never pass for text.
"""
from __future__ import annotations

import io
import logging
import struct

from ..errors import ItemError
from ..limits import read_capped

logging.getLogger("olefile").setLevel(logging.ERROR)


def open_ole(item, ctx, what: str):
    import olefile

    with item.open() as stream:
        data = read_capped(stream, ctx.limits.max_document_size, "document")
    try:
        return olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # olefile raises OSError, struct.error, IndexError... on damaged files
        raise ItemError(f"not a readable {what} (damaged OLE container)") from None


def read_stream(ole, name: str, what: str) -> bytes:
    try:
        with ole.openstream(name) as stream:
            return stream.read()
    except Exception:  # a broken sector chain shows as one of several olefile errors
        raise ItemError(f"{what}: stream {name!r} unreadable") from None


# Control characters in either format: breaks inside a paragraph read as a
# space (so words on both sides stay apart), the rest are object anchors and
# marks with no text of their own.
CONTROLS = {code: None for code in range(32)}
CONTROLS.update({ord("\t"): " ", 0x0B: " ", 0x0E: " ", 0x1E: "-"})


def clean(paragraph: str) -> str:
    return " ".join(paragraph.translate(CONTROLS).split())


def paragraphs(text: str, ends) -> list:
    """Paragraphs of text split at `ends`; a final mark ends the last paragraph, it starts none."""
    found = ends.split(text)
    if len(found) > 1 and not found[-1]:
        found.pop()
    return found


def u16(data: bytes, pos: int) -> int:
    return struct.unpack_from("<H", data, pos)[0]


def u32(data: bytes, pos: int) -> int:
    return struct.unpack_from("<I", data, pos)[0]

"""Rich Text Format (striprtf), decoded in the document's ANSI code page.

RTF is 7-bit text whose 8-bit characters are escapes (\\'e9) in the code
page named by \\ansicpgN; the same code page decodes raw 8-bit bytes that
some writers leave in place.
"""
from __future__ import annotations

import codecs
import re
from typing import Iterator

from ..errors import ItemError
from ..limits import read_capped
from ..model import Chunk
from .paragraphs import text_chunks
from .text import _ERRORS

HEAD = 4096
CHARSETS = {b"\\mac": "mac_roman", b"\\pca": "cp850", b"\\pc": "cp437"}


def rtf_codepage(head: bytes) -> str:
    """Python codec for the RTF header's character set (cp1252 by default)."""
    found = re.search(rb"\\ansicpg(\d{3,5})", head)
    if found:
        name = f"cp{int(found.group(1))}"
        try:
            return codecs.lookup(name).name
        except LookupError:
            return "cp1252"
    for word, name in CHARSETS.items():
        if re.search(re.escape(word) + rb"(?![a-z])", head):
            return name
    return "cp1252"


def extract_rtf(item, ctx) -> Iterator[Chunk]:
    from striprtf.striprtf import rtf_to_text

    with item.open() as stream:
        data = read_capped(stream, ctx.limits.max_document_size, "document")
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ItemError("not an RTF document")
    encoding = rtf_codepage(data[:HEAD])
    errors = _ERRORS.get(encoding, "replace")
    try:
        text = rtf_to_text(data.decode(encoding, errors), encoding=encoding, errors=errors)
    except (ValueError, IndexError, LookupError, RecursionError) as exc:
        raise ItemError(f"unreadable RTF ({type(exc).__name__})") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if text.strip():
        out = (text.rstrip("\n") + "\n").encode("utf-8", "replace")
        yield from text_chunks(out, "", 1, ctx.limits)

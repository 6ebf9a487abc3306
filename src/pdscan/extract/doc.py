"""Word 97-2003 (.doc, [MS-DOC]) text.

Word keeps the text of every story (body, footnotes, headers, comments...) in one character
stream described by the piece table; the file is read as ole_text.py says.
"""
from __future__ import annotations

import re
import struct
from typing import Iterator

from ..errors import ItemError
from ..model import Chunk
from .ole_text import clean, open_ole, paragraphs, read_stream, u16, u32
from .paragraphs import Lines


WORD_IDENT = 0xA5EC
WORD97_NFIB = 0x00C0  # Word 6.0/95 files (nFib 101-105) have another FIB layout
F_ENCRYPTED = 0x0100
F_WHICH_TABLE = 0x0200
CLX_INDEX = 33        # fcClx/lcbClx pair in FibRgFcLcb97
PCD_SIZE = 8
FC_COMPRESSED = 0x40000000
FC_MASK = 0x3FFFFFFF
# Stories in character-position order after the body ([MS-DOC] 2.3.1), by
# their count's index in FibRgLw97 (index 6 is reserved and holds no story).
STORIES = (("body", 3), ("footnotes", 4), ("headers", 5), ("comments", 7),
           ("endnotes", 8), ("text boxes", 9), ("header text boxes", 10))
PARAGRAPH_END = re.compile("[\r\x07\x0c]")  # paragraph, table cell/row, section
FIELD_MARKS = re.compile("([\x13\x14\x15])")

# Compressed pieces are cp1252 ([MS-DOC] 2.4.1). Decoded as Latin-1 and then
# mapped, the five bytes cp1252 leaves undefined keep their Latin-1 code
# points instead of failing the document.
_CP1252 = {b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0)
           if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


def extract_doc(item, ctx) -> Iterator[Chunk]:
    ole = open_ole(item, ctx, "Word document")
    try:
        if not ole.exists("WordDocument"):
            raise ItemError("not a Word document: WordDocument stream missing")
        word = read_stream(ole, "WordDocument", "Word document")
        fib = _fib(word)
        table_name = "1Table" if fib["flags"] & F_WHICH_TABLE else "0Table"
        if not ole.exists(table_name):
            raise ItemError(f"Word document: {table_name} stream missing")
        table = read_stream(ole, table_name, "Word document")
    finally:
        ole.close()
    text = _piece_text(word, table, fib["fc_clx"], fib["lcb_clx"])
    del word, table
    yield from _render(text, fib["ccp"], Lines(ctx.limits))


def _render(text: str, ccp: dict, lines: Lines) -> Iterator[Chunk]:
    """A document's characters as chunks, one paragraph or table cell a line, per story."""
    start = 0
    for where, length in _story_lengths(ccp, len(text)):
        story = _drop_field_codes(text[start:start + length])
        start += length
        for paragraph in paragraphs(story, PARAGRAPH_END):
            yield from lines.add(where, clean(paragraph))
        yield from lines.flush()


def _fib(word: bytes) -> dict:
    """The few FIB fields text needs, each checked against the stream's length."""
    if len(word) < 34 or u16(word, 0) != WORD_IDENT:
        raise ItemError("not a Word document: bad FIB signature")
    n_fib, flags = u16(word, 2), u16(word, 0x0A)
    if flags & F_ENCRYPTED:  # RC4, or XOR obfuscation when fObfuscated is set too
        raise ItemError("Word document is encrypted: content not read")
    if n_fib < WORD97_NFIB:
        raise ItemError("Word 6.0/95 or older document: format not supported")
    pos = 32
    csw = u16(word, pos)
    pos += 2 + csw * 2
    if pos + 2 > len(word):
        raise ItemError("Word document: FIB truncated")
    cslw = u16(word, pos)
    lw_at = pos + 2
    pos = lw_at + cslw * 4
    if cslw < 11 or pos + 2 > len(word):
        raise ItemError("Word document: FIB truncated")
    pairs = u16(word, pos)
    clx_at = pos + 2 + CLX_INDEX * 8
    if pairs <= CLX_INDEX or clx_at + 8 > len(word):
        raise ItemError("Word document: FIB truncated")
    ccp = {index: u32(word, lw_at + index * 4) for _, index in STORIES}
    return {"flags": flags, "ccp": ccp, "fc_clx": u32(word, clx_at), "lcb_clx": u32(word, clx_at + 4)}


def _piece_text(word: bytes, table: bytes, fc_clx: int, lcb_clx: int) -> str:
    """The document's characters in CP order, from the Clx's piece table."""
    if lcb_clx == 0 or fc_clx + lcb_clx > len(table):
        raise ItemError("Word document: piece table outside the table stream")
    clx = table[fc_clx:fc_clx + lcb_clx]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: formatting, no text
        if pos + 3 > len(clx):
            raise ItemError("Word document: piece table truncated")
        size = struct.unpack_from("<h", clx, pos + 1)[0]
        if size < 0:
            raise ItemError("Word document: piece table damaged")
        pos += 3 + size
    if pos + 5 > len(clx) or clx[pos] != 0x02:
        raise ItemError("Word document: piece table missing")
    lcb = u32(clx, pos + 1)
    plc = clx[pos + 5:pos + 5 + lcb]
    if lcb < 4 + 4 + PCD_SIZE or len(plc) < lcb or (lcb - 4) % (4 + PCD_SIZE):
        raise ItemError("Word document: piece table has a bad size")
    count = (lcb - 4) // (4 + PCD_SIZE)
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    if any(b < a for a, b in zip(cps, cps[1:])):
        raise ItemError("Word document: piece table out of order")
    # Each character takes at least one byte of WordDocument, so this bounds
    # the text a forged piece table can make the same bytes expand into.
    if cps[-1] - cps[0] > len(word):
        raise ItemError("Word document: piece table longer than the text stream")
    parts = []
    descriptors = 4 * (count + 1)
    for index in range(count):
        chars = cps[index + 1] - cps[index]
        if not chars:
            continue
        fc = u32(plc, descriptors + index * PCD_SIZE + 2)
        if fc & FC_COMPRESSED:
            start = (fc & FC_MASK) // 2
            raw = word[start:start + chars]
            if len(raw) != chars:
                raise ItemError("Word document: piece table points outside the text")
            parts.append(raw.decode("latin-1").translate(_CP1252))
        else:
            start = fc & FC_MASK
            raw = word[start:start + 2 * chars]
            if len(raw) != 2 * chars:
                raise ItemError("Word document: piece table points outside the text")
            parts.append(raw.decode("utf-16-le", "replace"))
    return "".join(parts)



def _story_lengths(ccp: dict, total: int) -> Iterator[tuple]:
    """(where, length) of each story present, clipped to the text there is."""
    counted = 0
    for where, index in STORIES:
        length = min(ccp[index], total - counted)
        if length > 0:
            yield where, length
            counted += length
    # Normally one closing paragraph mark. When the FIB's counts fall short of
    # the piece table (damaged or hand-made files), the rest is still read, as
    # body text, rather than left unscanned.
    if counted < total:
        yield "body", total - counted


def _drop_field_codes(text: str) -> str:
    """Keep what a field shows (between 0x14 and 0x15), not its instructions
    (between 0x13 and 0x14), for nested fields too."""
    if "\x13" not in text:
        return text
    out = []
    stack: list = []  # per open field: True while in its instructions
    in_code = 0
    for part in FIELD_MARKS.split(text):
        if part == "\x13":
            stack.append(True)
            in_code += 1
        elif part == "\x14":
            if stack and stack[-1]:
                stack[-1] = False
                in_code -= 1
        elif part == "\x15":
            if stack:
                in_code -= stack.pop()
        elif not in_code:
            out.append(part)
    return "".join(out)

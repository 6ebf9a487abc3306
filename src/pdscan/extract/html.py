"""HTML files: the text a reader sees (formats/htmltext.py), one block element per line.

The page is decoded incrementally and fed to the parser in blocks, so
memory follows the block size, not the page.
"""
from __future__ import annotations

import codecs
import re
from typing import BinaryIO, Iterator

from ..formats.htmltext import HtmlText
from ..model import Chunk
from .paragraphs import Lines
from .text import _ERRORS, _prepend, guess_encoding

HEAD = 4096
# WHATWG: these labels mean windows-1252 in every browser.
AS_CP1252 = frozenset(("iso8859-1", "latin-1", "ascii", "us-ascii", "iso-8859-1", "latin1"))
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def html_encoding(head: bytes) -> tuple[str, int]:
    """(codec, BOM length): BOM, then <meta charset>, then UTF-8 if it decodes, else cp1252."""
    encoding, bom = guess_encoding(head)
    if bom or encoding.startswith("utf-16"):
        return encoding, bom
    declared = META_CHARSET.search(head[:HEAD])
    if declared:
        label = declared.group(1).decode("ascii").lower()
        if label in AS_CP1252:
            return "cp1252", 0
        try:
            return codecs.lookup(label).name, 0
        except LookupError:
            pass
    return encoding, 0


def _decoded(stream: BinaryIO, encoding: str, skip: int, block_size: int) -> Iterator[str]:
    stream.read(skip)
    decoder = codecs.getincrementaldecoder(encoding)(errors=_ERRORS.get(encoding, "replace"))
    while True:
        raw = stream.read(block_size)
        text = decoder.decode(raw, final=not raw)
        if text:
            yield text
        if not raw:
            return


def extract_html(item, ctx) -> Iterator[Chunk]:
    lines = Lines(ctx.limits)
    parser = HtmlText()
    with item.open() as stream:
        head = stream.read(HEAD)
        encoding, bom = html_encoding(head)
        if encoding == "utf-8" and not _is_utf8(head):
            encoding = "cp1252"
        for text in _decoded(_prepend(head, stream), encoding, bom, ctx.limits.block_size):
            parser.feed(text)
            yield from _lines(parser.take(), lines)
    yield from _lines(parser.finish(), lines)
    yield from lines.flush()


def _lines(done: list, lines: Lines) -> Iterator[Chunk]:
    for line in done:
        yield from lines.add("", line)


def _is_utf8(head: bytes) -> bool:
    return guess_encoding(head)[0] == "utf-8"

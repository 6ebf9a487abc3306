"""HTML: the text a reader sees, one block element per line.

Script and style bodies are dropped; alt and title attributes (and author
or description meta tags) are kept, since names and addresses hide there.
The page is decoded incrementally and fed to html.parser in blocks, so
memory follows the block size, not the page.
"""
from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from typing import BinaryIO, Iterator

from ..model import Chunk
from .paragraphs import Lines
from .text import _ERRORS, _prepend, guess_encoding

HEAD = 4096
BLOCKS = frozenset((
    "address article aside blockquote body br caption dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html legend li main nav ol "
    "option p pre section summary table tbody td tfoot th thead title tr ul").split())
HIDDEN = frozenset(("script", "style", "template"))
ATTRIBUTES = ("alt", "title")
META_NAMES = frozenset(("author", "description", "keywords"))
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


class _Text(HTMLParser):
    """Collects visible text; a block element ends the current line."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.current: list = []
        self.done: list = []

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1
        if tag in BLOCKS:
            self.end_line()
        values = dict(attrs)
        extra = [values.get(name) for name in ATTRIBUTES]
        if tag == "meta" and (values.get("name") or "").lower() in META_NAMES:
            extra.append(values.get("content"))
        self.current.extend(f" {v} " for v in extra if v)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN:
            self.hidden -= 1

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        if tag in BLOCKS:
            self.end_line()

    def handle_data(self, data):
        if not self.hidden:
            self.current.append(data)

    def end_line(self):
        line = " ".join("".join(self.current).split())
        self.current = []
        if line:
            self.done.append(line)


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
    parser = _Text()
    with item.open() as stream:
        head = stream.read(HEAD)
        encoding, bom = html_encoding(head)
        if encoding == "utf-8" and not _is_utf8(head):
            encoding = "cp1252"
        for text in _decoded(_prepend(head, stream), encoding, bom, ctx.limits.block_size):
            parser.feed(text)
            yield from _drain(parser, lines)
    parser.close()
    parser.end_line()
    yield from _drain(parser, lines)
    yield from lines.flush()


def _drain(parser: _Text, lines: Lines) -> Iterator[Chunk]:
    for line in parser.done:
        yield from lines.add("", line)
    parser.done = []


def _is_utf8(head: bytes) -> bool:
    return guess_encoding(head)[0] == "utf-8"

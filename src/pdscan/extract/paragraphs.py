"""Document XML → paragraphs and tables, and paragraphs → line-numbered chunks.

Word, PowerPoint and OpenDocument share one shape: paragraphs that may sit
in table cells, text boxes or notes. The walker streams an XML part and
yields each paragraph as one line of text and each table as rows of cells,
dropping finished elements so memory follows a paragraph, not the part.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

from ..model import Chunk
from .text import stream_chunks


@dataclass(frozen=True)
class Tags:
    para: frozenset            # one line each
    table: str
    row: str
    cells: frozenset
    text: Optional[frozenset]  # elements whose text counts; None: mixed content (ODF)
    space: frozenset = frozenset()     # tabs and breaks, rendered as a space
    skip: frozenset = frozenset()      # subtrees that duplicate others (mc:Fallback)
    sections: frozenset = frozenset()  # reported as ("open"/"close", tag)


@dataclass
class _Table:
    rows: list = field(default_factory=list)
    row: Optional[list] = None
    cell: Optional[list] = None


def render(para, tags: Tags) -> str:
    """A paragraph's text on one line, leaving out nested paragraphs and tables
    (they are reported on their own) and collapsing whitespace."""
    mixed = tags.text is None
    cut = tags.para | tags.skip | {tags.table}
    out = [para.text or ""] if mixed else []
    if not mixed and para.tag in tags.text:
        out.append(para.text or "")
    todo = list(reversed(para))
    while todo:
        elem = todo.pop()
        if isinstance(elem, str):
            out.append(elem)
            continue
        if mixed and elem.tail:
            todo.append(elem.tail)
        if elem.tag in cut:
            continue
        if elem.tag in tags.space:
            out.append(" ")
        if (mixed or elem.tag in tags.text) and elem.text:
            out.append(elem.text)
        todo.extend(reversed(elem))
    return " ".join("".join(out).split())


def walk(events: Iterable, tags: Tags) -> Iterator[tuple]:
    """("p", text), ("table", rows), ("open"|"close", tag) from iterparse events."""
    stack: list = []
    tables: list = []
    in_para = skipping = 0
    for event, elem in events:
        tag = elem.tag
        if event == "start":
            stack.append(elem)
            skipping += tag in tags.skip
            if skipping:
                continue
            if tag in tags.sections:
                yield "open", tag
            in_para += tag in tags.para
            _start_table_part(tag, tags, tables)
            continue
        stack.pop()
        if tag in tags.skip:
            skipping -= 1
        elif not skipping:
            if tag in tags.para:
                in_para -= 1
            yield from _end(elem, tags, tables)
        if not in_para and stack:
            stack[-1].remove(elem)  # done with it: keep memory to one paragraph


def _start_table_part(tag, tags: Tags, tables: list) -> None:
    if tag == tags.table:
        tables.append(_Table())
    elif tables and tag == tags.row:
        tables[-1].row = []
    elif tables and tag in tags.cells:
        tables[-1].cell = []


def _end(elem, tags: Tags, tables: list) -> Iterator[tuple]:
    tag = elem.tag
    table = tables[-1] if tables else None
    if tag in tags.para:
        text = render(elem, tags)
        if table is not None and table.cell is not None:
            table.cell.append(text)
        else:
            yield "p", text
    elif table is not None and tag in tags.cells and table.row is not None:
        table.row.append(" ".join(t for t in (table.cell or ()) if t))
        table.cell = None
    elif table is not None and tag == tags.row and table.row is not None:
        table.rows.append(table.row)
        table.row = None
    elif tag == tags.table:
        tables.pop()
        outer = tables[-1] if tables else None
        if outer is not None and outer.cell is not None:
            # A table inside a cell becomes text of that cell.
            outer.cell.append(" ".join(c for row in table.rows for c in row if c))
        else:
            yield "table", table.rows
    elif tag in tags.sections:
        yield "close", tag


class Lines:
    """Paragraphs → chunks, one paragraph per line, lines counted per `where`
    so that "body line 12" is the twelfth paragraph of the body."""

    def __init__(self, limits):
        self.limits = limits
        self.where = ""
        self.lines: list = []
        self.size = 0
        self.counts: dict = {}

    def add(self, where: str, text: str) -> Iterator[Chunk]:
        if where != self.where or self.size >= self.limits.block_size:
            yield from self.flush()
            self.where = where
        self.lines.append(text)
        self.size += len(text) + 1

    def flush(self) -> Iterator[Chunk]:
        if not self.lines:
            return
        first = self.counts.get(self.where, 1)
        self.counts[self.where] = first + len(self.lines)
        if any(self.lines):
            data = ("\n".join(self.lines) + "\n").encode("utf-8", "replace")
            yield from text_chunks(data, self.where, first, self.limits)
        self.lines, self.size = [], 0


def text_chunks(data: bytes, where: str, first_line: int, limits) -> Iterator[Chunk]:
    """UTF-8 text as one chunk, or overlapping blocks when it is large."""
    if len(data) <= limits.block_size:
        yield Chunk(data, where, first_line)
        return
    yield from stream_chunks(io.BytesIO(data), limits.block_size, limits.overlap,
                             where, first_line=first_line)

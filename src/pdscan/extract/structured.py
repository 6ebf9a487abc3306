"""JSON, NDJSON and XML exports: each value under the name of the key, element or
attribute that holds it.

Values are rendered as a sparse table in document order: one line per value, in
the column of its name (`{"learner": {"dob": ...}}` puts the date under "learner
dob", `<Learner><ULN>` the number under "Learner ULN"), so the name is the value's
column header and nearby values still read as context. A file that does not parse
(or an XML file with a DTD, which is never expanded) is read as plain text instead.
"""
from __future__ import annotations

import json
from typing import Iterator

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse

from ..errors import ItemError
from ..limits import read_capped
from ..model import Chunk, Columns
from .tabular import cell_text, normalise_header
from .text import extract_text, guess_encoding

MAX_COLUMNS = 64    # names per chunk; a chunk with more starts a new one
BLOCK_ROWS = 2000
MAX_VALUE = 4096    # characters of one value kept on its line (a long text field is still prose)
MAX_JSON = 64 << 20  # larger JSON (a log of records) is streamed as text instead of parsed whole


class SparseTable:
    """Lines of one value each, placed in the column of its name."""

    def __init__(self, where: str = ""):
        self.where = where
        self.names: dict = {}
        self.lines: list = []
        self.first_line = 1

    def add(self, name: str, value: str) -> Iterator[Chunk]:
        value = " ".join(value.split())[:MAX_VALUE]
        if not value:
            return
        name = normalise_header(name)
        index = self.names.get(name)
        if index is None:
            if len(self.names) >= MAX_COLUMNS:
                yield from self.flush()
            index = self.names[name] = len(self.names)
        self.lines.append("\t" * index + value)
        if len(self.lines) >= BLOCK_ROWS:
            yield from self.flush()

    def flush(self) -> Iterator[Chunk]:
        if self.lines:
            # header_line 0: these chunks have no header line of their own to skip.
            columns = Columns(tuple(self.names), b"\t", header_line=0, sparse=True)
            yield Chunk(("\n".join(self.lines) + "\n").encode("utf-8"), self.where, self.first_line, columns=columns)
            self.first_line += len(self.lines)
        self.lines, self.names = [], {}


# -- JSON ------------------------------------------------------------------------


def _leaves(document) -> Iterator[tuple]:
    """(parent key, key, value) of every scalar, depth first, without recursion."""
    stack = [("", "", document)]
    while stack:
        parent, key, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((key, k, v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((parent, key, v) for v in reversed(value))  # items keep their list's name
        elif value is not None:
            yield parent, key, value


def _json_rows(table: SparseTable, document) -> Iterator[Chunk]:
    for parent, key, value in _leaves(document):
        text = ("true" if value else "false") if isinstance(value, bool) else \
            (cell_text(value) if isinstance(value, (int, float)) else str(value))
        yield from table.add(f"{parent} {key}", text)


def extract_json(item, ctx) -> Iterator[Chunk]:
    if item.size > min(MAX_JSON, ctx.limits.max_document_size):
        yield from extract_text(item, ctx)
        return
    with item.open() as stream:
        data = read_capped(stream, ctx.limits.max_document_size, "JSON document")
    encoding, bom = guess_encoding(data[:65536])
    text = data[bom:].decode(encoding, errors="replace")
    del data
    table = SparseTable()
    try:
        document = json.loads(text)
    except RecursionError:
        document, text = None, ""
    except ValueError:
        document = None
    if document is not None:
        yield from _json_rows(table, document)
        yield from table.flush()
        return
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except (ValueError, RecursionError):
            parsed.append(None)
    if not lines or sum(p is None for p in parsed) * 2 > len(lines):
        yield from extract_text(item, ctx)  # neither JSON nor NDJSON: read as text
        return
    for line, record in zip(lines, parsed):
        if record is None:
            yield from table.add("", line)
        else:
            yield from _json_rows(table, record)
    yield from table.flush()


# -- XML -------------------------------------------------------------------------


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].split(":")[-1]


# An XML Schema's attributes name fields and types (<xs:element name="FamilyName">): what a
# record would hold, about no one. Its documentation text is still read.
XSD = "{http://www.w3.org/2001/XMLSchema}"


def _xml_rows(stream, table: SparseTable) -> Iterator[Chunk]:
    path: list = []
    for event, elem in iterparse(stream, events=("start", "end"), forbid_dtd=True):
        tag = _local(elem.tag) if isinstance(elem.tag, str) else ""
        if event == "start":
            described = isinstance(elem.tag, str) and elem.tag.startswith(XSD)
            for attr, value in () if described else elem.attrib.items():
                yield from table.add(f"{tag} {_local(attr)}", value)
            path.append(tag)
            continue
        path.pop()
        parent = path[-1] if path else ""
        if elem.text and elem.text.strip():
            yield from table.add(f"{parent} {tag}", elem.text)
        if elem.tail and elem.tail.strip():
            yield from table.add(parent, elem.tail)
        elem.clear()


def extract_xml(item, ctx) -> Iterator[Chunk]:
    table = SparseTable()
    try:
        with item.open() as stream:
            yield from _xml_rows(stream, table)
        yield from table.flush()
    except (DefusedXmlException, ParseError):
        # A DTD (never expanded) or not well-formed: the text is still read, as text.
        yield from extract_text(item, ctx)
    except RecursionError:
        raise ItemError("XML nested too deeply") from None

"""SQL dumps (mysqldump, pg_dump, sqlite3 .dump): each value under its column's name.

A dump holds whole tables as statements: `INSERT INTO t (cols) VALUES (...),(...)`,
`INSERT INTO t VALUES (...)` whose columns come from the `CREATE TABLE t` earlier
in the file, and PostgreSQL's `COPY t (cols) FROM stdin;` blocks of tab-separated
lines. Their rows are rendered as a table per SQL table, so "dob" or "uln" is the
header of the values under it, as in a spreadsheet. Everything else (comments,
other statements) is read as text. The file is read line by line; one statement
is held at most MAX_STATEMENT characters (mysqldump writes about 1 MB each).
"""
from __future__ import annotations

import codecs
import re
from typing import Iterator, Optional

from ..model import Chunk, Columns
from .tabular import RowBlock, normalise_header
from .text import guess_encoding

MAX_STATEMENT = 16 * 1024 * 1024
TEXT_LINES = 2000

# What a dump's first bytes show (sniff): a data or schema statement at a line start.
_INSERT = re.compile(r"(?is)^\s*(?:INSERT\s+(?:IGNORE\s+)?|REPLACE\s+)INTO\s+((?:[`\"\[]?[\w$ .-]+?[`\"\]]?\.)?"
                     r"[`\"\[]?[\w$ -]+?[`\"\]]?)\s*(\([^()]*\))?\s*VALUES\s*")
_CREATE = re.compile(r"(?is)^\s*CREATE\s+(?:TEMP(?:ORARY)?\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\S+?)\s*\(")
_COPY = re.compile(r"(?i)^\s*COPY\s+(\S+)\s*(\([^()]*\))?\s+FROM\s+stdin")
_STARTS = re.compile(r"(?i)^\s*(?:INSERT\s|REPLACE\s|CREATE\s+(?:TEMP(?:ORARY)?\s+)?TABLE\s)")
# Tokens of a VALUES list: a quoted string (backslash or doubled-quote escapes), a bracket, a
# comma, or a bare value (number, NULL, function call name).
_TOKEN = re.compile(r"'(?:[^'\\]|\\.|'')*'|[(),;]|[^'(),;\s]+", re.S)
_ESCAPES = {"n": " ", "r": " ", "t": " ", "0": "", "Z": "", "b": ""}
_KEYWORDS = {"primary", "key", "unique", "constraint", "index", "foreign", "check", "fulltext", "spatial",
             "exclude", "like"}


def _name(text: str) -> str:
    """A table or column name without its quotes and schema: `mis`.`learners` -> learners."""
    return text.strip().split(".")[-1].strip("`\"[] ").lower()


def _column_names(text: str) -> tuple:
    return tuple(_name(c) for c in text.strip("() \n").split(","))


def _definitions(body: str) -> tuple:
    """Column names of a CREATE TABLE body: each top-level definition's first word."""
    names, depth, start = [], 0, 0
    for i, ch in enumerate(body + ","):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            words = body[start:i].split()
            if words and words[0].strip("`\"[]").lower() not in _KEYWORDS:
                names.append(_name(words[0]))
            start = i + 1
    return tuple(names)


def _qualified(table: str, column: str) -> str:
    """A database's bare `name` is the name of what its table holds: menu_items.name is a menu
    item's name, rooms.name a room's, students.name a student's. The header says so, as a
    spreadsheet would ("Item name"), in the table's words made singular."""
    if column != "name":
        return column
    words = table.replace("_", " ").split()
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return " ".join(words + ["name"])


def _unquote(token: str) -> str:
    if not token.startswith("'"):
        return "" if token.upper() == "NULL" else token
    body = token[1:-1].replace("''", "'")
    if "\\" in body:
        body = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body, flags=re.S)
    return " ".join(body.split())


def value_rows(text: str) -> Iterator[list]:
    """The tuples of a VALUES list, each a list of cell texts."""
    depth, row = 0, None
    for token in _TOKEN.findall(text):
        if token == "(":
            depth += 1
            if depth == 1:
                row = []
        elif token == ")":
            depth -= 1
            if depth == 0 and row is not None:
                yield row
                row = None
        elif token in (",", ";"):
            continue
        elif depth == 1 and row is not None:
            row.append(_unquote(token))
        elif depth > 1 and row is not None and row:
            row[-1] += token  # a function call's arguments stay with its value


def _quotes(line: str) -> int:
    """Quote characters that open or close a string ('' counts twice, an escaped \\' not at all)."""
    return line.count("'") - line.count("\\'") + line.count("\\\\'")


class _Dump:
    """The tables met so far and the chunks their rows make."""

    def __init__(self):
        self.schemas: dict = {}   # table name -> column names, from CREATE TABLE
        self.rows: dict = {}      # table name -> rows rendered so far (the next row's number)
        self.blocks: dict = {}    # table name -> RowBlock
        self.columns: dict = {}   # (table, names) -> Columns
        self.text = RowBlock("", TEXT_LINES)

    def table_rows(self, table: str, names: Optional[tuple], rows) -> Iterator[Chunk]:
        names = names or self.schemas.get(table)
        columns = None
        if names:
            columns = self.columns.get((table, names))
            if columns is None:
                # header_line 0: no chunk of a table starts at its header (rows are numbered from 1).
                columns = self.columns[(table, names)] = Columns(
                    tuple(normalise_header(_qualified(table, n)) for n in names), b"\t", header_line=0)
        block = self.blocks.get(table)
        if block is None:
            block = self.blocks[table] = RowBlock(f"table {table}", 2000)
        for row in rows:
            number = self.rows.get(table, 0) + 1
            self.rows[table] = number
            yield from block.add(number, "\t".join(row), columns)

    def flush(self) -> Iterator[Chunk]:
        yield from self.text.flush()
        for block in self.blocks.values():
            yield from block.flush()


def _lines(item) -> Iterator[tuple]:
    """(line number, text) of the item, decoded as text.py would."""
    with item.open() as stream:
        head = stream.read(65536)
        encoding, bom = guess_encoding(head)
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        pending, number = decoder.decode(head[bom:]), 0
        while True:
            raw = stream.read(1 << 20)
            pending += decoder.decode(raw, final=not raw)
            lines = pending.split("\n")
            pending = lines.pop()
            for line in lines:
                number += 1
                yield number, line
            if not raw:
                break
            if len(pending) > MAX_STATEMENT:
                number += 1
                yield number, pending
                pending = ""
        if pending:
            yield number + 1, pending


def extract_sql(item, ctx) -> Iterator[Chunk]:
    dump = _Dump()
    statement: list = []
    size, first, quotes = 0, 0, 0
    copy: Optional[tuple] = None
    for number, line in _lines(item):
        if copy is not None:
            if line.rstrip("\r") == "\\.":
                copy = None
                continue
            cells = [("" if c == "\\N" else " ".join(c.replace("\\t", " ").replace("\\n", " ").split()))
                     for c in line.rstrip("\r").split("\t")]
            yield from dump.table_rows(*copy, [cells])
            continue
        if not statement and not _STARTS.match(line):
            found = _COPY.match(line)
            if found:
                copy = (_name(found.group(1)), _column_names(found.group(2)) if found.group(2) else None)
            yield from dump.text.add(number, line, None)
            continue
        if not statement:
            first = number
        statement.append(line)
        size += len(line)
        quotes += _quotes(line)
        # The statement ends at a ';' that closes its line outside any string.
        if not (line.rstrip().endswith(";") and quotes % 2 == 0) and size < MAX_STATEMENT:
            continue
        yield from _statement(dump, "\n".join(statement), first)
        statement, size, quotes = [], 0, 0
    if statement:
        yield from _statement(dump, "\n".join(statement), first)
    yield from dump.flush()


def _statement(dump: _Dump, text: str, line: int) -> Iterator[Chunk]:
    insert = _INSERT.match(text)
    if insert:
        table = _name(insert.group(1))
        names = _column_names(insert.group(2)) if insert.group(2) else None
        yield from dump.table_rows(table, names, value_rows(text[insert.end():]))
        return
    create = _CREATE.match(text)
    if create:
        body = text[create.end():]
        end = body.rfind(")")
        dump.schemas[_name(create.group(1))] = _definitions(body[:end] if end >= 0 else body)
    for n, part in enumerate(text.split("\n")):
        yield from dump.text.add(line + n, part, None)

"""Delimited text (CSV/TSV) and the row rendering every spreadsheet shares.

A table is scanned as UTF-8 lines with a header row; each match finds its
column from its own line, so the column header ("DOB", "NI number") travels
with the cell as evidence without paying for a cell-by-cell split.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from typing import Iterable, Iterator, Optional, Sequence

from ..model import Chunk, Columns
from .layout import DATA, FIELD, HEADER, LOOKAHEAD, PROBE_ROWS, segment
from .text import guess_encoding, stream_chunks

HEADER_PROBE = 65536
SMALL_TABLE = 1 << 20  # tables up to this size are split into cells; larger ones stream as bytes


class QuotedColumns(Columns):
    """Columns of CSV whose fields may be quoted and hold the delimiter."""

    def header_at(self, data: bytes, offset: int) -> Optional[str]:
        start = data.rfind(b"\n", 0, offset) + 1
        # Delimiters inside a quoted field do not separate columns.
        index, quoted = 0, False
        for piece in data[start:offset].split(self.delimiter)[:-1]:
            if piece.count(b'"') % 2:
                quoted = not quoted
            if not quoted:
                index += 1
        return (self.headers[index] or None) if index < len(self.headers) else None


DELIMITERS = "\t,;|"  # in order of preference when two split the rows equally well
DIALECT_LINES = 60


def sniff_dialect(head: str) -> str:
    """The delimiter that splits the most rows into the same number of fields (more than one).
    A tab-separated export whose cells hold commas ("PEARSE, Stuart") splits as evenly on
    its commas as on its tabs, so a tie goes to the tab: cell text seldom holds one, while
    csv.Sniffer picks the comma there. Title lines above the table split on nothing."""
    lines = [line for line in head[:HEADER_PROBE].splitlines()[:DIALECT_LINES * 2] if line.strip()][:DIALECT_LINES]
    best, score = ",", 0
    for delimiter in DELIMITERS:
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        common = max(set(widths) - {1}, key=widths.count, default=None)
        if common is not None and widths.count(common) > score:
            best, score = delimiter, widths.count(common)
    return best


def extract_delimited(item, ctx) -> Iterator[Chunk]:
    with item.open() as stream:
        head = stream.read(SMALL_TABLE)
        encoding, bom = guess_encoding(head[:HEADER_PROBE])
        small = len(head) < SMALL_TABLE
        text = (head if small else head[:HEADER_PROBE])[bom:].decode(encoding, errors="replace")
        delimiter = sniff_dialect(text)
        if small:
            # Small tables (class lists, exports) are split into cells, so every table in them,
            # wherever its header row is, gets its own columns.
            yield from rows_to_chunks(csv.reader(io.StringIO(text), delimiter=delimiter), where="")
            return
        yield from _large_delimited(stream, ctx, head, text, encoding, delimiter)


def _large_delimited(stream, ctx, head: bytes, text: str, encoding: str, delimiter: str) -> Iterator[Chunk]:
    """Large tables stream as bytes under the first header found near the top: no cell split."""
    lines = text.split("\n", PROBE_ROWS + LOOKAHEAD)[:PROBE_ROWS + LOOKAHEAD]
    rows = list(csv.reader(io.StringIO("\n".join(lines[:-1])), delimiter=delimiter))
    header = next((r for r in segment(rows) if r.role == HEADER), None)
    stream.seek(0)
    if header is None or (header.number > 1 and encoding.startswith("utf-16")) or len(rows) != len(lines) - 1:
        # No header, or lines that cannot be counted in bytes (UTF-16, quoted line breaks).
        columns = _quoted(header, delimiter) if header is not None and header.number == 1 else None
        yield from stream_chunks(stream, ctx.limits.block_size, ctx.limits.overlap, columns=columns)
        return
    if header.number > 1:
        yield from rows_to_chunks(rows[:header.number - 1], where="")
        start = 0
        for _ in range(header.number - 1):
            start = head.index(b"\n", start) + 1
        stream.seek(start)
    yield from stream_chunks(stream, ctx.limits.block_size, ctx.limits.overlap, columns=_quoted(header, delimiter),
                             first_line=header.number)


def _quoted(header, delimiter: str) -> "QuotedColumns":
    return QuotedColumns(tuple(normalise_header(h) for h in header.header), delimiter.encode(),
                         header_line=header.number)


def normalise_header(cell) -> str:
    return " ".join(str(cell).split())[:80]


# Number cells are rendered as a spreadsheet shows them, not as Python's repr: a float's 17
# significant digits (0.07123456789012345) would offer digit runs to the card and phone detectors. A number
# cell this large is a quantity: an identifier of 13 digits or more (a card number) is kept as text,
# because a spreadsheet shows such a number as 4.71235E+12 and holds only 15 digits.
LONG_NUMBER = 10 ** 12


def cell_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if abs(value) >= LONG_NUMBER:
            return f"{value:.6G}"
        if value == int(value):
            return str(int(value))  # 7700900123.0 is the phone number 7700900123
        return f"{value:.6G}"  # a fraction's digits are never an identifier: keep no long run of them
    return " ".join(str(value).split())


def rows_to_chunks(rows: Iterable[Sequence], where: str, block_rows: int = 2000) -> Iterator[Chunk]:
    """Render a sheet's rows as tab-separated UTF-8 chunks, each table's rows with its header.

    Line n of a chunk is row n of the sheet, so a match's line is its row. Rows above a table
    (titles, notes) are plain text; a "DOB: | 01/02/2005" field there is a chunk under its label.
    """
    block = RowBlock(where, block_rows)
    table: Optional[Columns] = None
    for row in segment([cell_text(v) for v in cells] for cells in rows):
        if row.role == FIELD and row.number <= PROBE_ROWS:
            # The value again, alone under its label: the label is its evidence, as a header is.
            value = "\t".join(c for c in row.cells if c.strip() and c.strip().rstrip(": ") != row.header[0])
            yield Chunk((value + "\n").encode("utf-8"), where, row.number, header=row.header[0])
        if row.role == HEADER:
            table = Columns(tuple(normalise_header(c) for c in row.header), b"\t", header_line=row.number)
        in_table = row.role in (HEADER, DATA) or (not any(row.cells) and block.columns is not None)
        yield from block.add(row.number, "\t".join(row.cells), table if in_table else None)
    yield from block.flush()


def tables_in_text(text: str, where: str) -> Iterator[Chunk]:
    """The tables in a text (a mail's HTML table as rows of tab-separated cells, a table
    pasted into a plain-text mail, a results statement printed with "|" between its cells):
    each run of two or more such rows under its header row, wherever the run starts. Only rows
    under a header are yielded: the text is read as text elsewhere; these add what a column
    header says of its cells ("Name" over "Aoife Ng")."""
    lines = text.split("\n")
    start, rows = None, []
    for n, line in enumerate(lines + [""]):
        cells = table_row(line)
        if cells is not None and (start is None or len(cells) == len(rows[-1]) or "\t" in line):
            start = n if start is None else start
            rows.append(cells)
            continue
        if start is not None and n - start >= 2:
            for chunk in rows_to_chunks(rows, where):
                if chunk.columns is not None:
                    # Lines of the run as lines of the text.
                    yield replace(chunk, first_line=chunk.first_line + start,
                                  columns=replace(chunk.columns, header_line=chunk.columns.header_line + start))
        start, rows = (n, [cells]) if cells is not None else (None, [])


_RULE_CELL = re.compile(r":?-{3,}:?")


def table_row(line: str) -> Optional[list]:
    """A line's cells when it is a row of a table written in text, else None: cells apart by
    tabs, or by "|" (a table printed with rules, a Markdown table, whose "|---|" line under the
    header is a row of no values)."""
    line = line.rstrip("\r")
    if "\t" in line:
        return line.split("\t")
    if line.count("|") < 2:
        return None
    cells = [c.strip() for c in line.strip().split("|")]
    if line.strip().startswith("|"):
        cells = cells[1:]
    if line.strip().endswith("|"):
        cells = cells[:-1]
    if all(_RULE_CELL.fullmatch(c) for c in cells):
        return [""] * len(cells)
    return cells


class RowBlock:
    """Consecutive rows under one header (or none), cut into chunks of block_rows."""

    def __init__(self, where: str, block_rows: int):
        self.where, self.block_rows = where, block_rows
        self.lines: list = []
        self.first_line = 1
        self.columns: Optional[Columns] = None

    def add(self, number: int, line: str, columns: Optional[Columns]) -> Iterator[Chunk]:
        if columns is not self.columns or len(self.lines) >= self.block_rows \
                or (self.lines and number != self.first_line + len(self.lines)):
            yield from self.flush()
            self.columns = columns
        if not self.lines:
            self.first_line = number
        self.lines.append(line)

    def flush(self) -> Iterator[Chunk]:
        if self.lines:
            yield Chunk(("\n".join(self.lines) + "\n").encode("utf-8"), self.where, self.first_line,
                        columns=self.columns)
            self.lines = []

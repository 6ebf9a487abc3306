"""Delimited text (CSV/TSV) and the row rendering every spreadsheet shares.

A table is scanned as UTF-8 lines with a header row; each match finds its
column from its own line, so the column header ("DOB", "NI number") travels
with the cell as evidence without paying for a cell-by-cell split.
"""
from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator, Optional, Sequence

from ..model import Chunk, Columns
from .text import guess_encoding, stream_chunks

HEADER_PROBE = 65536


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


def looks_like_header(cells: Sequence[str]) -> bool:
    filled = [c.strip() for c in cells if c and c.strip()]
    if len(filled) < 1:
        return False
    wordy = sum(1 for c in filled if len(c) <= 40 and not any(ch.isdigit() for ch in c))
    return wordy >= max(1, (len(filled) * 2 + 2) // 3)


def sniff_dialect(head: str) -> str:
    try:
        return csv.Sniffer().sniff(head[:HEADER_PROBE], delimiters=",;\t|").delimiter
    except csv.Error:
        return "\t" if head.count("\t") > head.count(",") else ","


def extract_delimited(item, ctx) -> Iterator[Chunk]:
    with item.open() as stream:
        head = stream.read(HEADER_PROBE)
        encoding, bom = guess_encoding(head)
        text = head[bom:].decode(encoding, errors="replace")
        delimiter = sniff_dialect(text)
        first = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=delimiter), [])
        columns = None
        if looks_like_header(first):
            columns = QuotedColumns(tuple(normalise_header(h) for h in first), delimiter.encode())
        stream.seek(0)
        yield from stream_chunks(stream, ctx.limits.block_size, ctx.limits.overlap, columns=columns)


def normalise_header(cell) -> str:
    return " ".join(str(cell).split())[:80]


# Number cells are rendered as a spreadsheet shows them, not as Python's repr: a float's 17
# significant digits (0.07123456789012345) would offer digit runs to the card and phone detectors. A number
# cell this large is a quantity: an identifier of 13 digits or more (a card number) is kept as text,
# because a spreadsheet shows such a number as 4.71235E+12 and holds only 15 digits.
LONG_NUMBER = 10 ** 12


def _cell(value) -> str:
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
    """Render a sheet's rows as tab-separated UTF-8 chunks with its header row.

    Line n of the rendering is row n of the sheet, so a match's line is its row.
    """
    columns: Optional[Columns] = None
    lines: list = []
    first_line = 1
    for n, row in enumerate(rows, start=1):
        cells = [_cell(v) for v in row]
        if n == 1 and looks_like_header(cells):
            columns = Columns(tuple(normalise_header(c) for c in cells), b"\t")
        lines.append("\t".join(cells))
        if len(lines) >= block_rows:
            yield Chunk(("\n".join(lines) + "\n").encode("utf-8"), where, first_line, columns=columns)
            first_line += len(lines)
            lines = []
    if lines:
        yield Chunk(("\n".join(lines) + "\n").encode("utf-8"), where, first_line, columns=columns)

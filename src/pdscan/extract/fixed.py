"""Fixed-width text reports: aligned columns under a header line.

A register or MIS report printed to text lines its values up under a header
("Surname    Forename   DOB         ULN"). The header is found near the top: a
line of three or more names set apart by runs of spaces (or by one space, where
a rule or the values below start a column there), over lines split the same way
that hold values. A value then takes the header whose text it overlaps
most (or the nearest, a few characters off), so left- and right-aligned columns
both work; lines that are not split into such cells (prose, a page footer) have
no column, and the header repeated on each printed page is no value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..model import Columns
from .layout import label_like, looks_like_header

GAP = re.compile(r" {2,}|\t")
GAP_BYTES = re.compile(rb" {2,}|\t")
PROBE = 16384      # bytes of a text looked at for a header line
PROBE_LINES = 60
MIN_COLUMNS = 3
SLACK = 12         # characters a cell may sit from its header and still be under it


def _cells(line: str) -> list:
    """(start, end, text) of the cells of a line split at runs of two or more spaces."""
    out, pos = [], 0
    for gap in GAP.finditer(line):
        if gap.start() > pos:
            out.append((pos, gap.start(), line[pos:gap.start()]))
        pos = gap.end()
    if pos < len(line):
        out.append((pos, len(line), line[pos:]))
    return [c for c in out if c[2].strip()]


@dataclass(frozen=True)
class FixedColumns(Columns):
    spans: tuple = ()          # (start, end) of each header name on its line
    header_text: bytes = b""   # the header line itself, which has no values

    def header_at(self, data: bytes, offset: int) -> Optional[str]:
        start = data.rfind(b"\n", 0, offset) + 1
        end = data.find(b"\n", offset)
        line = data[start:end if end >= 0 else len(data)].rstrip(b"\r")
        if line.strip(b"\f ") == self.header_text.strip():
            return None  # the header again, as each printed page repeats it
        # The cell around the value, bounded by runs of spaces; a line with no such runs has none.
        pos, a, b = offset - start, 0, len(line)
        for gap in GAP_BYTES.finditer(line):
            if gap.end() <= pos:
                a = gap.end()
            elif gap.start() >= pos:
                b = gap.start()
                break
        if a == 0 and b == len(line):
            return None
        # The header the cell overlaps most; if none, the nearest one: a PDF's text laid out
        # again from positions drifts a few characters from its header in proportional type.
        # A cell across two headers' names is a title or a note, not one column's value.
        best, best_overlap, covered = None, -SLACK, 0
        for index, (h_start, h_end) in enumerate(self.spans):
            overlap = min(b, h_end) - max(a, h_start)
            covered += overlap > 0
            if overlap > best_overlap:
                best, best_overlap = index, overlap
        if covered >= 2:
            # Full cells of a row can run into each other ("07874-379377 Andrei Nowak"): a value
            # of such a row that starts where a header starts is that column's.
            if len(GAP_BYTES.split(line.strip())) < max(MIN_COLUMNS, len(self.spans) // 2):
                return None
            best = next((i for i, (h_start, _) in enumerate(self.spans) if abs(pos - h_start) <= 1), None)
        return self.headers[best] if best is not None else None

    def fits(self, data: bytes) -> bool:
        """Do the lines read as rows of this report (a page printed without its header)?"""
        lines = [x for x in data.split(b"\n")[:PROBE_LINES] if x.strip()]
        rows = [x for x in lines if len([c for c in GAP_BYTES.split(x.strip()) if c.strip()]) >= len(self.spans) - 1]
        return len(rows) >= 1 and len(rows) * 2 >= len(lines)


def find_fixed_header(text: str) -> Optional[tuple]:
    """(line index, FixedColumns) of the aligned header line near the top of a text with
    values under it, or None. A report's title lines can read as column names too ("PENNINE
    EDGE COLLEGE      Page 1"): a line ruled off underneath ("-----") is the header when
    there is one. Only complete lines count."""
    lines = text.split("\n", PROBE_LINES)[:PROBE_LINES]
    if len(lines) > 1 and not text.endswith("\n"):
        lines = lines[:-1]
    first = None
    for n, line in enumerate(lines):
        line = line.rstrip("\r")
        cells = _header_cells(line, lines[n + 1:n + 6])
        if len(cells) < MIN_COLUMNS or not looks_like_header([c[2] for c in cells]) \
                or not all(label_like(c[2]) for c in cells):
            continue
        ruled = n + 1 < len(lines) and _is_rule(lines[n + 1])
        below = [_cells(x.rstrip("\r")) for x in lines[n + 1:n + 6] if x.strip() and not _is_rule(x)]
        # Under a ruled header, full cells run into each other ("07874-379377 Andrei Nowak").
        spaced = len(_cells(line))  # names apart by runs of spaces, as the rows' cells are
        need = min(len(cells), spaced) - 1 if not ruled else min(len(cells) - 1, max(MIN_COLUMNS, (spaced + 1) // 2))
        rows = [r for r in below if len(r) >= need]
        # Two rows, or a page's last row over its footer.
        if not ((len(rows) >= min(2, len(below)) or len(rows) * 2 >= len(below)) and rows
                and any(any(ch.isdigit() for ch in c[2]) for r in rows for c in r)):
            continue
        found = n, FixedColumns(tuple(" ".join(c[2].split()) for c in cells), b"\t", header_line=0,
                                spans=tuple(_byte_spans(line, cells)), header_text=line.encode("utf-8"))
        if ruled:
            return found
        first = first or found
    return first


def _is_rule(line: str) -> bool:
    """A line drawn under a header: dashes, equals signs or underscores (with gaps)."""
    mark = line.strip()
    return len(mark) >= 3 and set(mark) <= set("-=_ ")


def _header_cells(line: str, below: list) -> list:
    """A header line's cells: split at runs of spaces, and at single spaces too where the
    values below have more columns than that ("Staff No Surname   Forename DOB")."""
    cells = _cells(line)
    if not cells:
        return cells
    widths = sorted(len(r) for r in (_cells(x.rstrip("\r")) for x in below) if len(r) >= MIN_COLUMNS)
    if len(cells) < MIN_COLUMNS or (widths and len(cells) < widths[len(widths) // 2]):
        return _split_by_data(line, below)
    aligned = _aligned_starts(below)
    if any(a < start < b for a, b, _ in cells for start in aligned):
        return _split_by_data(line, below, aligned)
    return cells


def _aligned_starts(below: list) -> set:
    """Where a value starts on nearly every row below, though one space may be all that sets
    it apart ("3117 3683001754 OKONKWO" under "Cand ULN  Surname"): a column of its own."""
    rows = [x.rstrip("\r") for x in below if x.strip() and not _is_rule(x)]
    if len(rows) < 2:
        return set()
    counts: dict = {}
    for x in rows:
        for token in re.finditer(r"(?<!\S)\S", x):
            counts[token.start()] = counts.get(token.start(), 0) + 1
    return {pos for pos, n in counts.items() if n * 3 >= len(rows) * 2 and pos}


def _split_by_data(line: str, below: list, aligned: frozenset = frozenset()) -> list:
    """The cells of a header whose names stand one space apart ("Surname Forename DOB"):
    a word starts a column where a rule ("-----  ----") or the values below start one."""
    starts = set(aligned)
    for x in below:
        row = _cells(x.rstrip("\r"))
        if len(row) >= MIN_COLUMNS:
            starts.update(c[0] for c in row)
    out: list = []
    for word in re.finditer(r"\S+", line):
        if out and not starts & {word.start() - 1, word.start(), word.start() + 1} \
                and word.start() - out[-1][1] < 2:
            a = out[-1][0]
            out[-1] = (a, word.end(), line[a:word.end()])
        else:
            out.append((word.start(), word.end(), word.group()))
    return out


def _byte_spans(line: str, cells: list) -> list:
    """Character positions as byte positions: chunks are UTF-8 bytes."""
    return [(len(line[:a].encode("utf-8")), len(line[:b].encode("utf-8"))) for a, b, _ in cells]


def split_at_header(head: bytes, encoding: str = "utf-8", bom: int = 0) -> Optional[tuple]:
    """(bytes up to and with the header line, the next line's number, FixedColumns) for text
    whose first bytes are `head`, or None. Only encodings where a newline is one byte."""
    if encoding not in ("utf-8", "cp1252"):
        return None
    found = find_fixed_header(head[bom:].decode(encoding, errors="replace"))
    if found is None:
        return None
    line, columns = found
    cut = 0
    for _ in range(line + 1):
        cut = head.index(b"\n", cut) + 1
    return cut, line + 2, columns

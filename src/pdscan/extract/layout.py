"""Where a table's header row is, in rows laid out as people lay them out.

Exports and class lists open with title lines, blank rows and a "Course:
Level 3" block before the header; a sheet can hold a second table further
down, and a header can span two rows (a merged group cell over its columns).
`segment` reads rows once, with a few rows of look-ahead, and says of each
row what it is: free text, a labelled field, a header, or data under the
header in force.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional, Sequence

PROBE_ROWS = 30   # the first header is looked for this far down
LOOKAHEAD = 5     # rows read ahead to see the data under a header candidate
MAX_LABEL = 40    # longer cells are text, not column names or field labels
MAX_QUESTION = 120  # except a form's question, a survey export's column name ("What is your date of birth?")

TEXT, FIELD, HEADER, DATA = "text", "field", "header", "data"


@dataclass(frozen=True)
class Row:
    number: int        # 1-based, as the sheet or file numbers it
    cells: tuple
    role: str
    header: Optional[tuple] = None  # HEADER/DATA: the column names in force; FIELD: (label,)


def _filled(cells: Sequence[str]) -> list:
    return [c.strip() for c in cells if c and c.strip()]


# A column's own number beside its name words: "Contact 1 Name", "Address Line 2", "CONTACT_1_PHONE".
_NUMBERED = re.compile(r"(?<![A-Za-z0-9])[0-9](?![A-Za-z0-9])")


def label_like(cell: str) -> bool:
    """Could this cell name a column or a field? Words ("#" too), and at most one lone digit among them
    (a value such as "ENG32", "12/03/2007" or "07700 900123" cannot)."""
    longest = MAX_QUESTION if cell.rstrip().endswith("?") else MAX_LABEL
    if len(cell) > longest or not (cell == "#" or any(ch.isalpha() for ch in cell)):
        return False
    digits = sum(ch.isdigit() for ch in cell)
    if not digits:
        return True
    return digits == 1 and bool(_NUMBERED.search(cell)) and sum(ch.isalpha() for ch in cell) >= 4


# A numbered column: a short prefix and its number ("W1", "Wk 2", "LO3", "Q4").
_NUMBERED_COLUMN = re.compile(r"([A-Za-z]{1,4})[ ._-]?(\d{1,2})")
SERIES = 3   # numbered columns in a run that make a series


def _series(filled: list) -> set:
    """The cells of numbered series along the row ("W1", "W2", "W3"...: a register's weeks, a
    marksheet's outcomes): SERIES or more with one prefix and consecutive numbers name columns,
    though each alone reads as a value such as a room or a code."""
    runs: dict = {}
    for cell in filled:
        m = _NUMBERED_COLUMN.fullmatch(cell)
        if m:
            runs.setdefault(m.group(1).lower(), []).append((int(m.group(2)), cell))
    out = set()
    for cells in runs.values():
        numbers = [n for n, _c in cells]
        if len(cells) >= SERIES and numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            out.update(c for _n, c in cells)
    return out


def looks_like_header(cells: Sequence[str]) -> bool:
    filled = _filled(cells)
    if len(filled) < 1:
        return False
    series = _series(filled)
    wordy = sum(1 for c in filled if label_like(c) or c in series)
    return wordy >= max(1, (len(filled) * 2 + 2) // 3)


def _header_like(cells: Sequence[str]) -> bool:
    """Two or more distinct column names; a row of cells ending in ':' is field labels instead
    (a stray colon in a wide header, "Postcode:", is still a column name)."""
    filled = _filled(cells)
    colons = sum(c.endswith(":") for c in filled)
    return len(filled) >= 2 and looks_like_header(cells) and (colons == 0 or (len(filled) > 2 and colons * 3 < len(filled))) \
        and len({c.lower() for c in filled}) == len(filled)


def _group_like(cells: Sequence[str]) -> bool:
    """A row over a header that names groups of its columns, or the first words of names
    wrapped onto two rows ("Next" over "of Kin", "NOK", "NOK" over "Tel", "Email")."""
    filled = _filled(cells)
    return len(filled) >= 2 and looks_like_header(cells) and not any(c.endswith(":") for c in filled)


def field_label(cells: Sequence[str]) -> Optional[str]:
    """The label of a "DOB: | 01/02/2005" row (a colon, or just two cells), or None."""
    filled = _filled(cells)
    if len(filled) < 2 or not label_like(filled[0].rstrip(":")):
        return None
    if filled[0].endswith(":") or len(filled) == 2:
        return filled[0].rstrip(": ") or None
    return None


def _data_follows(cells: Sequence[str], ahead: list, later_table: bool) -> bool:
    """Rows under a header candidate read as its data: as wide as it, roughly.
    A later table's header must also differ in kind from the row under it
    (names over values), or every blank-separated row of a names list would
    start a table of its own."""
    below = [r for r in ahead if _filled(r)]
    if not below or len(_filled(below[0])) < 2:
        return False
    width = max(len(_filled(r)) for r in below)
    if len(_filled(cells)) * 5 < width * 3:
        return False
    return not (later_table and looks_like_header(below[0]))


# Lower-case words a name keeps ("van den Berg", Welsh "Dylan ap Iorwerth").
PARTICLES = frozenset("van von de der den del della di da dos das du le la ter ten bin ibn al el ap ab ferch".split())


def _form(cells: Sequence[str], ahead: list) -> bool:
    """Two cells a row, labels on the left: a form laid out as a table (a support plan's
    "Name | Jessica Wright", "Date of birth | 23/06/2008"), each row a field, not a table
    whose header is its first row. Its labels are words written as words ("Date of birth",
    "Primary need"); a names column's cells are names (every word capitalised)."""
    rows = [cells]
    for r in (r for r in ahead if _filled(r)):
        if len(_filled(r)) != 2:
            break  # the form ends where a note or a table starts ("Notes: ...", the header row)
        rows.append(r)
    if len(_filled(cells)) != 2 or len(rows) < 3:
        return False
    labels = [_filled(r)[0] for r in rows]
    return all(label_like(x) for x in labels) and any(
        w.isalpha() and w.islower() and len(w) > 1 and w not in PARTICLES for x in labels for w in x.split())


def _combined(top: Sequence[str], names: Sequence[str]) -> tuple:
    """A group row over a header row ("Emergency contact" over "Name", "Phone"):
    each group name is carried right over the columns it spans."""
    out, group = [], ""
    for i, name in enumerate(names):
        above = top[i].strip() if i < len(top) and top[i] else ""
        group = above or group
        out.append(f"{group} {name}".strip() if name.strip() else group)
    return tuple(out)


def segment(rows: Iterable[Sequence[str]]) -> Iterator[Row]:
    """Each row with its role; rows are lists of rendered cell text."""
    source = enumerate(rows, start=1)
    ahead: deque = deque()
    header: Optional[tuple] = None
    previous: Optional[Row] = None   # the row just above, if it was not blank
    blank_above = True               # a blank row (or the top) just above, or a title after one

    def fill():
        while len(ahead) < LOOKAHEAD + 1:
            try:
                ahead.append(next(source))
            except StopIteration:
                return

    while True:
        fill()
        if not ahead:
            return
        number, cells = ahead.popleft()
        cells = tuple(cells)
        filled = _filled(cells)
        if not filled:
            previous, blank_above = None, True
            yield Row(number, cells, TEXT)
            continue
        seeking = number <= PROBE_ROWS if header is None else blank_above
        if previous is not None and previous.role == FIELD and len(filled) == 2:
            seeking = False  # the next line of a key-value block ("Run by | MIS" under "UKPRN | 1009...")
        upcoming = [c for _, c in ahead] if seeking else []
        if seeking and _header_like(cells) and _data_follows(cells, upcoming, header is not None) \
                and not _form(cells, upcoming):
            names = tuple(c.strip() for c in cells)
            nxt = upcoming[0] if upcoming else ()
            if _header_like(nxt) and len(_filled(nxt)) > len(filled):
                # This row groups the next one's columns: the next row is the header.
                yield Row(number, cells, TEXT)
                number, cells = ahead.popleft()
                cells = tuple(cells)
                header = _combined(names, tuple(c.strip() for c in cells))
            elif previous is not None and previous.role in (TEXT, FIELD) and _group_like(previous.cells) \
                    and len(_filled(previous.cells)) < len(filled):
                header = _combined(previous.cells, names)
            else:
                header = names
            previous, blank_above = Row(number, cells, HEADER, header), False
            yield previous
            continue
        if header is not None:
            row = Row(number, cells, DATA, header)
        else:
            label = field_label(cells)
            row = Row(number, cells, FIELD, (label,)) if label else Row(number, cells, TEXT)
        # A title line right after a blank row still lets the next row start a table.
        blank_above = blank_above and len(filled) == 1 and previous is None
        previous = row
        yield row


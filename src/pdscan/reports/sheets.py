"""Spreadsheet reports: xlsx (openpyxl) and ods (pyexcel), one sheet per table; csv as a zip of csv files
(the report's --output must then end in .zip: one file, written whole, that says what it is).

Cells keep their types: dates as dates and numbers as numbers, so that
sorting and sums work in the spreadsheet. Text is never a formula: a member
named `=HYPERLINK("http://x","click")` comes from whoever made the archive,
so every text cell is written as a string (xlsx, ods), and a CSV cell that a
spreadsheet would read as a formula starts with a quote (OWASP's rule).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import OrderedDict

from ..display import shown
from .cells import plain
from .tables import Tables

SHEET_NAME_MAX = 31  # Excel's limit
# A spreadsheet opening a CSV takes a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    return "" if value is None else value


def bookdict(tables: Tables) -> OrderedDict:
    book = OrderedDict()  # pyexcel keeps the order of an OrderedDict only
    for t in tables.tables.values():
        book[t.title[:SHEET_NAME_MAX]] = [list(t.columns)] + [[_cell(v) for v in row] for row in t.rows]
    return book


def write_book(tables: Tables, path: str) -> None:
    """ods: pyexcel's writer gives every str the string value type, never a formula."""
    import pyexcel

    pyexcel.save_book_as(bookdict=bookdict(tables), dest_file_name=path)


WIDTH_MIN, WIDTH_MAX = 8, 80  # characters: a column as wide as its longest cell, within these


def _width(value) -> int:
    if isinstance(value, dt.datetime):
        return 20
    if isinstance(value, dt.date):
        return 11
    return len(str(value))


def widths(rows: list) -> list:
    """Each column's width in characters, from its longest cell (the header's plus the filter button)."""
    out = [len(str(c)) + 3 for c in rows[0]]
    for row in rows[1:]:
        for i, value in enumerate(row):
            out[i] = max(out[i], _width(value))
    return [min(WIDTH_MAX, max(WIDTH_MIN, w + 1)) for w in out]


def write_xlsx(tables: Tables, path: str) -> None:
    """For the DPO in Excel: widths from content, the header row frozen and filtered, dates as dates.
    openpyxl makes any str starting with "=" a formula: each text cell is typed a string."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook(write_only=True)
    for title, rows in bookdict(tables).items():
        sheet = book.create_sheet(title)
        for i, width in enumerate(widths(rows), 1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(rows[0]))}{max(2, len(rows))}"
        for row in rows:
            cells = []
            for value in row:
                if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
                    value = shown(value)  # a file may be named with BEL: openpyxl refuses it mid-sheet
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                elif isinstance(value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            sheet.append(cells)
    book.save(path)


def inert_csv(value):
    """A CSV cell no spreadsheet runs: text that would start a formula gets a leading quote (after
    leading spaces too: some spreadsheets trim them before deciding)."""
    if isinstance(value, str) and value.lstrip(" \u00a0").startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv_zip(tables: Tables, path: str) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, t in tables.tables.items():
            text = io.StringIO(newline="")
            writer = csv.writer(text)
            writer.writerow(t.columns)
            for row in t.rows:
                writer.writerow(["" if v is None else inert_csv(plain(v)) for v in row])
            archive.writestr(f"{name}.csv", text.getvalue().encode("utf-8"))

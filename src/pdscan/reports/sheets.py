"""Spreadsheet reports: xlsx (openpyxl) and ods (pyexcel), one sheet per table; csv as a zip of csv files.

Cells keep their types: dates as dates and numbers as numbers, so that
sorting and sums work in the spreadsheet. Text is never a formula: a member
named `=HYPERLINK("http://x","click")` comes from whoever made the archive,
so every text cell is written as a string (xlsx, ods), and a CSV cell that a
spreadsheet would read as a formula starts with a quote (OWASP's rule).
"""
from __future__ import annotations

import csv
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


def write_xlsx(tables: Tables, path: str) -> None:
    """openpyxl makes any str starting with "=" a formula: each text cell is typed a string."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = openpyxl.Workbook(write_only=True)
    for title, rows in bookdict(tables).items():
        sheet = book.create_sheet(title)
        for row in rows:
            cells = []
            for value in row:
                if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
                    value = shown(value)  # a file may be named with BEL: openpyxl refuses it mid-sheet
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    book.save(path)


def inert_csv(value):
    """A CSV cell no spreadsheet runs: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
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

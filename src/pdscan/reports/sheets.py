"""Spreadsheet reports: xlsx/ods through pyexcel (one sheet per table), csv as a zip of csv files.

Cells keep their types: dates as dates and numbers as numbers, so that
sorting and sums work in the spreadsheet.
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections import OrderedDict

from .tables import Tables

SHEET_NAME_MAX = 31  # Excel's limit


def _cell(value):
    return "" if value is None else value


def bookdict(tables: Tables) -> OrderedDict:
    book = OrderedDict()  # pyexcel keeps the order of an OrderedDict only
    for t in tables.tables.values():
        book[t.title[:SHEET_NAME_MAX]] = [list(t.columns)] + [[_cell(v) for v in row] for row in t.rows]
    return book


def write_book(tables: Tables, path: str) -> None:
    import pyexcel

    pyexcel.save_book_as(bookdict=bookdict(tables), dest_file_name=path)


def write_csv_zip(tables: Tables, path: str) -> None:
    from . import plain

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, t in tables.tables.items():
            text = io.StringIO(newline="")
            writer = csv.writer(text)
            writer.writerow(t.columns)
            for row in t.rows:
                writer.writerow(["" if v is None else plain(v) for v in row])
            archive.writestr(f"{name}.csv", text.getvalue().encode("utf-8"))

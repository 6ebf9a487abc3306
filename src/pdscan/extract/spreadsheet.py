"""Spreadsheets (xlsx, xls, ods), one chunk stream per sheet.

Cells are read by calamine (Rust, several times faster than pyexcel); pyexcel's
streaming readers (openpyxl, xlrd, ezodf) read what calamine cannot: a workbook
whose sheets span more cells than one grid should hold (calamine allocates each
sheet whole), cells without addresses, Excel 5 books, and files calamine refuses.
Hidden sheets, rows and columns are read too: they are where personal data
is most often forgotten. Zip-based workbooks have every part checked for
size, ratio and DTDs before any reader parses them, and rows stream
under a deadline, because a two-cell sheet can declare a million padded rows.
"""
from __future__ import annotations

import datetime
import io
import os
import time
import zipfile
from typing import Iterator, Optional

from ..errors import ItemError, LimitExceeded
from ..limits import read_capped
from ..model import Chunk
from ..encryption.zipseal import unflag_readable
from ..formats.magic import OLE_MAGIC, OOXML_ENCRYPTED
from ..formats.ole import ole_kind
from .sheet_area import ods_cells, xls_cells, xlsx_cells
from .tabular import rows_to_chunks
from .zipxml import ZIP_ERRORS, refuse_dtds, refuse_encrypted_odf

ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
MAX_COLUMNS = 2000     # columns rendered per row; Excel allows 16384, people do not use them
MAX_SECONDS = 300      # one workbook; padded empty rows cost time without costing bytes
MAX_GRID_CELLS = 2_000_000  # calamine's grids for one workbook: 32 bytes a cell, 64 MB
READER_VARIABLE = "PDSCAN_SHEET_READER"  # "pyexcel": read every workbook as before calamine (a workaround, the benchmark)
# pyexcel skips hidden sheets, rows and columns unless told not to; the ods
# reader has no such options (it reads everything) and refuses unknown ones.
SHOW_HIDDEN = {"skip_hidden_sheets": False, "skip_hidden_row_and_column": False}
READ_OPTIONS = {"xlsx": SHOW_HIDDEN, "xls": SHOW_HIDDEN, "ods": {}}


def spreadsheet_type(data: bytes) -> str:
    """pyexcel file_type from the bytes: xlsx, ods or xls."""
    if data.startswith(OLE_MAGIC):
        if ole_kind(io.BytesIO(data)) == OOXML_ENCRYPTED:
            raise ItemError("encrypted: password required")
        return "xls"
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and zf.read("mimetype").strip() == ODS_MIME:
                    return "ods"
        except ZIP_ERRORS as exc:
            raise ItemError(f"not a readable zip package ({type(exc).__name__})") from None
    raise ItemError("unsupported spreadsheet format")


def _check_package(data: bytes, file_type: str, ctx) -> Optional[int]:
    """Refuse a bomb or an encrypted package; the cells of the workbook's grids (None: unknown)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if len(zf.infolist()) > ctx.limits.max_members:
            raise LimitExceeded(f"more than {ctx.limits.max_members} parts in package")
        refuse_encrypted_odf(zf, ctx)
        refuse_dtds(zf, ctx)
        try:
            return xlsx_cells(zf) if file_type == "xlsx" else ods_cells(zf)
        except ZIP_ERRORS:
            return None  # the reader says what is wrong with the package


def _cell(value):
    # openpyxl gives a date-only cell as midnight datetime; show it as a date.
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0) and value.tzinfo is None:
        return value.date()
    return value


def _rows(sheet, deadline: float) -> Iterator[list]:
    for row in sheet:
        if time.monotonic() > deadline:
            raise LimitExceeded(f"spreadsheet not read within {MAX_SECONDS} s (possible padded-sheet bomb)")
        yield [_cell(v) for v in row]


def _grid_rows(grid: list) -> Iterator[list]:
    """A calamine grid's rows as pyexcel gives them: MAX_COLUMNS at most, no empty cells at the end."""
    for row in grid:
        end = min(len(row), MAX_COLUMNS)
        while end and row[end - 1] == "":
            end -= 1
        yield row[:end]


def extract_spreadsheet(item, ctx) -> Iterator[Chunk]:
    with item.open() as stream:
        data = read_capped(stream, ctx.limits.max_document_size, "document")
    if data.startswith(b"PK"):
        data = unflag_readable(data)  # openpyxl refuses any member flagged encrypted
    file_type = spreadsheet_type(data)
    cells = _check_package(data, file_type, ctx) if file_type != "xls" else xls_cells(data)
    deadline = time.monotonic() + MAX_SECONDS
    fits = cells is not None and cells <= MAX_GRID_CELLS and os.environ.get(READER_VARIABLE) != "pyexcel"
    sheets = _calamine_sheets(data) if fits else None
    if sheets is None:
        yield from _pyexcel_chunks(data, file_type, deadline)
        return
    for name, sheet in sheets:
        # Line n of a sheet is its row n: the grid starts at A1, not at the first cell used.
        grid = sheet.to_python(skip_empty_area=False)
        yield from rows_to_chunks(_rows(_grid_rows(grid), deadline), where=f"sheet {name}")


def _calamine_sheets(data: bytes) -> Optional[list]:
    """(name, sheet) of every sheet but chart sheets, hidden ones too; None: calamine cannot read the file."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [(meta.name, book.get_sheet_by_name(meta.name)) for meta in book.sheets_metadata
                if meta.typ != python_calamine.SheetTypeEnum.ChartSheet]
    except python_calamine.PasswordError:
        raise ItemError("encrypted: password required") from None
    except Exception:  # calamine's own errors and what its binding raises on a damaged file
        return None


def _pyexcel_chunks(data: bytes, file_type: str, deadline: float) -> Iterator[Chunk]:
    import pyexcel

    try:
        book = pyexcel.iget_book(file_content=data, file_type=file_type,
                                 column_limit=MAX_COLUMNS, **READ_OPTIONS[file_type])
        for name, sheet in book.to_dict().items():
            yield from rows_to_chunks(_rows(sheet, deadline), where=f"sheet {name}")
    except ItemError:
        raise
    except Exception as exc:  # xlrd, openpyxl, ezodf and pyexcel-io each raise their own types
        if "encrypted" in str(exc).lower():  # xlrd: "Workbook is encrypted"
            raise ItemError("encrypted: password required") from None
        raise ItemError(f"unreadable {file_type} workbook ({type(exc).__name__})") from None
    finally:
        pyexcel.free_resources()

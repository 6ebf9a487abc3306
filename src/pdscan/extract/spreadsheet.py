"""Spreadsheets (xlsx, xls, ods) through pyexcel, one chunk stream per sheet.

Hidden sheets, rows and columns are read too: they are where personal data
is most often forgotten. Zip-based workbooks have every part checked for
size, ratio and DTDs before openpyxl or ezodf parse them, and rows stream
under a deadline, because a two-cell sheet can declare a million padded rows.
"""
from __future__ import annotations

import datetime
import io
import time
import zipfile
from typing import Iterator

from ..errors import ItemError, LimitExceeded
from ..limits import read_capped
from ..model import Chunk
from ..encryption.zipseal import unflag_readable
from ..formats.magic import OLE_MAGIC, OOXML_ENCRYPTED
from ..formats.ole import ole_kind
from .tabular import rows_to_chunks
from .zipxml import ZIP_ERRORS, refuse_dtds, refuse_encrypted_odf

ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
MAX_COLUMNS = 2000     # columns rendered per row; Excel allows 16384, people do not use them
MAX_SECONDS = 300      # one workbook; padded empty rows cost time without costing bytes
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


def _check_package(data: bytes, ctx) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if len(zf.infolist()) > ctx.limits.max_members:
            raise LimitExceeded(f"more than {ctx.limits.max_members} parts in package")
        refuse_encrypted_odf(zf, ctx)
        refuse_dtds(zf, ctx)


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


def extract_spreadsheet(item, ctx) -> Iterator[Chunk]:
    import pyexcel

    with item.open() as stream:
        data = read_capped(stream, ctx.limits.max_document_size, "document")
    if data.startswith(b"PK"):
        data = unflag_readable(data)  # openpyxl refuses any member flagged encrypted
    file_type = spreadsheet_type(data)
    if file_type != "xls":
        _check_package(data, ctx)
    deadline = time.monotonic() + MAX_SECONDS
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

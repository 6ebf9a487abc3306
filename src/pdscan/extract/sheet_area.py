"""How many cells a workbook's sheets span, from the cell addresses the file itself holds.

calamine builds each sheet as one dense grid from its first to its last cell, allocated
before a row is read: two cells at A1 and XFD1048576 ask for 17 billion cells and abort
the process, which no exception or deadline catches. So the grid is sized here first, by
reading the addresses the way calamine will (explicit refs in xlsx, row/column fields of
BIFF cell records in xls, repeat counts in ods), and a workbook too large for a grid is
read row by row by the streaming reader instead. Bounds err on the large side: an address
that cannot be told makes the workbook "too large", never smaller than it is.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
from typing import Optional

# xlsx: a cell's own address (r="AB12"); cells without one are placed after the previous one.
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
# ods: rows and cells with their repeat counts; a cell with a value or content is not empty.
_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(?:/>|>(.*?)</table:table-row>)|</table:table>", re.DOTALL)
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)(/?)>")
_ROWS_REPEATED = re.compile(rb"number-rows-repeated=\"([0-9]+)\"")
_COLUMNS_REPEATED = re.compile(rb"number-columns-repeated=\"([0-9]+)\"")
# xls: BIFF8 records that carry a cell (row and first column in their first four bytes).
_BIFF_CELLS = {0x0006, 0x00BD, 0x00D6, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0201, 0x00BE}
_BIFF_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: the last column is the record's last two bytes
_BIFF_BOF, _BIFF_EOF = 0x0809, 0x000A


def _column_number(letters: bytes) -> int:
    n = 0
    for c in letters:
        n = n * 26 + c - 64
    return n


def xlsx_cells(zf: zipfile.ZipFile) -> Optional[int]:
    """Cells of the grids of every part that holds cells (summed), or None when a cell has no address.

    Every member is read, not only xl/worksheets/: the workbook's relationships may point a
    sheet anywhere in the package.
    """
    total = 0
    for info in zf.infolist():
        if info.is_dir():
            continue
        xml = zf.read(info)
        refs = _CELL_REF.findall(xml)
        if len(refs) != len(_CELL.findall(xml)):
            return None
        if refs:
            rows = max(int(row) for _, row in refs)
            columns = max(_column_number(col) for col in {col for col, _ in refs})
            total += rows * columns
    return total


def ods_cells(zf: zipfile.ZipFile) -> int:
    """Cells of content.xml's tables, each up to its last row and column that hold something."""
    xml = zf.read("content.xml")
    total = rows = last_row = columns = 0
    for match in _ODS_ROW.finditer(xml):
        attributes, body = match.group(1), match.group(2)
        if attributes is None:  # the end of a table
            total += last_row * columns
            rows = last_row = columns = 0
            continue
        found = _ROWS_REPEATED.search(attributes)
        rows += int(found.group(1)) if found else 1
        if not body or (b"value-type" not in body and b"<text:" not in body):
            continue  # padding: calamine keeps no empty row
        width = filled = 0
        for cell, closed in _ODS_CELL.findall(body):
            found = _COLUMNS_REPEATED.search(cell) if b"repeated" in cell else None
            width += int(found.group(1)) if found else 1
            if not closed or b"value-type" in cell:
                filled = width
        last_row, columns = rows, max(columns, filled)
    return total + last_row * columns


def xls_cells(data: bytes) -> Optional[int]:
    """Cells of the grids of a BIFF8 workbook's sheets, or None when its Workbook stream cannot be read."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        try:
            stream = ole.openstream("Workbook").read() if ole.exists("Workbook") else None
        finally:
            ole.close()
    except Exception:  # olefile's errors on damaged files; the reader judges them
        return None
    if stream is None:
        return None
    total = rows = columns = 0
    offset, end = 0, len(stream)
    while offset + 4 <= end:
        kind, size = struct.unpack_from("<HH", stream, offset)
        body = offset + 4
        offset = body + size
        if kind in _BIFF_CELLS and size >= 4:
            row, column = struct.unpack_from("<HH", stream, body)
            if kind in _BIFF_MULTI and size >= 6:
                column = struct.unpack_from("<H", stream, body + size - 2)[0]
            rows, columns = max(rows, row + 1), max(columns, column + 1)
        elif kind in (_BIFF_BOF, _BIFF_EOF):
            total += rows * columns
            rows = columns = 0
    return total + rows * columns

"""xlsx, xls and ods: one chunk stream per sheet, header row kept, ISO dates."""
from __future__ import annotations

import datetime
import io
import zipfile

import openpyxl
import pyexcel
import pytest

from pdscan.errors import ItemError, LimitExceeded
from pdscan.extract.sheet_area import ods_cells, xls_cells, xlsx_cells
from pdscan.extract.spreadsheet import MAX_GRID_CELLS, extract_spreadsheet, spreadsheet_type

STAFF = [["Name", "DOB", "NI number"],
         ["Jane Example", datetime.date(1990, 5, 17), "QQ 12 34 56 C"],
         ["John Sample", datetime.date(1985, 2, 1), "QQ 65 43 21 A"]]


def workbook(tmp_path, kind: str) -> bytes:
    path = tmp_path / f"staff.{kind}"
    pyexcel.save_book_as(bookdict={"Staff": STAFF, "Notes": [["free text"]]}, dest_file_name=str(path))
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_sheet_rows_headers_and_iso_dates(run, located, tmp_path, kind):
    data = workbook(tmp_path, kind)
    assert spreadsheet_type(data) == kind
    chunks = run(extract_spreadsheet, data)
    seen = located(chunks)
    assert seen[("sheet Staff", 3)] == "John Sample\t1985-02-01\tQQ 65 43 21 A"
    assert seen[("sheet Notes", 1)] == "free text"
    staff = next(c for c in chunks if c.where == "sheet Staff")
    offset = staff.data.index(b"1985-02-01")
    assert staff.line_of(offset) == 3
    assert staff.columns.header_at(staff.data, offset) == "DOB"


def test_hidden_sheets_rows_and_columns_are_read(run, located):
    book = openpyxl.Workbook()
    visible = book.active
    visible.title = "Visible"
    visible.append(["Name", "Phone"])
    visible.append(["Jane Example", "07700 900123"])
    visible.row_dimensions[2].hidden = True
    visible.column_dimensions["B"].hidden = True
    secret = book.create_sheet("Old staff")
    secret.append(["John Sample"])
    secret.sheet_state = "hidden"
    buf = io.BytesIO()
    book.save(buf)
    seen = located(run(extract_spreadsheet, buf.getvalue()))
    assert seen[("sheet Visible", 2)] == "Jane Example\t07700 900123"
    assert seen[("sheet Old staff", 1)] == "John Sample"


def test_datetime_keeps_its_time(run, located, tmp_path):
    path = tmp_path / "t.xlsx"
    pyexcel.save_book_as(bookdict={"Log": [["When"], [datetime.datetime(2020, 1, 2, 9, 30)]]}, dest_file_name=str(path))
    assert located(run(extract_spreadsheet, path))[("sheet Log", 2)] == "2020-01-02T09:30:00"


@pytest.mark.parametrize("name,line", [
    ("office/example.xlsx", "lorem\tipsum"),
    ("office/plain.xls", "lorem ipsum\t3"),
    ("office/libre_office_spreadsheet.ods", "hi"),
])
def test_corpus(run, located, corpus, name, line):
    assert located(run(extract_spreadsheet, corpus(name)))[("sheet Sheet1", 1)] == line


@pytest.mark.parametrize("name", ["office/example_password.xlsx", "office/poi/password.xls",
                                  "office/libre_office_spreadsheet_pw_hello.ods"])
def test_encrypted_corpus(run, corpus, name):
    with pytest.raises(ItemError, match="encrypted"):
        run(extract_spreadsheet, corpus(name))


def rewrite(data: bytes, name: str, text: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, text if info.filename == name else source.read(info))
    return buf.getvalue()


def test_entity_bomb_in_sheet_is_refused(run, tmp_path):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(b'<!ENTITY a%d "%s">' % (i, (b"&a%d;" % (i - 1) if i > 1 else b"&a;") * 10) for i in range(1, 10))
            + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>')
    data = rewrite(workbook(tmp_path, "xlsx"), "xl/worksheets/sheet1.xml", bomb)
    with pytest.raises(LimitExceeded, match="entity bomb"):
        run(extract_spreadsheet, data)


def test_corrupt_and_unsupported(run, tmp_path):
    whole = workbook(tmp_path, "xlsx")
    with pytest.raises(ItemError):
        run(extract_spreadsheet, whole[: len(whole) // 2])
    with pytest.raises(ItemError, match="unsupported"):
        run(extract_spreadsheet, b"Name,DOB\nJane,1990-05-17\n")
    with pytest.raises(ItemError):
        run(extract_spreadsheet, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_long_numbers_are_quantities_and_long_text_is_read(cli, tmp_path, kind):
    """A 15-digit number cell is shown as 3.78282E+14 by the spreadsheet itself (and ODS cannot even
    store 16 digits as a number): a quantity, not a card number; a fraction's decimals are no card
    or phone number either.
    Digits typed as text are one."""
    rows = [["Ref", "Volume", "Rate", "Share", "Card number"],
            [378282246310005, 4222222222222, 0.4111111111111111, 0.07912345678912, "5555555555554444"]]
    path = tmp_path / f"cards.{kind}"
    pyexcel.save_as(array=rows, dest_file_name=str(path))
    result = cli("scan", path, "--format", "jsonl", "--no-progress")
    findings = [f for r in result.records() if r["type"] == "item" for f in r["findings"]]
    assert [(f["detector"], f["count"]) for f in findings if f["detector"] == "payment_card"] == [("payment_card", 1)]
    assert "uk.phone" not in {f["detector"] for f in findings}  # 0.07912345678912 holds no mobile number


def test_numbers_keep_their_digits_and_booleans_stay_booleans(run, located, tmp_path):
    """calamine gives every number as a float: a ULN typed as a number still reads 9198186549."""
    path = tmp_path / "list.xlsx"
    pyexcel.save_as(array=[["ULN", "Hours", "Consent"], [9198186549, 12.5, True]], dest_file_name=str(path))
    assert located(run(extract_spreadsheet, path))[("sheet pyexcel_sheet1", 2)] == "9198186549\t12.5\tTrue"


def far_cells_xlsx(tmp_path, far: str) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Wide"
    book.active["A1"] = "Name"
    book.active[far] = "Jane Example"
    path = tmp_path / "far.xlsx"
    book.save(path)
    return path.read_bytes()


def test_a_sheet_too_large_for_one_grid_is_read_row_by_row(run, located, tmp_path):
    """Two cells far apart would make calamine allocate their whole rectangle (A1:XFD1048576 aborts
    the process): such a workbook goes to the streaming reader, and its far cell is still read."""
    data = far_cells_xlsx(tmp_path, "ZZ3000")  # 702 x 3000 cells: more than one grid may hold
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert xlsx_cells(zf) == 702 * 3000 > MAX_GRID_CELLS
    seen = located(run(extract_spreadsheet, data))
    assert seen[("sheet Wide", 1)] == "Name"
    assert seen[("sheet Wide", 3000)].strip() == "Jane Example"
    with zipfile.ZipFile(io.BytesIO(far_cells_xlsx(tmp_path, "XFD1048576"))) as zf:
        assert xlsx_cells(zf) == 16384 * 1048576


def test_xls_and_ods_grids_are_measured_from_their_cells(tmp_path):
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Wide")
    sheet.write(0, 0, "Name")
    sheet.write(65535, 255, "Jane Example")
    book.add_sheet("Small").write(2, 3, "x")
    path = tmp_path / "far.xls"
    book.save(str(path))
    assert xls_cells(path.read_bytes()) == 65536 * 256 + 3 * 4
    assert xls_cells(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600) is None
    # LibreOffice pads every sheet with a million repeated empty rows: they are not cells.
    cell = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
    padded = ('<table:table><table:table-row>' + cell + cell + '</table:table-row>'
              '<table:table-row table:number-rows-repeated="1048570">'
              '<table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>')
    repeated = ('<table:table><table:table-row table:number-rows-repeated="5000">'
                '<table:table-cell table:number-columns-repeated="3"/>'
                '<table:table-cell table:number-columns-repeated="400" office:value-type="float"/>'
                '</table:table-row></table:table>')
    for body, cells in ((padded, 2), (repeated, 5000 * 403), (padded + repeated, 2 + 5000 * 403)):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("content.xml", "<office:document-content>" + body + "</office:document-content>")
        with zipfile.ZipFile(buf) as zf:
            assert ods_cells(zf) == cells

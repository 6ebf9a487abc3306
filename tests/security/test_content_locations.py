"""Locations never carry a raw value: a column header or sheet name is text someone wrote.

The attack: a CSV whose "header row" is data (`Field,Siobhan McGregor,...`), a
header cell or a sheet holding an NI or card number. The location of each
finding below it ("column 'Siobhan McGregor'", "sheet AB123456C") used to be
printed and stored whole. Every output and the store's bytes are searched
for the raw values.
"""
from __future__ import annotations

import sqlite3

import pytest

RAW = ("Siobhan", "McGregor", "AB123456C", "4111 1111 1111 1111", "4111111111111111")


@pytest.fixture
def planted(tmp_path):
    import openpyxl

    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "header-is-data.csv").write_text(
        "Field,Siobhan McGregor,Notes\n"
        "NI,AB 65 43 21 D,first\n"
        "NI,JG 10 37 52 A,second\n")
    (folder / "ni-in-header.csv").write_text(
        "Name,Course,Notes,Tutor,Room,AB123456C,Card 4111 1111 1111 1111\n"
        "Mary Jones,Plumbing,x,y,z,JG 10 37 52 A,5555 5555 5555 4444\n")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "AB123456C"
    sheet.append(["Name", "NI number"])
    sheet.append(["Mary Jones", "JG 10 37 52 A"])
    other = book.create_sheet("Siobhan McGregor")
    other.append(["Name", "NI number"])
    other.append(["Mary Jones", "AB 65 43 21 D"])
    book.save(folder / "pupils.xlsx")
    return folder


def assert_no_raw(text: str, where: str) -> None:
    leaked = [value for value in RAW if value.lower() in text.lower()]
    assert not leaked, f"{where} holds raw values {leaked}"


@pytest.mark.parametrize("fmt", ["text", "jsonl", "json"])
def test_outputs_never_show_a_raw_value_from_a_location(cli, planted, tmp_path, fmt):
    db = tmp_path / f"{fmt}.db"
    result = cli("scan", planted, "--format", fmt, "--db", db, "--jobs", "1", "--no-progress")
    assert result.code == 1, result
    assert_no_raw(result.out + result.err, f"{fmt} output")
    if fmt == "text":  # the masked locations still say where: which sheet, row and column
        assert "column 'S****** M*******'" in result.out
        assert "sheet AB******C" in result.out
        assert "sheet S****** M*******" in result.out
        assert "column 'AB******C'" in result.out
        assert "column 'Card 41** **** **** ***1'" in result.out
    dump = "\n".join(sqlite3.connect(db).iterdump())
    assert_no_raw(dump, "the store")
    assert "S****** M*******" in dump  # the locations were stored, masked


def test_plain_headers_stay_readable(cli, tmp_path):
    (tmp_path / "staff.csv").write_text("Course Code,Next of kin,NI number\nPL1,Mary Jones,AB 65 43 21 D\n")
    result = cli("scan", tmp_path, "--jobs", "1", "--no-progress", "--db", tmp_path / "s.db")
    assert "column 'NI number'" in result.out
    assert "column 'Next of kin'" in result.out

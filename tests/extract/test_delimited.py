"""Delimited text as exports write it: the delimiter and the type from the content.

A TSV whose cells hold commas ("OKAFOR, Chidi") splits as evenly on its commas as on its
tabs; libmagic calls a TSV whose header opens with "PA" an HP-GL plotter file. Both are
tables. A column headed by both parts of a name ("Surname, Forename") holds whole names.
Values are made up (tests/layouts.py).
"""
from __future__ import annotations

from pdscan.extract.tabular import sniff_dialect
from pdscan.sniff import sniff
from tests.extract.drive import file_item
from tests.layouts import DOBS, NAMES, ULNS, counts


def _rows(header: str, row) -> str:
    return "\r\n".join([header] + [row(uln, f"{s.upper()}, {f}", dob)
                                   for uln, (s, f), dob in zip(ULNS, NAMES, DOBS)]) + "\r\n"


def test_a_tab_separated_export_with_commas_in_its_cells_splits_on_tabs(tmp_path):
    text = _rows("ULN\tName (surname, forename)\tD.O.B.\tNotes",
                 lambda uln, name, dob: f"{uln}\t{name}\t{dob}\tLate, then absent")
    assert sniff_dialect(text) == "\t"
    path = tmp_path / "High needs tracker.tsv"
    path.write_text(text, encoding="utf-8")
    got = counts(path)
    assert got.get("uk.uln") == 3 and got.get("date_of_birth") == 3 and got.get("person_name") == 3, got


def test_a_comma_separated_file_still_splits_on_commas():
    assert sniff_dialect("Title line\n\nULN,Name,DOB\n1,\"KHAN, Aisha\",x\n2,Bo Li,y\n") == ","


def test_a_tsv_that_libmagic_calls_a_plotter_file_is_a_table(tmp_path):
    path = tmp_path / "Staff list.tsv"
    path.write_text(_rows("PAYROLL_REF\tSTAFF_NAME\tDOB", lambda uln, name, dob: f"E{uln[:5]}\t{name}\t{dob}"),
                    encoding="utf-8")
    assert sniff(file_item(path)) == "text/tab-separated-values"
    got = counts(path)
    assert got.get("person_name") == 3 and got.get("date_of_birth") == 3, got


def test_a_column_of_surname_and_forename_holds_whole_names(tmp_path):
    path = tmp_path / "Sickness absence.csv"
    path.write_text("Sickness absence - staff\n\n" + _rows(
        "Employee Number,\"Surname, Forename\",Department,Days Lost",
        lambda uln, name, dob: f"E{uln[:5]},\"{name}\",Estates,4"), encoding="utf-8")
    assert counts(path).get("person_name") == 3

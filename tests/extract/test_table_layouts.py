"""Tables laid out as colleges make them: the header row is not the first row, a sheet
holds two tables, a header spans two rows, a "Label: value" block sits above, header
words are written every which way, and cells are typed (dates, numbers that were
identifiers, booleans, blanks). Each layout in CSV, TSV, xlsx, xls and ods."""
from __future__ import annotations

import csv
import datetime

import pyexcel
import pytest

from tests.layouts import DOBS, NAMES, NHS, NINOS, PASSPORTS, ULNS, counts

FORMATS = ["csv", "tsv", "xlsx", "xls", "ods"]


def write(tmp_path, kind: str, rows) -> str:
    path = tmp_path / f"export.{kind}"
    if kind in ("csv", "tsv"):
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, delimiter="," if kind == "csv" else "\t").writerows(
                [[_as_text(v) for v in row] for row in rows])
    else:
        pyexcel.save_as(array=[list(r) for r in rows], dest_file_name=str(path))
    return str(path)


def expect(got: dict, exactly: dict, at_least: dict = None) -> None:
    wrong = {d: got.get(d) for d, n in exactly.items() if got.get(d) != n}
    wrong.update({d: got.get(d) for d, n in (at_least or {}).items() if got.get(d, 0) < n})
    assert not wrong, f"want {exactly} and at least {at_least}, got {got}"


def _as_text(value) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)  # 1830166130.0, as a script's export writes a number read back
    return "" if value is None else str(value)


def _date(text: str) -> datetime.date:
    day, month, year = map(int, text.split("/"))
    return datetime.date(year, month, day)


CLASS_LIST = [
    ["Riverside College - Class List"],
    ["Course:", "Level 3 Business Studies"],
    ["Period: May 2024"],
    ["Centre number", 12345],
    [],
    ["Surname", "Forename(s)", "D.O.B.", "Unique Learner No.", "NI No", "Passport No.", "NHS No.", "Consent"],
] + [
    [surname, forename, _date(dob), float(uln), nino, int(passport), int(nhs.replace(" ", "")), i % 2 == 0]
    for i, ((surname, forename), dob, uln, nino, passport, nhs)
    in enumerate(zip(NAMES, DOBS, ULNS, NINOS, PASSPORTS, NHS))
]


@pytest.mark.parametrize("kind", FORMATS)
def test_header_below_title_lines_and_a_field_block(tmp_path, kind):
    got = counts(write(tmp_path, kind, CLASS_LIST))
    for detector in ("date_of_birth", "uk.uln", "uk.nino", "uk.passport", "uk.nhs"):
        assert got.get(detector) == 3, (detector, got)
    assert got.get("person_name") == 3, got  # surname and forename columns: one person per row


SECOND_TABLE = CLASS_LIST + [
    [],
    ["Staff bank details"],
    ["Staff Name", "Sort Code", "Acc No", "Mobile", "Emergency Contact"],
    ["Gareth Pryce", "40-47-84", 31926819, 7911123456, "Ann Pryce"],
    ["Megan Lloyd", "20-00-00", 1234567, 1612345678, "Huw Lloyd"],
]


@pytest.mark.parametrize("kind", FORMATS)
def test_a_second_table_further_down_has_its_own_header(tmp_path, kind):
    """Numbers that lost their leading zeros still count under their header:
    a mobile stored as 7911123456, an account stored as 1234567."""
    expect(counts(write(tmp_path, kind, SECOND_TABLE)), {"uk.uln": 3, "uk.bank_account": 2, "uk.phone": 2,
                                                         "person_name": 7})


TWO_ROW_HEADER = [
    ["Exam entries 2024"],
    [],
    ["Learner", "", "NHS", "Passport", ""],
    ["Surname", "Forename", "Number", "Number", "Expiry"],
] + [[s, f, nhs.replace(" ", ""), p, "2031-05-01"] for (s, f), nhs, p in zip(NAMES, NHS, PASSPORTS)]


@pytest.mark.parametrize("kind", FORMATS)
def test_a_header_over_two_rows(tmp_path, kind):
    got = counts(write(tmp_path, kind, TWO_ROW_HEADER))
    assert got.get("uk.nhs") == 3, got
    assert got.get("uk.passport") == 3, got


FIELD_BLOCK = [
    ["Individual Learning Plan"],
    ["Learner Name:", "Chidi Okafor"],
    ["ULN:", ULNS[0]],
    ["DOB:", DOBS[0]],
    ["Medical / Dietary:", "Nut allergy, carries inhaler"],
    [],
    ["Week", "Attendance", "Comment"],
    [1, "95%", "Good start"],
    [2, "90%", "Missed Tuesday"],
]


@pytest.mark.parametrize("kind", FORMATS)
def test_a_label_value_block_above_a_table(tmp_path, kind):
    expect(counts(write(tmp_path, kind, FIELD_BLOCK)), {"uk.uln": 1, "date_of_birth": 1, "person_name": 1},
           {"special.health": 1})


MEDICAL = [
    ["Surname", "Forename", "Medical / Dietary", "Access Arrangements", "SEN"],
    ["Okafor", "Chidi", "Asthma - inhaler", "Extra time 25%", ""],
    ["Nowak", "Zofia", "", "Reader", "EHCP"],
    ["Hughes", "Bethan", "None", "", ""],
]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_health_columns_about_named_learners(tmp_path, kind):
    got = counts(write(tmp_path, kind, MEDICAL))
    assert got.get("special.health", 0) >= 4, got


NO_PERSONAL = [
    ["Riverside College - Room Bookings"],
    [],
    ["Room", "Capacity", "Booked by", "Date"],
    ["B12", 30, "Estates", _date("14/03/2024")],
    ["C4", 24, "Reception", _date("02/11/2024")],
]


@pytest.mark.parametrize("kind", FORMATS)
def test_a_table_without_personal_columns_finds_nothing(tmp_path, kind):
    assert counts(write(tmp_path, kind, NO_PERSONAL)) == {}


def test_a_large_export_streams_under_a_header_below_its_title(tmp_path):
    """Past the size that is split into cells, the table still streams under the header
    found below the title lines, and the title lines are not read as cells."""
    path = tmp_path / "big.csv"
    rows = ["MIS export - all learners", "Run: 01/05/2024", "", "Learner Ref,Surname,Date of Birth,Notes"]
    filler = "Notes " + "x" * 200
    rows += [f"{ULNS[i % 3]},{NAMES[i % 3][0]},{DOBS[i % 3]},{filler}" for i in range(6000)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert path.stat().st_size > (1 << 20)
    got = counts(path)
    assert got.get("uk.uln") == 3 and got.get("date_of_birth") == 3, got


REGISTER = [
    ["Student ID", "Learner", "W1", "W2", "W3", "W4", "W5", "W6", "Attendance %"],
] + [[f"RC10{i}", f"{forename} {surname}", "/", "A" if i else "/", "/", "O", "/", "/", 83 - i]
     for i, (surname, forename) in enumerate(NAMES)]


@pytest.mark.parametrize("kind", FORMATS)
def test_a_register_whose_week_columns_are_numbered_has_its_header(tmp_path, kind):
    """"W1" alone reads as a value (a room, a code), but W1, W2, W3... along a row are columns."""
    assert counts(write(tmp_path, kind, REGISTER)).get("person_name") == 3


def test_a_row_of_codes_out_of_sequence_is_no_series():
    from pdscan.extract.layout import looks_like_header
    assert looks_like_header(["Name", "W1", "W2", "W3", "W4", "Total"])
    assert not looks_like_header(["Sam Ng", "W1", "W7", "B12", "A4", "12"])


@pytest.mark.parametrize("kind", FORMATS)
def test_a_survey_export_whose_column_names_are_questions(tmp_path, kind):
    # Online forms export each question as its column's name, often longer than a label.
    rows = [["Timestamp", "What is your full name?", "What is your date of birth?",
             "Do you have any medical conditions or allergies we should be aware of?",
             "Please enter your Unique Learner Number (ULN) if you have one?"]]
    rows += [["01/09/2025 10:02:11", f"{f} {s}", dob, "None", uln]
             for (s, f), dob, uln in zip(NAMES, DOBS, ULNS)]
    expect(counts(write(tmp_path, kind, rows)), {"uk.uln": 3, "date_of_birth": 3}, {"person_name": 3})

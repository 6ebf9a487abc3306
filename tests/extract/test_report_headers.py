"""Header rows as MIS reports, spool files and exports write them.

Column names carry a number ("Contact 1 Name", "CONTACT_1_PHONE") or a stray colon
("Postcode:"); a printed report opens with title lines that read like column names
("PENNINE EDGE COLLEGE      Page 1") before the header ruled off under it; a header's
names can stand one space apart, and a full row's cells run into each other; a header
wraps its long names over two rows ("Next" over "of Kin"). The values below are made up
(tests/layouts.py) and laid out the way those reports lay them out.
"""
from __future__ import annotations

import sys

import pytest

from tests.conftest import FIXTURES
from tests.layouts import DOBS, NAMES, NINOS, ULNS, counts

sys.path.insert(0, str(FIXTURES))
from fixturegen.pdf import pdf  # noqa: E402  (the project's own PDF writer)

PHONES = ["07700 100123", "07723 456789", "07811 234567"]
CONTACTS = [("Temitope Okafor", "Dad"), ("Anna Nowak", "Foster carer"), ("Rhys Hughes", "Step-father")]


def _write(path, lines):
    if path.suffix == ".pdf":
        path.write_bytes(pdf(lines))
    else:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def trip_report() -> list:
    """A trip participants report: title lines, a numbered header, a rule, full rows."""
    lines = ["ST AIDAN'S SIXTH FORM COLLEGE                                         Page 1 of 1",
             "TRIP PARTICIPANTS (SR-117)                                  Run: 04/11/2024 07:15",
             "Academic Year: 2024/25   Site: MAIN", "",
             "NAME                 DOB         CONTACT 1 NAME        CONTACT 1 PHONE  CONTACT 1 RELATIONSHIP",
             "-" * 100]
    for (surname, forename), dob, (contact, relation), phone in zip(NAMES, DOBS, CONTACTS, PHONES):
        lines.append(f"{(surname.upper() + ', ' + forename):<21}{dob:<12}{contact:<22}{phone:<17}{relation}")
    return lines + ["", "(end of report)"]


@pytest.mark.parametrize("kind", ["txt", "pdf"])
def test_a_header_whose_names_carry_a_number(tmp_path, kind):
    path = tmp_path / f"Trip Participants report.{kind}"
    _write(path, trip_report())
    got = counts(path)
    assert got.get("date_of_birth") == 3, got
    assert got.get("uk.phone") == 3, got
    # Three learners and their three contacts; "Dad" and "Foster carer" are no one.
    assert got.get("person_name") == 6, got


def test_a_ruled_header_below_a_title_line_that_reads_like_names(tmp_path):
    path = tmp_path / "register_print.txt"
    lines = ["PENNINE EDGE COLLEGE                                        Page 1",
             "ATTENDANCE REGISTER  -  L3 Diploma in Creative Media Production (MED3)",
             "Tutor: Charlie Taylor      Room: E015      Week commencing: 13/05/2024", "",
             "Ref      Learner           ULN        DOB        Mon Tue Wed Thu Fri Att%",
             "-" * 73]
    for n, ((surname, forename), uln, dob) in enumerate(zip(NAMES, ULNS, DOBS)):
        learner = f"{surname.upper()}, {forename}"
        lines.append(f"P21{n:05d} {learner:<18}{uln} {dob} /   /   A   /   -   84")
    _write(path, lines)
    got = counts(path)
    assert got.get("uk.uln") == 3, got
    assert got.get("date_of_birth") == 3, got
    assert got.get("person_name", 0) >= 3, got


def test_header_names_one_space_apart_split_where_the_values_start(tmp_path):
    path = tmp_path / "establishment.txt"
    lines = ["HR ESTABLISHMENT LIST (CONFIDENTIAL)", "Pennine Edge College", "",
             "Staff No Surname   Forename DOB        NINO      Postcode Job Title",
             "-" * 67]
    postcodes = ["bd7 4np", "hd5 7fp", "wf2 1js"]
    for n, ((surname, forename), dob, nino, postcode) in enumerate(zip(NAMES, DOBS, NINOS, postcodes)):
        lines.append(f"E2{n:04d}   {surname:<10}{forename:<9}{dob} {nino.replace(' ', ''):<10}{postcode}  Technician")
    _write(path, lines)
    got = counts(path)
    assert got.get("date_of_birth") == 3, got
    assert got.get("uk.nino") == 3, got
    assert got.get("uk.postcode") == 3, got
    assert got.get("person_name") == 3, got  # one person per row: surname and forename together


def test_a_column_set_one_space_apart_on_every_row(tmp_path):
    """An exam board's entries: the candidate number and the ULN one space apart, and the
    ULN run into the surname, on every row."""
    path = tmp_path / "entries_by_candidate.txt"
    lines = ["Centre 20417  Kingsmead College", "ENTRIES BY CANDIDATE - JUNE 2024 SERIES", "",
             "Cand ULN        Surname    Forename   D.O.B.     Entries                 Access Arr.",
             "-" * 84]
    for n, ((surname, forename), uln, dob) in enumerate(zip(NAMES, ULNS, DOBS)):
        lines.append(f"{3117 + n:04d} {uln} {surname.upper():<10} {forename:<10} {dob} 8300/1H 8300/2H 8300/3H Rest breaks")
    _write(path, lines)
    got = counts(path)
    assert got.get("uk.uln") == 3, got
    assert got.get("date_of_birth") == 3, got


def test_a_report_without_a_header_keeps_its_title_lines_as_text(tmp_path):
    path = tmp_path / "notice.txt"
    lines = ["RIVERSIDE COLLEGE            Page 1", "ROOM CHANGES     Week 3     Term 2", "",
             "Rooms B12 and C4 are closed for repairs until 14/03/2025.", "Classes move to the Annexe."]
    _write(path, lines)
    assert counts(path) == {}


def test_csv_headers_with_numbers_and_a_stray_colon(tmp_path):
    path = tmp_path / "Copy of Emergency Contacts.csv"
    rows = ["Student ID,Family Name,FIRST NAME,CONTACT_1_NAME,Contact 1 Relationship,CONTACT_1_PHONE,Postcode:,DOB"]
    postcodes = ["BD7 4NP", "HD5 7FP", "WF2 1JS"]
    for n, ((surname, forename), (contact, relation), phone, postcode, dob) in enumerate(
            zip(NAMES, CONTACTS, PHONES, postcodes, DOBS)):
        rows.append(f"L24941{n:02d},{surname},{forename},{contact},{relation},{phone},{postcode},{dob}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    got = counts(path)
    assert got.get("person_name") == 6, got
    assert got.get("uk.phone") == 3, got
    assert got.get("uk.postcode") == 3, got
    assert got.get("date_of_birth") == 3, got


def test_names_wrapped_over_two_header_rows(tmp_path):
    path = tmp_path / "NOK list.csv"
    rows = ["Riverside College - Next of Kin / Emergency Contacts", "Course: L3 Applied Science", "",
            "Tutor:,Kwame Nwosu", "Group:,SCI3A", "Data as at 17/05/2024.", "",
            "Learner,,,Next,,NOK,NOK,Date",  # a merged "NOK" cell over two columns, written twice
            "Ref,Name,Mobile,of Kin,Relationship,Tel,Email,of Birth"]
    for n, ((surname, forename), (contact, relation), phone, dob) in enumerate(zip(NAMES, CONTACTS, PHONES, DOBS)):
        email = contact.lower().replace(" ", ".") + "@example.org"
        rows.append(f'21124{n:02d},"{surname.upper()}, {forename}",{phone},{contact},{relation},{phone},{email},{dob}')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    got = counts(path)
    assert got.get("date_of_birth") == 3, got  # "Date" over "of Birth"
    assert got.get("person_name") == 7, got  # three learners, their next of kin, and the tutor


@pytest.mark.parametrize("kind", ["txt", "pdf"])
def test_a_header_cut_to_its_columns_width(tmp_path, kind):
    """A printed report cuts a long column name to the column's width: "ACCESS ARR" is the
    access arrangements column, and its cells ("Separate room") are about each candidate."""
    lines = ["RIVERSIDE COLLEGE                                  Page 1 of 1", "EXAM ENTRIES", "",
             "CAND   SURNAME         FORENAME     ACCESS ARR",
             "-----  --------------  -----------  -----------------"]
    for n, ((surname, forename), need) in enumerate(zip(NAMES, ["Separate room", "Word processor", "Reader"])):
        lines.append(f"{3556 + n:<5}  {surname:<14}  {forename:<11}  {need}")
    path = tmp_path / f"candidate list.{kind}"
    _write(path, lines)
    assert counts(path).get("special.health", 0) >= 1


def test_a_sickness_absence_reports_reasons_are_health_data(tmp_path):
    lines = ["RIVERSIDE COLLEGE                                  Page 1 of 1", "STAFF ABSENCE REPORT", "",
             "EMP      NAME                      REASON               DAYS",
             "-------  ------------------------  -------------------  ----"]
    for n, ((surname, forename), why) in enumerate(zip(NAMES, ["Gastroenteritis", "Back pain", "Chest infection"])):
        lines.append(f"E{n:05d}   {surname.upper() + ', ' + forename:<24}  {why:<19}  {n + 2}")
    path = tmp_path / "absence.txt"
    _write(path, lines)
    got = counts(path)
    assert got.get("special.health", 0) >= 1 and got.get("person_name") == 3, got

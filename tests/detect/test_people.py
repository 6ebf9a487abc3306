"""People counted as people: a row's forename and surname are one person, a first name or a
preferred name alone is no one more, one person written several ways is one, and role and
organisation names in name columns are no one. Files laid out as college exports are."""
from __future__ import annotations

import json

from pdscan.detect.people import canonical
from tests.extract.test_table_layouts import FORMATS, write
from tests.layouts import DOBS, ULNS, counts

CLASS_LIST = [
    ["Riverside College - Class List 2024-25"],
    ["Course:", "Level 3 Engineering"],
    [],
    ["Learner Ref", "Surname", "Forename(s)", "Preferred Name", "DOB", "Parent/Carer Forename", "Parent/Carer Surname"],
    ["RC00123", "KHAN", "Aisha Noor", "Ash", DOBS[0], "Imran", "KHAN"],
    ["RC00124", "Okafor", "Chidi", "", DOBS[1], "Grace", "Okafor"],
    ["RC00125", "Nowak", "Zofia", "Zosia", DOBS[2], "Piotr", "Nowak"],
]


def test_forename_and_surname_columns_are_one_person_per_row(tmp_path):
    for kind in FORMATS:
        got = counts(write(tmp_path, kind, CLASS_LIST))
        # three learners and their three parents; the preferred names are no one more
        assert got.get("person_name") == 6, (kind, got)


def test_a_first_name_column_alone_names_no_one(tmp_path):
    rows = [["First Name", "Known As", "Tutor Group", "DOB"],
            ["Aisha", "Ash", "EN3A", DOBS[0]], ["Chidi", "", "EN3A", DOBS[1]]]
    assert "person_name" not in counts(write(tmp_path, "csv", rows))


def test_one_person_written_four_ways_is_one(tmp_path):
    assert {canonical(v) for v in ("KHAN, Aisha", "Aisha Khan", "Mrs Aisha Khan", "Aisha Noor Khan")} == {"aisha khan"}
    path = tmp_path / "referral.txt"
    path.write_text("Referral\nName: KHAN, Aisha\nDear Mrs Aisha Khan,\nWe met Aisha Noor Khan today.\n"
                    "Pupil: Aisha Khan\n", encoding="utf-8")
    assert counts(path).get("person_name") == 1


def test_a_json_export_record_is_one_person(tmp_path):
    path = tmp_path / "learners.json"
    records = [{"learner": {"uln": u, "forename": f, "surname": s, "preferredName": p}}
               for u, f, s, p in zip(ULNS, ["Aisha", "Chidi", "Zofia"], ["Khan", "Okafor", "Nowak"], ["Ash", "", "Zosia"])]
    path.write_text(json.dumps(records), encoding="utf-8")
    got = counts(path)
    assert got.get("person_name") == 3 and got.get("uk.uln") == 3, got


def test_roles_teams_and_companies_in_name_columns_are_no_one(tmp_path):
    rows = [["Date", "Contact", "Sender", "Received by"],
            ["06/05/2024", "Admissions", "Royal Mail", "Reception"],
            ["07/05/2024", "Payroll Team", "Viking Direct Supplies", "Finance Office"],
            ["08/05/2024", "Exams Office", "DPD", "IT Helpdesk"]]
    assert "person_name" not in counts(write(tmp_path, "csv", rows))

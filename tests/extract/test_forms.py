"""Forms as colleges fill them in: a support plan or incident report whose fields are a
two-column table in Word ("Name | Jessica Wright", "Date of birth | 23/06/2008"), a training
plan printed to text with its labels lined up ("Apprentice           Reece McGuinness"),
minutes listing who was there as bullets. Each field is a label and its value, not a table
whose first row is its header. Values are made up (tests/layouts.py)."""
from __future__ import annotations

import sys

from tests.conftest import FIXTURES
from tests.layouts import DOBS, ULNS, counts

sys.path.insert(0, str(FIXTURES))
from fixturegen.doc import Doc, Heading, Para, Table  # noqa: E402  (the project's own writers)
from fixturegen.ooxml import docx  # noqa: E402


def test_a_support_plan_whose_fields_are_a_two_column_table(tmp_path):
    path = tmp_path / "ILSP Wright Jessica FINAL.docx"
    fields = Table(("Name", "Jessica Wright"),
                   (("Date of Birth", DOBS[0]), ("ULN", ULNS[0]), ("Primary need", "Dyslexia"),
                    ("Medication", "None"), ("Exam access", "Extra time 25%")))
    path.write_bytes(docx(Doc("Individual Learning Support Plan", (
        Heading("Individual Learning Support Plan"), fields,
        Para("Plan agreed by Kemar Francis (Learning Support Coordinator) on 20/09/2024.")))))
    got = counts(path)
    # Jessica and the coordinator; "Birth", "Medication" and "Exam" in the label column are no one.
    assert got.get("person_name") == 2, got
    assert got.get("date_of_birth") == 1 and got.get("uk.uln") == 1, got


def test_a_two_column_table_of_names_keeps_its_header(tmp_path):
    path = tmp_path / "group list.docx"
    names = Table(("Name", "Date of birth"), (("Jessica Wright", DOBS[0]), ("Chidi Okafor", DOBS[1]),
                                               ("Zofia Nowak", DOBS[2])))
    path.write_bytes(docx(Doc("BUS3A", (Heading("BUS3A"), names))))
    got = counts(path)
    assert got.get("person_name") == 3 and got.get("date_of_birth") == 3, got


def test_a_training_plan_printed_with_its_labels_lined_up(tmp_path):
    path = tmp_path / "Training plan Reece McGuinness signed.txt"
    path.write_text("\n".join([
        "Cheviot and Tyne College - Blyth Campus",
        "Tel: 01670 352 918   Email: enquiries@example.ac.uk", "",
        "Apprenticeship Training Plan (Commitment Statement)", "=" * 51,
        "Apprentice           Reece McGuinness",
        f"ULN                  {ULNS[1]}",
        f"Date of Birth        {DOBS[1]}",
        "Employer             Port of Tyne, Unit 23, Follingsby Industrial Estate",
        "Employer contact     Bilal Mohammed, 0191 265 3023",
        "Standard             Maintenance & Operations Engineering Technician (ST0225)",
        "Skills coach         Chiamaka Wardle 07993 313555", ""]), encoding="utf-8")
    got = counts(path)
    assert got.get("person_name") == 3, got
    assert got.get("uk.uln") == 1 and got.get("date_of_birth") == 1, got


def test_minutes_listing_who_was_there_as_bullets_and_wrapped_lines(tmp_path):
    path = tmp_path / "EHCP review.txt"
    path.write_text("\n".join([
        "EHCP Annual Review - Post-16", "",
        "Present", "-------",
        "  - Ioan Elliott (student)",
        "  - Fatima Elliott (carer)",
        "  - Mei Carr (Learning Support Assistant)",
        "  - Business Studies Team (all)",
        "Apologies: Freya Chen (Social Worker),",
        "Aidan Hussain", "",
        "Outcomes reviewed", "  - To travel independently to the campus by Metro", ""]), encoding="utf-8")
    assert counts(path).get("person_name") == 5

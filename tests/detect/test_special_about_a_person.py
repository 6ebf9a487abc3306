"""Special-category data counts about a person: a column of ethnicity, religion, convictions or
safeguarding notes in rows about learners does; the same words in a table of counts, a first-aid
or medication policy, or a course catalogue do not."""
from __future__ import annotations

import pytest

from tests.extract.test_table_layouts import FORMATS, write
from tests.layouts import ULNS, counts

EXPORT = [
    ["ULN", "Surname", "Forename", "Ethnicity", "Religion or Belief"],
    [ULNS[0], "Khan", "Aisha", 40, "Muslim"],
    [ULNS[1], "Okafor", "Chidi", 44, "Christian"],
    [ULNS[2], "Nowak", "Zofia", 99, "Prefer not to say"],
]
DBS_LOG = [
    ["Staff DBS and declarations log"],
    [],
    ["Staff Name", "Role", "DBS Issued", "Unspent Convictions (Y/N)"],
    ["Gareth Pryce", "Technician", "12/01/2024", "N"],
    ["Megan Lloyd", "Tutor", "03/02/2024", "Y"],
]
PASTORAL = [
    ["Name", "Tutor Group", "Safeguarding Concern"],
    ["Aisha Khan", "EN3A", "Disclosed self-harm to her tutor; DSL informed 04/03"],
    ["Chidi Okafor", "EN3A", "None"],
]


@pytest.mark.parametrize("rows", [EXPORT, DBS_LOG, PASTORAL], ids=["ethnicity", "convictions", "safeguarding"])
@pytest.mark.parametrize("kind", ["csv", "xlsx", "ods"])
def test_special_columns_about_learners_and_staff(tmp_path, kind, rows):
    assert counts(write(tmp_path, kind, rows)).get("special.other", 0) >= 1


def test_a_no_under_convictions_is_nothing(tmp_path):
    rows = DBS_LOG[:4] + [["Megan Lloyd", "Tutor", "03/02/2024", "No"]]
    assert "special.other" not in counts(write(tmp_path, "csv", rows))


@pytest.mark.parametrize("kind", FORMATS)
def test_a_table_of_counts_by_ethnicity_is_about_no_one(tmp_path, kind):
    rows = [["Equality and Diversity Report 2023-24"], [],
            ["Ethnicity", "Learners", "Achievement %"],
            ["White British", 812, "91.2"], ["Asian or Asian British - Pakistani", 140, "89.0"],
            ["Black African", 96, "90.4"], ["Religion", "Learners", ""], ["Muslim", 201, ""]]
    assert not {d for d in counts(write(tmp_path, kind, rows)) if d.startswith("special.")}



@pytest.mark.parametrize("kind", FORMATS)
def test_field_labels_as_row_labels_over_counts_are_about_no_one(tmp_path, kind):
    # A breakdown written as "Ethnicity: <group>" in the first cell, counts in the others.
    rows = [["Group", "Learners", "Referrals"], ["Level 3 Business", 212, 4],
            ["Ethnicity: Pakistani", 140, ""], ["Religion: Sikh", 38, ""]]
    assert "special.other" not in counts(write(tmp_path, kind, rows))


def test_a_field_label_in_a_row_about_a_learner_counts(tmp_path):
    rows = [["Name", "Notes"], ["Aisha Khan", "Ethnicity: Pakistani; prefers Urdu at home"]]
    assert counts(write(tmp_path, "csv", rows)).get("special.other", 0) >= 1

FIRST_AID = """Riverside College First Aid and Administration of Medication Policy

Staff who are trained first aiders may administer medication only with written consent.
Medication: must be stored in the locked cabinet in Student Services and logged.
Where a learner has an individual healthcare plan, staff follow it. Learners who carry an
EpiPen for anaphylaxis should keep it with them. Learners with ADHD, diabetes or asthma are
supported in line with this policy. Contact the Health and Safety team on 01632 960123.
"""
CATALOGUE = [
    ["Course Code", "Course Title", "Level", "Support Needs", "Description"],
    ["HSC301", "Health and Social Care", 3, "Extra time available", "Covers mental health, medication and SEN"],
    ["CHL201", "Childcare", 2, "Reader", "Safeguarding children; epilepsy and allergy awareness"],
]


def test_a_first_aid_and_medication_policy_holds_no_health_data(tmp_path):
    path = tmp_path / "first-aid-policy.txt"
    path.write_text(FIRST_AID, encoding="utf-8")
    assert not {d for d in counts(path) if d.startswith("special.")}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_course_catalogue_holds_no_health_data(tmp_path, kind):
    assert not {d for d in counts(write(tmp_path, kind, CATALOGUE)) if d.startswith("special.")}


def test_the_ilr_health_flag_alone_is_health_data(tmp_path):
    path = tmp_path / "ilr.xml"
    path.write_text('<?xml version="1.0"?><Message><Learner><LearnRefNumber>RC00123</LearnRefNumber>'
                    f'<ULN>{ULNS[0]}</ULN><FamilyName>Khan</FamilyName><GivenNames>Aisha</GivenNames>'
                    '<Ethnicity>40</Ethnicity><LLDDHealthProb>1</LLDDHealthProb></Learner></Message>',
                    encoding="utf-8")
    got = counts(path)
    assert got.get("special.health") and got.get("special.other"), got


def test_a_policy_phrase_reaching_into_the_window_still_says_policy(tmp_path):
    # "a student's" starts just before the window of "on medication"; its "student" is inside it
    path = tmp_path / "medication-policy.txt"
    path.write_text(
        "Administration of Medication Policy\n\n"
        "Safeguarding: any concern about a student's welfare must be passed to the Designated Safeguarding Lead.\n"
        "Students on medication for epilepsy or diabetes will have an individual healthcare plan.\n", encoding="utf-8")
    assert counts(path) == {}


SAFEGUARDING_POLICY = """Riverside College Safeguarding and Child Protection Policy 2024-25

1. Introduction
Every member of staff has a duty to report a safeguarding concern to the Designated Safeguarding Lead (DSL),
Mrs Helen Carter, or to a Deputy DSL. Concerns may include neglect, domestic abuse, child sexual exploitation,
county lines, radicalisation and forced marriage.

2. Learners with additional needs
Learners with special educational needs, an EHCP or a mental health condition may be more vulnerable.

3. Medication
Learners who need medication during the day should speak to Student Services.
"""

CASE_NOTE = """Safeguarding record - confidential
Learner: Zofia Nowak
Reported to the DSL on 7 May 2024. She disclosed domestic abuse at home and is at risk of county lines.
"""


def test_a_safeguarding_policy_naming_its_lead_is_about_no_one(tmp_path):
    path = tmp_path / "safeguarding-policy.txt"
    path.write_text(SAFEGUARDING_POLICY, encoding="utf-8")
    got = counts(path)
    assert "special.other" not in got and "special.health" not in got, got


def test_a_case_note_that_mentions_the_dsl_is_still_about_the_learner(tmp_path):
    path = tmp_path / "case-note.txt"
    path.write_text(CASE_NOTE, encoding="utf-8")
    assert counts(path).get("special.other"), counts(path)

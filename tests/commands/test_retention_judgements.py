"""`pdscan retention` on the judgements a second blind tree found wrong, each on files laid out as a
staff laptop holds them (Word documents and tables, spreadsheets, CSV exports, .eml messages),
back-dated, with people and places invented here:

- an offered application is the learner's record, never an unsuccessful applicant's: only a refusal
  ("not offered", "decided not to offer", a regret letter) makes that;
- an awards list or an achievements sheet is the learner's transcript (review only), not a class
  list, even with less evidence than the learner record has;
- a marksheet is an exam record though a title row hid its table's header from the extractor;
- a refusal letter is the applicant's record whatever post it names;
- a resignation is one member of staff's record on its own, its last working day the clock;
- a sign-up list no category claims is unclassified, its event date the clock;
- a letter under a postal address signed with a name alone is still a letter to someone.
"""
from __future__ import annotations

import os

from pdscan.remediate.plan import read_plan
from tests.commands.college import run
from tests.commands.test_retention_correspondence import _listed, lay_out, letter, mail, workbook
from tests.extract.test_office import docx, para, row

NOW = "2026-12-07"


def table(title: str, *rows: list) -> bytes:
    """A Word document: a title paragraph over a table (an admissions or awards log)."""
    cells = "".join(row(*r) for r in rows)
    return docx(para(title) + f"<w:tbl>{cells}</w:tbl>")


# relative path → (content, modified day, category, planned, listed at NOW)
FILES = {
    # An interview record whose outcome is an offer: the learner's record from then on (6 years).
    "Documents/Admissions/Offers 2018/Application - Kowalski.docx": (letter(
        "Application and interview record",
        "Applicant: Oskar Kowalski DOB: 02/11/2001 Address: 9 Brook Terrace, Otley, LS21 3AB",
        "Course: L3 Diploma in Engineering. Interview date: 14/05/2018.",
        "Outcome: Conditional offer made (5 GCSEs 4+). Start date: 10/09/2018"),
        "2018-05-15", "learner-records", True, True),
    # The same form this year: an offer, so nothing is due; never a 6-month refusal.
    "Documents/Admissions/Offers 2026/Offer - Adeyemi.docx": (letter(
        "Application outcome", "Applicant: Tomi Adeyemi DOB: 30/01/2010 Email: tomi.adeyemi@example.com",
        "Outcome: OFFER MADE - unconditional. Start date: 07/09/2026"),
        "2026-03-02", "learner-records", False, False),
    # A CSV export of refused applications: the refusal says whose record it is, not the course column.
    "Desktop/applications_refused.csv": ((
        "Ref\tName\tEmail\tCourse\tStatus\tDate\n"
        "A1001\tIsla Whitaker\tisla.whitaker@example.com\tESOL Entry 2\tNot offered - full\t2024-10-29\n"
        "A1002\tYusuf Demir\tyusuf.demir@example.com\tESOL Entry 2\tNot offered - full\t2024-10-30\n"
        "A1003\tMaja Nowicka\tmaja.nowicka@example.com\tESOL Entry 2\tWithdrawn\t2024-10-30\n"
        "A1004\tLiam Gallagher\tliam.gallagher@example.com\tESOL Entry 2\tNot offered - full\t2024-10-31\n"
        "A1005\tAmira Haddad\tamira.haddad@example.com\tESOL Entry 2\tWithdrawn\t2024-11-01\n").encode(),
        "2024-11-04", "applicants-unsuccessful", True, True),
    # HR's log of regret letters sent to job applicants.
    "Documents/Recruitment/2015/Regret letters.docx": (table(
        "Regret letters - Technician 2015",
        ["Applicant", "Address", "Post", "Result"],
        ["Freya Lindqvist", "4 Mill Row, Keighley, BD21 4QA", "Technician (T-15-02)", "Regret letter sent 02/06/2015"],
        ["Callum Oduya", "18 Hall Lane, Bingley, BD16 2PX", "Technician (T-15-02)", "Regret letter sent 02/06/2015"],
        ["Niamh Doherty", "7 Park View, Ilkley, LS29 9DD", "Technician (T-15-02)", "Regret letter sent 02/06/2015"],
        ["Ravi Chauhan", "31 Low Street, Skipton, BD23 1BE", "Technician (T-15-02)", "Regret letter sent 02/06/2015"]),
        "2015-06-03", "applicants-unsuccessful", True, True),
    # A refusal by mail to an outside address: the applicant's record, not correspondence.
    "Documents/Mail/Your application.eml": (mail(
        "Rhys Morgan <r.morgan@college.ac.uk>", "Priya Raman <priya.raman@example.com>",
        "Tue, 14 Jan 2025 10:00:00 +0000", "Your application - Lab Technician",
        "Dear Priya,\n\nThank you for your interest in the Lab Technician post. After careful consideration "
        "the panel has decided not to offer you the position.\n\nKind regards,\nRhys Morgan\n"),
        "2025-01-14", "applicants-unsuccessful", True, True),
    # An awards-evening list: what learners were awarded is their transcript (review only).
    "OneDrive - College/Awards 2017/Awards list.docx": (table(
        "Awards evening 2017 - awards made",
        ["Learner", "Award", "Date of award"],
        ["Zara Hollings", "Principal's Award", "29/06/2017"],
        ["Mateo Ruiz", "Outstanding Progress", "29/06/2017"],
        ["Ellis Ward", "Employability Award", "29/06/2017"]),
        "2017-06-30", "learner-transcript", False, True),
    # A sheet of achievements for certificates, saved as Book1: the transcript, never planned.
    "Downloads/Book1.xlsx": (workbook([
        ["Learner achievements - leavers 2018 (for certificates)"], [], [],
        ["ULN", "Surname", "Forename", "Qualification", "Result", "Award date"],
        [6308786135, "Hollings", "Zara", "BTEC L3 Ext Dip IT", "DDM", "2018-07-13"],
        [6996024489, "Ruiz", "Mateo", "C&G L2 Diploma", "Merit", "2018-08-16"],
        [4286348376, "Ward", "Ellis", "C&G L2 Diploma", "Pass", "2018-07-13"]]),
        "2018-08-20", "learner-transcript", False, True),
    # A marksheet with a title row over its table, whose unit codes ("LO1") kept the extractor from
    # taking the row for a header: its header cells still say marks and grades, not a class list.
    "Documents/Exams/Unit 6 marksheet 2017.xlsx": (workbook([
        ["Unit 6 Customer Service - marksheet"], [],
        ["Learner", "ULN", "LO1", "LO2", "LO3", "Grade", "Assessment date"],
        ["Zara Hollings", 6308786135, "P", "M", "D", "M", "2017-03-14"],
        ["Mateo Ruiz", 6996024489, "P", "P", "M", "P", "2017-03-14"],
        ["Ellis Ward", 4286348376, "M", "D", "D", "D", "2017-03-14"],
        ["Oskar Kowalski", 8732864581, "P", "M", "M", "M", "2017-03-14"],
        ["Tomi Adeyemi", 7072852017, "P", "P", "P", "P", "2017-03-14"],
        ["Isla Whitaker", 6605411640, "D", "D", "M", "D", "2017-03-14"]]),
        "2017-03-20", "exams-assessment", True, True),
    # A refusal for an exams post: the applicant's record, not an exam record.
    "Documents/Letters/Invigilator application - Sandhu.docx": (letter(
        "Holly Sandhu", "3 Moor Lane, Ilkley, LS29 8AB", "9 February 2024", "Dear Holly,",
        "Thank you for applying for the post of Exams Invigilator. I am sorry to tell you that on this "
        "occasion your application has not been successful.", "Kind regards,", "HR Team"),
        "2024-02-09", "applicants-unsuccessful", True, True),
    # A member of staff's resignation by internal mail: their staff file; the last working day is the clock.
    "Documents/Mail/Resignation.eml": (mail(
        "Ola Brennan <o.brennan@college.ac.uk>", "Rhys Morgan <r.morgan@college.ac.uk>",
        "Mon, 02 Mar 2015 09:00:00 +0000", "Resignation",
        "Dear Rhys,\n\nPlease accept this as notice of my resignation. My last working day will be "
        "30/04/2015.\n\nOla Brennan\n"),
        "2015-03-02", "staff-files", True, True),
    # A staff sign-up list no category claims: unclassified; its event date is the clock, so it is not
    # yet due though its modified date alone would make it so.
    "Documents/Misc/Staff walk sign-up.xlsx": (workbook([
        ["Staff charity walk - sign up"], [], [],
        ["Name", "Mobile", "T-shirt size", "Event date"],
        ["Nadia Castell", "07700 900412", "M", "2021-04-18"],
        ["Piotr Zielinski", "07700 900877", "L", "2021-04-18"],
        ["Holly Sandhu", "07700 900239", "S", "2021-04-18"],
        ["Aaron Fitzgerald", "07700 900561", "M", "2021-04-18"],
        ["Leila Mansour", "07700 900733", "L", "2021-04-18"],
        ["Connor Whitfield", "07700 900118", "S", "2021-04-18"]]),
        "2020-10-05", "unclassified", False, False),
    # A reply to an enquirer under their postal address, signed with a name alone: correspondence.
    "Documents/Letters/Reply to enquiry - Osei.docx": (letter(
        "Westbridge College", "Kwame Osei", "12 Station Road, Shipley, BD18 3LQ", "20 January 2022",
        "Dear Kwame,", "Thank you for your enquiry about our Access to HE course. I enclose a prospectus.",
        "Rhys Morgan"),
        "2022-01-20", "general-correspondence", True, True),
}


def _retention(root, now, plan):
    r = run("retention", root, "--now", now, "--format", "jsonl", "--jobs", 1, "--plan-out", plan)
    planned = {os.path.relpath(e.path, root) for e in read_plan(str(plan)).entries} if plan.exists() else set()
    return _listed(r, root), planned


def test_each_file_is_judged_for_what_it_is(tmp_path):
    root = tmp_path / "home"
    lay_out(root, FILES)
    listed, planned = _retention(root, NOW, tmp_path / "plan.json")
    assert planned == {rel for rel, (*_x, planned_, _l) in FILES.items() if planned_}
    assert {rel: v["category"] for rel, v in listed.items()} == \
        {rel: cat for rel, (_c, _d, cat, _p, listed_) in FILES.items() if listed_}
    assert listed["OneDrive - College/Awards 2017/Awards list.docx"]["action"] == "review"
    # Long after, every file is judged, and under the same category (the recent ones too).
    later, _planned = _retention(root, "2060-01-01", tmp_path / "later.json")
    assert {rel: v["category"] for rel, v in later.items()} == {rel: f[2] for rel, f in FILES.items()}


def test_each_judgement_says_why(tmp_path):
    root = tmp_path / "home"
    lay_out(root, FILES)
    listed, _planned = _retention(root, "2060-01-01", tmp_path / "plan.json")
    offered = listed["Documents/Admissions/Offers 2018/Application - Kowalski.docx"]["evidence"]
    assert "keyword 'conditional offer'" in offered
    refused = listed["Documents/Mail/Your application.eml"]["evidence"]
    assert "keyword 'not to offer'" in refused and refused[-1] == "outranks general-correspondence"
    assert "keyword 'regret letters'" in listed["Documents/Recruitment/2015/Regret letters.docx"]["evidence"]
    assert {"column 'award'", "column 'date of award'"} <= \
        set(listed["OneDrive - College/Awards 2017/Awards list.docx"]["evidence"])
    assert "column 'award date'" in listed["Downloads/Book1.xlsx"]["evidence"]
    marks = listed["Documents/Exams/Unit 6 marksheet 2017.xlsx"]
    assert {"column 'grade'", "column 'assessment date'"} <= set(marks["evidence"])
    assert "keyword 'learner'" not in marks["evidence"]   # a header cell, not a word of the text
    assert (marks["clock"], marks["clock_from"]) == ("2017-03-20", "modified")
    invigilator = listed["Documents/Letters/Invigilator application - Sandhu.docx"]["evidence"]
    assert "keyword 'not been successful'" in invigilator and "written as a letter (greeting and sign-off)" in invigilator
    resignation = listed["Documents/Mail/Resignation.eml"]
    assert (resignation["clock"], resignation["clock_from"]) == ("2015-04-30", "leaving")
    walk = listed["Documents/Misc/Staff walk sign-up.xlsx"]
    assert (walk["clock"], walk["clock_from"]) == ("2021-04-18", "event")
    reply = listed["Documents/Letters/Reply to enquiry - Osei.docx"]["evidence"]
    assert reply[0] == "names a person (person_name) below the personal-data thresholds"

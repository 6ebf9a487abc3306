"""`pdscan retention` tells what a file is the way a records officer would: a letter or mail with
someone outside the college is general correspondence even when it mentions a learner, internal
mail about a learner is the learner's record, a refusal is the applicant's record, pay columns make
payroll, marks and grades make an exam record; one named person is enough when the file is such a
record. The files are laid out as saved on a staff laptop (Word letters, a PDF printed from the MIS,
.eml messages, spreadsheets), back-dated."""
from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from openpyxl import Workbook

from pdscan.remediate.plan import read_plan
from tests.commands.college import run
from tests.extract.test_office import docx, para, row
from tests.extract.test_pdf import _assemble

NOW = "2026-12-07"


def letter(*lines: str) -> bytes:
    return docx("".join(para(line) for line in lines))


def pdf_lines(lines: list) -> bytes:
    """A one-page PDF whose text runs one line under another, as a table printed from an MIS
    reaches the text: one cell per line."""
    ops = " ".join(f"0 -14 Td ({line}) Tj" for line in lines)
    stream = f"BT /F1 11 Tf 72 760 Td {ops} ET".encode("latin-1")
    return _assemble({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                      2: b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
                      3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
                      4: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
                      5: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                         b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"})


def workbook(rows: list) -> Workbook:
    book = Workbook()
    for r in rows:
        book.active.append(r)
    return book


def mail(sender: str, to: str, date: str, subject: str, body: str) -> bytes:
    return (f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: {date}\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\n\n{body}").encode()


# relative path → (content, modified day, category when due, or None: neither listed nor planned)
FILES = {
    # A tutor's letter home: it names the learner, but it is correspondence with a parent (2 years).
    "Documents/Letters/attendance letter.docx": (letter(
        "Mrs Joanne Ahmed", "14 Mill Lane, Leeds LS6 2QT", "19 January 2021", "Dear Mrs Ahmed,",
        "I am writing about Jake's attendance this term, which is 71%. As his personal tutor I would like "
        "to meet you to agree how we can support our learner.",
        "Yours sincerely,", "Rhys Morgan", "Personal Tutor"), "2021-01-19", "general-correspondence"),
    # The same kind of letter saved on the Desktop, greeting the addressee by first name under an address.
    "Desktop/reply.docx": (letter(
        "Samir Khan", "22 Park Road, Bradford BD7 1AA", "12 June 2022", "Dear Samir,",
        "Thank you for asking about our Access to HE course for adult learners; a prospectus is enclosed.",
        "Kind regards,", "Admissions"), "2022-06-12", "general-correspondence"),
    # An employer's reply about placing a learner: a message with someone on another mail domain.
    "Documents/Mail/Re placement.eml": (mail(
        "Esme Wright <esme.wright@kingsmere-motors.co.uk>", "Rhys Morgan <r.morgan@college.ac.uk>",
        "Mon, 20 May 2024 10:42:00 +0100", "Re: Work experience placement",
        "Hi Rhys,\n\nYes, we can take Amira Ward for the week of 3 June.\n\nRegards,\nEsme Wright\n\n"
        "On 13 May 2024, Rhys Morgan wrote:\n> Could you offer a placement to one of my learners?\n"),
        "2024-05-21", "general-correspondence"),
    # Internal mail about a learner (both parties on the college's domain): the learner's record.
    "Documents/Mail/RE new address.eml": (mail(
        "MIS Team <mis@college.ac.uk>", "Rhys Morgan <r.morgan@college.ac.uk>",
        "Wed, 17 Mar 2017 09:00:00 +0000", "RE: Learner contact details update",
        "Hi Rhys,\n\nWe have updated the learner's record: Name: Amira Ward, ULN 1234567899, "
        "date of birth 03/04/2000, new address 4 Mill Lane, Leeds.\n\nKind regards,\nMIS Team\n"),
        "2017-03-17", "learner-records"),
    # Internal mail about one member of staff: a staff file, on its words, as it is a message.
    "Documents/Mail/Attendance meeting.eml": (mail(
        "HR Team <hr@college.ac.uk>", "Rhys Morgan <r.morgan@college.ac.uk>",
        "Tue, 5 Mar 2019 14:00:00 +0000", "Attendance meeting",
        "Hi Rhys,\n\nPlease can you meet Mr Nathan Robinson about his sickness absence this term? His fit note "
        "ends on Friday and occupational health have seen him.\n\nKind regards,\nHR Team\n"),
        "2019-03-05", "staff-files"),
    # A letter refusing an application: the applicant's record (6 months), not correspondence.
    "OneDrive - College/Applications 2024/letter - A Walker.docx": (letter(
        "Amelia Walker", "42 Harbour View, Hull HU1 2AA", "11 June 2024", "Dear Amelia,",
        "Post: Learning Support Assistant. Thank you for attending interview. I am sorry to tell you that "
        "on this occasion your application has been unsuccessful.",
        "Yours sincerely,", "Curriculum Manager"), "2024-06-11", "applicants-unsuccessful"),
    # One employee's hearing outcome: one name, but a staff file.
    "OneDrive - College/old stuff/hearing outcome.docx": (docx(
        para("Disciplinary hearing - outcome")
        + "<w:tbl>" + row("Employee", "Esme Jackson") + row("Staff number", "W26174")
        + row("Hearing date", "19/11/2014") + row("Outcome", "Final written warning") + "</w:tbl>"
        + para("Mitigation: the employee cited stress; an occupational health referral was made.")),
        "2015-02-03", "staff-files"),
    # Pay columns make a payroll table, though one column is headed "Employee ...".
    "OneDrive - College/budget/pension contributions 2015-16.xlsx": (workbook([
        ["Emp No", "Name", "NI Number", "Pay Date", "Pensionable pay", "Employee contrib", "Employer contrib"],
        ["W15611", "Fatima Barker", "JG 10 37 59 A", dt.date(2015, 8, 27), 1855.0, 137.27, 304.22],
        ["W15612", "Owen Price", "AB 12 34 56 C", dt.date(2015, 8, 27), 2010.0, 148.74, 329.64]]),
        "2016-08-10", "payroll"),
    # Marks and grades make an exam record, though the first column is headed "Learner".
    "OneDrive - College/Marking/unit 7 marks.xlsx": (workbook([
        ["Learner", "ULN", "Mark", "Grade"], ["Jack Ahmed", "1234567899", 28, "Pass"],
        ["Harry Ali", "5554443337", 36, "Distinction"]]), "2018-06-01", "exams-assessment"),
    # A moderation sample printed to PDF: its table reaches the text one cell per line.
    "OneDrive - College/Marking/moderation sample.pdf": (pdf_lines([
        "External moderation sample", "ULN", "Learner", "Assessor grade", "Moderator",
        "1234567899", "Megan Griffiths", "M", "Agreed", "5554443337", "Priya Shah", "D", "Adjusted"]),
        "2018-04-23", "exams-assessment"),
    # A letter to every parent names no one: nothing to judge.
    "Documents/Letters/open evening.docx": (letter(
        "Dear Parent/Carer,", "Our open evening for learners and their families is on 3 March 2016.",
        "Yours faithfully,", "The Principal"), "2016-02-01", None),
    # A recent letter home is not due.
    "Desktop/letter to parent Oct 2026.docx": (letter(
        "Mr Kacper Green", "103 Canal Street, Leeds LS2 7EY", "14 October 2026", "Dear Mr Green,",
        "Thank you for your call about Imran's placement.", "Yours sincerely,", "Rhys Morgan"),
        "2026-10-14", None),
}
PLANNED = {rel for rel, (_c, _d, cat) in FILES.items() if cat}


def lay_out(root, files: dict):
    """Write each file (bytes or a Workbook) under `root`, modified at noon UTC on its day."""
    for rel, (content, day, *_rest) in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Workbook):
            content.save(path)
        else:
            path.write_bytes(content)
        noon = dt.datetime.fromisoformat(day + "T12:00:00+00:00").timestamp()
        os.utime(path, (noon, noon))


@pytest.fixture
def laptop(tmp_path):
    root = tmp_path / "home"
    lay_out(root, FILES)
    return root


def _listed(result, root) -> dict:
    records = [json.loads(line) for line in result.out.splitlines() if line.strip()]
    return {os.path.relpath(r["path"], root): r["retention"] for r in records if r["type"] == "item"}


def judged(root, tmp_path, files: dict) -> tuple:
    """({relative path: verdict} of the files listed, {relative paths planned}) from one retention
    run over `root`, having checked that every file `files` gives a category is listed under it."""
    plan = tmp_path / "plan.json"
    r = run("retention", root, "--now", NOW, "--format", "jsonl", "--jobs", 1, "--plan-out", plan)
    assert r.code == 1, r
    listed = _listed(r, root)
    assert {rel: v["category"] for rel, v in listed.items()} == {rel: c for rel, (_x, _d, c) in files.items() if c}
    return listed, {os.path.relpath(e.path, root) for e in read_plan(str(plan)).entries}


def test_each_due_file_is_planned_under_what_it_is(laptop, tmp_path):
    assert judged(laptop, tmp_path, FILES)[1] == PLANNED


def test_each_judgement_says_why(laptop, tmp_path):
    plan = tmp_path / "plan.json"
    r = run("retention", laptop, "--now", NOW, "--format", "jsonl", "--jobs", 1, "--plan-out", plan)
    listed = _listed(r, laptop)
    home = listed["Documents/Letters/attendance letter.docx"]["evidence"]
    assert home == ["names a person (person_name) below the personal-data thresholds",
                    "path matches '**/Letters/**'", "written as a letter (greeting and sign-off)",
                    "with someone outside the organisation (addressed by title or role)"]
    assert "with someone outside the organisation (a postal address above the greeting)" in \
        listed["Desktop/reply.docx"]["evidence"]
    placement = listed["Documents/Mail/Re placement.eml"]["evidence"]
    assert "with someone outside the organisation (parties on more than one mail domain)" in placement
    refusal = listed["OneDrive - College/Applications 2024/letter - A Walker.docx"]["evidence"]
    assert refusal[-1] == "outranks general-correspondence" and "keyword 'unsuccessful'" in refusal
    pay = listed["OneDrive - College/budget/pension contributions 2015-16.xlsx"]["evidence"]
    assert {"column 'pensionable pay'", "column 'employee contrib'", "column 'employer contrib'"} <= set(pay)
    marks = listed["OneDrive - College/Marking/unit 7 marks.xlsx"]["evidence"]
    assert {"column 'mark'", "column 'grade'"} <= set(marks)
    sample = listed["OneDrive - College/Marking/moderation sample.pdf"]["evidence"]
    assert {"column 'grade'", "column 'assessor'"} <= set(sample)
    # The plan carries the same reasons to the reviewer.
    entry = next(e for e in read_plan(str(plan)).entries if e.path.endswith("attendance letter.docx"))
    assert "category from: names a person (person_name) below the personal-data thresholds" in entry.reason


def test_the_text_report_names_the_evidence(laptop):
    r = run("retention", laptop, "--now", NOW, "--jobs", 1)
    block = r.out.split("Re placement.eml", 1)[1].split("\n\n", 1)[0]
    assert "category: general-correspondence (names a person (person_name) below the personal-data thresholds; " \
           "an e-mail message; with someone outside the organisation (parties on more than one mail domain))" \
           in block, r


def test_the_colleges_own_mail_domains_decide_when_set(laptop, tmp_path):
    """With [mail] owner_domains set, a message between two of the college's own domains is internal."""
    site = tmp_path / "site.toml"
    site.write_text('[mail]\nowner_domains = ["college.ac.uk", "kingsmere-motors.co.uk"]\n')
    r = run("retention", laptop, "--now", NOW, "--format", "jsonl", "--jobs", 1, "--policy", site)
    listed = _listed(r, laptop)
    assert "Documents/Mail/Re placement.eml" not in listed   # internal now, and a name alone is no record
    assert listed["Documents/Letters/attendance letter.docx"]["category"] == "general-correspondence"

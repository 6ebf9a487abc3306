"""People in prose as letters, minutes, support plans and mail write them: the signature after
a closing, the names listed in minutes, a relation or role before a name, "Reviewed by ...", a
name before its mail address in a reply or forwarded header; birth dates, NHS numbers, licence
numbers and phone extensions in sentences. Names of things and role signatures are no one."""
from __future__ import annotations

import sys

import pytest

from tests.conftest import FIXTURES
from tests.layouts import counts

sys.path.insert(0, str(FIXTURES))
from fixturegen.doc import Doc, Para  # noqa: E402
from fixturegen.ooxml import docx  # noqa: E402
from fixturegen.pdf import pdf  # noqa: E402

LETTER = """Riverside College
Student Services

14 May 2024

Mrs Grace Okafor
21 Beech Road

Dear Mrs Okafor,

Re: Aisha Okafor (Year 12)

I am writing about your daughter's attendance this term. Aisha was born on 3rd March 2007 and her NHS no. 454 323 1945 is on our records from his enrolment form. Her DOB 30.03.07 was entered wrongly on the trip form.

Please contact me on 0113 243 5678 ext. 2245 if you would like to meet.

Yours sincerely,

Gareth Pryce
Head of Student Services"""

MINUTES = """Learning Support Panel - Minutes
Date: 7 May 2024

Present: Gareth Pryce (Chair), Megan Lloyd, Dr Alan Whitfield, Siobhan McGregor
Apologies: Tom Evans and Priya Patel

1. Case review
Her mother, Anna Nowak, attended. Driving licence no. NOWAK 761026 AN9XY held on file; DOB 02-Nov-2006.
Minutes taken by Rhys Morgan.

2. Any other business
The Ada Lovelace Building lift is out of order until Friday (Timetable wk3)."""

MAIL = """From: Gareth Pryce <g.pryce@riverside-college.ac.uk>
To: Megan Lloyd <m.lloyd@riverside-college.ac.uk>
Subject: RE: Exam access arrangements
Content-Type: text/plain; charset=utf-8

Hi Megan,

Yes, that's fine.

Thanks,
Gareth

Gareth Pryce
Head of Student Services | Riverside College

On Mon, 6 May 2024 at 16:40, Megan Lloyd <m.lloyd@riverside-college.ac.uk> wrote:
> Can you confirm the arrangements? Her mum, Carys Hughes, rang.
> Kind regards
> Megan Lloyd

---------- Forwarded message ---------
From: Rhys Morgan <r.morgan@riverside-college.ac.uk>
To: Owen Price <o.price@riverside-college.ac.uk>

Owen, see below.
"""

NOTICE = """From: Estates Team <estates@riverside-college.ac.uk>
To: All Staff <allstaff@riverside-college.ac.uk>
Subject: Timetable wk3 - Ada Lovelace Building closed
Content-Type: text/plain; charset=utf-8

Dear colleagues,

The Ada Lovelace Building is closed in Timetable wk3. Lessons move to the Isaac Newton Suite and the
Mary Seacole Centre. Contact: Facilities Helpdesk.

Approved by: Governing Body

Kind regards,
Estates Team
Riverside College
"""


def _write(tmp_path, name: str, kind: str, text: str):
    path = tmp_path / f"{name}.{kind}"
    lines = text.split("\n")
    if kind == "docx":
        path.write_bytes(docx(Doc(lines[0], tuple(Para(line) for line in lines[1:]))))
    elif kind == "pdf":
        path.write_bytes(pdf(lines))
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["txt", "docx", "pdf"])
def test_a_letter_to_a_parent(tmp_path, kind):
    got = counts(_write(tmp_path, "letter", kind, LETTER))
    # Mrs Grace Okafor (also "Dear Mrs Okafor"), the learner the letter is about, and the signature;
    # "Aisha" alone is the learner again
    assert got.get("person_name") == 3, got
    # Two different dates, one per written form (a date is hashed in one form, so the same date
    # written twice would count once)
    assert got.get("date_of_birth") == 2 and got.get("uk.nhs") == 1, got
    assert got.get("uk.phone") == 1, got


@pytest.mark.parametrize("kind", ["txt", "docx"])
def test_minutes_name_who_was_there(tmp_path, kind):
    got = counts(_write(tmp_path, "minutes", kind, MINUTES))
    # four present, two apologies, the mother, the minute taker; the building is no one
    assert got.get("person_name") == 8, got
    assert got.get("uk.driving_licence") == 1 and got.get("date_of_birth") == 1, got


def test_mail_reply_with_quoted_and_forwarded_headers(tmp_path):
    got = counts(_write(tmp_path, "reply", "eml", MAIL))
    # Gareth Pryce, Megan Lloyd, Carys Hughes, Rhys Morgan, Owen Price
    assert got.get("person_name") == 5, got


def test_a_staff_notice_names_things_and_teams_not_people(tmp_path):
    for kind in ("eml", "txt"):
        got = counts(_write(tmp_path, "notice", kind, NOTICE))
        assert "person_name" not in got, (kind, got)


PANEL = """Vulnerable Learner Panel - Minutes
Date: 3 October 2024, Room B12
Present: Rhys Morgan (Chair), Megan Lloyd (Lecturer - Health & Social
Care), Owen Price (Safeguarding Officer), Carys Hughes (Student
Services), Gareth Pryce
1. Minutes of last meeting agreed."""

RETURN_TO_WORK = """Return to Work Interview
Employee: Chidi Okafor Payroll No: E04095 Dept: Estates
Manager: Zofia Nowak Staff ID: E11873
Reason given: migraine."""


@pytest.mark.parametrize("kind", ["txt", "pdf"])
def test_a_list_of_those_present_wraps_inside_a_role_in_brackets(tmp_path, kind):
    assert counts(_write(tmp_path, "panel", kind, PANEL)).get("person_name") == 5


def test_a_form_line_of_several_labels_ends_each_name_at_the_next_label(tmp_path):
    """"Employee: Chidi Okafor Payroll No: E04095": the name is two words, not "Chidi Okafor
    Payroll" (a word of the next label, which the validator rightly refuses)."""
    assert counts(_write(tmp_path, "rtw", "txt", RETURN_TO_WORK)).get("person_name") == 2

"""A table in a mail, as an exams officer sends one: the HTML part's <table> under its
header row ("Name", "Date of birth"), the plain-text part the same rows without it. The
header names its cells, as a sheet's does. Values are made up (tests/layouts.py)."""
from __future__ import annotations

from email.message import EmailMessage

from tests.layouts import DOBS, NAMES, counts

MOBILES = ["07896 651961", "07348 688137", "07534 036297"]


def _mail(html_rows: str, text_rows: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Paige Wong <p.wong@riverside-college.ac.uk>"
    msg["To"] = "exams@riverside-college.ac.uk"
    msg["Subject"] = "Resit entries - missing learners"
    msg["Date"] = "Mon, 04 Nov 2024 09:12:00 +0000"
    msg.set_content("Hi all,\n\nThe learners below are missing from the January resit entries.\n\n"
                    f"{text_rows}\nThanks,\nPaige Wong\nExams Officer\n")
    msg.add_alternative("<html><body><p>Hi all,</p><p>The learners below are missing from the January resit "
                        "entries. Please check with them by Friday.</p>"
                        f"<table border=1>{html_rows}</table><p>Thanks,<br>Paige Wong<br>Exams Officer</p>"
                        "</body></html>", subtype="html")
    return bytes(msg)


def _rows():
    people = [(f"{f} {s}" if n != 1 else f"{s}, {f}", dob, mobile, f"2479622{n}")
              for n, ((s, f), dob, mobile) in enumerate(zip(NAMES, DOBS, MOBILES))]
    html = "<tr><th>Name</th><th>Date of birth</th><th>Mobile</th><th>Ref</th></tr>" + "".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in person) + "</tr>" for person in people)
    text = "".join("\t".join(person) + "\n" for person in people)
    return html, text


def test_a_table_in_a_mails_html_part(tmp_path):
    path = tmp_path / "Resit entries - missing learners.eml"
    path.write_bytes(_mail(*_rows()))
    got = counts(path)
    assert got.get("date_of_birth") == 3, got
    assert got.get("uk.phone") == 3, got
    assert got.get("person_name") == 4, got  # three learners and the sender


def test_a_table_pasted_into_a_plain_mail_with_its_header(tmp_path):
    path = tmp_path / "missing learners.eml"
    html, text = _rows()
    msg = EmailMessage()
    msg["From"] = "exams@riverside-college.ac.uk"
    msg["To"] = "tutors@riverside-college.ac.uk"
    msg["Subject"] = "Missing learners"
    msg.set_content("Hi all,\n\nName\tDate of birth\tMobile\tRef\n" + text + "\nThanks\n")
    path.write_bytes(bytes(msg))
    got = counts(path)
    assert got.get("date_of_birth") == 3, got
    assert got.get("person_name") == 3, got


def test_a_layout_table_of_a_newsletter_is_no_data(tmp_path):
    path = tmp_path / "newsletter.eml"
    msg = EmailMessage()
    msg["From"] = "news@riverside-college.ac.uk"
    msg["To"] = "all-staff@riverside-college.ac.uk"
    msg["Subject"] = "Staff news"
    msg.set_content("Staff news this week.")
    msg.add_alternative("<table><tr><td>Open Evening</td><td>Thursday 6pm</td></tr>"
                        "<tr><td>Car park</td><td>Closed for resurfacing</td></tr>"
                        "<tr><td>Canteen</td><td>New menu from Monday</td></tr></table>", subtype="html")
    path.write_bytes(bytes(msg))
    assert set(counts(path)) <= {"email"}  # the correspondents' addresses only

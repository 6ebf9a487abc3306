"""Mail files met by `scan` (.eml, mbox): the correspondents' addresses are `email` findings."""
from __future__ import annotations

from email.message import EmailMessage

import pytest

from pdscan.sniff import sniff
from tests.extract.drive import file_item
from tests.layouts import counts

PEOPLE = ["chidi.okafor@gmail.com", "zofia.nowak@outlook.com", "bethan.hughes@btinternet.com",
          "g.pryce@riverside-college.ac.uk", "megan.lloyd@yahoo.co.uk"]


def message(sender: str, to: list, cc: list, subject="Trip consent forms") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Tutor <{sender}>"
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg.set_content("Please bring the signed forms on Monday.\n")
    return msg.as_bytes()


def test_eml_addresses_in_from_to_cc(tmp_path):
    path = tmp_path / "consent.eml"
    path.write_bytes(message(PEOPLE[3], PEOPLE[:2], PEOPLE[2:3] + PEOPLE[4:]))
    assert counts(path).get("email") == 5


def test_mbox_file_on_disk_is_read_message_by_message(tmp_path):
    path = tmp_path / "Inbox"
    first = message(PEOPLE[3], PEOPLE[:2], [])
    second = message(PEOPLE[4], [PEOPLE[2]], [], subject="Re: trip")
    path.write_bytes(b"From tutor@example Mon May  6 09:00:00 2024\n" + first + b"\n"
                     b"From tutor@example Mon May  6 10:00:00 2024\n" + second + b"\n")
    assert sniff(file_item(path)) == "application/mbox"
    assert counts(path).get("email") == 5


@pytest.mark.parametrize("body, subtype", [
    ("<html><body><table><tr><th>Name</th></tr><tr><td>Megan Lloyd</td></tr></table></body></html>", "html"),
    ("#include <stdio.h>\nint main(void) { return 0; }\n", "plain")])
def test_a_thunderbird_message_is_read_as_mail_whatever_its_body(tmp_path, body, subtype):
    """Thunderbird heads a stored message with X-Mozilla-Status, which libmagic does not know as
    mail, so it names the message by its body (HTML, C); the header block says it is mail."""
    msg = EmailMessage()
    msg["From"] = f"Tutor <{PEOPLE[3]}>"
    msg["To"] = PEOPLE[0]
    msg["Subject"] = "grades"
    msg.set_content(body, subtype=subtype)
    path = tmp_path / "message-1.eml"
    path.write_bytes(b"X-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n" + msg.as_bytes())
    assert sniff(file_item(path)) == "message/rfc822"
    assert counts(path).get("email") == 2


def test_a_sender_encoded_whole_with_its_address(tmp_path):
    # Some clients put "Name <address>" inside the encoded words; it is one correspondent.
    path = tmp_path / "off sick.eml"
    path.write_bytes(b"From: =?utf-8?q?Zofia_Nowak_=3Czofia=2Enowak=40outlook=2Ecom?=\n =?utf-8?q?=3E?=\n"
                     b"To: Megan Lloyd <megan.lloyd@riverside-college.ac.uk>\nSubject: off sick\n"
                     b"Date: Tue, 29 Oct 2024 11:03:19 +0000\n\nHi Megan, I will not be in this week.\n")
    got = counts(path)
    assert got.get("email") == 2 and got.get("person_name") == 2, got

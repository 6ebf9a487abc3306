"""Outlook .msg and .pst/.ost in file scans: sniffed by their bytes, converted to RFC 822,
read by the message extractor (bodies, headers, attachments as nested items)."""
from __future__ import annotations

import io
from email import policy
from email.parser import BytesParser

import pytest

from pdscan.errors import ItemError
from pdscan.extract import Context
from pdscan.extract.message import extract_message
from pdscan.extract.mapi import Attachment, Outlook, one_off_addresses
from pdscan.extract.outlook_mime import all_problems, to_rfc822
from pdscan.formats.magic import MSG_MIME, PST_MIME
from pdscan.extract.outlook import NotReadable, extract_outlook, msg_to_rfc822
from pdscan.limits import Budget, Limits
from pdscan.model import Chunk, Item
from pdscan.sniff import sniff
from pdscan.sources.mail.headers import meta_of

from ..conftest import REAL
from .drive import drive, file_item, mutations, only_item_errors

MSG = REAL / "mail" / "msg"
PST = REAL / "mail" / "pst"


def parsed(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


def converted(name: str) -> bytes:
    return msg_to_rfc822((MSG / name).read_bytes())[0]


def test_msg_and_pst_are_told_apart_by_their_bytes():
    assert {sniff(file_item(p, "renamed.bin")) for p in MSG.glob("*.msg")} == {MSG_MIME}
    assert sniff(file_item(PST / "dist-list.pst", "x.dat")) == PST_MIME
    assert sniff(file_item(PST / "libpff-pst-file_header.bin")) == PST_MIME
    # Other OLE documents keep their own types.
    assert sniff(file_item(REAL / "office" / "plain.doc")) == "application/msword"


def test_plain_text_message_headers_and_body():
    run = drive(file_item(MSG / "TxtSampleEmail.msg"))
    assert run.errors == [] and run.items[None][1] == MSG_MIME
    where = run.where(None)
    assert where["header Subject"] == "TxtSampleEmail"
    assert where["header From"] == "Wilson, Chris" and where["header To"] == "Wilson, Chris"
    assert "Genoa and Lucca" in where["body"] and "BOOK ONE" in where["body"]
    raw = parsed(converted("TxtSampleEmail.msg"))
    assert raw["From"].addresses[0].addr_spec == "Chris.Wilson@leeds.gov.uk"
    assert raw["To"].addresses[0].addr_spec == "Chris.Wilson@leeds.gov.uk"
    assert raw["Message-ID"] == "<6BA412B7BBD2FD42861293C22F31BF8F1AECAB77@pifmbx04.Leeds.gov.uk>"
    assert raw["Received"]  # transport headers are kept as they came


def test_attachments_are_nested_items_with_their_names():
    run = drive(file_item(MSG / "EmailWithAttachments.msg"))
    assert run.errors == []
    nested = {member: mime for member, (_, mime) in run.items.items() if member}
    assert nested == {"peterpan.jpg": "image/jpeg", "tinkerbell.jpg": "image/jpeg"}
    assert run.where(None)["body"] == "Hello Neverland text"
    raw = parsed(converted("EmailWithAttachments.msg"))
    # No transport headers: the fields come from the MAPI properties.
    assert raw["From"] == "Kees <peterpan@neverland.com>" and raw["Subject"] == "This is the subject"
    assert raw["To"] == "crocodile@neverland.com" and raw["Cc"] == "tinkerbel@neverland.com"
    assert raw["Bcc"] == "wendy@neverland.com" and raw["Date"] == "Sat, 03 Dec 2016 18:08:54 +0000"


def test_member_names_follow_the_path_of_the_scanned_file():
    item = file_item(MSG / "EmailWithAttachments.msg")
    item = Item(path=item.path, open=item.open, size=item.size, member="mail/old.zip!/saved.msg", depth=1)
    members = {m for m in drive(item).items if m != item.member}
    assert members == {"mail/old.zip!/saved.msg!/peterpan.jpg", "mail/old.zip!/saved.msg!/tinkerbell.jpg"}


@pytest.mark.parametrize("name, inner, subject", [
    ("EmailWithMsgAttachment.msg", "Msg Attachment Test.eml", "Msg Attachment Test"),
    ("hiraoka-msgInMsg.msg", "Microsoft Outlook テスト メッセージ.eml", "Microsoft Outlook テスト メッセージ"),
])
def test_an_embedded_message_is_a_nested_message(name, inner, subject):
    run = drive(file_item(MSG / name))
    assert run.errors == []
    assert run.items[inner][1] == "message/rfc822"
    assert run.where(inner)["header Subject"] == subject
    if name == "hiraoka-msgInMsg.msg":
        assert run.items["green.png"][1] == "image/png"
        assert "Microsoft Outlook" in run.where(inner)["body"]


def test_a_contact_card_gives_its_fields_as_text():
    run = drive(file_item(MSG / "hiraoka-contactUnicode.msg"))
    assert run.errors == []
    text = run.where(None)["body"]
    for line in ("Business phone: 06-0001-0002", "Mobile phone: 080-0001-0001", "Company: My work company",
                 "Surname: イグザンプル", "Given name: コム", "Postal code: 544-0001", "City: Osaka"):
        assert line in text, line
    assert "test@example.com" in text  # the e-mail address is a named property: listed without a label


def test_a_date_outlook_did_not_store_is_none():
    raw = converted("strangeDate.msg")
    assert parsed(raw)["Date"] is None
    assert meta_of(raw, "x")["date"] is None
    assert parsed(raw)["Subject"] == "MSG Test File"


def test_rtf_only_body_is_read():
    """No stored plain or HTML body: the (decompressed) RTF body is the text."""
    from extract_msg import openMsg

    data = (MSG / "hiraoka-test1.msg").read_bytes()
    msg = openMsg(data)
    try:
        rtf = msg.rtfBody
    finally:
        msg.close()
    message = Outlook(subject="title", rtf=rtf)
    body = parsed(to_rfc822(message)).get_body(("plain",)).get_content()
    assert body.strip() == "body"


def test_a_damaged_msg_is_an_item_error():
    data = (MSG / "TxtSampleEmail.msg").read_bytes()
    with pytest.raises(NotReadable):
        msg_to_rfc822(data[:20000])
    item = Item(path="cut.msg", open=lambda: io.BytesIO(data[:20000]), size=20000)
    limits = Limits()
    with pytest.raises(ItemError, match="not a readable Outlook message"):
        list(extract_outlook(item, Context(limits, Budget(limits))))


def test_damaged_msg_files_fail_only_with_item_errors():
    data = (MSG / "hiraoka-test1.msg").read_bytes()
    for damaged in mutations(data, 25, seed=7):
        only_item_errors(extract_outlook, damaged, "damaged.msg")


def test_pst_messages_are_nested_messages():
    run = drive(file_item(PST / "dist-list.pst"))
    messages = {m: mime for m, (_, mime) in run.items.items() if m}
    assert messages == {"Calendar/2097348": "message/rfc822", "Contacts/2097188": "message/rfc822",
                        "Contacts/2097252": "message/rfc822"}
    # libpff cannot open embedded messages (here the exceptions of a recurring appointment): reported.
    assert [(m, reason) for m, reason, _ in run.errors] == [
        ("Calendar/2097348!/Untitled.eml", "embedded message not read (libpff cannot open it)"),
        ("Calendar/2097348!/Untitled.eml (2)", "embedded message not read (libpff cannot open it)")]
    assert run.where("Calendar/2097348")["header Subject"] == "Test appointment"
    assert "This is a complete test" in run.where("Calendar/2097348")["body"]
    contact = run.where("Contacts/2097252")["body"]
    assert "Given name: contact" in contact and "contact1@rjohnson.id.au" in contact
    # A distribution list keeps its members only in one-off entry IDs.
    members = run.where("Contacts/2097188")["body"]
    assert "dist name 1 <dist1@rjohnson.id.au>" in members and "dist name 2 <dist2@rjohnson.id.au>" in members


def test_a_pst_libpff_cannot_open_is_an_item_error():
    run = drive(file_item(PST / "libpff-pst-file_header.bin"))
    assert [(m, reason) for m, reason, _ in run.errors] == [
        (None, "not a readable Outlook data file (damaged or truncated)")]


def test_attachment_names_beyond_ascii_survive_the_conversion():
    message = Outlook(subject="Zeugnis", plain="siehe Anhang",
                      attachments=[Attachment("Zeugnis Müller.txt", None, b"NI number AB123456C\n"),
                                   Attachment(None, message=Outlook(subject="inner", plain="hello"))])
    raw = to_rfc822(message)
    run = drive(Item(path="m.eml", open=lambda: io.BytesIO(raw), size=len(raw), name_hint="m.eml"))
    assert run.items["Zeugnis Müller.txt"][1] == "text/plain"
    assert "AB123456C" in run.text("Zeugnis Müller.txt")
    assert run.where("message.eml")["header Subject"] == "inner"


def test_transport_headers_lose_their_old_mime_structure():
    headers = ("Microsoft Mail Internet Headers Version 2.0\r\nReceived: from a by b\r\n\tid 1\r\n"
               "From: Ada <ada@example.ac.uk>\r\nContent-Type: application/ms-tnef\r\nMIME-Version: 1.0\r\n"
               "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\n")
    raw = to_rfc822(Outlook(transport_headers=headers, subject="ignored: the headers have one",
                            message_id="<x@y>", plain="hi"))
    msg = parsed(raw)
    assert raw.startswith(b"Received: from a by b\n\tid 1\n")
    assert msg["Subject"] == "Grüße" and msg["From"] == "Ada <ada@example.ac.uk>"
    assert msg["Message-ID"] == "<x@y>"  # missing from the headers: added from the properties
    assert msg.get_content_type() == "multipart/mixed" and len(msg.get_all("Content-Type")) == 1
    assert b"ms-tnef" not in raw and b"Microsoft Mail Internet Headers" not in raw


def test_one_off_entry_ids_give_names_and_addresses():
    uid = bytes.fromhex("812B1FA4BEA310199D6E00DD010F5402")
    unicode = b"\0\0\0\0" + uid + b"\0\0\x01\x80" + "Jo Bloggs\0SMTP\0jo@example.org\0".encode("utf-16-le")
    ansi = b"\0\0\0\0" + uid + b"\0\0\x00\x00" + b"Sam\0SMTP\0sam@example.org\0"
    assert one_off_addresses(b"junk" + unicode + ansi) == [("Jo Bloggs", "jo@example.org"),
                                                           ("Sam", "sam@example.org")]
    assert one_off_addresses(b"no entry ids here") == []


def test_chunks_of_a_converted_message_are_utf8():
    raw = to_rfc822(Outlook(subject="Café", plain="naïve résumé", sender=("Zoë", "zoe@example.org")))
    limits = Limits()
    item = Item(path="m.eml", open=lambda: io.BytesIO(raw), size=len(raw))
    chunks = [c for c in extract_message(item, Context(limits, Budget(limits))) if isinstance(c, Chunk)]
    assert {c.where: c.data.decode("utf-8") for c in chunks} == {
        "header Subject": "Café", "header From": "Zoë", "header From address": "zoe@example.org",
        "body": "naïve résumé"}


class _Entry:
    """Just enough of a pypff record entry for the property mapping."""

    def __init__(self, tag, value_type, value):
        self.tag, self.value_type, self.value = tag, value_type, value

    def get_entry_type(self):
        return self.tag

    def get_value_type(self):
        return self.value_type

    def get_data_as_string(self):
        return self.value

    def get_data_as_integer(self):
        return self.value

    def get_data_as_boolean(self):
        return self.value

    def get_data_as_datetime(self):
        return self.value

    def get_data(self):
        return self.value


class _Record:
    def __init__(self, *entries):
        self.entries = [_Entry(*e) for e in entries]


class _Item:
    def __init__(self, *records, **methods):
        self.records = records
        for name, value in methods.items():
            setattr(self, name, value)

    def get_number_of_record_sets(self):
        return len(self.records)

    def get_record_set(self, index):
        return self.records[index]


def test_pst_mail_maps_to_rfc822_fields():
    """The PSTs of the corpus hold contacts and an appointment only; this is a received mail as
    libpff presents one: transport headers, an Exchange recipient, an attachment by value and an
    embedded message."""
    from datetime import datetime

    from pdscan.extract import pst

    S, I, B = 0x001F, 0x0003, 0x000B
    recipients = _Item(_Record((0x0C15, I, 1), (0x3001, S, "Jo Bloggs"), (0x3002, S, "EX"),
                               (0x3003, S, "/O=COLLEGE/CN=RECIPIENTS/CN=JBLOGGS"), (0x39FE, S, "jo@college.ac.uk")),
                       _Record((0x0C15, I, 2), (0x3001, S, "Sam"), (0x3002, S, "EX"),
                               (0x3003, S, "/O=COLLEGE/CN=RECIPIENTS/CN=SAM")))
    by_value = _Item(_Record((0x3705, I, 1), (0x3707, S, "form.csv"), (0x7FFE, B, False)),
                     long_filename=None, get_size=lambda: 21, read_buffer=lambda n: b"name,ni\nJo,AB123456C\n"[:n])
    embedded = _Item(_Record((0x3705, I, 5), (0x3001, S, "Fwd")), long_filename=None)
    message = _Item(_Record((0x001A, S, "IPM.Note"), (0x0C1A, S, "Ada"), (0x0C1E, S, "SMTP"),
                            (0x0C1F, S, "ada@example.org"), (0x0039, 0x0040, datetime(2024, 1, 2, 3, 4, 5)),
                            (0x1000, S, "Please see the form."), (0x3FDE, I, 28591)),
                    get_transport_headers=lambda: "Received: from x by y\r\nSubject: Form\r\n\r\n",
                    get_subject=lambda: "Form", get_html_body=lambda: "<p>Caf\xe9</p>".encode("latin-1"),
                    get_rtf_body=lambda: None, get_plain_text_body=lambda: None,
                    recipients=recipients, get_number_of_attachments=lambda: 2,
                    get_attachment=lambda i: (by_value, embedded)[i])
    outlook = pst._outlook(message)
    msg = parsed(to_rfc822(outlook))
    assert msg["Received"] == "from x by y" and msg["Subject"] == "Form"
    assert msg["From"] == "Ada <ada@example.org>" and msg["Date"] == "Tue, 02 Jan 2024 03:04:05 +0000"
    assert msg["To"] == "Jo Bloggs <jo@college.ac.uk>" and msg["Cc"] == "Sam"  # no SMTP address for Sam
    assert msg.get_body(("html",)).get_content() == "<p>Café</p>"
    attachment = next(msg.iter_attachments())
    assert attachment.get_filename() == "form.csv" and attachment.get_content_type() == "text/csv"
    assert list(all_problems(outlook)) == [("Fwd.eml", "embedded message not read (libpff cannot open it)")]

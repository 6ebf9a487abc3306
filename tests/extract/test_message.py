"""Mail messages: header and body chunks, attachments as nested Items, encrypted parts."""
from __future__ import annotations

import io
from email.message import EmailMessage
from typing import Optional

import pytest

from pdscan.errors import ItemError
from pdscan.extract import Context
from pdscan.extract.message import extract_message
from pdscan.formats.htmltext import html_to_text
from pdscan.limits import Budget, Limits
from pdscan.model import Chunk, Item, MessageFacts

from ..conftest import CORPUS, REAL
from .drive import drive, file_item, mutations, only_item_errors

MAIL = REAL / "mail"
MAILDIR = MAIL / "maildir" / "mu-testdir" / "cur"


def bytes_item(data: bytes, name="m.eml", meta=None) -> Item:
    return Item(path=f"/mail/{name}", open=lambda: io.BytesIO(data), size=len(data), name_hint=name,
                meta=meta or {})


def outputs(data: bytes, limits: Optional[Limits] = None, meta=None) -> list:
    limits = limits or Limits()
    return list(extract_message(bytes_item(data, meta=meta), Context(limits, Budget(limits))))


def build(subject="Hello", body="Dear Ada,\nyour NI number is AB123456C.\n") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Ada Lovelace <ada@example.ac.uk>"
    msg["To"] = "Charles Babbage <cb@example.ac.uk>, grace@example.com"
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def test_a_mailbox_message_gives_subject_and_display_names_but_no_addresses():
    """In `pdscan mail` (whose sources give each message its folder) addresses are left
    to mail classification."""
    found = {c.where: c for c in outputs(build().as_bytes(), meta={"folder": "INBOX"})
             if isinstance(c, Chunk) and c.header}
    assert found["header Subject"].data == b"Hello"
    assert found["header From"].data == b"Ada Lovelace"
    assert found["header To"].data == b"Charles Babbage"
    assert not any(b"@" in c.data for c in found.values())


def test_a_message_file_gives_its_correspondents_addresses_too():
    """An .eml met by `scan` is a file like any other: its From/To/Cc addresses are personal data."""
    found = {c.where: c for c in outputs(build().as_bytes()) if isinstance(c, Chunk) and c.header}
    assert found["header From"].data == b"Ada Lovelace"
    assert found["header From address"].data == b"ada@example.ac.uk"
    assert found["header To address"].data == b"cb@example.ac.uk\ngrace@example.com"


def test_plain_and_html_bodies_are_chunks():
    msg = build()
    msg.add_alternative("<html><head><style>p {color: red}</style></head><body><p>Born "
                        "<b>10&nbsp;Dec</b> 1815</p><script>var x = 1;</script></body></html>",
                        subtype="html")
    run = drive(bytes_item(msg.as_bytes()))
    where = run.where(None)
    assert "AB123456C" in where["body"]
    assert "Born 10 Dec 1815" in where["body (html)"]  # as a reader sees it, as in an .html file
    assert "color" not in where["body (html)"] and "var x" not in where["body (html)"]


def test_html_body_keeps_alt_text_as_html_files_do():
    """A name in an image's alt text is read in mail as in a web page (it was dropped in mail)."""
    msg = build()
    msg.add_alternative('<p>Our team:</p><img src="cid:1" alt="Grace Hopper, Lead Tutor">', subtype="html")
    run = drive(bytes_item(msg.as_bytes()))
    assert "Grace Hopper, Lead Tutor" in run.where(None)["body (html)"]
    assert "Grace Hopper" in run.facts[None].text


def test_html_to_text_strips_tags_and_keeps_blocks_apart():
    assert html_to_text("<p>Ada</p><p>Lovelace &amp; co</p>") == "Ada\nLovelace & co"


def test_unknown_charset_falls_back_to_cp1252():
    raw = (b"From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=x-made-up\r\n\r\nZo\xeb Bront\xeb\r\n")
    body = [c for c in outputs(raw) if isinstance(c, Chunk) and c.where == "body"]
    assert "Zoë Brontë" in body[0].data.decode("utf-8")


def test_attachments_are_nested_items_named_by_file_name_with_duplicates_numbered():
    msg = build()
    msg.add_attachment(b"name,dob\nAda,10/12/1815\n", maintype="text", subtype="csv", filename="list.csv")
    msg.add_attachment(b"name,dob\nGrace,09/12/1906\n", maintype="text", subtype="csv", filename="list.csv")
    msg.add_attachment(b"\x00\x01binary", maintype="application", subtype="octet-stream")
    run = drive(bytes_item(msg.as_bytes()))
    assert {"list.csv", "list.csv (2)"} <= set(run.items)
    nameless = [m for m in run.items if m and m.startswith("part-")]
    assert len(nameless) == 1
    assert run.items["list.csv (2)"][0].name == "list.csv"
    assert run.items["list.csv"][1] == "text/csv"
    assert "Grace" in run.text("list.csv (2)")
    assert run.items["list.csv"][0].depth == 1


def test_attached_message_is_a_nested_item_read_as_mail():
    inner = build(subject="Inner secret", body="Inner body text\n")
    outer = build(subject="Fwd")
    outer.add_attachment(inner)
    run = drive(bytes_item(outer.as_bytes()))
    (member,) = [m for m in run.items if m]
    assert run.items[member][1] == "message/rfc822"
    assert run.where(member)["header Subject"] == "Inner secret"


def test_real_message_with_inline_images_attachments_and_forwarded_mail():
    run = drive(file_item(MAIL / "eml" / "TestWithAttachmentsAndInlines.eml"))
    where = run.where(None)
    assert where["header From"] == "Müller Peter"
    assert {"Outlook-facebook.png", "attachment1f.txt", "attachment4f.txt"} <= set(run.items)
    assert run.items["Outlook-facebook.png"][1] == "image/png"
    assert any(m.startswith("part-") for m in run.items if m)
    assert not run.errors


@pytest.mark.parametrize("name", ["EmailWithISO_8859_1_From.eml", "IssueSample.eml", "UTF-8_Test.eml",
                                  "TestWithInlineHavingContentDisposition.eml", "gnupg-mail-test-2.eml"])
def test_real_eml_files_extract_without_errors(name):
    run = drive(file_item(MAIL / "eml" / name))
    assert run.chunks and not run.errors


def test_encoded_word_split_inside_a_character_still_decodes():
    run = drive(file_item(MAIL / "eml" / "UTF-8_Test.eml"))
    assert run.where(None)["header From"] == "設備予約systemシステム"


@pytest.mark.parametrize("name", ["encrypted!2,S", "signed-encrypted!2,S"])
def test_pgp_mime_is_an_encrypted_nested_item_that_is_not_read(name):
    found = outputs((MAILDIR / name).read_bytes())
    sealed = [o for o in found if isinstance(o, Item)]
    assert [s.inherited_encryption for s in sealed] == ["pgp"]
    with pytest.raises(ItemError, match="encrypted"):
        sealed[0].open()
    assert not any(isinstance(o, Chunk) and o.where.startswith("body") for o in found)
    run = drive(file_item(MAILDIR / name))
    assert list(run.encrypted.values()) == ["pgp"]


def test_signed_message_body_is_read_and_signature_skipped():
    found = outputs((MAILDIR / "signed!2,S").read_bytes())
    assert any(isinstance(o, Chunk) and b"I am signed!" in o.data for o in found)
    assert not any(isinstance(o, Item) for o in found)


def test_smime_enveloped_part_is_encrypted():
    msg = EmailMessage()
    msg["Subject"] = "S/MIME"
    msg.set_content(b"\x30\x80 not really cms", maintype="application", subtype="pkcs7-mime",
                    params={"smime-type": "enveloped-data"}, filename="smime.p7m")
    (sealed,) = [o for o in outputs(msg.as_bytes()) if isinstance(o, Item)]
    assert sealed.inherited_encryption == "smime" and sealed.member == "smime.p7m"


@pytest.mark.parametrize("raw", [
    b"",
    b"\xff\xfe\x00garbage without headers",
    b"Subject: =?utf-8?B?broken\r\nFrom: \"unterminated <x@\r\n\r\nbody",
    b"Content-Type: multipart/mixed; boundary=\"never\"\r\n\r\nno parts at all",
    b"Content-Type: multipart/mixed\r\n\r\n--\r\n--",
    b"Content-Type: message/rfc822\r\n\r\nnot a message",
    b"Content-Type: text/plain; charset=\"utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!=",
    b"From: =?x-unknown?q?Ad=E9?= <a@b>\r\nTo: undisclosed-recipients:;\r\n\r\nhi",
])
def test_malformed_messages_never_raise_anything_but_item_error(raw):
    try:
        found = outputs(raw)
    except ItemError:
        return
    assert all(isinstance(o, (Chunk, Item, MessageFacts)) for o in found)
    assert sum(isinstance(o, MessageFacts) for o in found) == 1


@pytest.mark.corpus
def test_enron_sample_extracts_cleanly():
    files = sorted(p for p in (CORPUS / "enron" / "maildir").rglob("*") if p.is_file())[:150]
    for path in files:
        run = drive(file_item(path))
        assert not run.errors, path


@pytest.mark.parametrize("path", [MAIL / "eml" / "TestWithAttachmentsAndInlines.eml", MAIL / "eml" / "UTF-8_Test.eml",
                                  MAILDIR / "encrypted!2,S", MAILDIR / "signed!2,S"])
def test_damaged_messages_fail_only_with_item_error(path):
    for damaged in mutations(path.read_bytes(), 60):
        only_item_errors(extract_message, damaged, path.name)


def test_deeply_nested_mime_is_an_item_error():
    multiparts = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (n, n)
                          for n in range(3000))
    for nested in (multiparts, b"Content-Type: message/rfc822\r\n\r\n" * 3000):
        with pytest.raises(ItemError, match="nested"):
            outputs(nested + b"Subject: x\r\n\r\nhello\r\n")

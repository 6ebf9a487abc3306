"""Error text never carries a raw value: it quotes what an attacker wrote.

The attack: a pptx whose slide part is named "John Smith AB123456C 4111111111111111"
and is not well-formed XML; a message whose charset parameter is an NI number. The
error record quoted the part name / charset whole in text and JSONL output and the
store's `errors` table. Each output and the store's bytes are searched for the values.
"""
from __future__ import annotations

import sqlite3
import zipfile

import pytest

RAW = ("John Smith", "AB123456C", "4111111111111111")
PART = "ppt/slides/John Smith AB123456C 4111111111111111.xml"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def deck(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'content-types"><Override PartName="/ppt/presentation.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="http://'
                   'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                   'Target="ppt/presentation.xml"/></Relationships>')
        z.writestr("ppt/presentation.xml", '<p:presentation xmlns:p="http://schemas.openxmlformats.org/'
                   'presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                   '2006/relationships"><p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst>'
                   '</p:presentation>')
        z.writestr("ppt/_rels/presentation.xml.rels", f'<Relationships xmlns="{RELS}"><Relationship '
                   f'Id="rId2" Type="x/slide" Target="{PART[4:]}"/></Relationships>')
        z.writestr(PART, "<not xml")


def maildir(box, message: str):
    """A Maildir holding one message."""
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    (box / "cur" / "1:2,S").write_text(message)
    return box


def assert_no_raw(text: str, where: str) -> None:
    leaked = [value for value in RAW if value in text]
    assert not leaked, f"{where} holds raw values {leaked}"


@pytest.mark.parametrize("fmt", ["text", "jsonl"])
def test_part_name_in_an_error_is_masked(cli, tmp_path, fmt):
    deck(tmp_path / "deck.pptx")
    db = tmp_path / "s.db"
    result = cli("scan", tmp_path / "deck.pptx", "--format", fmt, "--db", db, "--jobs", "1", "--no-progress")
    assert "is not well-formed XML" in result.out, result
    assert "J*** S**** AB******C" in result.out  # still says which part
    assert_no_raw(result.out + result.err, f"{fmt} output")
    assert_no_raw("\n".join(sqlite3.connect(db).iterdump()), "the store")


def test_charset_name_in_an_error_is_masked(cli, tmp_path):
    box = maildir(
        tmp_path / "m",
        "From: someone@example.org\nTo: d@college.ac.uk\nSubject: hi\n"
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\nMessage-ID: <x@y>\nMIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="AB123456C"\n\nhello\n')
    db = tmp_path / "s.db"
    result = cli("mail", box, "--format", "jsonl", "--db", db, "--no-progress")
    assert "unknown charset 'AB******C'" in result.out, result
    assert_no_raw(result.out.upper() + result.err.upper(), "mail output")
    assert_no_raw("\n".join(sqlite3.connect(db).iterdump()).upper(), "the store")


def test_sender_name_and_message_id_are_masked_but_the_address_shows(cli, tmp_path):
    """An outside sender chooses the From display name and the Message-ID."""
    box = maildir(
        tmp_path / "mail",
        'From: "John Smith AB123456C 4111111111111111" <john.smith@gmail.com>\nTo: x@college.ac.uk\n'
        "Subject: hello\nMessage-ID: <AB654321D.Jane.Doe@x>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\n"
        "Love you mum, dinner at home with the family on Sunday.\n")
    outputs = []
    for fmt in ("text", "jsonl"):
        db = tmp_path / f"{fmt}.db"
        result = cli("mail", box, "--format", fmt, "--db", db, "--no-progress")
        assert "<john.smith@gmail.com>" in result.out, result
        outputs += [result.out, result.err, "\n".join(sqlite3.connect(db).iterdump())]
    assert "J*** S**** AB******C" in outputs[2]  # jsonl "from": still says who, in shape
    for text in outputs:
        assert_no_raw(text, "mail output or store")
        assert "AB654321D" not in text

"""A message of 2,000 nested multiparts (140 KB, from any sender) must cost one error record, not a run."""
from __future__ import annotations

import io
from email import policy
from email.parser import BytesParser

import pytest

from pdscan.errors import LimitExceeded
from pdscan.extract import Context
from pdscan.extract.message import extract_message
from pdscan.extract.mime import MimeTooDeep, parse_bounded
from pdscan.limits import Budget, Limits
from pdscan.model import Chunk, Item, MessageFacts

from ..mailfacts import facts_of
from .robust import NI_TEXT, nested_multipart, run_pdscan

BOMB = nested_multipart(2000, NI_TEXT)


def good_message(n: int) -> bytes:
    return (f"From: Alice Smith <alice@college.ac.uk>\r\nTo: bob@college.ac.uk\r\nSubject: enrolment {n}\r\n"
            f"Message-ID: <good{n}@college.ac.uk>\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\n"
            f"Please file this. {NI_TEXT}").encode()


def test_parse_bounded_stops_at_the_limit_and_parses_shallow_mail_as_the_email_package_does():
    with pytest.raises(MimeTooDeep):
        parse_bounded(BOMB)
    shallow = nested_multipart(Limits().max_mime_depth - 1, NI_TEXT)
    ours, theirs = parse_bounded(shallow, policy.default), BytesParser(policy=policy.default).parsebytes(shallow)
    assert ours.as_bytes() == theirs.as_bytes()


def test_the_bomb_still_gives_its_headers_and_body_text_then_a_limit_error():
    limits = Limits()
    item = Item(path="/mail/bomb.eml", open=lambda: io.BytesIO(BOMB), size=len(BOMB), name_hint="bomb.eml")
    chunks = []
    with pytest.raises(LimitExceeded, match="nested deeper than 64 levels"):
        for out in extract_message(item, Context(limits, Budget(limits))):
            chunks.append(out)
    [facts] = [c for c in chunks if isinstance(c, MessageFacts)]  # classified from its headers
    assert facts.sender == "mallory@evil.example"
    chunks.remove(facts)
    assert all(isinstance(c, Chunk) for c in chunks)
    assert any(c.header == "From" and c.data == b"Mallory" for c in chunks)
    assert any(b"AB 12 34 56 C" in c.data for c in chunks if c.where == "body (undecoded)")


def test_the_bomb_is_classified_from_its_headers():
    facts = facts_of(BOMB)
    assert facts.sender == "mallory@evil.example" and facts.problems == ()


def test_scan_of_the_bomb_as_an_eml_reports_what_it_read_and_one_error(tmp_path):
    eml = tmp_path / "invoice.eml"
    eml.write_bytes(BOMB)
    out, records = run_pdscan(tmp_path, "scan", "--jobs", "1", eml)
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 1, out.stderr  # the NI number it could read is a violation
    [item] = [r for r in records if r["type"] == "item"]
    assert "uk.nino" in [f["detector"] for f in item["findings"]]
    [error] = [r for r in records if r["type"] == "error"]
    assert "nested deeper than 64 levels" in error["error"]


def test_mail_goes_on_past_the_bomb_to_the_next_message(tmp_path):
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "cur" / "1.good:2,S").write_bytes(good_message(1))
    (maildir / "cur" / "2.bomb:2,S").write_bytes(BOMB)
    (maildir / "cur" / "3.good:2,S").write_bytes(good_message(3))
    out, records = run_pdscan(tmp_path, "mail", maildir)
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 1, out.stderr  # the good messages hold an NI number, in no encrypted store
    messages = {r["member"]: r for r in records if r["type"] == "message"}
    assert sorted(messages) == ["cur/1.good:2,S", "cur/2.bomb:2,S", "cur/3.good:2,S"]
    for member in messages:
        assert "uk.nino" in [f["detector"] for f in messages[member]["findings"]], member
    assert messages["cur/2.bomb:2,S"]["message_id"] == "<bomb@evil.example>"
    errors = [r for r in records if r["type"] == "error"]
    assert [e["member"] for e in errors] == ["cur/2.bomb:2,S"]
    assert records[-1]["type"] == "summary" and records[-1]["messages"] == 3 and records[-1]["errors"] == 1

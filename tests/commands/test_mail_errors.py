"""Damaged mail: an error record for the message, which is still classified and reported; the scan goes on."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pdscan import config as configuration
from pdscan.limits import Limits, MiB

HEAD = "From: Jo <jo@gmail.com>\nTo: me@college.ac.uk\nMessage-ID: <{n}@test.example>\n"
DAMAGED = {
    "date": HEAD + "Subject: dinner\nDate: Mon, 99 Foo 2024 99:99:99 +9999\n\nDinner this weekend? xx\n",
    "charset": HEAD + ("Subject: cs\nDate: Mon, 1 Jan 2024 10:00:00 +0000\nMIME-Version: 1.0\n"
                       "Content-Type: text/plain; charset=x-klingon\n\nNI AB 12 34 56 C\n"),
    "no-boundary": HEAD + ("Subject: nb\nMIME-Version: 1.0\nContent-Type: multipart/mixed\n\n"
                           "NI AB 12 34 56 C\n"),
    "base64": HEAD + ("Subject: b64\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=zz\n\n"
                      "--zz\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!not base64===\n"
                      "--zz--\n"),
    "unclosed": HEAD + ("Subject: uc\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=zz\n\n"
                        "--zz\nContent-Type: text/plain\n\nNI AB 12 34 56 C\n"),
}
EXPECTED = {
    "date": "unreadable Date header: the message is treated as undated",
    "charset": "unknown charset 'x-klingon': read as UTF-8, else Windows-1252",
    "no-boundary": "malformed MIME: a multipart part has no boundary",
    "base64": "malformed MIME: invalid base64 in a body",
    "unclosed": "malformed MIME: a multipart part is not closed (truncated?)",
}


def maildir(root: Path, messages: dict) -> Path:
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for name, text in messages.items():
        (root / "cur" / f"{name}:2,S").write_text(text.format(n=name), encoding="utf-8")
    return root


def records(result, kind: str) -> dict:
    return {r["member"]: r for r in result.records() if r["type"] == kind}


def test_each_damage_is_named_and_the_message_still_reported(cli, tmp_path):
    good = "From: hod@college.ac.uk\nTo: me@college.ac.uk\nMessage-ID: <ok@t>\n\nThe agenda for the meeting.\n"
    box = maildir(tmp_path, {**DAMAGED, "fine": good})
    result = cli("mail", box, "--owner-domain", "college.ac.uk", "--format", "jsonl", "--no-progress")
    errors = records(result, "error")
    assert {m.split("/")[1].split(":")[0]: e["error"] for m, e in errors.items()} == EXPECTED
    messages = records(result, "message")
    assert len(messages) == 6 and messages["cur/fine:2,S"]["classification"] == "work"
    assert messages["cur/date:2,S"]["date"] is None
    assert "uk.nino" in [f["detector"] for f in messages["cur/charset:2,S"]["findings"]]  # read despite the charset
    assert result.records()[-1]["errors"] == 5 and result.code == 1  # per-message errors do not stop the scan


def test_a_message_over_the_size_limit_is_an_error_and_still_classified(cli, tmp_path, monkeypatch):
    build = configuration.build
    monkeypatch.setattr(configuration, "build", lambda *a, **k: dataclasses.replace(
        build(*a, **k), limits=Limits(max_document_size=1 * MiB)))
    attachment = "QUFB" * (400 * 1024)  # 1.6 MB of base64
    big = (HEAD + "Subject: holiday photos\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=zz\n\n"
           "--zz\nContent-Type: text/plain\n\nPhotos from our holiday, love you xx. The kids loved the beach.\n"
           "--zz\nContent-Type: image/jpeg\nContent-Disposition: attachment; filename=beach.jpg\n"
           f"Content-Transfer-Encoding: base64\n\n{attachment}\n--zz--\n")
    box = maildir(tmp_path, {"big": big})
    result = cli("mail", box, "--format", "jsonl", "--no-progress")
    assert [e["error"] for e in records(result, "error").values()] == ["message larger than 1 MiB limit"]
    assert records(result, "message")["cur/big:2,S"]["classification"] == "personal"


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9])
def test_a_truncated_mbox_keeps_every_whole_message(cli, tmp_path, cut):
    whole = "".join(f"From - Mon Jan  1 09:30:00 2024\n{HEAD.format(n=n)}Subject: s{n}\n\nHello {n}\n\n"
                    for n in range(10))
    data = whole.encode()[: int(len(whole) * cut)]
    (tmp_path / "Inbox").write_bytes(data)
    result = cli("mail", tmp_path / "Inbox", "--format", "jsonl", "--no-progress")
    assert result.code in (0, 1, 2)
    assert len(records(result, "message")) == data.count(b"\nFrom - ") + 1


def test_text_says_read_with_a_warning_apart_from_what_could_not_be_read(cli, tmp_path):
    box = maildir(tmp_path / "Maildir", {"date": DAMAGED["date"], "ok": HEAD + "Subject: hi\n\nHello\n"})
    result = cli("mail", box, "--no-progress")
    assert result.code == 1, result  # personal mail outside Personal
    assert result.out.startswith("Messages: 2 in 1 folder(s)")   # the headline, with the rest, on stdout
    warned = result.out.split("Read with a warning (1):\n", 1)[1].splitlines()[0]
    assert warned.endswith("cur/date:2,S: unreadable Date header: the message is treated as undated")
    assert "Could not scan" not in result.out
    jsonl = cli("mail", box, "--no-progress", "--format", "jsonl").records()
    assert [r["error"] for r in jsonl if r["type"] == "error"] == [EXPECTED["date"]]  # JSONL unchanged

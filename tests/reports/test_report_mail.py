"""The report's mail table: per mailbox of the current scans, counts only, from JSONL and from the store.

JSONL inputs are written here with fixed values (like the golden test);
the store is filled by the real `pdscan mail` over a small Maildir. The
table's numbers are read back from the json and xlsx reports, and no
sender address may appear in any format.
"""
from __future__ import annotations

import json
import zipfile

import pyexcel
import pytest

FORMATS = ("xlsx", "ods", "csv", "html", "json")
MAIL_COLUMNS = ["endpoint", "mailbox", "messages", "personal messages", "personal outside Personal",
                "messages with personal data", "bulk-social senders"]
SENDERS = ("friend@gmail.com", "head@school.example.org", "promo@social.example.com")
OUTSIDE = {"rule": "personal-email-outside-folder", "severity": "low", "detail": "move this message to Personal"}
BULK = {"rule": "bulk-social-email", "severity": "low", "detail": "promo@social.example.com: 40 messages"}
EMAIL = {"detector": "email", "count": 1, "confidence": "high", "samples": ["j***.***@e******.co.uk"]}


def _message(path, member, folder, sender, classification, findings=(), violations=()):
    return {"type": "message", "host": "staff-pc-02", "path": path, "member": member, "folder": folder,
            "message_id": f"<{member}@example.org>", "date": "2026-02-01T09:00:00+00:00", "from": sender,
            "classification": classification, "score": 2.1 if classification == "personal" else -0.5,
            "reasons": [], "findings": list(findings), "violations": list(violations)}


def _records() -> list:
    inbox, archive = "/home/staff/Maildir", "/home/staff/archive.mbox"
    return [
        _message(inbox, "cur/1", "INBOX", SENDERS[0], "personal", [EMAIL], [OUTSIDE]),
        _message(inbox, "cur/2", "INBOX", SENDERS[0], "personal", [], [OUTSIDE]),
        _message(inbox, "cur/3", "INBOX", SENDERS[1], "work", [EMAIL]),
        _message(inbox, "cur/4", "Personal", SENDERS[0], "personal"),
        _message(inbox, "cur/5", "INBOX", SENDERS[2], "personal", [], [OUTSIDE, BULK]),
        _message(archive, "message-1", "archive", SENDERS[1], "work"),
        {"type": "item", "host": "staff-pc-02", "path": "/home/staff/notes.txt", "member": None, "size": 10,
         "mime": "text/plain", "mtime": "2024-03-01T09:00:00", "encrypted": False, "encryption": None,
         "findings": [], "violations": []},
        {"type": "summary", "host": "staff-pc-02", "started": "2026-02-11T14:00:00Z", "files": 1, "elapsed": 1.0,
         "skipped": {}},
    ]


EXPECTED_JSONL = [
    ["staff-pc-02", "/home/staff/Maildir", 5, 4, 3, 2, 1],
    ["staff-pc-02", "/home/staff/archive.mbox", 1, 0, 0, 0, 0],
]


def _report(cli, out, fmt, *sources):
    r = cli("report", *sources, "--format", fmt, "--output", out)
    assert r.code == 0, r
    return out


def _all_text(path) -> str:
    blobs = [path.read_bytes()]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            blobs += [archive.read(name) for name in archive.namelist()]
    return "\n".join(b.decode("utf-8", "replace") for b in blobs)


@pytest.fixture
def jsonl_reports(tmp_path, cli):
    source = tmp_path / "staff-pc-02.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in _records()))
    return {fmt: _report(cli, tmp_path / f"report.{fmt}", fmt, "--from", source) for fmt in FORMATS}


def test_jsonl_mail_table_in_json_and_xlsx(jsonl_reports):
    table = json.loads(jsonl_reports["json"].read_text())["tables"]["mail"]
    assert table["title"] == "Mail" and table["columns"] == MAIL_COLUMNS
    assert table["rows"] == EXPECTED_JSONL
    sheet = pyexcel.get_book_dict(file_name=str(jsonl_reports["xlsx"]))["Mail"]
    assert sheet[0] == MAIL_COLUMNS
    assert sheet[1:] == EXPECTED_JSONL


def test_mail_table_in_every_format_without_senders(jsonl_reports):
    assert "Mail" in pyexcel.get_book_dict(file_name=str(jsonl_reports["ods"]))
    with zipfile.ZipFile(jsonl_reports["csv"]) as archive:
        text = archive.read("mail.csv").decode("utf-8")
    assert text.splitlines()[1] == "staff-pc-02,/home/staff/Maildir,5,4,3,2,1"
    page = jsonl_reports["html"].read_text()
    assert '<section id="mail"><h2>Mail</h2>' in page
    assert "Personal mail should be kept in the Personal folder so it stays private if a mailbox is looked at" in page
    for fmt, path in jsonl_reports.items():
        text = _all_text(path)
        for sender in SENDERS:
            assert sender not in text, (fmt, sender)


def test_no_mail_renders_none(tmp_path, cli):
    source = tmp_path / "pc.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in _records()[-2:]))
    doc = json.loads(_report(cli, tmp_path / "r.json", "json", "--from", source).read_text())
    assert doc["tables"]["mail"]["rows"] == []
    page = _report(cli, tmp_path / "r.html", "html", "--from", source).read_text()
    section = page.split('<section id="mail">', 1)[1].split("</section>", 1)[0]
    assert '<p class="note">None.</p>' in section


WEBMAIL = """From: Sam Friend <sam.friend@gmail.com>
To: Alex Teacher <alex.teacher@school.example.org>
Subject: Birthday party on Saturday!
Message-ID: <party-1@mail.gmail.com>
Date: Sat, 01 Feb 2026 10:00:00 +0000

Hi Alex, love to see you and the kids at the birthday party this weekend.
Here is my National Insurance number for the form: AB 12 34 56 C. Family dinner after, bring the wine! Miss you, hugs.
"""

WORK = """From: Head Teacher <head@school.example.org>
To: Alex Teacher <alex.teacher@school.example.org>
Subject: Staff meeting agenda
Message-ID: <agenda-1@school.example.org>
Date: Mon, 03 Feb 2026 08:00:00 +0000

Please read the agenda for the staff meeting and the curriculum review before Thursday.
"""


def test_store_mail_table_from_a_maildir_scan(tmp_path, cli):
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "cur" / "1700000000.1.host:2,S").write_text(WEBMAIL)
    (maildir / "cur" / "1700000001.2.host:2,S").write_text(WORK)
    db, out = tmp_path / "store.db", tmp_path / "mail.jsonl"
    r = cli("mail", maildir, "--owner-domain", "school.example.org", "--db", db, "--format", "jsonl",
            "--output", out, "--no-progress")
    assert r.code in (0, 1), r
    messages = [json.loads(line) for line in out.read_text().splitlines()]
    messages = [m for m in messages if m["type"] == "message"]
    assert len(messages) == 2
    # The expected figures, from the scan's own records (the classifier is tested elsewhere).
    personal = sum(m["classification"] == "personal" for m in messages)
    outside = sum(v["rule"] == "personal-email-outside-folder" for m in messages for v in m["violations"])
    with_data = sum(bool(m["findings"]) for m in messages)
    assert personal == 1 and outside == 1 and with_data == 1  # the webmail message is personal, filed in INBOX

    expected = [messages[0]["path"], 2, personal, outside, with_data, 0]
    doc = json.loads(_report(cli, tmp_path / "store.json", "json", "--db", db).read_text())
    rows = doc["tables"]["mail"]["rows"]
    assert len(rows) == 1
    assert rows[0][1:] == expected
    assert rows[0][0] == doc["tables"]["endpoints"]["rows"][0][0]
    sheet = pyexcel.get_book_dict(file_name=str(_report(cli, tmp_path / "store.xlsx", "xlsx", "--db", db)))["Mail"]
    assert sheet[1:] == rows
    for fmt in ("json", "xlsx"):
        text = _all_text(tmp_path / f"store.{fmt}")
        assert "sam.friend@gmail.com" not in text and "head@school.example.org" not in text

    # The same scan's JSONL gives the same row.
    doc = json.loads(_report(cli, tmp_path / "jsonl.json", "json", "--from", out).read_text())
    assert [r[1:] for r in doc["tables"]["mail"]["rows"]] == [rows[0][1:]]


def test_mailbox_paths_of_the_store_are_text(tmp_path, cli):
    """A bytes (BLOB) mailbox path from the store reads back as text, like the other tables."""
    from pdscan.model import Summary
    from pdscan.records import from_json
    from pdscan.sinks.store import Store, StoreSink

    store = Store(tmp_path / "s.db")
    sink = StoreSink(store, "d", "p", [str(tmp_path)])
    sink.begin()
    for n, (classification, violations) in enumerate([("personal", [OUTSIDE]), ("work", []),
                                                      ("personal", [OUTSIDE, BULK, BULK])]):
        sink.record(from_json(_message("/mail/caf\udcc3", f"cur/{n}", "INBOX", SENDERS[0], classification,
                             [EMAIL] if n else [], violations)))
    sink.end(Summary())
    store.close()
    doc = json.loads(_report(cli, tmp_path / "s.json", "json", "--db", tmp_path / "s.db").read_text())
    [row] = doc["tables"]["mail"]["rows"]
    assert row[1].startswith("/mail/caf") and row[2:] == [3, 2, 2, 2, 2]


def test_store_and_jsonl_reports_count_mail_violations_alike(tmp_path):
    """The same mail scan, reported from the store or from its JSONL, gives the same violation totals."""
    import json as _json
    from pdscan.cli import main
    import contextlib
    import io
    maildir = tmp_path / "box"
    (maildir / "cur").mkdir(parents=True)
    (maildir / "new").mkdir()
    (maildir / "tmp").mkdir()
    (maildir / "cur" / "1:2,S").write_text(
        "From: Jo <jo.bloggs@gmail.com>\nTo: al@college.ac.uk\nSubject: birthday party Saturday\n"
        "Date: Mon, 6 Jan 2025 10:00:00 +0000\nMessage-ID: <p1@x>\n\n"
        "Happy birthday! Family dinner this weekend, love Mum. My NI number is AB 12 34 56 C.\n")
    db, results = tmp_path / "store.db", tmp_path / "mail.jsonl"
    with contextlib.redirect_stdout(io.StringIO()):
        main(["mail", str(maildir), "--db", str(db), "--format", "jsonl", "--output", str(results),
              "--owner-domain", "college.ac.uk", "--no-progress"])
    totals = []
    for source in (["--db", str(db)], ["--from", str(results)]):
        out = tmp_path / f"report-{len(totals)}.json"
        assert main(["report", *source, "--format", "json", "--output", str(out)]) == 0
        rows = _json.loads(out.read_text())["tables"]["summary"]["rows"]
        totals.append([row for row in rows if str(row[0]).startswith("Violations")])
    assert ["Violations: personal-email-outside-folder (low)", 1] in totals[0]
    assert totals[0] == totals[1]

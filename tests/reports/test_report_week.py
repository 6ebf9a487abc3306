"""Issue 15's week: one endpoint's checks against one store, and the report telling all of it.

A full scan with violations, a scan of one clean folder, a mail scan, a USB check (a folder given as
the mountpoint, as tests/commands/test_usb.py does), a retention run and a pruning, all into one
store; the report in every format must show each check with the numbers the CLI gave. Then the same
runs as JSONL, as if collected from three endpoints, merged with --from.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zipfile

import pyexcel
import pytest

from .test_report import as_host, ext
from .test_report_mail import WEBMAIL, WORK

PEOPLE = "name,ni,email\nJohn Smith,AB 12 34 56 C,jane.doe@example.co.uk\nAmy Jones,JK 98 76 54 B,amy@example.com\n"
FORMATS = ("xlsx", "ods", "csv", "html", "json")


def _summary(result) -> dict:
    return json.loads(result.out.splitlines()[-1])


def _week(tmp_path, cli, db=None) -> dict:
    """Run the week's commands; returns each command's summary (and its JSONL file)."""
    home, clean, stick, maildir = (tmp_path / n for n in ("home", "clean", "STICK", "Maildir"))
    for folder in (home / "docs", clean, stick):
        folder.mkdir(parents=True, exist_ok=True)
    (home / "docs" / "people.csv").write_text(PEOPLE)
    (home / "docs" / "plain.txt").write_text("nothing personal\n")
    (clean / "timetable.txt").write_text("Monday: Maths\n")
    (stick / "class-list.csv").write_text(PEOPLE)
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "cur" / "1700000000.1.host:2,S").write_text(WEBMAIL)
    (maildir / "cur" / "1700000001.2.host:2,S").write_text(WORK)
    store = ("--db", db) if db else ()
    runs = {"scan": ("scan", home), "clean": ("scan", clean),
            "mail": ("mail", maildir, "--owner-domain", "school.example.org"),
            "usb": ("usb", "--mountpoint", stick),
            "retention": ("retention", home, "--now", "2040-01-01")}
    out = {}
    for name, args in runs.items():
        jsonl = tmp_path / f"{name}.jsonl"
        r = cli(*args, *store, "--format", "jsonl", "--output", jsonl, "--jobs", "1", "--no-progress")
        assert r.code in (0, 1), (name, r)
        out[name] = (json.loads(jsonl.read_text().splitlines()[-1]), jsonl)
    return out


def _reports(tmp_path, cli, *sources) -> dict:
    paths = {}
    for fmt in FORMATS:
        paths[fmt] = tmp_path / f"week.{ext(fmt)}"
        r = cli("report", *sources, "--format", fmt, "--output", paths[fmt])
        assert r.code == 0, r
    return paths


def _figures(paths) -> dict:
    doc = json.loads(paths["json"].read_text())
    return doc, {row[0]: row[1] for row in doc["tables"]["summary"]["rows"]}


def _every_format_agrees(paths, figures: dict) -> None:
    for fmt in ("xlsx", "ods"):
        sheet = {row[0]: row[1] for row in pyexcel.get_book_dict(file_name=str(paths[fmt]))["Summary"][1:]}
        assert all(sheet[k] == v for k, v in figures.items() if isinstance(v, int)), fmt
    with zipfile.ZipFile(paths["csv"]) as archive:
        text = archive.read("summary.csv").decode()
    page = paths["html"].read_text()
    for name in ("Violations", "Files scanned", "Items holding personal data under the policy"):
        assert f"{name},{figures[name]}" in text
        assert f"<b>{figures[name]}</b><span>{name}</span>" in page


def _expected(cli_runs: dict) -> dict:
    scans = [cli_runs[n][0] for n in ("scan", "clean", "mail", "usb")]
    return {"Files scanned": sum(s["files"] for s in scans),
            "Items holding personal data under the policy": sum(s["items_with_personal_data"] for s in scans),
            "Violations": sum(sum(s["violations"].values()) for s in scans)
            + cli_runs["retention"][0]["retention"]["expired"],
            "Retention: items past their period": cli_runs["retention"][0]["retention"]["expired"],
            "Volumes failed": cli_runs["usb"][0]["volumes_failed"],
            "Mail messages": cli_runs["mail"][0]["messages"]}


def test_one_endpoint_week_in_one_store(tmp_path, cli):
    db = tmp_path / "week.db"
    runs = _week(tmp_path, cli, db)
    # An old scan, past the policy's 180 days, is what the pruning removes.
    r = cli("scan", tmp_path / "clean", "--db", db, "--no-progress", "--jobs", "1")
    assert r.code == 0, r
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE scans SET started = '2020-01-01T00:00:00Z' WHERE id = (SELECT MAX(id) FROM scans)")
    r = cli("store", "prune", "--db", db)
    assert r.code == 0 and "pruned 1 scan(s) older than 180 days" in r.out, r
    info = cli("store", "info", "--db", db)
    assert "scans: 5 (5 complete)" in info.out and "integrity: ok" in info.out, info
    expected = _expected(runs)
    assert expected["Violations"] and expected["Retention: items past their period"] and expected["Volumes failed"]

    paths = _reports(tmp_path, cli, "--db", db)
    doc, figures = _figures(paths)
    assert {k: figures[k] for k in expected} == expected
    assert figures["Endpoints"] == 1
    checks = {(row[1], row[2]) for row in doc["tables"]["checks"]["rows"]}
    assert checks == {("files", str(tmp_path / "home")), ("files", str(tmp_path / "clean")),
                      ("mailbox", str(tmp_path / "Maildir")), ("USB volume", str(tmp_path / "STICK")),
                      ("retention", str(tmp_path / "home"))}
    assert len(doc["tables"]["violations"]["rows"]) == figures["Violations"]
    assert doc["tables"]["mail"]["rows"] and doc["tables"]["volumes"]["rows"] and doc["tables"]["retention"]["rows"]
    _every_format_agrees(paths, figures)


def test_a_later_scan_of_one_folder_never_clears_another(tmp_path, cli):
    db = tmp_path / "s.db"
    runs = _week(tmp_path, cli, db)
    r = cli("scan", tmp_path / "clean", "--db", db, "--no-progress", "--jobs", "1")
    assert r.code == 0, r
    doc, figures = _figures(_reports(tmp_path, cli, "--db", db))
    assert figures["Violations"] == _expected(runs)["Violations"]


def test_three_endpoints_merged_from_jsonl(tmp_path, cli):
    totals: dict = {}
    sources = []
    for host in ("lab-pc-01", "office-07", "reception-03"):
        folder = tmp_path / host
        folder.mkdir()
        runs = _week(folder, cli)
        for name, (_summary_, jsonl) in runs.items():
            as_host(jsonl, host)
            sources += ["--from", jsonl]
        for k, v in _expected(runs).items():
            totals[k] = totals.get(k, 0) + v
    doc, figures = _figures(_reports(tmp_path, cli, *sources))
    assert {k: figures[k] for k in totals} == totals
    assert sorted(row[0] for row in doc["tables"]["endpoints"]["rows"]) == ["lab-pc-01", "office-07",
                                                                           "reception-03"]
    assert figures["Scans read"] == 15


def test_report_on_an_empty_store_or_a_file_not_jsonl_is_exit_2(tmp_path, cli):
    from pdscan.sinks.store import Store
    Store(tmp_path / "empty.db").close()
    r = cli("report", "--db", tmp_path / "empty.db", "--format", "json", "--output", tmp_path / "r.json")
    assert r.code == 2 and "no scan results" in r.err, r
    (tmp_path / "x.csv").write_text("name,ni\nA,B\n")
    r = cli("report", "--from", tmp_path / "x.csv", "--format", "json", "--output", tmp_path / "r.json")
    assert r.code == 2 and "not pdscan JSONL" in r.err, r
    r = cli("report", "--from", tmp_path / "x.csv", "--format", "csv", "--output", tmp_path / "r.csv")
    assert r.code == 2 and "ending in .zip" in r.err, r


def test_xlsx_is_ready_for_excel(tmp_path, cli):
    runs = _week(tmp_path, cli, tmp_path / "s.db")
    assert runs
    path = tmp_path / "r.xlsx"
    assert cli("report", "--db", tmp_path / "s.db", "--format", "xlsx", "--output", path).code == 0
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:"), sheet.title
    checks = book["Checks"]
    root = max(len(str(c.value or "")) for c in checks["C"])
    assert checks.column_dimensions["C"].width >= min(root, 80) and checks.column_dimensions["B"].width < root
    assert isinstance(checks["D2"].value, dt.datetime) and checks["D2"].number_format == "yyyy-mm-dd"


def test_store_info_on_a_missing_store_is_an_error_and_creates_nothing(cli, tmp_path):
    missing = tmp_path / "no-such.db"
    result = cli("store", "info", "--db", missing)
    assert result.code == 2 and "no such store" in result.err
    assert not missing.exists()


def test_store_commands_leave_a_file_that_is_no_store_untouched(cli, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("not a store\n")
    other.chmod(0o644)
    result = cli("store", "info", "--db", other)
    assert result.code == 2 and "not a pdscan store" in result.err
    assert other.stat().st_mode & 0o777 == 0o644 and not (tmp_path / "notes.txt-wal").exists()

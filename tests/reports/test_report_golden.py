"""Golden reports: the json and csv reports of a fixed set of endpoints' results.

The JSONL inputs are written here with fixed hosts, scan times and file
times (a real scan's times would change every run), then `pdscan report`
writes json and csv and both are compared with fixtures/expected/report.json
and fixtures/expected/report-csv/*.csv after the fields that still vary are
normalised: when the report was generated, the age of each violation (it
counts from today), and the folder the results were read from. Update after
an intended change with `pytest tests/reports/test_report_golden.py
--update-golden` and review the diff like code.
"""
from __future__ import annotations

import csv
import io
import json
import os
import zipfile

from tests.conftest import FIXTURES

GOLDEN_JSON = FIXTURES / "expected" / "report.json"
GOLDEN_CSV = FIXTURES / "expected" / "report-csv"
INCOMPLETE_MTIME = 1_767_600_000  # 2026-01-05 08:00:00 UTC: the scan time of a file without a summary

from .test_report import ext


def _item(host, path, size, findings=(), violations=(), encrypted=False, member=None, mtime="2024-03-01T09:00:00"):
    return {"type": "item", "host": host, "path": path, "member": member, "size": size, "mime": "text/plain",
            "mtime": mtime, "encrypted": encrypted, "encryption": None, "encryption_note": None,
            "findings": [{"detector": d, "count": n, "confidence": "high", "samples": list(s)}
                         for d, n, s in findings],
            "violations": [{"rule": r, "severity": sev, "detail": detail} for r, sev, detail in violations]}


def _summary(host, started, files, skipped=None):
    return {"type": "summary", "host": host, "started": started, "files": files, "elapsed": 1.5,
            "skipped": skipped or {}}


def _accepted(status, ident, reason, until):
    return {"status": status, "source": "decision", "id": ident, "rule": None, "reason": reason, "by": "it.admin",
            "at": "2026-02-01T10:00:00Z", "until": until,
            "violations": [{"rule": "unencrypted-personal-data", "severity": "high", "detail": ""}]}


NINO = ("uk.nino", 2, ["AB ** ** ** C", "JK ** ** ** B"])
EMAIL = ("email", 1, ["j***.***@e******.co.uk"])
NAME = ("person_name", 1, ["J*** S****"])
UNENCRYPTED = ("unencrypted-personal-data", "high", "")


def _endpoints() -> dict:
    """name -> JSONL records: two scans of one laptop, a busy office PC, and a scan that never finished."""
    lab_old = [
        _item("lab-pc-01", "C:/Users/t.jones/Documents/marks.csv", 2048, [NINO, NAME], [UNENCRYPTED]),
        _item("lab-pc-01", "C:/Users/t.jones/Documents/old-list.txt", 512, [EMAIL], [UNENCRYPTED]),
        _summary("lab-pc-01", "2026-01-05T08:00:00Z", 2),
    ]
    lab_new = [
        _item("lab-pc-01", "C:/Users/t.jones/Documents/marks.csv", 2048, [NINO, NAME], [UNENCRYPTED]),
        _item("lab-pc-01", "C:/Users/t.jones/Documents/notes.txt", 100),
        _summary("lab-pc-01", "2026-02-10T08:30:00+00:00", 2, {"too large": 1}),
    ]
    office = [
        _item("office-07", "D:/HR/contracts.zip", 40960),
        _item("office-07", "D:/HR/contracts.zip", 3000, [NINO, NAME], [UNENCRYPTED], member="2019/jane.txt",
              mtime="2019-05-01T12:00:00"),
        _item("office-07", "D:/HR/leavers-2017.xlsx", 8192, [NAME],
              [UNENCRYPTED, ("retention-expired", "medium", "hr-leavers: kept 6 years, limit 6 years")],
              mtime="2017-09-01T16:00:00"),
        _item("office-07", "D:/HR/policy.pdf", 30000, encrypted=True),
        dict(_item("office-07", "D:/HR/payroll.csv", 900, [NINO], []), accepted=_accepted(
            "accepted", 4, "payroll export, moving to the encrypted share", "2099-12-31")),
        dict(_item("office-07", "D:/Training/fake-learners.csv", 600, [NINO, NAME], []), personal=False,
             accepted=_accepted("not_personal", 5, "made-up learners for training", None)),
        {"type": "error", "host": "office-07", "path": "D:/HR/locked.docx", "error": "permission denied"},
        {"type": "volume", "host": "office-07", "device": "/dev/sdb1", "mountpoint": "E:/", "fstype": "vfat",
         "removable": True, "encrypted": False, "encryption": None, "verdict": "FAIL",
         "violations": [{"rule": "unencrypted-removable-volume", "severity": "high", "detail": "E:/"}]},
        {"type": "message", "host": "office-07", "path": "mail/inbox/42.eml", "findings": [
         {"detector": "email", "count": 1, "confidence": "high", "samples": ["j***.***@e******.co.uk"]}],
         "encrypted": False, "violations": [{"rule": "personal-email-outside-folder", "severity": "low",
                                              "detail": "Inbox"}]},
        _summary("office-07", "2026-02-11T14:00:00Z", 3),
    ]
    reception = [  # no summary: incomplete, and its time is the file's
        _item("reception-03", "C:/Users/Public/visitors.csv", 700, [NAME], [UNENCRYPTED]),
    ]
    return {"lab-pc-01-old": lab_old, "lab-pc-01": lab_new, "office-07": office, "reception-03": reception}


def _write_sources(folder) -> list:
    folder.mkdir()
    args = []
    for name, records in _endpoints().items():
        path = folder / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records) + "not json\n" * (name == "reception-03"))
        os.utime(path, (INCOMPLETE_MTIME, INCOMPLETE_MTIME))
        args += ["--from", path]
    return args


def _normalise_row(columns, row, results: str) -> list:
    out = []
    for column, value in zip(columns, row):
        if column == "age (days)" and value not in (None, ""):
            value = "<age>"
        elif isinstance(value, str):
            value = value.replace(results, "<results>")
        out.append(value)
    if columns[:2] in (["figure", "value"], ("figure", "value")) and out[0] == "Report generated (UTC)":
        out[1] = "<generated>"
    return out


def _normalise_json(doc: dict, results: str) -> dict:
    doc["generated"] = "<generated>"
    for table in doc["tables"].values():
        table["rows"] = [_normalise_row(table["columns"], row, results) for row in table["rows"]]
    return doc


def _normalise_csv(text: str, results: str) -> str:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        writer.writerow(_normalise_row(rows[0], row, results))
    return out.getvalue()


def _reports(tmp_path, cli) -> tuple:
    results = tmp_path / "results"
    sources = _write_sources(results)
    for fmt in ("json", "csv"):
        r = cli("report", *sources, "--format", fmt, "--output", tmp_path / f"report.{ext(fmt)}")
        assert r.code == 0, r
    doc = _normalise_json(json.loads((tmp_path / "report.json").read_text(encoding="utf-8")), str(results))
    with zipfile.ZipFile(tmp_path / "report.zip") as archive:
        tables = {name: _normalise_csv(archive.read(name).decode("utf-8"), str(results))
                  for name in archive.namelist()}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n", tables


def test_json_and_csv_reports_match_golden(tmp_path, cli, request):
    doc, tables = _reports(tmp_path, cli)
    if request.config.getoption("--update-golden"):
        GOLDEN_JSON.write_text(doc, encoding="utf-8")
        GOLDEN_CSV.mkdir(exist_ok=True)
        for old in GOLDEN_CSV.glob("*.csv"):
            old.unlink()
        for name, text in tables.items():
            (GOLDEN_CSV / name).write_text(text, encoding="utf-8")
    assert doc == GOLDEN_JSON.read_text(encoding="utf-8")
    assert sorted(tables) == sorted(p.name for p in GOLDEN_CSV.glob("*.csv"))
    for name, text in tables.items():
        assert text == (GOLDEN_CSV / name).read_text(encoding="utf-8"), name


def test_golden_report_figures(tmp_path, cli):
    """The golden numbers are the right ones, not merely stable: checked by hand against the inputs."""
    doc = json.loads(_reports(tmp_path, cli)[0])
    summary = {row[0]: row[1] for row in doc["tables"]["summary"]["rows"]}
    assert summary["Endpoints"] == 3 and summary["Scans read"] == 4
    assert summary["Checks without a complete scan"] == 1
    assert summary["Files scanned"] == 2 + 5 + 1  # lab-pc-01's newer scan, office-07 (not the member), reception
    # office-07's payroll export is accepted and its training data dismissed: neither is an open violation,
    # and the dismissed file is not personal data
    assert (summary["Violations"], summary["Violations accepted"], summary["Violations dismissed (not personal data)"]) \
        == (7, 1, 1)
    assert summary["Items holding personal data under the policy"] == 1 + 3 + 1
    assert [(row[1], row[3], row[9]) for row in doc["tables"]["triage"]["rows"]] == [
        ("D:/HR/payroll.csv", "accepted", "no"), ("D:/Training/fake-learners.csv", "not personal data", "no")]
    assert summary["Volumes failed"] == 1
    assert summary["Errors (items that could not be read)"] == 1
    assert summary["Latest scan"] == "2026-02-11"
    assert [row[1] for row in doc["tables"]["trend"]["rows"]] == ["lab-pc-01", "reception-03", "lab-pc-01",
                                                                  "office-07"]

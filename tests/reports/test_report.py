"""`pdscan report`: the same figures in every format, no raw value anywhere, private files.

Endpoints' results are made by the real scanner over small trees with
planted fake values; the report is then written in every format and read
back (pyexcel for xlsx/ods, zipfile for csv, json, the HTML text).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import stat
import zipfile

import pyexcel
import pytest

from pdscan.sinks.store import Store

FORMATS = ("xlsx", "ods", "csv", "html", "json")
RAW = ("AB 12 34 56 C", "John Smith", "AB123456C", "JK 98 76 54 B", "jane.doe@example.co.uk", "Jane Doe")
TREES = {
    "alpha": {"people.csv": "name,ni\nJohn Smith,AB 12 34 56 C\n",
              "note.txt": "Contact jane.doe@example.co.uk, NI number AB123456C\n",
              "plain.txt": "nothing personal here\n"},
    "beta": {"staff.txt": "National Insurance: JK 98 76 54 B\n"},
}


def ext(fmt: str) -> str:
    """The report file's extension: csv reports are a zip of CSVs."""
    return "zip" if fmt == "csv" else fmt


def as_host(path, host: str) -> None:
    """JSONL as if collected from another endpoint: every record names `host`."""
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    path.write_text("".join(json.dumps(dict(r, host=host)) + "\n" for r in lines))


def _tree(root, files: dict):
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


@pytest.fixture
def endpoints(tmp_path, cli):
    """alpha.jsonl and beta.jsonl (current), an older alpha scan, and a store with one scan of alpha."""
    results = tmp_path / "results"
    (results / "old").mkdir(parents=True)
    for name, files in TREES.items():
        tree = _tree(tmp_path / "trees" / name, files)
        r = cli("scan", tree, "--format", "jsonl", "--output", results / f"{name}.jsonl", "--jobs", "1",
                "--no-progress")
        assert r.code == 1, r
        as_host(results / f"{name}.jsonl", name)
    old = results / "old" / "alpha.jsonl"
    (tmp_path / "trees" / "alpha" / "plain.txt").rename(tmp_path / "plain.txt")
    r = cli("scan", tmp_path / "trees" / "alpha", "--format", "jsonl", "--output", old, "--jobs", "1",
            "--no-progress")
    (tmp_path / "plain.txt").rename(tmp_path / "trees" / "alpha" / "plain.txt")
    assert r.code == 1, r
    as_host(old, "alpha")
    doc = [json.loads(line) for line in old.read_text().splitlines()]
    doc[-1]["started"] = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    old.write_text("".join(json.dumps(r) + "\n" for r in doc))
    week_ago = (dt.datetime.now() - dt.timedelta(days=7)).timestamp()
    os.utime(old, (week_ago, week_ago))
    db = tmp_path / "store.db"
    r = cli("scan", tmp_path / "trees" / "alpha", "--format", "jsonl", "--output", tmp_path / "x.jsonl",
            "--db", db, "--jobs", "1", "--no-progress")
    assert r.code == 1, r
    return results, db


def _summaries(results) -> dict:
    out = {}
    for name in TREES:
        lines = (results / f"{name}.jsonl").read_text().splitlines()
        out[name] = json.loads(lines[-1])
    return out


def _report(cli, out, fmt, *sources):
    r = cli("report", *sources, "--format", fmt, "--output", out)
    assert r.code == 0, r
    return out


@pytest.fixture
def reports(tmp_path, cli, endpoints):
    results, _db = endpoints
    sources = ("--from", results / "alpha.jsonl", "--from", results / "beta.jsonl",
               "--from", results / "old" / "alpha.jsonl")
    return {fmt: _report(cli, tmp_path / f"report.{ext(fmt)}", fmt, *sources) for fmt in FORMATS}


def _json(path) -> dict:
    return json.loads(path.read_text())


def _summary_of(doc) -> dict:
    return {row[0]: row[1] for row in doc["tables"]["summary"]["rows"]}


def test_json_figures_match_the_scans(reports, endpoints):
    results, _ = endpoints
    scans = _summaries(results)
    summary = _summary_of(_json(reports["json"]))
    assert summary["Endpoints"] == 2
    assert summary["Scans read"] == 3
    assert summary["Files scanned"] == sum(s["files"] for s in scans.values())
    assert summary["Bytes scanned"] == sum(s["bytes"] for s in scans.values())
    assert summary["Items holding personal data under the policy"] == sum(s["items_with_personal_data"] for s in scans.values())
    violations = sum(sum(s["violations"].values()) for s in scans.values())
    assert summary["Violations"] == violations
    assert summary["Violations: unencrypted-personal-data (high)"] == violations


def test_latest_scan_counts_and_older_feeds_the_trend(reports):
    doc = _json(reports["json"])
    endpoints = {row[0]: row for row in doc["tables"]["endpoints"]["rows"]}
    assert sorted(endpoints) == ["alpha", "beta"]
    assert endpoints["alpha"][4] == len(TREES["alpha"])  # files of the current alpha scan, not the old one
    trend = doc["tables"]["trend"]["rows"]
    assert sorted(row[1] for row in trend) == ["alpha", "alpha", "beta"]


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_spreadsheet_has_the_json_figures(reports, fmt):
    book = pyexcel.get_book_dict(file_name=str(reports[fmt]))
    doc = _json(reports["json"])
    assert list(book)[:4] == ["Summary", "Endpoints", "Checks", "Violations by rule"]
    sheet = {row[0]: row[1] for row in book["Summary"][1:]}
    for figure, value in _summary_of(doc).items():
        if isinstance(value, int):
            assert sheet[figure] == value, figure
    assert isinstance(sheet["Latest scan"], (dt.date, dt.datetime))  # dates stay dates
    rules = {(r[0], r[1]): r[2] for r in book["Violations by rule"][1:]}
    assert rules == {(r[0], r[1]): r[2] for r in doc["tables"]["rules"]["rows"]}
    endpoints = {r[0]: r[4] for r in book["Endpoints"][1:]}
    assert endpoints == {r[0]: r[4] for r in doc["tables"]["endpoints"]["rows"]}
    assert len(book["Violations"]) - 1 == len(doc["tables"]["violations"]["rows"])


def test_csv_zip_has_one_csv_per_table(reports):
    doc = _json(reports["json"])
    with zipfile.ZipFile(reports["csv"]) as archive:
        assert sorted(archive.namelist()) == sorted(f"{name}.csv" for name in doc["tables"])
        text = archive.read("summary.csv").decode("utf-8")
    assert f"Files scanned,{_summary_of(doc)['Files scanned']}" in text


def test_html_is_self_contained_with_the_headlines(reports):
    page = reports["html"].read_text()
    summary = _summary_of(_json(reports["json"]))
    assert "http://" not in page and "https://" not in page and "<script src" not in page
    assert "<svg" in page and "sortable" in page
    for figure in ("Files scanned", "Items holding personal data under the policy", "Violations"):
        assert f"<b>{summary[figure]}</b><span>{figure}</span>" in page
    assert "What to do:" in page


def _all_bytes(path) -> list:
    data = [path.read_bytes()]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            data += [archive.read(name) for name in archive.namelist()]
    return data


def test_no_raw_value_in_any_output_and_private(reports):
    for fmt, path in reports.items():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, fmt
        for blob in _all_bytes(path):
            for raw in RAW:
                assert raw.encode() not in blob, (fmt, raw)
    masked = json.dumps(_json(reports["json"])["tables"]["violations"]["rows"], ensure_ascii=False)
    assert "AB ** ** ** C" in masked  # masked samples are what the list shows


def test_store_source(tmp_path, cli, endpoints):
    _results, db = endpoints
    doc = _json(_report(cli, tmp_path / "store.json", "json", "--db", db))
    summary = _summary_of(doc)
    assert summary["Endpoints"] == 1 and summary["Files scanned"] == len(TREES["alpha"])
    assert summary["Violations"] == 2
    assert len(doc["tables"]["violations"]["rows"]) == 2


def test_since_leaves_out_older_scans(tmp_path, cli, endpoints):
    results, _ = endpoints
    since = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    doc = _json(_report(cli, tmp_path / "since.json", "json", "--from", results / "old" / "alpha.jsonl",
                        "--from", results / "beta.jsonl", "--since", since))
    assert [row[1] for row in doc["tables"]["trend"]["rows"]] == ["beta"]


SUMMARY_2020 = '{"type": "summary", "items": 0, "files": 0, "bytes": 0, "started": "2020-01-01T09:00:00Z"}\n'


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_scan_in_the_date_range_says_so(tmp_path, cli, fmt):
    results = tmp_path / "old.jsonl"
    results.write_text(SUMMARY_2020)
    r = cli("report", "--from", results, "--since", "2021-01-01", "--format", fmt, "--output", tmp_path / f"r.{ext(fmt)}")
    assert r.code == 0 and "no scan results since 2021-01-01" in r.err, r
    out = tmp_path / f"r.{ext(fmt)}"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    if fmt in ("xlsx", "ods"):
        text = json.dumps(pyexcel.get_book_dict(file_name=str(out))["Summary"], default=str)
    elif fmt == "csv":
        text = zipfile.ZipFile(out).read("summary.csv").decode()
    else:
        text = out.read_text()
    assert "no scan results" in text.lower()


def test_sources_without_any_scan_are_an_error_naming_them(tmp_path, cli):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    db = tmp_path / "empty.db"
    Store(db).close()
    r = cli("report", "--from", empty, "--db", db, "--format", "json", "--output", tmp_path / "r.json")
    assert r.code == 2 and f"no scan results in {db}, {empty}" in r.err, r
    assert not (tmp_path / "r.json").exists()


def test_an_empty_store_beside_real_results_is_a_warning(tmp_path, cli):
    results = tmp_path / "alpha.jsonl"
    results.write_text(SUMMARY_2020)
    db = tmp_path / "empty.db"
    Store(db).close()
    r = cli("report", "--from", results, "--db", db, "--format", "json", "--output", tmp_path / "r.json")
    assert r.code == 0 and f"warning: no scan results in {db}" in r.err, r
    assert _summary_of(_json(tmp_path / "r.json"))["Scans read"] == 1


def test_no_source_and_no_store_is_an_error(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("PDSCAN_DATA_DIR", str(tmp_path / "data"))
    r = cli("report", "--format", "json", "--output", tmp_path / "r.json")
    assert r.code == 2 and "no scan results: no --db or --from given" in r.err, r


@pytest.mark.parametrize("text, why", [
    ("name,ni\nJo,AB 12 34 56 C\n", "line 1 is not a JSON object"),
    ('\n{"path": "a.txt", "findings": []}\n{"type": "row"}\n', "line 2 is a JSON object that is not a pdscan record"),
    ('{\n "summary": {"files": 1},\n "items": []\n}\n', "line 1 is not a JSON object"),  # --format json
])
def test_from_a_file_that_is_not_pdscan_jsonl_is_an_error(tmp_path, cli, text, why):
    other = tmp_path / "other.jsonl"
    other.write_text(text)
    r = cli("report", "--from", other, "--format", "json", "--output", tmp_path / "r.json")
    assert r.code == 2 and f"{other}: not pdscan JSONL results ({why})" in r.err, r
    assert not (tmp_path / "r.json").exists()


def test_bad_input_is_status_2(tmp_path, cli):
    assert cli("report", "--from", tmp_path / "missing.jsonl", "--format", "json",
               "--output", tmp_path / "r.json").code == 2
    assert cli("report", "--db", tmp_path / "missing.db", "--format", "json", "--output", tmp_path / "r.json").code == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{}\n")
    assert cli("report", "--from", bad, "--format", "json", "--output", tmp_path / "r.json",
               "--since", "yesterday").code == 2
    assert not (tmp_path / "r.json").exists()

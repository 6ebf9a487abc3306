"""`pdscan retention` on a staff laptop: categories from what files hold, wherever they are saved;
every personal file judged; verdicts in the store and the compliance report."""
from __future__ import annotations

import json
import os
import sqlite3

import pytest

from pdscan.remediate.plan import read_plan
from tests.commands.college import run
from tests.commands.laptop import FILES, NOW, PLANNED, make_laptop


@pytest.fixture
def laptop(tmp_path):
    root = tmp_path / "home"
    make_laptop(root)
    return root


def _records(result) -> list:
    return [json.loads(line) for line in result.out.splitlines() if line.strip()]


def test_every_due_file_is_listed_under_its_category_and_only_deletable_ones_planned(laptop, tmp_path):
    r = run("retention", laptop, "--now", NOW, "--format", "jsonl", "--jobs", 1, "--plan-out", tmp_path / "plan.json")
    assert r.code == 1, r
    listed = {os.path.relpath(x["path"], laptop): x["retention"] for x in _records(r) if x["type"] == "item"}
    due = {rel: (cat, action) for rel, (_c, _d, cat, action) in FILES.items() if action}
    assert {rel: (v["category"], v["action"]) for rel, v in listed.items()} == due
    plan = read_plan(str(tmp_path / "plan.json"))
    assert {os.path.relpath(e.path, laptop) for e in plan.entries} == PLANNED
    # The workbook's header row sits under a title: its columns are evidence all the same.
    assert {"column 'learner'", "column 'course'", "detector uk.uln"} <= \
        set(listed["Documents/Class lists/L3 Business 2016-17.xlsx"]["evidence"])
    assert listed["OneDrive - College/concern.txt"]["evidence"] == ["keyword 'dsl'", "keyword 'record of concern'"]
    # The category's reason travels into the plan for the reviewer.
    entry = next(e for e in plan.entries if e.path.endswith("payroll Aug 2018.csv"))
    assert "category from: detector uk.bank_account, detector uk.nino, column 'sort code'" in entry.reason
    summary = _records(r)[-1]
    assert summary["retention"] == {"judged": 13, "expired": 10,
                                    "categories": {"applicants-unsuccessful": 1, "exams-assessment": 1,
                                                   "general-correspondence": 1, "learner-records": 3,
                                                   "learner-transcript": 1, "payroll": 2, "safeguarding": 1,
                                                   "staff-files": 2, "unclassified": 1},
                                    "unclassified": 1, "unclassified_expired": 1, "not_judged": 0}


def test_a_leaving_date_column_keeps_a_back_dated_export(laptop, tmp_path):
    r = run("retention", laptop, "--now", NOW, "--jobs", 1, "--db", tmp_path / "r.db")
    assert r.code == 1 and "Personal data in no specific retention category: 1 item(s)" in r.out, r
    with sqlite3.connect(tmp_path / "r.db") as conn:
        rows = dict(((os.path.basename(p),), rest) for p, *rest in conn.execute(
            "SELECT i.path, r.category, r.clock, r.clock_from, r.age, r.expires, r.expired, r.action, r.severity,"
            " r.as_of, r.evidence FROM retention r JOIN items i ON i.id = r.item_id"))
    # Modified in 2016; the latest date under its "Leaving Date" column is 29 July 2022.
    assert rows[("leavers export.csv",)][:8] == ["learner-records", "2022-07-29", "leaving", "4y 4m", "2028-07-29",
                                                 0, "delete", None]
    assert rows[("concern.txt",)][:8] == ["safeguarding", "2001-02-03", "modified", "25y 9m 26d", "2026-02-03", 1,
                                          "review", "medium"]
    assert rows[("concern.txt",)][8] == NOW and len(rows) == 13


def test_the_verdicts_fill_the_reports_retention_section_and_the_default_store(laptop, tmp_path, monkeypatch, cli):
    monkeypatch.setenv("PDSCAN_DATA_DIR", str(tmp_path / "data"))
    r = run("retention", laptop, "--now", NOW, "--jobs", 1)   # no --db: the per-user store, as for scan
    assert r.code == 1, r
    store = tmp_path / "data" / "pdscan.db"
    report = cli("report", "--db", store, "--format", "json", "--output", tmp_path / "report.json")
    assert report.code == 0, report
    rows = json.loads((tmp_path / "report.json").read_text())["tables"]["retention"]["rows"]
    due = {(cat, "medium" if action == "review" else "high") for _c, _d, cat, action in FILES.values() if action}
    assert {(row[1], row[2]) for row in rows} == due
    assert sum(row[3] for row in rows) == 10
    with sqlite3.connect(store) as conn:   # the scan's own violations stay scan results
        assert conn.execute("SELECT count(*) FROM violations WHERE rule = 'retention-expired'").fetchone() == (0,)

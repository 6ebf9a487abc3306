"""`pdscan retention`: a tree of college documents with back-dated files, judged as of a fixed day."""
from __future__ import annotations

import json
import os

import pytest

from pdscan.remediate.plan import read_plan
from tests.commands.college import EXPIRED, NOW, PLANNED, make_tree, run, tree_state


@pytest.fixture
def college(tmp_path):
    root = tmp_path / "college"
    make_tree(root)
    return root


def records(result) -> list:
    return [json.loads(line) for line in result.out.splitlines() if line.strip()]


def test_finds_exactly_the_expired_files_by_category(college, tmp_path):
    before = tree_state(college)
    r = run("retention", college, "--now", NOW, "--format", "jsonl", "--jobs", 1,
            "--plan-out", tmp_path / "plan.json")
    assert r.code == 1, r
    items = [x for x in records(r) if x["type"] == "item"]
    found = {os.path.relpath(x["path"], college): (x["retention"]["category"], x["retention"]["action"])
             for x in items}
    assert found == EXPIRED, r
    for x in items:
        assert [v["rule"] for v in x["violations"]] == ["retention-expired"]
        assert x["retention"]["evidence"] and x["retention"]["age_days"] > 0
    assert records(r)[-1]["type"] == "summary" and records(r)[-1]["violations"] == {"retention-expired": 6}
    assert tree_state(college) == before  # retention only reads


def test_the_later_content_or_mail_date_keeps_back_dated_files(college):
    r = run("retention", college, "--now", NOW, "--format", "jsonl", "--jobs", 1)
    listed = {os.path.basename(x["path"]) for x in records(r) if x["type"] == "item"}
    assert "leavers-2023.csv" not in listed      # modified 2016, but left in 2023
    assert "recent.eml" not in listed            # modified 2015, Date header 2025
    assert "esf-2012.csv" not in listed          # held until the funding body's end date


def test_now_moves_the_judgement(college):
    r = run("retention", college, "--now", "2030-01-01", "--format", "jsonl", "--jobs", 1)
    listed = {os.path.basename(x["path"]) for x in records(r) if x["type"] == "item"}
    assert {"leavers-2023.csv", "recent.eml", "payroll-2020.txt"} <= listed
    assert "esf-2012.csv" not in listed
    early = run("retention", college, "--now", "2005-01-01", "--format", "jsonl", "--jobs", 1)
    assert early.code == 0 and not [x for x in records(early) if x["type"] == "item"]


def test_the_plan_lists_the_delete_action_files_with_their_digests(college, tmp_path):
    run("retention", college, "--now", NOW, "--jobs", 1, "--plan-out", tmp_path / "plan.json")
    plan = read_plan(str(tmp_path / "plan.json"))
    assert {os.path.relpath(e.path, college) for e in plan.entries} == PLANNED
    assert plan.as_of == NOW
    assert oct(os.stat(tmp_path / "plan.json").st_mode & 0o777) == "0o600"
    for e in plan.entries:
        assert e.size == os.path.getsize(e.path) and len(e.sha256) == 64 and e.rule.startswith(e.category)


def test_text_output_names_category_evidence_age_rule_and_action(college):
    r = run("retention", college, "--now", NOW, "--jobs", 1)
    assert r.code == 1
    block = r.out.split("concern-2000.txt", 1)[1]
    assert "category: safeguarding" in block and "action: review" in block and "rule: safeguarding: 25y" in block
    assert "age: 26y" in block
    assert "Violations: retention-expired ×6" in r.out
    assert "Ann Baker" not in r.out and "1234567899" not in r.out  # nothing raw is printed


def test_bad_now_is_a_usage_error(college):
    r = run("retention", college, "--now", "29/11/2026")
    assert r.code == 2 and "--now must be a date" in r.err


def test_a_site_schedule_with_a_typo_names_the_field(college, tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[retention]\ncategory = [{ id = "x", paths = ["a"], period = "6 years" }]\n')
    r = run("retention", college, "--policy", site)
    assert r.code == 2 and "retention.category[0] (x): field 'period'" in r.err, r


def test_personal_data_in_no_specific_category_is_judged_under_the_default(tmp_path):
    stray = tmp_path / "Misc" / "list.txt"
    stray.parent.mkdir()
    stray.write_text("Name: Carol White\nNI number: AB 12 34 56 C\nDate of birth: 05/06/1970\n")
    recent = run("retention", tmp_path, "--now", NOW, "--jobs", 1)
    assert recent.code == 0 and "Personal data in no specific retention category: 1 item(s), judged as " \
        "unclassified (6y after the latest known date, review only); 0 past it." in recent.out, recent
    old = os.path.getmtime(stray) - 7 * 366 * 86400
    os.utime(stray, (old, old))
    r = run("retention", tmp_path, "--now", NOW, "--jobs", 1, "--format", "jsonl")
    [item] = [x for x in records(r) if x["type"] == "item"]
    assert r.code == 1 and (item["retention"]["category"], item["retention"]["action"]) == ("unclassified", "review")
    assert records(r)[-1]["retention"] == {"judged": 1, "expired": 1, "categories": {"unclassified": 1},
                                           "unclassified": 1, "unclassified_expired": 1, "not_judged": 0}

"""`pdscan shred --plan`: the reviewed plan from `pdscan retention`, end to end."""
from __future__ import annotations

import json
import os

import pytest

from pdscan.privacy import install_key, key_path
from pdscan.remediate.plan import read_plan
from pdscan.remediate.shred import AuditLog
from tests.commands.college import FILES, NOW, PLANNED, make_tree, run, tree_state


@pytest.fixture
def planned(tmp_path):
    root = tmp_path / "college"
    make_tree(root)
    plan = tmp_path / "plan.json"
    r = run("retention", root, "--now", NOW, "--jobs", 1, "--plan-out", plan)
    assert r.code == 1, r
    return root, plan


def test_without_yes_nothing_changes(planned, tmp_path):
    root, plan = planned
    before = tree_state(root)
    r = run("shred", "--plan", plan, "--audit-log", tmp_path / "audit.jsonl")
    assert r.code == 0, r
    assert r.out.startswith("Dry run: nothing will be changed.")
    assert r.out.count("\nwould delete ") == len(PLANNED) and "assurance: " in r.out
    assert tree_state(root) == before
    assert not (tmp_path / "audit.jsonl").exists()


def test_yes_deletes_exactly_the_planned_unchanged_files_and_logs_every_entry(planned, tmp_path):
    root, plan = planned
    changed = root / "HR" / "staff-2012.txt"
    with open(changed, "a", encoding="utf-8") as f:
        f.write("Note added after the plan was reviewed.\n")
    log = tmp_path / "audit.jsonl"
    r = run("shred", "--plan", plan, "--yes", "--audit-log", log)
    assert r.code == 1, r
    left = {os.path.relpath(os.path.join(d, n), root) for d, _, names in os.walk(root) for n in names}
    assert left == (set(FILES) - PLANNED) | {"HR/staff-2012.txt"}
    assert f"refused      {changed}: changed since the plan" in r.out
    assert "Summary: deleted 4, refused 1" in r.out

    audit = AuditLog(str(log), install_key(key_path()))
    records = [json.loads(line) for line in log.read_text().splitlines()]
    last = {}
    for rec in records:
        last[rec["path_hash"]] = rec
    for entry in read_plan(str(plan)).entries:
        final = last[audit.path_hash(entry.path)]
        expected = "refused" if entry.path == str(changed) else "deleted"
        assert final["result"] == expected and final["sha256_before"] == entry.sha256
    text = log.read_text()
    for rel in FILES:  # no name, folder or content of any file in the log
        assert os.path.basename(rel) not in text
    assert "Carol" not in text and str(root) not in text


def test_a_second_run_refuses_what_is_gone(planned, tmp_path):
    _root, plan = planned
    assert run("shred", "--plan", plan, "--yes", "--audit-log", tmp_path / "a.jsonl").code == 0
    again = run("shred", "--plan", plan, "--yes", "--audit-log", tmp_path / "a.jsonl")
    assert again.code == 1 and again.out.count("no longer exists") == len(PLANNED)


def test_an_unusable_plan_is_an_error(tmp_path):
    (tmp_path / "p.json").write_text("{not json")
    r = run("shred", "--plan", tmp_path / "p.json")
    assert r.code == 2 and "not a plan" in r.err
    assert run("shred", "--plan", tmp_path / "missing.json").code == 2

"""Finding 09: a scan root that is a symlink (planted by whoever owns the folder above it) makes a
file be judged by the link's path (e.g. **/HR/**) while its real path matches no category. Such a
file must not become a signed deletion entry: it is listed, with the reason it was not planned."""
from __future__ import annotations

import json
import os

from tests.commands.college import FILES, NOW, run

STAFF, DAY = FILES["HR/staff-2012.txt"]


def test_a_file_reached_through_a_symlinked_root_is_not_planned(tmp_path):
    real = tmp_path / "rtdocs"          # root's own folder: no retention category matches it
    real.mkdir()
    (real / "keep-forever.txt").write_text(STAFF)
    os.utime(real / "keep-forever.txt", (1262347200, 1262347200))  # 2010-01-01
    attacker = tmp_path / "alice"
    attacker.mkdir()
    (attacker / "HR").symlink_to(real)
    plan = tmp_path / "plan.json"

    r = run("retention", attacker / "HR", "--now", NOW, "--jobs", 1, "--plan-out", plan)

    assert json.loads(plan.read_text())["entries"] == [], r
    assert "not planned" in r.out and "symbolic link" in r.out, r
    assert (real / "keep-forever.txt").read_text() == STAFF


def test_jsonl_says_why_it_was_not_planned(tmp_path):
    real = tmp_path / "rtdocs"
    (real / "HR").mkdir(parents=True)
    (real / "HR" / "old.txt").write_text(STAFF)
    os.utime(real / "HR" / "old.txt", (1262347200, 1262347200))
    (tmp_path / "link").symlink_to(real)
    plan = tmp_path / "plan.json"

    r = run("retention", tmp_path / "link" / "HR", "--now", NOW, "--jobs", 1, "--format", "jsonl",
            "--plan-out", plan)

    items = [json.loads(line) for line in r.out.splitlines() if '"item"' in line]
    assert len(items) == 1 and "symbolic link" in items[0]["retention"]["not_planned"], r
    assert json.loads(plan.read_text())["entries"] == []


def test_the_real_path_is_still_planned(tmp_path):
    (tmp_path / "HR").mkdir()
    (tmp_path / "HR" / "old.txt").write_text(STAFF)
    os.utime(tmp_path / "HR" / "old.txt", (1262347200, 1262347200))
    plan = tmp_path / "plan.json"
    r = run("retention", tmp_path / "HR", "--now", NOW, "--jobs", 1, "--plan-out", plan)
    assert [e["path"] for e in json.loads(plan.read_text())["entries"]] == [str(tmp_path / "HR" / "old.txt")], r

"""The plan decides what root deletes: only a plan pdscan wrote here, kept private, is acted on;
the plan, its temp name and the audit log are never written through a planted symlink."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from pdscan.remediate.plan import entry_for, write_plan
from tests.commands.college import NOW, make_tree, run

SECRET = b"Staff file\nName: Carol White\nNI number: AB 12 34 56 C\n"
OTHER = b"Not planned: the governors' minutes\n"
USER = 4242

needs_root = pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="chown to another uid needs root")


@pytest.fixture
def plan(tmp_path):
    """A plan (written by pdscan) for old.txt; keep.txt beside it is not planned."""
    folder = tmp_path / "HR"
    folder.mkdir()
    (folder / "old.txt").write_bytes(SECRET)
    (folder / "keep.txt").write_bytes(OTHER)
    path = tmp_path / "plan.json"
    write_plan(str(path), [entry_for(str(folder / "old.txt"), "staff-files", "staff-files: 6y", "expired")],
               dt.date(2026, 11, 29), "policies.toml")
    return path, folder


def shred(plan_path, tmp_path, *extra):
    return run("shred", "--plan", plan_path, "--yes", "--audit-log", tmp_path / "audit.jsonl", *extra)


def edit(path, change) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    mode = os.stat(path).st_mode
    path.write_text(json.dumps(doc))
    os.chmod(path, mode)


def test_an_untouched_plan_is_acted_on(plan, tmp_path):
    path, folder = plan
    r = shred(path, tmp_path)
    assert r.code == 0 and "deleted" in r.out, r
    assert os.listdir(folder) == ["keep.txt"]


def test_removing_an_entry_when_reviewing_keeps_the_plan_valid(plan, tmp_path):
    path, folder = plan
    edit(path, lambda doc: doc["entries"].clear())
    assert shred(path, tmp_path).code == 0
    assert sorted(os.listdir(folder)) == ["keep.txt", "old.txt"]


def test_a_hand_added_entry_is_refused_and_nothing_is_deleted(plan, tmp_path):
    path, folder = plan
    # The attacker copies a real entry's shape for a file they can read: size, mtime, digest all right.
    added = entry_for(str(folder / "keep.txt"), "staff-files", "staff-files: 6y", "expired").__dict__
    edit(path, lambda doc: doc["entries"].append(dict(added, mac=doc["entries"][0].get("mac", "0" * 64))))
    r = shred(path, tmp_path)
    assert r.code == 2 and "entries[1]: the plan was changed after pdscan wrote it" in r.err, r
    assert sorted(os.listdir(folder)) == ["keep.txt", "old.txt"]
    edit(path, lambda doc: doc["entries"][1].pop("mac"))
    r = shred(path, tmp_path)
    assert r.code == 2 and "entries[1]: has no signature" in r.err, r
    assert sorted(os.listdir(folder)) == ["keep.txt", "old.txt"]


def test_an_entry_pointed_at_another_file_is_refused(plan, tmp_path):
    path, folder = plan
    edit(path, lambda doc: doc["entries"][0].update(path=str(folder / "keep.txt")))
    r = shred(path, tmp_path)
    assert r.code == 2 and "plan signature does not match" in r.err
    assert sorted(os.listdir(folder)) == ["keep.txt", "old.txt"]


def test_a_plan_anyone_can_write_is_refused(plan, tmp_path):
    path, folder = plan
    os.chmod(path, 0o666)
    r = shred(path, tmp_path)
    assert r.code == 2 and "writable by group or others" in r.err, r
    assert sorted(os.listdir(folder)) == ["keep.txt", "old.txt"]


@needs_root
def test_a_plan_owned_by_another_user_is_refused(plan, tmp_path):
    path, folder = plan
    os.chown(path, USER, USER)
    r = shred(path, tmp_path)
    assert r.code == 2 and f"owned by uid {USER}" in r.err, r
    assert sorted(os.listdir(folder)) == ["keep.txt", "old.txt"]


def test_a_version_1_plan_is_refused_with_what_to_do(plan, tmp_path):
    path, folder = plan
    edit(path, lambda doc: doc.update(version=1))
    r = shred(path, tmp_path)
    assert r.code == 2 and "version 1" in r.err and "re-run `pdscan retention --plan-out`" in r.err, r
    assert sorted(os.listdir(folder)) == ["keep.txt", "old.txt"]


# -- writes that must not follow a planted symlink --------------------------------------------

def test_a_symlink_at_the_plan_out_name_is_refused_and_its_target_kept(tmp_path):
    root = tmp_path / "college"
    make_tree(root)
    victim = tmp_path / "shadow"
    victim.write_text("root:x:0:0\n")
    (tmp_path / "plan.json").symlink_to(victim)
    r = run("retention", root, "--now", NOW, "--jobs", 1, "--plan-out", tmp_path / "plan.json")
    assert r.code == 2 and "symbolic link" in r.err, r
    assert victim.read_text() == "root:x:0:0\n"


def test_write_plan_refuses_a_symlink_and_ignores_the_old_predictable_temp_name(plan, tmp_path):
    path, folder = plan
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    old_temp = tmp_path / f"plan.json.tmp-{os.getpid()}"  # the name pdscan used to write through
    old_temp.symlink_to(victim)
    entries = [entry_for(str(folder / "old.txt"), "staff-files", "staff-files: 6y", "expired")]
    write_plan(str(path), entries, dt.date(2026, 11, 29))
    assert victim.read_text() == "keep me" and not path.is_symlink()
    os.unlink(path)
    path.symlink_to(victim)
    with pytest.raises(Exception, match="symbolic link"):
        write_plan(str(path), entries, dt.date(2026, 11, 29))
    assert victim.read_text() == "keep me"


def test_a_symlink_at_the_audit_log_is_refused_and_nothing_deleted(plan, tmp_path):
    path, folder = plan
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (tmp_path / "audit.jsonl").symlink_to(victim)
    r = shred(path, tmp_path)
    assert r.code == 2 and "symbolic link" in r.err, r
    assert victim.read_text() == "keep me" and sorted(os.listdir(folder)) == ["keep.txt", "old.txt"]


def test_an_audit_log_others_can_write_is_refused(plan, tmp_path):
    path, folder = plan
    (tmp_path / "audit.jsonl").write_text("")
    os.chmod(tmp_path / "audit.jsonl", 0o666)
    r = shred(path, tmp_path)
    assert r.code == 2 and "writable by group or others" in r.err, r
    assert sorted(os.listdir(folder)) == ["keep.txt", "old.txt"]


# -- names printed for reviewers --------------------------------------------------------------

def test_a_file_name_with_terminal_controls_cannot_forge_the_dry_run_listing(tmp_path):
    folder = tmp_path / "HR"
    folder.mkdir()
    name = "x\x1b[2K\rwould delete nothing.txt\nSummary: empty plan\x1b]0;t\x07.txt"
    (folder / name).write_bytes(SECRET)
    path = tmp_path / "plan.json"
    write_plan(str(path), [entry_for(str(folder / name), "staff-files", "staff-files: 6y", "expired")],
               dt.date(2026, 11, 29))
    r = run("shred", "--plan", path, "--audit-log", tmp_path / "audit.jsonl")
    assert r.code == 0, r
    assert "\x1b" not in r.out and "\r" not in r.out and "\x07" not in r.out
    assert "\\x1b[2K\\x0dwould delete nothing.txt\\x0aSummary" in r.out
    assert [line for line in r.out.splitlines() if line.startswith("Summary")] == ["Summary: would delete 1"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="acting as an unprivileged user needs root and setpriv")
def test_a_plan_replaced_by_an_unprivileged_user_in_a_shared_folder_is_refused(plan, tmp_path):
    path, folder = plan
    shared = Path(tempfile.mkdtemp(prefix="pdscan-share-"))  # reachable by the other user, unlike tmp_path
    shared.chmod(0o777)  # IT saved the plan on a share everyone can write
    try:
        _replace_as_other_user(path, shared, folder, tmp_path)
    finally:
        shutil.rmtree(shared)


def _replace_as_other_user(path, shared, folder, tmp_path):
    shutil.move(path, shared / "plan.json")
    doc = json.loads((shared / "plan.json").read_text())
    added = entry_for(str(folder / "keep.txt"), "staff-files", "staff-files: 6y", "expired").__dict__
    doc["entries"].append(dict(added, mac=doc["entries"][0].get("mac", "0" * 64)))
    target = str(shared / "plan.json")
    replace = f"import os, sys; os.unlink({target!r}); open({target!r}, 'w').write(sys.stdin.read())"
    subprocess.run(["setpriv", f"--reuid={USER}", f"--regid={USER}", "--clear-groups", sys.executable, "-c",
                    replace], input=json.dumps(doc), text=True, check=True)
    assert os.stat(target).st_uid == USER
    r = shred(target, tmp_path)
    assert r.code == 2 and f"owned by uid {USER}" in r.err, r
    assert sorted(os.listdir(folder)) == ["keep.txt", "old.txt"]

"""`scan --incremental`: unchanged files are not opened, their stored results stand in."""
from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from pdscan.sources import filesystem
from tests.conftest import FIXTURES

NHS = "943 476 5919"


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    (root / "staff").mkdir(parents=True)
    (root / "staff" / "records.txt").write_text(f"Patient NHS number {NHS}\n")
    (root / "staff" / "notes.txt").write_text("nothing personal here\n")
    (root / "plain.txt").write_text("the quick brown fox\n")
    shutil.copy(FIXTURES / "formats" / "payload.zip", root / "payload.zip")
    (root / "broken.zip").write_bytes((FIXTURES / "formats" / "payload.zip").read_bytes()[:300])
    return root


@pytest.fixture
def opened(monkeypatch, tree):
    """Paths of files under the tree opened for reading, through pdscan's opener or os.open."""
    seen: list = []
    real_readonly, real_os_open = filesystem.open_readonly, os.open

    def readonly(path, *args, **kwargs):
        seen.append(os.fsdecode(path))
        return real_readonly(path, *args, **kwargs)

    def os_open(path, flags, *args, **kwargs):
        name = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else ""
        if name.startswith(str(tree)) and os.path.isfile(name):
            seen.append(name)
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(filesystem, "open_readonly", readonly)
    monkeypatch.setattr(os, "open", os_open)
    return seen


def scan(cli, db, *args):
    result = cli("scan", "--db", db, "--jobs", "1", "--format", "jsonl", "--no-progress", *args)
    assert result.code in (0, 1), result
    records = result.records()
    summary = records.pop()
    summary.pop("elapsed")
    summary.pop("started", None)  # each run's own start time
    return sorted(records, key=lambda r: (r["type"], r["path"], r.get("member") or "")), summary


def test_unchanged_tree_opens_no_file_and_gives_the_same_results(cli, tree, tmp_path, opened):
    db = tmp_path / "pdscan.db"
    first = scan(cli, db, "--incremental", tree)
    assert opened and {r["type"] for r in first[0]} == {"item", "error"}
    assert first[1]["findings"].get("uk.nhs") and first[1]["violations"]
    opened.clear()
    second = scan(cli, db, "--incremental", tree)
    assert set(opened) == {str(tree / "broken.zip")}  # it errored last time: rescanned
    assert second == first


def test_touched_file_is_rescanned_and_only_it(cli, tree, tmp_path, opened):
    db = tmp_path / "pdscan.db"
    scan(cli, db, tree)
    target = tree / "staff" / "notes.txt"
    target.write_text(f"now with NHS number {NHS}\n")
    opened.clear()
    records, summary = scan(cli, db, "--incremental", tree)
    assert set(opened) == {str(target), str(tree / "broken.zip")}
    notes = next(r for r in records if r["path"] == str(target))
    assert notes["findings"][0]["detector"] == "uk.nhs"
    assert summary == scan(cli, tmp_path / "fresh.db", tree)[1]


def test_deleted_file_disappears(cli, tree, tmp_path):
    db = tmp_path / "pdscan.db"
    _, before = scan(cli, db, tree)
    (tree / "staff" / "records.txt").unlink()
    records, summary = scan(cli, db, "--incremental", tree)
    assert str(tree / "staff" / "records.txt") not in {r["path"] for r in records}
    assert summary["files"] == before["files"] - 1
    assert summary["findings"]["uk.nhs"] == before["findings"]["uk.nhs"] - 1


def test_changed_site_policy_rescans_everything(cli, tree, tmp_path, opened):
    db = tmp_path / "pdscan.db"
    scan(cli, db, tree)
    site = tmp_path / "site.toml"
    site.write_text("[rules.unencrypted-personal-data]\nhigh_when_count = 7\n")
    opened.clear()
    scan(cli, db, "--incremental", "--policy", site, tree)
    files = {str(p) for p in tree.rglob("*") if p.is_file()}
    assert files <= set(opened)


def test_results_of_an_interrupted_scan_are_reused(cli, tree, tmp_path, opened):
    db = tmp_path / "pdscan.db"
    scan(cli, db, tree)
    target = tree / "plain.txt"
    target.write_text("changed\n")
    scan(cli, db, "--incremental", tree)
    with sqlite3.connect(db) as conn:  # as if the second scan had been killed after its last commit
        conn.execute("UPDATE scans SET complete = 0, ended = NULL WHERE id = 2")
    opened.clear()
    scan(cli, db, "--incremental", tree)
    assert set(opened) == {str(tree / "broken.zip")}


def test_carried_forward_rows_are_stored_under_the_new_scan(cli, tree, tmp_path):
    db = tmp_path / "pdscan.db"
    scan(cli, db, tree)
    scan(cli, db, "--incremental", tree)
    with sqlite3.connect(db) as conn:
        per_scan = dict(conn.execute("SELECT scan_id, COUNT(*) FROM items GROUP BY scan_id"))
        findings = dict(conn.execute("SELECT i.scan_id, COUNT(*) FROM findings f JOIN items i ON i.id = f.item_id"
                                     " GROUP BY i.scan_id"))
        complete = [row[0] for row in conn.execute("SELECT complete FROM scans ORDER BY id")]
    assert per_scan[1] == per_scan[2] and findings[1] == findings[2] and complete == [1, 1]


def test_worker_pool_keeps_walk_order_with_reused_results(cli, tree, tmp_path):
    for n in range(12):
        (tree / f"extra{n:02}.txt").write_text(f"line {n}\n" + (f"NHS {NHS}\n" if n % 3 == 0 else ""))
    db = tmp_path / "pdscan.db"
    cli("scan", "--db", db, "--no-progress", tree)
    for n in (1, 5, 9):
        (tree / f"extra{n:02}.txt").write_text(f"changed {n}\n")
    again = cli("scan", "--db", db, "--incremental", "--jobs", "2", "--format", "jsonl", "--no-progress", tree)
    fresh = cli("scan", "--db", tmp_path / "fresh.db", "--jobs", "1", "--format", "jsonl", "--no-progress", tree)
    assert again.records()[:-1] == fresh.records()[:-1]


def test_incremental_without_a_writable_store_scans_everything(cli, tree, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("PDSCAN_DATA_DIR", str(blocker))
    monkeypatch.setenv("PDSCAN_KEY_FILE", str(tmp_path / "hmac.key"))
    result = cli("scan", "--incremental", "--format", "jsonl", "--no-progress", tree)
    assert result.code == 1 and "warning" in result.err and "not stored" in result.err
    assert result.records()[-1]["files"] == len([p for p in Path(tree).rglob("*") if p.is_file()])


def _summary(result) -> dict:
    summary = result.records()[-1]
    return {k: v for k, v in summary.items() if k not in ("elapsed", "started")}


def _rows(db, scan_id: int) -> list:
    """A scan's stored items with their findings (keyed hashes too) and violations, in stored order, ids left out."""
    with sqlite3.connect(db) as conn:
        items = conn.execute("SELECT id, path, member, size, mtime, mtime_ns, ctime_ns, inode, device, mime, encrypted,"
                             " encryption, encryption_note, personal, unread, volume_encrypted, accepted FROM items"
                             " WHERE scan_id = ? ORDER BY id", (scan_id,)).fetchall()
        return [(row[1:],
                 conn.execute("SELECT detector, count, confidence, samples, keys, locations FROM findings"
                              " WHERE item_id = ? ORDER BY id", (row[0],)).fetchall(),
                 conn.execute("SELECT rule, severity, detail FROM violations WHERE item_id = ? ORDER BY id",
                              (row[0],)).fetchall())
                for row in items]


@pytest.mark.parametrize("batch", [2, 500])  # 2: copies flushed at many commits, between files read again
def test_reused_records_are_written_as_a_full_scan_writes_them(cli, tree, tmp_path, monkeypatch, batch):
    """JSONL line for line, the summary, and the store's rows with their keyed hashes: a reused
    file's rows are copied by id inside the store, not rebuilt, and must not differ for it."""
    monkeypatch.setattr("pdscan.sinks.store.BATCH_RECORDS", batch)
    (tree / "staff" / "more.txt").write_text(f"NHS {NHS} and j.bloggs@college.ac.uk\n")
    db, fresh_db = tmp_path / "pdscan.db", tmp_path / "fresh.db"
    cli("scan", "--db", db, "--jobs", "1", "--no-progress", tree)
    (tree / "plain.txt").write_text("changed, so read again\n")
    again = cli("scan", "--db", db, "--incremental", "--jobs", "1", "--format", "jsonl", "--no-progress", tree)
    fresh = cli("scan", "--db", fresh_db, "--jobs", "1", "--format", "jsonl", "--no-progress", tree)
    assert again.code == fresh.code == 1
    assert again.records()[:-1] == fresh.records()[:-1] and _summary(again) == _summary(fresh)
    stored = _rows(db, 2)
    assert stored == _rows(fresh_db, 1)
    assert any(member for (_, member, *_), _, _ in stored)  # the zip's members are copied too
    assert sum(len(findings) for _, findings, _ in stored) >= 3


def test_a_reused_file_a_decision_covers_is_stored_whole(cli, tree, tmp_path):
    """A stored result today's triage changes is not copied as it was: rebuilt, its keyed hashes read."""
    db = tmp_path / "pdscan.db"
    cli("scan", "--db", db, "--jobs", "1", "--no-progress", tree)
    assert cli("accept", tree / "staff" / "records.txt", "--reason", "kept by HR", "--db", db).code == 0
    again = cli("scan", "--db", db, "--incremental", "--jobs", "1", "--format", "jsonl", "--no-progress", tree)
    full = cli("scan", "--db", db, "--jobs", "1", "--format", "jsonl", "--no-progress", tree)
    decided = next(r for r in again.records() if r.get("path") == str(tree / "staff" / "records.txt"))
    assert decided["accepted"]["reason"] == "kept by HR" and decided["violations"] == []
    assert again.records()[:-1] == full.records()[:-1]
    assert _rows(db, 2) == _rows(db, 3)


def test_a_rescan_that_reads_no_file_builds_no_scanner(cli, tree, tmp_path, monkeypatch):
    """Detectors, Hyperscan and the core are compiled for reading files: a rescan that reads none
    never builds them, nor starts workers."""
    (tree / "broken.zip").unlink()  # it would be read again (it errored)
    db = tmp_path / "pdscan.db"
    first = cli("scan", "--db", db, "--jobs", "2", "--format", "jsonl", "--no-progress", tree)

    def refused(*args):
        raise AssertionError("a scanner was built")

    monkeypatch.setattr("pdscan.workers._scanner", refused)
    monkeypatch.setattr("multiprocessing.pool.Pool", refused)
    again = cli("scan", "--db", db, "--incremental", "--jobs", "2", "--format", "jsonl", "--no-progress", tree)
    assert again.code == first.code == 1
    assert again.records()[:-1] == first.records()[:-1] and _summary(again) == _summary(first)

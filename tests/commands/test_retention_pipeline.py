"""`pdscan retention` reads each file once, in the pipeline, and --db stores the scan it made."""
from __future__ import annotations

import collections
import os
import sqlite3

from tests.commands.college import EXPIRED, NOW, make_tree


def _opens(monkeypatch, root) -> collections.Counter:
    """Opens of each file under `root`, by relative path (os.open: every read of a file starts there)."""
    counts: collections.Counter = collections.Counter()
    real = os.open

    def counting(path, *args, **kwargs):
        name = os.fsdecode(path)
        if name.startswith(str(root) + os.sep):
            counts[os.path.relpath(name, root)] += 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting)
    return counts


def test_retention_opens_each_file_only_as_the_scan_does(cli, tmp_path, monkeypatch):
    root = tmp_path / "college"
    make_tree(root)
    opens = _opens(monkeypatch, root)
    scanned = cli("scan", root, "--no-progress", "--jobs", "1", "--db", tmp_path / "scan.db")
    by_scan = dict(opens)
    opens.clear()
    judged = cli("retention", root, "--now", NOW, "--no-progress", "--jobs", "1", "--format", "jsonl")
    assert scanned.code == judged.code == 1, judged
    assert len(judged.records()) == len(EXPIRED) + 1  # the expired files and the summary: all judged
    files = {rel for rel in by_scan if os.path.isfile(root / rel)}
    assert len(files) == 12
    # The scan itself opens a file twice (sniff's first 8 KiB, then the extractor's read):
    # retention's facts come from those reads, not from a third.
    assert {rel: opens[rel] for rel in files} == {rel: by_scan[rel] for rel in files}
    assert set(opens.values()) <= {1, 2}


def _stored(db) -> tuple:
    with sqlite3.connect(db) as conn:
        items = conn.execute("SELECT path, member, size, mime, encrypted, mtime_ns FROM items "
                             "ORDER BY path, member").fetchall()
        rules = conn.execute("SELECT rule, count(*) FROM violations GROUP BY rule ORDER BY rule").fetchall()
        complete = conn.execute("SELECT complete FROM scans").fetchall()
    return items, rules, complete


def test_retention_db_stores_the_same_scan_as_scan_does(cli, tmp_path):
    root = tmp_path / "college"
    make_tree(root)
    judged = cli("retention", root, "--now", NOW, "--no-progress", "--jobs", "2", "--db", tmp_path / "r.db")
    scanned = cli("scan", root, "--no-progress", "--jobs", "1", "--db", tmp_path / "s.db")
    assert judged.code == scanned.code == 1, judged
    items, rules, complete = _stored(tmp_path / "r.db")
    assert (items, rules, complete) == _stored(tmp_path / "s.db")
    assert len(items) == 12 and complete == [(1,)]
    assert "retention-expired" not in dict(rules)  # verdicts are not scan results

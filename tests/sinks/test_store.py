"""The SQLite store: named migrations, owner-only files, WAL readers, batches, crash safety."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time

import pytest

from pdscan.errors import ConfigError
from pdscan.model import (ErrorRecord, FileStat, Finding, ItemResult, MessageResult, Summary, Violation,
                          VolumeResult)
from pdscan.sinks.migrations import MIGRATIONS, migrate
from pdscan.sinks.store import Store, StoreSink, default_path
from tests.conftest import ROOT

NHS = "943 476 5919"


def item(path, findings=(), violations=(), member=None, **extra) -> ItemResult:
    return ItemResult(path, member, "text/plain", 10, "2026-01-01T00:00:00Z", False, None, None,
                      list(findings), list(violations), personal=bool(findings),
                      where={f.detector: ["line 1"] for f in findings},
                      keys={f.detector: ["ab" * 16] for f in findings},
                      **{"stat": FileStat(1, 2, 3, 4), **extra})


FINDING = Finding("uk.nhs", 1, "high", ["94* *** ***9"])
VIOLATION = Violation("unencrypted-personal-data", "high", "readable")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_store_has_every_migration_by_name(tmp_path):
    store = Store(tmp_path / "s.db")
    names = [r[0] for r in store.conn.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
    assert names == [name for name, _ in MIGRATIONS]
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert "messages" in {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    store.close()


def test_a_version_1_store_upgrades_without_losing_rows(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:1])
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.execute("INSERT INTO scans (id, started, version, detector_fingerprint, policy_fingerprint, complete)"
                 " VALUES (1, '2026-01-01T00:00:00Z', '0.0.9', 'd', 'p', 1)")
    conn.execute("INSERT INTO items (id, scan_id, path, size, mime, encrypted)"
                 " VALUES (7, 1, '/a.txt', 5, 'text/plain', 0)")
    conn.execute("INSERT INTO findings (item_id, detector, count, confidence, samples, keys)"
                 " VALUES (7, 'email', 2, 'high', '[\"j*@x.org\"]', '[]')")
    conn.execute("INSERT INTO errors (scan_id, path, error) VALUES (1, '/b.txt', 'permission denied')")
    conn.close()

    store = Store(path)
    q = store.conn.execute
    assert q("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert q("SELECT path, size, personal, unread FROM items").fetchall() == [("/a.txt", 5, 0, None)]
    assert q("SELECT detector, count, samples, locations FROM findings").fetchall() == \
        [("email", 2, '["j*@x.org"]', None)]
    assert q("SELECT version, complete, roots FROM scans").fetchall() == [("0.0.9", 1, None)]
    assert q("SELECT error FROM errors").fetchall() == [("permission denied",)]
    store.close()


def test_a_store_from_a_newer_pdscan_is_refused(tmp_path):
    path = tmp_path / "new.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES ('9999_from_the_future', 'x')")
    with pytest.raises(ConfigError, match="newer pdscan"):
        Store(path)


def test_the_store_and_its_wal_files_are_owner_only(tmp_path):
    path = tmp_path / "private" / "s.db"
    old = os.umask(0)  # the modes must not depend on a careful umask
    try:
        store = Store(path)
    finally:
        os.umask(old)
    sink = StoreSink(store, "d", "p", [str(tmp_path)])
    sink.begin()
    sink.record(item("/x.txt"))
    sink.end(Summary())
    try:
        for name in (path, f"{path}-wal", f"{path}-shm"):
            assert mode(name) == 0o600, name
    finally:
        store.close()
    assert mode(path.parent) == 0o700


def test_a_reader_sees_committed_batches_while_a_scan_writes(tmp_path):
    path = tmp_path / "s.db"
    store = Store(path)
    sink = StoreSink(store, "d", "p")
    sink.begin()
    for n in range(1200):  # two full batches committed, the rest pending
        sink.record(item(f"/f{n:04}.txt"))
    reader = sqlite3.connect(path, timeout=0.5)
    assert reader.execute("SELECT complete FROM scans").fetchall() == [(0,)]
    assert reader.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 1000
    sink.end(Summary(items=1200))
    complete, counts = reader.execute("SELECT complete, counts FROM scans").fetchone()
    assert complete == 1 and json.loads(counts)["items"] == 1200
    assert reader.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 1200
    reader.close()
    store.close()


def test_every_record_kind_is_written(tmp_path):
    store = Store(tmp_path / "s.db")
    sink = StoreSink(store, "d", "p")
    sink.begin()
    sink.record(item("/a.zip", member="x.csv", findings=[FINDING], violations=[VIOLATION], stat=None))
    sink.record(item("/a.zip"))
    sink.record(ErrorRecord("/b.txt", None, "permission denied"))
    sink.record(VolumeResult("/dev/sdb1", "/media/usb", "vfat", True, False, None, "FAIL", [VIOLATION]))
    sink.record(MessageResult("/mail", "1", "INBOX", "<1@x>", None, "a@b.org", "personal", 0.9))
    sink.end(Summary())
    q = store.conn.execute
    assert q("SELECT member, personal FROM items ORDER BY id").fetchall() == [("x.csv", 1), (None, 0)]
    assert q("SELECT detector, samples, keys, locations FROM findings").fetchall() == \
        [("uk.nhs", '["94* *** ***9"]', json.dumps(["ab" * 16]), '["line 1"]')]
    assert q("SELECT rule FROM violations").fetchall() == [("unencrypted-personal-data",)]
    assert q("SELECT verdict FROM volumes").fetchall() == [("FAIL",)]
    assert q("SELECT sender, classification FROM messages").fetchall() == [("a@b.org", "personal")]
    assert q("SELECT error FROM errors").fetchall() == [("permission denied",)]
    store.close()


def test_undecodable_paths_are_kept_exactly(tmp_path):
    store = Store(tmp_path / "s.db")
    sink = StoreSink(store, "d", "p")
    sink.begin()
    odd = os.fsdecode(b"/media/usb/caf\xe9.txt")
    sink.record(item(odd))
    sink.end(Summary())
    (path,) = store.conn.execute("SELECT path FROM items").fetchone()
    assert path == b"/media/usb/caf\xe9.txt"
    store.close()


def test_the_store_never_holds_a_raw_value(cli, tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "r.txt").write_text(f"NHS number {NHS}\nemail jo.bloggs@college.ac.uk\n")
    db = tmp_path / "s.db"
    result = cli("scan", "--db", db, "--no-progress", tmp_path / "t")
    assert result.code == 1, result
    dump = "\n".join(sqlite3.connect(db).iterdump())
    assert "uk.nhs" in dump
    for raw in (NHS, NHS.replace(" ", ""), "jo.bloggs", "bloggs@college"):
        assert raw not in dump


def test_plain_scan_writes_the_default_store(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PDSCAN_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.txt").write_text("hello\n")
    result = cli("scan", "--no-progress", tmp_path / "t")
    assert result.code == 0 and not result.err, result
    assert default_path() == tmp_path / "data" / "pdscan.db"
    with sqlite3.connect(default_path()) as conn:
        assert conn.execute("SELECT complete FROM scans").fetchall() == [(1,)]


def test_an_unwritable_data_folder_means_no_store_and_a_warning(cli, tmp_path, monkeypatch):
    (tmp_path / "blocker").write_text("")
    monkeypatch.setenv("PDSCAN_DATA_DIR", str(tmp_path / "blocker" / "data"))
    monkeypatch.setenv("PDSCAN_KEY_FILE", str(tmp_path / "hmac.key"))
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.txt").write_text("hello\n")
    result = cli("scan", "--no-progress", tmp_path / "t")
    assert result.code == 0 and "warning" in result.err and "not stored" in result.err, result


def test_a_db_that_cannot_be_opened_is_an_error(cli, tmp_path):
    (tmp_path / "blocker").write_text("")
    result = cli("scan", "--db", tmp_path / "blocker" / "s.db", "--no-progress", tmp_path)
    assert result.code == 2 and "cannot open the store" in result.err, result


def test_a_killed_scan_leaves_a_readable_incomplete_scan(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    for n in range(4000):
        (tree / f"f{n:04}.txt").write_text(f"line {n}\n" + (f"NHS {NHS}\n" if n % 50 == 0 else ""))
    db = tmp_path / "s.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "pdscan", "scan", "--db", str(db), "--jobs", "1",
                             "--no-progress", "--output", os.devnull, str(tree)], env=env)
    try:
        _wait_for_rows(db, proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    store = Store(db)
    q = store.conn.execute
    assert q("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert q("SELECT complete, ended FROM scans ORDER BY id DESC LIMIT 1").fetchone() == (0, None)
    written = q("SELECT COUNT(*) FROM items").fetchone()[0]
    assert 0 < written < 4000
    assert q("SELECT COUNT(*) FROM findings").fetchone()[0] >= 1
    store.close()


def _wait_for_rows(db, proc, timeout: float = 60.0) -> None:
    """Until a reader sees a committed batch of the running scan."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(db, timeout=0.2) as conn:
                if conn.execute("SELECT COUNT(*) FROM items").fetchone()[0] >= 500:
                    return
        except sqlite3.OperationalError:
            pass  # not created or not migrated yet
        time.sleep(0.05)
    pytest.fail("the scan wrote no batch before it ended")


def test_a_batch_never_splits_one_file(tmp_path):
    path = tmp_path / "s.db"
    store = Store(path)
    sink = StoreSink(store, "d", "p")
    sink.begin()
    for n in range(499):
        sink.record(item(f"/f{n:04}.txt"))
    for member in ("a.csv", "b.csv"):  # the batch is full here, but /z.zip is not finished
        sink.record(item("/z.zip", member=member, stat=None))
    sink.record(item("/z.zip"))
    sink.record(ErrorRecord("/z.zip", "c.csv", "corrupt"))
    reader = sqlite3.connect(path, timeout=0.5)
    assert reader.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 0
    sink.record(item("/next.txt"))
    assert reader.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 502
    assert reader.execute("SELECT COUNT(*) FROM errors").fetchone()[0] == 1
    reader.close()
    sink.end(Summary())
    store.close()


def test_usb_with_db_stores_the_volume_verdict_and_its_items(cli, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "class.txt").write_text(f"Patient NHS number {NHS}\n")
    db = tmp_path / "s.db"
    result = cli("usb", "--mountpoint", stick, "--db", db, "--format", "jsonl", "--jobs", "1")
    assert result.code == 1, result
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT verdict FROM volumes").fetchall() == [("FAIL",)]
        assert conn.execute("SELECT path FROM items").fetchall() == [(str(stick / "class.txt"),)]
        assert conn.execute("SELECT complete FROM scans").fetchall() == [(1,)]


def test_stored_results_read_back_as_the_typed_results_written(tmp_path, monkeypatch):
    """What `scan --incremental` reuses is the scan's own ItemResults, internal facts and all,
    however many items (an archive's members) the looked-up files hold. For the scan that writes
    the store it reads, each keeps its row id instead of its keyed hashes: the rows are copied by id."""
    import pdscan.sinks.store as store_module

    monkeypatch.setattr(store_module, "ID_BATCH", 1)
    store = Store(tmp_path / "s.db")
    sink = StoreSink(store, "d", "p", ["/d"])
    sink.begin()
    written = [item("/d/a.zip", member="x.csv", findings=[FINDING], violations=[VIOLATION], stat=None,
                    unread=None, volume_encrypted=False),
               item("/d/a.zip", volume_encrypted=False),
               item("/d/b.bin", unread="content not read: application/octet-stream")]
    for record in written:
        sink.record(record)
    sink.end(Summary())
    paths = ["/d/a.zip", "/d/b.bin", "/d/c.txt"]
    previous = store.previous(["/d"], "d", "p")
    found = store_module.Reuse(store.conn, previous.roots).lookup(paths)
    copied = previous.lookup(paths)
    store.close()
    assert sorted(found) == sorted(copied) == ["/d/a.zip", "/d/b.bin"]
    assert found["/d/a.zip"].records == written[:2]
    assert found["/d/b.bin"].records == written[2:]
    assert all(r.stored is None for prior in found.values() for r in prior.records)
    copies = copied["/d/a.zip"].records + copied["/d/b.bin"].records
    assert [r.stored for r in copies] == [1, 2, 3] and [r.keys for r in copies] == [{}, {}, {}]
    for copy, record in zip(copies, written):
        copy.keys = record.keys
    assert copies == written


def test_messages_before_0008_read_back_without_sent_outside(tmp_path):
    """A mail scan stored before `sent_outside` was kept is read as having sent nothing outside; one
    after keeps the destination (what the report counts)."""
    from pdscan.sinks.store.queries import StoreReader
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, [m for m in MIGRATIONS if m[0] != "0008_sent_outside"])
    conn.execute("INSERT INTO scans (id, started, version, detector_fingerprint, policy_fingerprint, complete, kind)"
                 " VALUES (1, '2026-01-01T00:00:00Z', '0.0.9', 'd', 'p', 1, 'mail')")
    conn.execute("INSERT INTO messages (scan_id, path, folder, classification, findings, violations)"
                 " VALUES (1, '/m', 'Sent', 'work', '[]', '[]')")
    conn.close()
    store = Store(path)
    sink = StoreSink(store, "d", "p")
    sink.begin()
    sent = {"destination": "own-webmail", "how": "in a Sent folder", "recipients": [], "others": {"uk.nino": 1}}
    sink.record(MessageResult("/m", "cur/2", "Sent", None, None, None, "work", 0.0, sent_outside=sent))
    sink.end(Summary())
    store.close()
    with StoreReader(str(path)) as reader:
        got = [r.sent_outside for scan in (1, 2) for r in reader.records(scan) if isinstance(r, MessageResult)]
    assert got == [None, sent]

"""A damaged store never stops a scan: it is set aside whole, byte for byte, and a new one started."""
from __future__ import annotations

import os
import sqlite3

import pytest

from pdscan.errors import ConfigError
from pdscan.sinks.store import Store

NI = "AB 12 34 56 C"


def overwrite_middle(path):
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.seek(size // 2)
        f.write(b"\xa5" * 8192)


def truncate(path):
    os.truncate(path, os.path.getsize(path) // 2 + 100)


def text_file(path):
    path.write_text("this is a shopping list, not a database\n" * 50)


DAMAGE = [overwrite_middle, truncate, text_file]


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "docs"
    path.mkdir()
    (path / "list.csv").write_text(f"Name,NI number\nJo Bloggs,{NI}\n")
    for n in range(40):  # enough rows that the middle of the file is table pages
        (path / f"note{n}.txt").write_text(f"timetable {n}: Maths, room B{n}\n")
    return path


@pytest.fixture
def damaged(cli, folder, tmp_path, request):
    db = tmp_path / "store.db"
    assert cli("scan", folder, "--no-progress", "--db", db).code == 1
    request.param(db)
    return db


def set_aside(tmp_path) -> list:
    return sorted(name for name in os.listdir(tmp_path) if ".damaged-" in name)


@pytest.mark.parametrize("damaged", DAMAGE, indirect=True)
def test_scan_sets_a_damaged_store_aside_and_still_reports(cli, folder, tmp_path, damaged):
    before = damaged.read_bytes()
    result = cli("scan", folder, "--no-progress", "--db", damaged)
    assert result.code == 1, result  # the NI number is a violation: the scan ran and judged
    assert "unencrypted-personal-data" in result.out and "list.csv" in result.out
    kept = [name for name in set_aside(tmp_path) if not name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].startswith("store.db.damaged-"), os.listdir(tmp_path)
    assert (tmp_path / kept[0]).read_bytes() == before  # nothing of the damaged store lost
    assert f"the store {damaged} is damaged" in result.err and str(tmp_path / kept[0]) in result.err
    with sqlite3.connect(damaged) as conn:
        assert conn.execute("SELECT complete FROM scans").fetchall() == [(1,)]
        assert conn.execute("SELECT COUNT(*) FROM items WHERE path LIKE '%list.csv'").fetchone() == (1,)


@pytest.mark.parametrize("damaged", [text_file], indirect=True)
def test_a_clean_scan_still_exits_0_and_a_second_damage_gets_its_own_name(cli, tmp_path, damaged):
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "a.txt").write_text("nothing here\n")
    assert cli("scan", clean, "--no-progress", "--db", damaged).code == 0
    text_file(damaged)
    result = cli("scan", clean, "--no-progress", "--db", damaged)
    assert result.code == 0 and "is damaged" in result.err, result
    assert len([n for n in set_aside(tmp_path) if not n.endswith(("-wal", "-shm"))]) == 2


def test_the_wal_files_go_with_the_store(tmp_path):
    db = tmp_path / "store.db"
    text_file(db)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"store.db{suffix}").write_bytes(b"side " + suffix.encode())
        os.chmod(tmp_path / f"store.db{suffix}", 0o600)
    store = Store(db, set_aside_damaged=True)
    kept, reason = store.set_aside
    store.close()
    assert reason == "file is not a database"
    assert open(f"{kept}-wal", "rb").read() == b"side -wal"
    assert os.path.exists(f"{kept}-shm")  # SQLite's index of the WAL, rebuilt from it: no data of its own


def test_without_set_aside_a_damaged_store_is_refused_untouched(tmp_path):
    db = tmp_path / "store.db"
    text_file(db)
    with pytest.raises(ConfigError, match="the store is damaged"):
        Store(db)
    assert set_aside(tmp_path) == []


@pytest.mark.parametrize("damaged", DAMAGE, indirect=True)
def test_report_on_a_damaged_store_is_a_clear_error_and_renames_nothing(cli, tmp_path, damaged):
    before = damaged.read_bytes()
    result = cli("report", "--db", damaged, "--format", "json", "--output", tmp_path / "r.json")
    assert result.code == 2, result
    assert str(damaged) in result.err and "internal error" not in result.err
    assert set_aside(tmp_path) == [] and damaged.read_bytes() == before
    assert not (tmp_path / "r.json").exists()


def test_damage_found_mid_scan_stops_the_storing_not_the_scan(cli, folder, tmp_path, monkeypatch):
    from pdscan.model import ItemResult
    from pdscan.sinks import store as store_module

    real, calls = store_module._WRITERS[ItemResult], []

    def failing(conn, scan_id, record):
        calls.append(record.path)
        if len(calls) == 3:
            exc = sqlite3.DatabaseError("database disk image is malformed")
            exc.sqlite_errorname = "SQLITE_CORRUPT"
            raise exc
        real(conn, scan_id, record)

    monkeypatch.setitem(store_module._WRITERS, ItemResult, failing)
    result = cli("scan", folder, "--no-progress", "--jobs", "1", "--db", tmp_path / "store.db")
    assert result.code == 1, result
    assert "list.csv" in result.out and "unencrypted-personal-data" in result.out
    assert result.err.count("turned out damaged during the scan") == 1, result
    assert len(calls) == 3  # nothing more written to it

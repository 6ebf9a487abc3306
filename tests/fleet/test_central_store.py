"""The central store on PostgreSQL: --db postgresql://, the same named migrations as SQLite, credentials
never in the URL, verify-full TLS away from this machine, and the report over the whole fleet."""
from __future__ import annotations

import json
import sqlite3

import pytest

from pdscan.sinks.central import Connection, conninfo
from pdscan.sinks.migrations import MIGRATIONS, migrate
from pdscan.sinks.store import CentralStore, Store

PREVIOUS = [m for m in MIGRATIONS if m[0] <= "0006_run_kind"]  # main's store before the fleet
TREES = {
    "lab-01": {"staff.csv": "name,email,nhs number\nJohn Smith,john.smith@example.co.uk,943 476 5919\n"},
    "lab-02": {"note.txt": "Contact jane.doe@example.co.uk, NI number AB123456C\n", "plain.txt": "nothing\n"},
    "lab-03": {"notes.txt": "National Insurance: JK 98 76 54 B\n"},
}


def _tree(root, files: dict):
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def test_a_password_in_the_url_is_refused_and_never_shown(tmp_path, cli):
    for url in ("postgresql://ep:s3cr3t-pw@127.0.0.1:1/pdscan", "postgresql://ep@127.0.0.1:1/pdscan?password=s3cr3t-pw"):
        for args in (("report", "--db", url, "--format", "json", "--output", tmp_path / "r.json"),
                     ("scan", tmp_path, "--db", url), ("fleet", "push", "--db", url)):
            r = cli(*args)
            assert r.code == 2, r
            assert "password in the --db URL is refused" in r.err
            assert "s3cr3t" not in r.err + r.out
            assert len(r.err.strip().splitlines()) == 1


def test_tls_verify_full_is_the_default_away_from_this_machine(monkeypatch):
    for name in ("PGSSLMODE", "PGSERVICE", "PGHOST"):
        monkeypatch.delenv(name, raising=False)
    assert "sslmode=verify-full" in conninfo("postgresql://ep@db.college.ac.uk/pdscan")
    assert "sslmode=verify-full" in conninfo("postgresql://ep@10.0.0.5:5433/pdscan")
    for url in ("postgresql://ep@127.0.0.1/pdscan", "postgresql://ep@localhost/pdscan",
                "postgresql://ep@[::1]/pdscan", "postgresql:///pdscan?host=/run/postgresql"):
        assert "sslmode" not in conninfo(url)
    assert "sslmode=require" in conninfo("postgresql://ep@db.college.ac.uk/pdscan?sslmode=require")
    monkeypatch.setenv("PGSSLMODE", "verify-ca")
    assert "sslmode" not in conninfo("postgresql://ep@db.college.ac.uk/pdscan")


def test_the_service_file_names_the_host_that_decides_tls(tmp_path, monkeypatch):
    services = tmp_path / "pg_service.conf"
    services.write_text("[college]\nhost=db.college.ac.uk\ndbname=pdscan\n[local]\nhost=127.0.0.1\n")
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    monkeypatch.delenv("PGSSLMODE", raising=False)
    assert "sslmode=verify-full" in conninfo("postgresql://?service=college")
    assert "sslmode" not in conninfo("postgresql://?service=local")


def _columns_sqlite(conn, table):
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def test_migrations_up_from_empty_give_both_dialects_the_same_schema(fleet, tmp_path):
    local = Store(tmp_path / "local.db")
    central = Connection(fleet.url)
    names = [name for name, _ in MIGRATIONS]
    assert [r[0] for r in central.execute("SELECT name FROM schema_migrations ORDER BY name")] == sorted(names)
    tables = [r[0] for r in local.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                               " AND name <> 'schema_migrations'")]
    assert {"scans", "items", "findings", "violations", "volumes", "errors", "messages", "retention"} <= set(tables)
    for table in tables:
        there = {r[0] for r in central.execute("SELECT column_name FROM information_schema.columns"
                                               " WHERE table_name = ?", (table,))}
        assert there == _columns_sqlite(local.conn, table) | {"endpoint"}, table
    # 64-bit where SQLite's integers are (inode numbers, nanosecond times)
    kinds = dict(central.execute("SELECT column_name, data_type FROM information_schema.columns"
                                 " WHERE table_name = 'items'").fetchall())
    assert kinds["mtime_ns"] == kinds["inode"] == "bigint"
    central.close()
    local.close()


def test_migrations_up_from_the_previous_version_keep_the_rows(fleet, tmp_path):
    # SQLite: main's store (0001..0006) with a scan in it
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, PREVIOUS)
    conn.execute("INSERT INTO scans (id, host, started, version, detector_fingerprint, policy_fingerprint, complete,"
                 " kind) VALUES (1, 'lab-01', '2026-01-01T00:00:00Z', '0.9', 'd', 'p', 1, 'files')")
    conn.execute("INSERT INTO items (id, scan_id, path, size, personal) VALUES (7, 1, '/a.txt', 5, 1)")
    conn.close()
    store = Store(path)
    assert store.conn.execute("SELECT host, kind, uid, pushed FROM scans").fetchall() == \
        [("lab-01", "files", None, None)]
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    store.close()

    # PostgreSQL: a database at main's version, migrated by its owner on open
    fleet.pg.admin(f"CREATE DATABASE {fleet.db}_old OWNER college_it")
    url = fleet.pg.url("college_it", f"{fleet.db}_old")
    conn = Connection(url)
    migrate(conn, PREVIOUS)
    conn.execute("INSERT INTO scans (host, started, version, detector_fingerprint, policy_fingerprint, complete)"
                 " VALUES ('lab-01', '2026-01-01T00:00:00Z', '0.9', 'd', 'p', 1)")
    conn.close()
    central = CentralStore(url)
    assert central.conn.execute('SELECT host, "user", complete, uid, endpoint FROM scans').fetchall() == \
        [("lab-01", None, 1, None, "college_it")]
    assert central.conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)
    central.close()


def test_a_portable_migration_runs_on_both_without_a_dialect(fleet, tmp_path):
    """What other branches add (a table, a column, an index in plain SQL) needs no PostgreSQL twin."""
    extra = MIGRATIONS + (("0099_notes", (
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
        " user TEXT, weight REAL, inode INTEGER, body BLOB)",
        "ALTER TABLE scans ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX notes_scan ON notes(scan_id)")),)
    local = sqlite3.connect(tmp_path / "n.db", isolation_level=None)
    assert migrate(local, extra)[-1] == "0099_notes"
    central = Connection(fleet.url)
    assert migrate(central, extra) == ["0099_notes"]
    central.execute('INSERT INTO notes (scan_id, "user", weight, inode) SELECT id, ?, ?, ? FROM scans', ("x", 0.5, 2**40))
    assert central.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
    central.close()


def test_scan_writes_the_central_store_directly_and_locate_reads_it(fleet, tmp_path, cli):
    url = fleet.add_endpoint("lab-01")
    fleet.as_endpoint("lab-01")
    tree = _tree(tmp_path / "lab-01", TREES["lab-01"])
    r = cli("scan", tree, "--db", url, "--jobs", "1", "--no-progress", "--format", "jsonl")
    assert r.code == 1, r
    reader = Connection(url)
    assert reader.execute("SELECT complete, host, endpoint FROM scans").fetchall() == [(1, "lab-01", "lab-01")]
    assert reader.execute("SELECT count(*) FROM findings").fetchone()[0] == len(r.records()[0]["findings"])
    reader.close()
    request = tmp_path / "request.toml"
    request.write_text('nhs = "943 476 5919"\n')
    found = cli("locate", "--request", request, "--db", url, "--format", "jsonl")
    assert found.code == 1, found
    assert [(x["host"], x["path"]) for x in found.records() if x["type"] == "located"] == \
        [("lab-01", str(tree / "staff.csv"))]


def _tables(doc: dict) -> dict:
    """The report's tables without where each row came from (a file's name, or the store's URL)."""
    out = {}
    for name, table in doc["tables"].items():
        keep = [i for i, c in enumerate(table["columns"]) if c != "source"]
        out[name] = [[row[i] for i in keep] for row in table["rows"] if row[0] != "Report generated (UTC)"]
    return out


def test_the_fleet_report_equals_the_report_merged_from_the_endpoints_jsonl(fleet, tmp_path, cli):
    jsonl = []
    for name, files in TREES.items():
        fleet.add_endpoint(name)
        fleet.as_endpoint(name)
        tree = _tree(tmp_path / "trees" / name, files)
        out, local = tmp_path / f"{name}.jsonl", tmp_path / f"{name}.db"
        r = cli("scan", tree, "--db", local, "--format", "jsonl", "--output", out, "--jobs", "1", "--no-progress")
        assert r.code == 1, r
        pushed = cli("fleet", "push", "--db", fleet.pg.url(name, fleet.db), "--store", local)
        assert pushed.code == 0 and "pushed 1 scan(s)" in pushed.out, pushed
        jsonl += ["--from", out]
    url = fleet.reporting()
    central = cli("report", "--db", url, "--format", "json", "--output", tmp_path / "central.json")
    assert central.code == 0, central
    merged = cli("report", *jsonl, "--format", "json", "--output", tmp_path / "merged.json")
    assert merged.code == 0, merged
    a, b = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("central", "merged"))
    assert _tables(a) == _tables(b)
    assert {row[0] for row in _tables(a)["endpoints"]} == set(TREES)
    assert len(_tables(a)["violations"]) == 3


def test_an_endpoint_login_cannot_change_the_schema(fleet, cli):
    url = fleet.add_endpoint("lab-09")
    fleet.as_endpoint("lab-09")
    r = cli("fleet", "init", "--db", url)
    assert r.code == 2 and "central store" in r.err, r


@pytest.mark.parametrize("args", [("store", "info"), ("report", "--format", "json", "--output", "x.json")])
def test_an_unreachable_server_is_one_line_and_exit_2(tmp_path, cli, args, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli(*args, "--db", "postgresql://ep@127.0.0.1:1/pdscan")
    assert r.code == 2, r
    assert len(r.err.strip().splitlines()) == 1


def test_store_info_and_prune_on_the_central_store(fleet, tmp_path, cli):
    url = fleet.add_endpoint("lab-01")
    fleet.as_endpoint("lab-01")
    tree = _tree(tmp_path / "lab-01", TREES["lab-01"])
    assert cli("scan", tree, "--db", url, "--jobs", "1", "--no-progress").code == 1
    fleet.owner()
    owner = Connection(fleet.url)
    owner.execute("UPDATE scans SET started = '2020-01-01T00:00:00Z'")
    fleet.as_endpoint("lab-01")
    r = cli("store", "prune", "--db", url, "--keep", "1d")
    assert r.code == 2 and "permission denied" in r.err, r  # an endpoint deletes nothing
    fleet.owner()
    r = cli("store", "info", "--db", fleet.url)
    assert r.code == 0 and "scans: 1 (1 complete)" in r.out, r
    r = cli("store", "prune", "--db", fleet.url, "--keep", "1d")
    assert r.code == 0 and "pruned 1 scan(s)" in r.out, r
    assert [owner.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("scans", "items", "findings")] == [0] * 3
    owner.close()


def test_retention_and_mail_write_the_central_store_as_they_write_a_file(fleet, tmp_path, cli):
    from tests.commands.college import NOW, make_tree
    from tests.conftest import FIXTURES
    url = fleet.add_endpoint("lab-01")
    fleet.as_endpoint("lab-01")
    make_tree(tmp_path / "college")
    assert cli("retention", tmp_path / "college", "--now", NOW, "--db", url, "--jobs", "1", "--no-progress",
               "--output", tmp_path / "r.txt").code == 1
    for db in (url, tmp_path / "local.db"):
        assert cli("mail", FIXTURES / "mail" / "recall", "--db", db, "--jobs", "1", "--no-progress",
                   "--output", tmp_path / "m.txt").code == 1
    conn = Connection(url)
    assert conn.execute("SELECT kind, complete FROM scans ORDER BY id").fetchall() == [("retention", 1), ("mail", 1)]
    assert conn.execute("SELECT count(*) FROM retention WHERE expired = 1").fetchone()[0] > 0
    counts = ("SELECT count(*) FROM messages WHERE scan_id = ?", "SELECT count(*) FROM items WHERE scan_id = ?",
              "SELECT count(*) FROM findings f JOIN items i ON i.id = f.item_id WHERE i.scan_id = ?",
              "SELECT count(*) FROM violations v JOIN items i ON i.id = v.item_id WHERE i.scan_id = ?")
    there = conn.execute("SELECT id FROM scans WHERE kind = 'mail'").fetchone()
    with sqlite3.connect(tmp_path / "local.db") as local:
        here = local.execute("SELECT id FROM scans").fetchone()
        expected = [local.execute(sql, here).fetchone()[0] for sql in counts]
    assert [conn.execute(sql, there).fetchone()[0] for sql in counts] == expected
    assert expected[0] > 0 and expected[2] > 0
    conn.close()
    report = cli("report", "--db", url, "--format", "json", "--output", tmp_path / "fleet.json")
    assert report.code == 0, report
    tables = json.loads((tmp_path / "fleet.json").read_text())["tables"]
    assert tables["retention"]["rows"] and tables["mail"]["rows"]


def test_the_report_reads_each_scan_by_its_index_before_the_server_has_statistics(fleet):
    """A fleet's first pushes leave the server without statistics: the report must still read each scan's
    items through an index, not walk every endpoint's items once per scan (500 endpoints: minutes),
    and must not pay for compiling each small query to machine code."""
    from pdscan.sinks.store.queries import CentralReader
    fleet.pg.admin("INSERT INTO scans (host, started, version, detector_fingerprint, policy_fingerprint, complete)"
                   " SELECT 'pc-' || n, '2026-01-01T00:00:00Z', '1', 'd', 'p', 1 FROM generate_series(1, 100) n",
                   dbname=fleet.db)
    fleet.pg.admin("INSERT INTO items (scan_id, path, size, mtime, personal) SELECT s.id,"
                   " '/home/staff/Documents/Class lists/2026/class-' || n || '.csv', 100, '2026-01-01T00:00:00Z', 1"
                   " FROM scans s, generate_series(1, 1000) n", dbname=fleet.db)
    fleet.pg.admin("INSERT INTO findings (item_id, detector, count, confidence, samples, keys)"
                   " SELECT i.id, d, 2, 'high', '[\"J*** S****\"]', '[]' FROM items i,"
                   " unnest(ARRAY['person_name', 'email']) d", dbname=fleet.db)
    fleet.pg.admin("INSERT INTO violations (item_id, rule, severity) SELECT id, 'unencrypted-personal-data',"
                   " 'high' FROM items WHERE id % 2 = 0", dbname=fleet.db)
    assert fleet.pg.admin("SELECT reltuples FROM pg_class WHERE relname = 'items'", dbname=fleet.db) == [(-1,)]
    reader = CentralReader(fleet.reporting())
    try:
        assert reader.conn.execute("SHOW jit").fetchone()[0] == "off"
        plan = "\n".join(row[0] for row in reader.conn.execute("EXPLAIN " + reader._items_sql(), (7,)))
    finally:
        reader.close()
    items = plan.split("SubPlan")[0]
    assert "Index Cond: (scan_id =" in items and "Filter: (scan_id" not in items, plan

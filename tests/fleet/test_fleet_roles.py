"""Least privilege enforced by the server: an endpoint login inserts and reads back its own rows only,
never touches another's; pdscan_reporting reads everything and writes nothing."""
from __future__ import annotations

import gzip

import pytest

from pdscan.sinks.central import CentralStoreError, Connection


def _scan(fleet, tmp_path, cli, name: str) -> None:
    tree = tmp_path / name
    tree.mkdir()
    (tree / "staff.csv").write_text("name,email,nhs number\nJohn Smith,john.smith@example.co.uk,943 476 5919\n")
    (tree / "cut.gz").write_bytes(gzip.compress(b"x" * 10000)[:30])  # an error record
    fleet.as_endpoint(name)
    r = cli("scan", tree, "--db", tmp_path / f"{name}.db", "--jobs", "1", "--no-progress")
    assert r.code == 1, r
    r = cli("fleet", "push", "--db", fleet.pg.url(name, fleet.db), "--store", tmp_path / f"{name}.db")
    assert r.code == 0, r


def _tables(conn) -> list:
    return [t for (t,) in conn.execute("SELECT table_name FROM information_schema.tables"
                                       " WHERE table_schema = 'public' AND table_name <> 'schema_migrations'")]


@pytest.fixture
def two(fleet, tmp_path, cli):
    for name in ("lab-a", "lab-b"):
        fleet.add_endpoint(name)
        _scan(fleet, tmp_path, cli, name)
    return fleet


def test_an_endpoint_sees_none_of_another_endpoints_rows_in_any_table(two):
    owner = (two.owner(), Connection(two.url))[1]
    tables = _tables(owner)
    everything = {t: owner.execute(f"SELECT endpoint, count(*) FROM {t} GROUP BY endpoint").fetchall() for t in tables}
    owner.close()
    assert {"scans", "items", "findings", "violations", "errors"} <= {t for t, rows in everything.items() if rows}
    for name, other in (("lab-a", "lab-b"), ("lab-b", "lab-a")):
        two.as_endpoint(name)
        conn = Connection(two.pg.url(name, two.db))
        for table in tables:
            seen = dict(conn.execute(f"SELECT endpoint, count(*) FROM {table} GROUP BY endpoint").fetchall())
            assert other not in seen, table
            assert seen.get(name, 0) == dict(everything[table]).get(name, 0), table
        conn.close()


def test_an_endpoint_cannot_update_delete_or_attach_to_another_endpoints_rows(two):
    two.owner()
    owner = Connection(two.url)
    b_scan = owner.execute("SELECT id FROM scans WHERE endpoint = 'lab-b'").fetchone()[0]
    b_item = owner.execute("SELECT id FROM items WHERE endpoint = 'lab-b' LIMIT 1").fetchone()[0]
    two.as_endpoint("lab-a")
    a = Connection(two.pg.url("lab-a", two.db))
    assert a.execute("UPDATE scans SET complete = 0 WHERE id = ?", (b_scan,)).rowcount == 0
    for sql, args in (("DELETE FROM scans WHERE id = ?", (b_scan,)),
                      ("DELETE FROM findings", ()),
                      ("UPDATE items SET path = 'x' WHERE id = ?", (b_item,)),
                      ("UPDATE scans SET host = 'lab-b'", ()),
                      ("INSERT INTO items (scan_id, path) VALUES (?, '/planted')", (b_scan,)),
                      ("INSERT INTO findings (item_id, detector, count, confidence, samples, keys)"
                       " VALUES (?, 'email', 1, 'high', '[]', '[]')", (b_item,)),
                      ("INSERT INTO scans (started, version, detector_fingerprint, policy_fingerprint, endpoint)"
                       " VALUES ('2026-01-01', 'x', 'd', 'p', 'lab-b')", ()),
                      ("CREATE TABLE mine (x int)", ())):
        with pytest.raises(CentralStoreError):
            a.execute(sql, args)
    a.close()
    assert owner.execute("SELECT count(*) FROM scans WHERE endpoint = 'lab-b' AND complete = 1").fetchone()[0] == 1
    assert owner.execute("SELECT count(*) FROM items WHERE path = '/planted'").fetchone()[0] == 0
    owner.close()


def test_reporting_reads_everything_and_writes_nothing(two):
    url = two.reporting()
    conn = Connection(url)
    assert sorted(r[0] for r in conn.execute("SELECT DISTINCT endpoint FROM findings")) == ["lab-a", "lab-b"]
    for sql in ("INSERT INTO scans (started, version, detector_fingerprint, policy_fingerprint)"
                " VALUES ('2026-01-01', 'x', 'd', 'p')", "UPDATE scans SET complete = 0", "DELETE FROM items"):
        with pytest.raises(CentralStoreError):
            conn.execute(sql)
    conn.close()


def test_add_endpoint_refuses_a_role_that_reports_and_writes_no_password_anywhere_else(fleet, cli, tmp_path):
    fleet.reporting("auditor")
    fleet.owner()
    r = cli("fleet", "add-endpoint", "auditor", "--db", fleet.url)
    assert r.code == 2 and "cannot be an endpoint" in r.err, r
    r = cli("fleet", "add-endpoint", "lab-z", "--db", fleet.url, "--pgpass-out", tmp_path / "z.pgpass")
    password = (tmp_path / "z.pgpass").read_text().strip().rsplit(":", 1)[1]
    assert (tmp_path / "z.pgpass").stat().st_mode & 0o777 == 0o600
    assert password not in r.out + r.err
    stored = fleet.pg.admin("SELECT rolpassword FROM pg_authid WHERE rolname = 'lab-z'")[0][0]
    assert stored.startswith("SCRAM-SHA-256$") and password not in stored
    assert password not in (fleet.pg.dir / "server.log").read_text(errors="replace")
    r = cli("fleet", "add-endpoint", "lab-y", "--db", fleet.url, "--pgpass-out", tmp_path / "z.pgpass")
    assert r.code == 2 and "exists" in r.err

"""Offline first: complete local scans pushed whole, once, by scan id; a cut push leaves nothing
partial and its retry completes it once; a server that is down changes nothing for the scan."""
from __future__ import annotations

import shutil
import sqlite3
import threading

import pytest

from pdscan.errors import PdscanError
from pdscan.sinks import push as push_module
from pdscan.sinks.central import Connection
from pdscan.sinks.push import push_to

ROWS = ("scans", "items", "findings", "violations", "errors")


def _local(tmp_path, cli, name="lab-01", db=None, *extra):
    tree = tmp_path / f"tree-{name}"
    tree.mkdir(exist_ok=True)
    (tree / "staff.csv").write_text("name,email,nhs number\nJohn Smith,john.smith@example.co.uk,943 476 5919\n"
                                    "Amy Jones,amy.jones@example.co.uk,401 023 2137\n")
    (tree / "note.txt").write_text("NI number AB123456C\n")
    db = db or tmp_path / f"{name}.db"
    r = cli("scan", tree, "--db", db, "--jobs", "1", "--no-progress", *extra)
    assert r.code == 1, r
    return db, r


def _counts(conn, endpoint) -> dict:
    return {t: conn.execute(f"SELECT count(*) FROM {t} WHERE endpoint = ?", (endpoint,)).fetchone()[0] for t in ROWS}


def _local_counts(path) -> dict:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ROWS}


def test_a_push_cut_half_way_keeps_nothing_and_the_retry_completes_it_once(fleet, tmp_path, cli, monkeypatch):
    url = fleet.add_endpoint("lab-01")
    fleet.as_endpoint("lab-01")
    local, _ = _local(tmp_path, cli)
    real_copy = push_module.Pusher.copy

    def cut(self, table, *args):
        if table == "findings":  # the items are in: the connection drops before the findings
            fleet.pg.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'lab-01'")
        return real_copy(self, table, *args)

    monkeypatch.setattr(push_module.Pusher, "copy", cut)
    with pytest.raises(PdscanError, match="1 complete scan.s. wait for the next push"):
        push_to(url, local)
    fleet.owner()
    owner = Connection(fleet.url)
    assert _counts(owner, "lab-01") == dict.fromkeys(ROWS, 0)
    with sqlite3.connect(local) as conn:
        assert conn.execute("SELECT pushed FROM scans").fetchall() == [(None,)]

    monkeypatch.setattr(push_module.Pusher, "copy", real_copy)
    fleet.as_endpoint("lab-01")
    assert (push_to(url, local).sent, push_to(url, local).sent) == (1, 0)
    assert _counts(owner, "lab-01") == _local_counts(local)
    # the acknowledgement lost: the server holds the scan, the local store does not know; no duplicate
    with sqlite3.connect(local) as conn:
        conn.execute("UPDATE scans SET pushed = NULL")
    again = push_to(url, local)
    assert (again.sent, again.present) == (0, 1)
    assert _counts(owner, "lab-01")["scans"] == 1
    owner.close()


def test_fifty_endpoints_push_at_once(fleet, tmp_path, cli):
    names = [f"pc-{n:02d}" for n in range(50)]
    template, _ = _local(tmp_path, cli)
    passwords = []
    for name in names:
        fleet.add_endpoint(name)
        passwords.append((tmp_path / f"{name}.pgpass").read_text())
    both = tmp_path / "all.pgpass"
    both.write_text("".join(passwords))
    both.chmod(0o600)
    fleet.mp.setenv("PGPASSFILE", str(both))
    stores = []
    for name in names:
        stores.append(tmp_path / f"{name}-local.db")
        shutil.copy(template, stores[-1])
    results, failures = {}, []
    start = threading.Barrier(len(names))

    def pusher(name, store):
        try:
            start.wait()
            results[name] = push_to(fleet.pg.url(name, fleet.db), store).sent
        except Exception as exc:  # reported below, with the endpoint's name
            failures.append((name, exc))

    threads = [threading.Thread(target=pusher, args=pair) for pair in zip(names, stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert results == dict.fromkeys(names, 1)
    fleet.owner()
    owner = Connection(fleet.url)
    expected = _local_counts(template)
    for name in names:
        assert _counts(owner, name) == expected, name
    owner.close()


def test_a_server_that_is_down_changes_nothing_for_the_scan_and_the_next_push_catches_up(fleet, tmp_path, cli):
    url = fleet.add_endpoint("lab-01")
    fleet.as_endpoint("lab-01")
    policy = tmp_path / "site.toml"
    policy.write_text('[store]\ncentral = "postgresql://lab-01@127.0.0.1:1/nowhere"\n')
    local = tmp_path / "local.db"
    log = tmp_path / "scan.log"
    _, r = _local(tmp_path, cli, "lab-01", local, "--unattended", "--policy", policy, "--log-file", log)
    assert r.code == 1  # violations found, as without a central store
    assert "push to the central store not done" in r.err and "cannot reach the central store" in r.err
    assert "push to the central store not done" in log.read_text()
    with sqlite3.connect(local) as conn:
        assert conn.execute("SELECT complete, pushed FROM scans").fetchall() == [(1, None)]

    policy.write_text(f'[store]\ncentral = "{url}"\n')
    pushed = cli("fleet", "push", "--policy", policy, "--store", local)
    assert pushed.code == 0 and "pushed 1 scan(s)" in pushed.out, pushed
    # the next unattended run pushes its own scan at its end
    _, r = _local(tmp_path, cli, "lab-01", local, "--unattended", "--policy", policy, "--log-file", log)
    assert r.code == 1 and "not done" not in r.err, r
    assert "pushed 1 scan(s) to the central store" in log.read_text()
    fleet.owner()
    owner = Connection(fleet.url)
    assert owner.execute("SELECT count(*), sum(complete) FROM scans").fetchone() == (2, 2)
    owner.close()


def test_an_unfinished_scan_is_not_pushed(fleet, tmp_path, cli):
    url = fleet.add_endpoint("lab-01")
    fleet.as_endpoint("lab-01")
    local, _ = _local(tmp_path, cli)
    with sqlite3.connect(local) as conn:
        conn.execute("UPDATE scans SET complete = 0")
    assert push_to(url, local).sent == 0

"""`pdscan locate` on the central store (issue 20 with issue 19): three endpoints scan into their own
local stores under the college-wide hash key, push to the central PostgreSQL store under their own
logins, and the DPO's reporting login finds one person's items there, as it does in a local store;
an endpoint scanned under another key makes the central store refuse to compare."""
from __future__ import annotations

import os
import socket

from tests.commands.test_locate import HOSTS, WHO, expected, located, people, request, write_endpoints
from tests.conftest import run_cli


def _scan_and_push(fleet, tmp_path, endpoints, host: str) -> None:
    fleet.add_endpoint(host)
    fleet.as_endpoint(host)
    local = tmp_path / "local" / f"{host}.db"
    local.parent.mkdir(exist_ok=True)
    r = run_cli("scan", endpoints / host, "--db", local, "--jobs", 1, "--no-progress", "--format", "jsonl")
    assert r.code in (0, 1), r
    r = run_cli("fleet", "push", "--db", fleet.pg.url(host, fleet.db), "--store", local)
    assert r.code == 0, r


def test_locate_on_the_central_store_finds_one_persons_items_from_every_endpoint(fleet, tmp_path, monkeypatch):
    monkeypatch.setenv("PDSCAN_DATA_DIR", str(tmp_path / "data"))
    college = tmp_path / "college.key"  # IT's college-wide key: hashes compare across endpoints
    college.write_bytes(os.urandom(32))
    college.chmod(0o600)
    monkeypatch.setenv("PDSCAN_HASH_KEY_FILE", str(college))
    everyone = people()
    endpoints = tmp_path / "endpoints"
    about = write_endpoints(endpoints, everyone)
    for host in HOSTS:
        _scan_and_push(fleet, tmp_path, endpoints, host)
    monkeypatch.setattr(socket, "gethostname", lambda: "dpo-laptop")
    url = fleet.reporting()
    p = everyone[WHO]
    d, m, y = p["dob"]
    letters, notes = {n for n in about if "/letter-" in n}, {n for n in about if "/note-" in n}
    classes, referrals = {n for n in about if "/class-" in n}, {n for n in about if "/referrals-" in n}

    by_nino = run_cli("locate", "--request", request(tmp_path, "nino", {"nino": p["nino"]}), "--db", url,
                      "--format", "jsonl")
    assert by_nino.code == 1, by_nino
    assert located(endpoints, by_nino.records()) == expected(about, (letters | referrals).__contains__)
    assert {r["host"] for r in by_nino.records() if r["type"] == "located"} == {HOSTS[0], HOSTS[2]}
    by_email = run_cli("locate", "--request", request(tmp_path, "email", {"email": p["email"]}), "--db", url,
                       "--format", "jsonl")
    assert located(endpoints, by_email.records()) == expected(about, (notes | classes).__contains__)
    by_name = run_cli("locate", "--request", request(tmp_path, "name", {"name": p["name"],
                                                                       "dob": f"{y}-{m:02d}-{d:02d}"}),
                      "--db", url, "--format", "jsonl")
    assert located(endpoints, by_name.records()) == expected(about, (letters | classes).__contains__)

    # A fourth endpoint scanned under its own install key: the central store holds hashes that do not
    # compare, and locate says so instead of answering short.
    monkeypatch.delenv("PDSCAN_HASH_KEY_FILE")
    monkeypatch.setenv("PDSCAN_DATA_DIR", str(tmp_path / "other-data"))
    (endpoints / "stray-pc").mkdir()
    (endpoints / "stray-pc" / "note.txt").write_text(f"Contact {p['email']} about the form.\n")
    _scan_and_push(fleet, tmp_path, endpoints, "stray-pc")
    monkeypatch.setenv("PDSCAN_HASH_KEY_FILE", str(college))
    fleet.reporting()
    refused = run_cli("locate", "--request", request(tmp_path, "email", {"email": p["email"]}), "--db", url)
    assert refused.code == 2 and "cannot compare" in refused.err, refused
    assert p["email"] not in refused.out + refused.err

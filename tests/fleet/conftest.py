"""A real PostgreSQL server for the fleet tests: one cluster for the session (tests/pgcluster.py), a new
database for each test, logins made the way IT makes them (`pdscan fleet add-endpoint`)."""
from __future__ import annotations

import socket
import uuid

import pytest

from tests.conftest import run_cli
from tests.pgcluster import Cluster, binaries


@pytest.fixture(scope="session")
def pg():
    bindir = binaries()
    if bindir is None:
        pytest.skip("the PostgreSQL server (initdb, pg_ctl) is not installed: apt-get install postgresql")
    cluster = Cluster(bindir).start()
    yield cluster
    cluster.stop()


class Fleet:
    """One test's central store: its owner URL, and helpers to act as an endpoint or as reporting."""

    def __init__(self, pg: Cluster, monkeypatch, tmp_path):
        self.pg, self.mp, self.tmp = pg, monkeypatch, tmp_path
        self.db = f"t_{uuid.uuid4().hex[:12]}"
        self.url = pg.create_database(self.db)
        self.owner()
        r = run_cli("fleet", "init", "--db", self.url)
        assert r.code == 0, r

    def owner(self) -> None:
        self.mp.setenv("PGPASSFILE", str(self.pg.pgpass))

    def add_endpoint(self, name: str) -> str:
        """`fleet add-endpoint NAME`; returns the endpoint's URL. Its password file is tmp/NAME.pgpass."""
        self.owner()
        r = run_cli("fleet", "add-endpoint", name, "--db", self.url, "--pgpass-out", self.tmp / f"{name}.pgpass")
        assert r.code == 0, r
        return self.pg.url(name, self.db)

    def as_endpoint(self, name: str) -> None:
        """The environment of endpoint NAME: its password file, its host name."""
        self.mp.setenv("PGPASSFILE", str(self.tmp / f"{name}.pgpass"))
        self.mp.setattr(socket, "gethostname", lambda: name)

    def reporting(self, name: str = "auditor") -> str:
        """A login in pdscan_reporting (IT makes these by hand); returns its URL and uses its password."""
        secret = uuid.uuid4().hex
        self.pg.admin(f"DROP ROLE IF EXISTS {name}")
        self.pg.admin(f"CREATE ROLE {name} LOGIN PASSWORD '{secret}' IN ROLE pdscan_reporting")
        path = self.tmp / f"{name}.pgpass"
        path.write_text(f"127.0.0.1:{self.pg.port}:{self.db}:{name}:{secret}\n")
        path.chmod(0o600)
        self.mp.setenv("PGPASSFILE", str(path))
        return self.pg.url(name, self.db)


@pytest.fixture
def fleet(pg, monkeypatch, tmp_path):
    return Fleet(pg, monkeypatch, tmp_path)

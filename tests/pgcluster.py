"""A throwaway PostgreSQL cluster for the fleet tests and bench/fleet.py.

`initdb` in a temporary folder, listening on loopback only on a free port, its unix socket in the
folder, password (SCRAM) logins over TCP as the endpoints use. initdb refuses to run as root, so as
root (CI) the server runs as `nobody`, which owns the folder.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

NOBODY = 65534
OWNER = "college_it"  # the database owner: runs `pdscan fleet init` and `add-endpoint`
OWNER_PASSWORD = "owner-secret-for-tests"


def binaries() -> Optional[Path]:
    """The folder holding initdb and pg_ctl: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    return next((Path(f) for f in folders if (Path(f) / "initdb").exists()), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, bindir: Path, max_connections: int = 80, durable: bool = False):
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="pdscan-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.max_connections = max_connections
        self.durable = durable  # fsync and synchronous commit, as a real server (the bench); off for tests
        self.root = os.geteuid() == 0
        if self.root:
            os.chown(self.dir, NOBODY, NOBODY)
        self.pgpass = self.dir / "owner.pgpass"

    def _run(self, *args) -> None:
        prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if self.root else []
        subprocess.run([*prefix, *map(str, args)], check=True, capture_output=True, cwd=self.dir,
                       env={**os.environ, "LC_ALL": "C.UTF-8"}, timeout=120)

    def start(self) -> "Cluster":
        self._run(self.bindir / "initdb", "-D", self.data, "-U", "postgres", "--auth-local=trust",
                  "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "-N")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.dir}'\n"
                       f"max_connections = {self.max_connections}\nshared_buffers = 256MB\n")
            if not self.durable:
                conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-l", self.dir / "server.log", "-w", "-t", "60", "start")
        self.admin(f"CREATE ROLE {OWNER} LOGIN CREATEROLE PASSWORD '{OWNER_PASSWORD}'")
        self.pgpass.write_text(f"127.0.0.1:{self.port}:*:{OWNER}:{OWNER_PASSWORD}\n", encoding="utf-8")
        os.chmod(self.pgpass, 0o600)
        return self

    def admin(self, sql: str, dbname: str = "postgres") -> list:
        """Run `sql` as the cluster's superuser over the unix socket; the rows it returns."""
        import psycopg
        with psycopg.connect(host=str(self.dir), port=self.port, user="postgres", dbname=dbname,
                             autocommit=True) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

    def create_database(self, name: str) -> str:
        """A new database owned by the owner role; its URL (no password: that is in `pgpass`)."""
        self.admin(f"CREATE DATABASE {name} OWNER {OWNER}")
        return self.url(OWNER, name)

    def url(self, user: str, dbname: str) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def stop(self) -> None:
        try:
            self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

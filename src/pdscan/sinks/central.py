"""The central store's connection: a PostgreSQL URL checked, then a connection that runs the store's SQL.

Credentials never travel on the command line: a URL carrying a password is refused, and libpq takes
them from a service file, PGPASSFILE or the PG* environment. A host that is not this machine gets
TLS with `sslmode=verify-full` unless the URL, its service or PGSSLMODE says otherwise. The
connection speaks the SQLite store's SQL (`?` parameters, `IS ?`, BEGIN/COMMIT, `lastrowid`), so the
writer and the readers hold one copy of each query; what differs by dialect is in migrations.py
and queries.py.
"""
from __future__ import annotations

import configparser
import ipaddress
import os
import re
from pathlib import Path
from typing import Optional

from ..display import shown
from ..errors import ConfigError, PdscanError

SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT = "10"  # seconds: a laptop off the network gives up quickly, and the next push catches up
_NO_ID = {"schema_migrations"}  # tables without an `id` column: an INSERT into them returns nothing


class CentralStoreError(PdscanError):
    """The central store went away or refused a statement; the message names no credential."""


def is_url(target) -> bool:
    return isinstance(target, str) and target.lower().startswith(SCHEMES)


def _service(name: Optional[str]) -> dict:
    """The keywords of a libpq service (PGSERVICEFILE or ~/.pg_service.conf, then PGSYSCONFDIR's), or {}."""
    if not name:
        return {}
    files = [os.environ.get("PGSERVICEFILE") or Path.home() / ".pg_service.conf"]
    if os.environ.get("PGSYSCONFDIR"):
        files.append(Path(os.environ["PGSYSCONFDIR"]) / "pg_service.conf")
    for path in files:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (OSError, configparser.Error):
            continue
        if parser.has_section(name):
            return dict(parser.items(name))
    return {}


def loopback(host: Optional[str]) -> bool:
    """True for a unix socket (no host, or a folder) and for this machine's own addresses."""
    if not host or host.startswith(("/", "@")) or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def conninfo(url: str) -> str:
    """The libpq connection string for `url`: refused with a password in it; verify-full TLS by
    default for a host that is not this machine; a short connect timeout."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        params = conninfo_to_dict(url)
    except Exception:  # psycopg's message may quote the URL, password and all
        raise ConfigError("the --db URL is not a PostgreSQL connection URL "
                          "(postgresql://[USER@]HOST[:PORT]/DATABASE[?service=NAME])") from None
    if "password" in params:
        raise ConfigError("a password in the --db URL is refused (it would show in the process list and in "
                          "logs): put it in a libpq service file or the PGPASSFILE, or use the PG* environment")
    service = _service(params.get("service") or os.environ.get("PGSERVICE"))
    hosts = str(params.get("host") or service.get("host") or os.environ.get("PGHOST") or "").split(",")
    said = params.get("sslmode") or service.get("sslmode") or os.environ.get("PGSSLMODE")
    if not said and not all(loopback(h.strip()) for h in hosts):
        params["sslmode"] = "verify-full"
    if not (params.get("connect_timeout") or service.get("connect_timeout") or os.environ.get("PGCONNECT_TIMEOUT")):
        params["connect_timeout"] = CONNECT_TIMEOUT
    params.setdefault("application_name", "pdscan")
    return make_conninfo(**params)


def _reason(exc: Exception) -> str:
    """A server's complaint as one line (libpq's own messages never hold the password)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return shown(" ".join(lines)[:400]) if lines else type(exc).__name__


def _sql(sql: str) -> str:
    """SQLite's parameter style as psycopg's: `?` → `%s`, `IS ?` → `IS NOT DISTINCT FROM %s`."""
    sql = sql.replace("%", "%%")
    sql = re.sub(r"\bIS \?", "IS NOT DISTINCT FROM ?", sql)
    return sql.replace("?", "%s")


def _value(value):
    """A parameter as the PostgreSQL schema holds it: flags as integers (like SQLite), names that are
    not UTF-8 (the writer's BLOB) and NUL characters as U+FFFD, since a TEXT column takes neither."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str) and "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    return value


class Cursor:
    def __init__(self, raw, returning: bool):
        self.raw = raw
        row = raw.fetchone() if returning else None
        self.lastrowid = row[0] if row else None

    @property
    def rowcount(self) -> int:
        return self.raw.rowcount

    def fetchone(self):
        return self.raw.fetchone() if self.raw.description else None

    def fetchall(self) -> list:
        return self.raw.fetchall() if self.raw.description else []

    def __iter__(self):
        return iter(self.fetchall())


class Connection:
    """One connection to the central store, in autocommit mode: transactions are explicit, as on SQLite."""

    dialect = "postgresql"

    def __init__(self, url: str):
        import psycopg

        self.url = url
        self.errors = psycopg.Error
        try:
            self.raw = psycopg.connect(conninfo(url), autocommit=True)
            # Compiling a query to machine code costs ~0.15 s, paid on every per-scan read of a report
            # when the planner overestimates (a store not yet analysed): never repaid by queries this small.
            self.raw.execute("SET jit = off")
        except psycopg.Error as exc:
            raise ConfigError(f"{shown(url)}: cannot reach the central store: {_reason(exc)}") from None
        self.login = self.raw.info.user

    @property
    def target(self) -> str:
        """Which central store this is, as a scan's `pushed` mark names it: host, port, database."""
        info = self.raw.info
        return f"{info.host}:{info.port}/{info.dbname}"

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, args=()) -> Cursor:
        insert = re.match(r"\s*INSERT INTO (\w+)", sql)
        returning = bool(insert) and insert.group(1) not in _NO_ID and "RETURNING" not in sql
        try:
            sql += " RETURNING id" if returning else ""
            cur = self.raw.execute(_sql(sql), [_value(a) for a in args]) if args else self.raw.execute(sql)
            return Cursor(cur, returning)
        except self.errors as exc:
            raise CentralStoreError(f"the central store {shown(self.url)}: {_reason(exc)}") from None

    def executemany(self, sql: str, rows) -> None:
        try:
            with self.raw.cursor() as cur:
                cur.executemany(_sql(sql), [[_value(a) for a in row] for row in rows])
        except self.errors as exc:
            raise CentralStoreError(f"the central store {shown(self.url)}: {_reason(exc)}") from None

    def close(self) -> None:
        self.raw.close()

"""Keeping the store small and sound: prune old scans (then VACUUM), and say what it holds.

The scanner's own records are personal data too (paths, masked samples,
keyed hashes): they are kept for the period the policy's `[store] keep`
sets, and no longer.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Optional

from ..migrations import dialect_of
from . import SIDECARS, Store

CENTRAL_INTEGRITY = "not checked here: the server's own (pg_amcheck)"


@dataclass(frozen=True)
class StoreInfo:
    path: str
    size: int             # bytes, the store and its WAL
    scans: int
    complete: int
    oldest: Optional[str]  # started, ISO 8601 UTC
    newest: Optional[str]
    integrity: str         # "ok", or SQLite's first complaint


def _size(store: Store) -> int:
    if dialect_of(store.conn) == "postgresql":
        return store.conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    path = store.path
    return sum(os.path.getsize(f"{path}{s}") for s in ("", *SIDECARS) if os.path.isfile(f"{path}{s}"))


def prune(store: Store, keep_days: int, now: Optional[dt.datetime] = None) -> tuple:
    """Delete the scans started more than `keep_days` ago (their items, findings, verdicts go with
    them), then VACUUM so the file shrinks (on the central store: its space is reused, and only the
    database owner may delete). Returns (scans deleted, bytes before, bytes after)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    cutoff = (now - dt.timedelta(days=keep_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    before = _size(store)
    conn = store.conn
    sqlite = dialect_of(conn) == "sqlite"
    conn.execute("BEGIN IMMEDIATE" if sqlite else "BEGIN")
    try:
        deleted = conn.execute("DELETE FROM scans WHERE started < ?", (cutoff,)).rowcount
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("VACUUM")
    if sqlite:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return deleted, before, _size(store)


def info(store: Store) -> StoreInfo:
    conn = store.conn
    scans, complete, oldest, newest = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(complete), 0), MIN(started), MAX(started) FROM scans").fetchone()
    if dialect_of(conn) == "postgresql":
        return StoreInfo(str(store.path), _size(store), scans, complete, oldest, newest, CENTRAL_INTEGRITY)
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    return StoreInfo(str(store.path), _size(store), scans, complete, oldest, newest,
                     "ok" if problems == ["ok"] else problems[0])

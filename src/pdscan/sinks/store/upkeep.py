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

from . import SIDECARS, Store


@dataclass(frozen=True)
class StoreInfo:
    path: str
    size: int             # bytes, the store and its WAL
    scans: int
    complete: int
    oldest: Optional[str]  # started, ISO 8601 UTC
    newest: Optional[str]
    integrity: str         # "ok", or SQLite's first complaint


def _size(path) -> int:
    return sum(os.path.getsize(f"{path}{s}") for s in ("", *SIDECARS) if os.path.isfile(f"{path}{s}"))


def prune(store: Store, keep_days: int, now: Optional[dt.datetime] = None) -> tuple:
    """Delete the scans started more than `keep_days` ago (their items, findings, verdicts go with
    them), then VACUUM so the file shrinks. Returns (scans deleted, bytes before, bytes after)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    cutoff = (now - dt.timedelta(days=keep_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    before = _size(store.path)
    conn = store.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        deleted = conn.execute("DELETE FROM scans WHERE started < ?", (cutoff,)).rowcount
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return deleted, before, _size(store.path)


def info(store: Store) -> StoreInfo:
    conn = store.conn
    scans, complete, oldest, newest = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(complete), 0), MIN(started), MAX(started) FROM scans").fetchone()
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    return StoreInfo(str(store.path), _size(store.path), scans, complete, oldest, newest,
                     "ok" if problems == ["ok"] else problems[0])

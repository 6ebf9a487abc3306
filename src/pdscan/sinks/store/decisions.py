"""Triage decisions in the store: made by `pdscan accept`, lapsed by scans (store.note_lapse).

A decision is never deleted: a revoke or a lapse changes its state and adds an event, so the
history (who accepted, who revoked, what lapsed and why) is the audit trail the DPO shows.
"""
from __future__ import annotations

import json
import os
import socket
from typing import Optional

from ...errors import ConfigError
from . import Reuse, Store, _candidate_scans, _now, _str, _text, _user, note_event


def latest_results(store: Store, root: str) -> dict:
    """path → Prior: this host's latest stored result of each file at or under `root`, from
    any check that reads files as files, whatever detectors and policy made it."""
    scans = store.conn.execute(
        "SELECT id, complete, roots FROM scans WHERE host IS ? AND (kind IS NULL OR kind IN ('files', 'retention',"
        " 'watch')) ORDER BY id", (socket.gethostname(),)).fetchall()
    ids = _candidate_scans(scans, root)
    if not ids:
        return {}
    where, args = _under(root, ids)
    paths = sorted({_str(p) for (p,) in store.conn.execute(f"SELECT DISTINCT path FROM items WHERE {where}", args)})
    return Reuse(store.conn, [(root, ids)]).lookup(paths)


def _under(root: str, scan_ids: list) -> tuple:
    """SQL for rows of these scans at `root` or below it (a range the path index can use)."""
    prefix = root.rstrip(os.sep) + os.sep
    marks = ",".join("?" * len(scan_ids))
    where = f"scan_id IN ({marks}) AND (path = ? OR (path >= ? AND path < ?))"
    # A root that is not UTF-8 is a BLOB, as are the paths under it (_text).
    return where, [*scan_ids, *map(_text, (root, prefix, prefix[:-1] + chr(ord(os.sep) + 1)))]


def decide(store: Store, path: str, member: Optional[str], digest: str, status: str, rule: Optional[str],
           detectors, reason: str, until: Optional[str]) -> tuple:
    """Record a decision for an item as it is now; one in force for the same item is replaced.
    Returns (new id, the id replaced or None)."""
    host, by, now = socket.gethostname(), _user(), _now()
    conn = store.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        old = conn.execute("SELECT id FROM decisions WHERE host = ? AND path = ? AND member IS ? AND state = 'active'",
                           (host, _text(path), _text(member))).fetchone()
        cur = conn.execute(
            "INSERT INTO decisions (host, path, member, content_hash, status, rule, detectors, reason, decided_by,"
            " decided_at, until, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active')",
            (host, _text(path), _text(member), digest, status, rule, json.dumps(sorted(detectors)), reason, by, now,
             until))
        new = cur.lastrowid
        detail = reason + (f" (until {until})" if until else "") + (f" [rule {rule}]" if rule else "")
        note_event(conn, new, status, by, detail)
        if old:
            conn.execute("UPDATE decisions SET state = 'revoked' WHERE id = ?", (old[0],))
            note_event(conn, old[0], "revoked", by, f"replaced by decision {new}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return new, old[0] if old else None


def revoke(store: Store, ident: int, why: Optional[str]) -> None:
    conn = store.conn
    row = conn.execute("SELECT state FROM decisions WHERE id = ?", (ident,)).fetchone()
    if row is None:
        raise ConfigError(f"no decision {ident} in {store.path} (pdscan accept --list shows them)")
    if row[0] != "active":
        raise ConfigError(f"decision {ident} is already {row[0]}")
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("UPDATE decisions SET state = 'revoked' WHERE id = ?", (ident,))
        note_event(conn, ident, "revoked", _user(), why)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def existing(path) -> Store:
    """A store that is there already: opening one that is not would create an empty store (no
    surprise file), and opening another kind of file would set its mode."""
    if not os.path.isfile(path):
        raise ConfigError(f"{path}: no such store")
    with open(path, "rb") as head:
        if head.read(16) != b"SQLite format 3\x00":
            raise ConfigError(f"{path}: not a pdscan store")
    return Store(path)

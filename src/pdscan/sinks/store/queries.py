"""The store read-only, for reports and `pdscan locate`: its scans (runs), each scan's records streamed
back as typed results, and the items holding a person's keyed hashes.

Opened read-only (no write, no lock taken on a store a scan is writing);
every query is here, next to the schema it reads (sinks/migrations.py). The
results are the typed records of model.py, so a report never learns a
column's position, and counts a stored scan exactly as it counts JSONL. Nothing raw is stored, so nothing
raw is read: masked samples only; a sender is never read at all.
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import quote

from ...errors import ConfigError
from ...model import Decision, ErrorRecord, Finding, ItemResult, MessageResult, VolumeResult
from ...records import acceptance_from, finding_from, violation_from
from ...safefile import refuse_symlink
from . import _bool, _str, _text, default_path  # names as the writer stores them (a BLOB when not UTF-8)


@dataclass(frozen=True)
class ScanRow:
    id: int
    host: Optional[str]
    user: Optional[str]
    kind: Optional[str]   # model.KINDS_OF_CHECK; None in a store from before kinds were kept (a files scan)
    roots: tuple          # what it covered: absolute folders, files, mailboxes; imap:// URLs as given
    started: Optional[str]
    complete: bool
    skipped: dict  # reason → items not read, from the scan's summary counts
    ended: Optional[str] = None
    hashing: tuple = (None, None)   # (key id, hash form) of its keyed hashes; (None, None) before they were kept

    @property
    def seen(self) -> Optional[str]:
        """When it ended, or started if it never ended."""
        return self.ended or self.started


@dataclass(frozen=True)
class HeldItem:
    """A stored item whose findings hold some of the sought keyed hashes."""
    scan_id: int
    path: str
    member: Optional[str]
    size: Optional[int]
    mtime_ns: Optional[int]
    inode: Optional[int]
    device: Optional[int]
    encrypted: Optional[bool]
    encryption: Optional[str]
    keys: frozenset        # the sought hashes found in it


@dataclass(frozen=True)
class Holdings:
    scans: dict            # scan id -> ScanRow
    items: list            # HeldItem, in stored order
    recorded: dict         # scan id -> {(path, member)} it stored an item for, among the held items' paths
    errored: dict          # scan id -> {path} it could not read, among the held items' paths


# One row per item of a scan, with its findings (masked samples), violations and retention verdict.
_ITEMS = (
    "SELECT i.path, i.member, i.size, i.mtime, i.encrypted, i.encryption, i.personal,"
    " (SELECT json_group_array(json_object('detector', f.detector, 'count', f.count,"
    " 'samples', json(f.samples))) FROM findings f WHERE f.item_id = i.id),"
    " (SELECT json_group_array(json_object('rule', v.rule, 'severity', v.severity, 'detail', v.detail))"
    " FROM violations v WHERE v.item_id = i.id), {retention}, {accepted}"
    " FROM items i WHERE i.scan_id = ? ORDER BY i.id")
_RETENTION = ("(SELECT json_object('category', r.category, 'expired', r.expired, 'severity', r.severity,"
              " 'age_days', r.age_days, 'action', r.action) FROM retention r WHERE r.item_id = i.id)")

# `pdscan locate`: the items whose findings hold any of the sought keyed hashes, one row per hash.
_HOLDING = (
    "SELECT i.id, i.scan_id, i.path, i.member, i.size, i.mtime_ns, i.inode, i.device, i.encrypted, i.encryption,"
    " k.value FROM findings f JOIN items i ON i.id = f.item_id, json_each(f.keys) k WHERE k.value IN ({marks})"
    " ORDER BY i.id")


DECISION_COLUMNS = ("id", "host", "path", "member", "content_hash", "status", "rule", "detectors", "reason",
                    "decided_by", "decided_at", "until", "state")


def decision_of(row) -> Decision:
    """A decisions row (DECISION_COLUMNS order) as the typed Decision."""
    ident, host, path, member, digest, status, rule, detectors, *rest = row
    return Decision(ident, host, _str(path), _str(member), digest, status, rule, tuple(json.loads(detectors)), *rest)


def decisions_in_force(db: Optional[str] = None) -> tuple:
    """This host's decisions in force in the store a command writes (--db, else the per-user one);
    none when there is no store yet, or it cannot be read (the command then says why, opening it)."""
    try:
        path = str(db or default_path())
        if not os.path.isfile(path):
            return ()
        with StoreReader(path) as store:
            return tuple(store.decisions(socket.gethostname(), "active"))
    except ConfigError:
        return ()


def text(value):
    """A stored name as text: undecodable bytes (a BLOB) shown with U+FFFD."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


class StoreReader:
    """One store opened read-only; use as a context manager."""

    def __init__(self, path: str):
        if not os.path.isfile(path):
            raise ConfigError(f"{path}: no such store")
        self.path = path
        resolved = str(Path(path).resolve())
        for suffix in ("-wal", "-shm", "-journal"):
            refuse_symlink(resolved + suffix)  # even read-only, SQLite may create these by name
        try:
            self.conn = sqlite3.connect(f"file:{quote(resolved)}?mode=ro", uri=True)
            self.conn.execute("SELECT id, host, started, complete, counts FROM scans LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            raise ConfigError(f"{path}: not a pdscan store: {exc}") from None

    def __enter__(self) -> "StoreReader":
        return self

    def __exit__(self, *exc) -> None:
        self.conn.close()

    def _all(self, sql: str, args=(), what: str = "the store") -> list:
        try:
            return self.conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise ConfigError(f"{self.path}: cannot read {what}: {exc}") from None

    def has_scans(self) -> bool:
        return bool(self._all("SELECT 1 FROM scans LIMIT 1"))

    def _has(self, table: str, column: Optional[str] = None) -> bool:
        if column is None:
            return bool(self._all("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))
        return any(row[1] == column for row in self._all(f"PRAGMA table_info({table})"))

    def scans(self) -> list:
        # Opened read-only, a store is never migrated: columns added since may be missing.
        columns = {row[1] for row in self._all("PRAGMA table_info(scans)")}
        kind = "kind" if "kind" in columns else "NULL"
        roots = "roots" if "roots" in columns else "NULL"
        hashed = "key_id, hash_form" if "key_id" in columns else "NULL, NULL"
        return [ScanRow(sid, host, user, kind_, tuple(json.loads(roots_ or "[]")), started, bool(complete),
                        json.loads(counts or "{}").get("skipped") or {}, ended, (key_id, form))
                for sid, host, user, kind_, roots_, started, complete, counts, ended, key_id, form
                in self._all(f"SELECT id, host, user, {kind}, {roots}, started, complete, counts, ended, {hashed}"
                             " FROM scans"
                             " ORDER BY id")]

    def paths(self, scan_id: int) -> set:
        """The distinct paths a scan recorded (what a watch, which has no roots, covers)."""
        return {text(p) for (p,) in self._all("SELECT DISTINCT path FROM items WHERE scan_id = ?", (scan_id,))}

    def records(self, scan_id: int) -> Iterator:
        """The scan's records as typed results, streamed: items (findings with masked samples only,
        `personal`, a `retention` verdict where one was stored), messages, volumes, errors."""
        personal = "i.personal" if self._has("items", "personal") else "EXISTS (SELECT 1 FROM findings f" \
                                                                         " WHERE f.item_id = i.id)"
        sql = _ITEMS.replace("i.personal,", f"{personal},").format(
            retention=_RETENTION if self._has("retention") else "NULL",
            accepted="i.accepted" if self._has("items", "accepted") else "NULL")
        try:
            for path, member, size, mtime, encrypted, encryption, personal_, findings, violations, verdict, accepted \
                    in self.conn.execute(sql, (scan_id,)):
                verdict = json.loads(verdict) if verdict else None
                yield ItemResult(text(path), text(member), None, size, mtime,
                                 None if encrypted is None else bool(encrypted), encryption,
                                 findings=[Finding(f.get("detector"), f.get("count"), None, f.get("samples") or [])
                                           for f in json.loads(findings or "[]")],
                                 violations=[violation_from(v) for v in json.loads(violations or "[]")],
                                 retention=verdict, personal=bool(personal_),
                                 accepted=acceptance_from(json.loads(accepted)) if accepted else None)
            if self._has("messages"):
                for path, member, folder, classification, findings, violations in self.conn.execute(
                        "SELECT path, NULL, folder, classification, findings, violations FROM messages"
                        " WHERE scan_id = ? ORDER BY id", (scan_id,)):
                    yield MessageResult(text(path), member, folder, None, None, None, classification, None,
                                        findings=[finding_from(f) for f in json.loads(findings or "[]")],
                                        violations=[violation_from(v) for v in json.loads(violations or "[]")])
            for _sid, volume in self.volumes(scan_id):
                yield volume
            for path, member, error in self.conn.execute(
                    "SELECT path, member, error FROM errors WHERE scan_id = ? ORDER BY id", (scan_id,)):
                yield ErrorRecord(text(path), text(member), error)
        except sqlite3.Error as exc:
            raise ConfigError(f"{self.path}: cannot read scan {scan_id}: {exc}") from None

    def volumes(self, scan_id: int) -> list:
        """(scan, VolumeResult) in stored order; flags as SQLite holds them (1, 0, None)."""
        rows = self._all("SELECT scan_id, device, mountpoint, fstype, removable, encrypted, encryption, verdict,"
                         " violations FROM volumes WHERE scan_id = ? ORDER BY id", (scan_id,))
        return [(sid, VolumeResult(text(device), text(mountpoint), fstype, removable, encrypted, encryption,
                                   verdict, [violation_from(v) for v in json.loads(violations or "[]")]))
                for sid, device, mountpoint, fstype, removable, encrypted, encryption, verdict, violations in rows]

    def decisions(self, host: Optional[str] = None, state: Optional[str] = None) -> list:
        """Triage decisions (`pdscan accept`), oldest first: of one host, in one state, or all.
        A store from before decisions were kept has none."""
        if not self._has("decisions"):
            return []
        rows = self._all(f"SELECT {', '.join(DECISION_COLUMNS)} FROM decisions"
                         " WHERE (? IS NULL OR host = ?) AND (? IS NULL OR state = ?) ORDER BY id",
                         (host, host, state, state), "the decisions")
        return [decision_of(row) for row in rows]

    def events(self) -> list:
        """Every decision's history, in order: (decision id, event, by, at, detail)."""
        if not self._has("decision_events"):
            return []
        return self._all("SELECT decision_id, event, event_by, event_at, detail FROM decision_events ORDER BY id",
                         (), "the decisions' history")

    def holdings(self, sought) -> Holdings:
        """Every stored item holding any of the `sought` keyed hashes, and what is needed to tell
        whether it still does: the scans, and what the scans since recorded at those paths.
        The hashes are query parameters only."""
        sought = sorted(set(sought))
        found: dict = {}
        if sought:
            for row in self._all(_HOLDING.format(marks=",".join("?" * len(sought))), sought):
                found.setdefault(row[:10], set()).add(row[10])
        items = [HeldItem(row[1], _str(row[2]), _str(row[3]), *row[4:8], _bool(row[8]), row[9], frozenset(keys))
                 for row, keys in found.items()]
        return Holdings({scan.id: scan for scan in self.scans()}, items, *self._since(items))

    def _since(self, items: list) -> tuple:
        """What every scan from the earliest held item on stored at the held items' paths: the
        items ({scan id: {(path, member)}}) and the errors ({scan id: {path}})."""
        recorded: dict = {}
        errored: dict = {}
        if not items:
            return recorded, errored
        paths = sorted({_text(i.path) for i in items}, key=str)
        first = min(i.scan_id for i in items)
        for start in range(0, len(paths), 500):  # SQLite's limit on parameters
            chunk = paths[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for scan_id, path, member in self._all(
                    f"SELECT scan_id, path, member FROM items WHERE path IN ({marks}) AND scan_id >= ?",
                    (*chunk, first)):
                recorded.setdefault(scan_id, set()).add((_str(path), _str(member)))
            for scan_id, path in self._all(
                    f"SELECT scan_id, path FROM errors WHERE path IN ({marks}) AND scan_id >= ?", (*chunk, first)):
                errored.setdefault(scan_id, set()).add(_str(path))
        return recorded, errored

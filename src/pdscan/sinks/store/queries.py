"""The store read-only, for reports and `pdscan locate`: its scans (runs), each scan's records streamed
back as typed results, and the items holding a person's keyed hashes.

Opened read-only (no write, no lock taken on a store a scan is writing);
every query is here, next to the schema it reads (sinks/migrations.py). The
results are the typed records of model.py, so a report never learns a
column's position, and counts a stored scan exactly as it counts JSONL. Nothing raw is stored, so nothing
raw is read: masked samples only; a sender is never read at all.
"""
from __future__ import annotations

import collections
import json
import os
import queue
import socket
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import quote

from ...errors import ConfigError, PdscanError
from ...model import Decision, ErrorRecord, Finding, ItemResult, MessageResult, VolumeResult
from ...records import acceptance_from, finding_from, violation_from
from ...safefile import refuse_symlink
from ..central import CentralStoreError, Connection, is_url
from . import _bool, _str, _text, current, default_path  # names as the writer stores them (a BLOB when not UTF-8)


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

    HOST = "host"  # who made a scan, as the report names endpoints
    ITEMS, RETENTION, HOLDING = _ITEMS, _RETENTION, _HOLDING
    ERRORS = sqlite3.Error

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
        self.close()

    def close(self) -> None:
        self.conn.close()

    def _all(self, sql: str, args=(), what: str = "the store") -> list:
        try:
            return self.conn.execute(sql, args).fetchall()
        except self.ERRORS as exc:
            raise ConfigError(f"{self.path}: cannot read {what}: {exc}") from None

    def has_scans(self) -> bool:
        return bool(self._all("SELECT 1 FROM scans LIMIT 1"))

    def _has(self, table: str, column: Optional[str] = None) -> bool:
        if column is None:
            return bool(self._all("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))
        return column in self._columns(table)

    def _columns(self, table: str) -> set:
        return {row[1] for row in self._all(f"PRAGMA table_info({table})")}

    def scans(self) -> list:
        # Opened read-only, a store is never migrated: columns added since may be missing.
        columns = self._columns("scans")
        kind = "kind" if "kind" in columns else "NULL"
        roots = "roots" if "roots" in columns else "NULL"
        hashed = "key_id, hash_form" if "key_id" in columns else "NULL, NULL"
        return [ScanRow(sid, host, user, kind_, tuple(json.loads(roots_ or "[]")), started, bool(complete),
                        json.loads(counts or "{}").get("skipped") or {}, ended, (key_id, form))
                for sid, host, user, kind_, roots_, started, complete, counts, ended, key_id, form
                in self._all(f'SELECT id, {self.HOST}, "user", {kind}, {roots}, started, complete, counts, ended,'
                             f" {hashed} FROM scans ORDER BY id")]

    def paths(self, scan_id: int) -> set:
        """The distinct paths a scan recorded (what a watch, which has no roots, covers)."""
        return {text(p) for (p,) in self._all("SELECT DISTINCT path FROM items WHERE scan_id = ?", (scan_id,))}

    def records(self, scan_id: int) -> Iterator:
        """The scan's records as typed results, streamed: items (findings with masked samples only,
        `personal`, a `retention` verdict where one was stored), messages, volumes, errors."""
        try:
            for path, member, size, mtime, encrypted, encryption, personal_, findings, violations, verdict, accepted \
                    in self._item_rows(scan_id):
                verdict = json.loads(verdict) if verdict else None
                yield ItemResult(text(path), text(member), None, size, mtime,
                                 None if encrypted is None else bool(encrypted), encryption,
                                 findings=[Finding(f.get("detector"), f.get("count"), None, f.get("samples") or [])
                                           for f in json.loads(findings or "[]")],
                                 violations=[violation_from(v) for v in json.loads(violations or "[]")],
                                 retention=verdict, personal=bool(personal_),
                                 accepted=acceptance_from(json.loads(accepted)) if accepted else None)
            if self._has("messages"):
                sent = "sent_outside" if self._has("messages", "sent_outside") else "NULL"
                for path, member, folder, classification, findings, violations, sent_outside in self.conn.execute(
                        f"SELECT path, NULL, folder, classification, findings, violations, {sent} FROM messages"
                        " WHERE scan_id = ? ORDER BY id", (scan_id,)):
                    yield MessageResult(text(path), member, folder, None, None, None, classification, None,
                                        findings=[finding_from(f) for f in json.loads(findings or "[]")],
                                        violations=[violation_from(v) for v in json.loads(violations or "[]")],
                                        sent_outside=json.loads(sent_outside) if sent_outside else None)
            for _sid, volume in self.volumes(scan_id):
                yield volume
            for path, member, error in self.conn.execute(
                    "SELECT path, member, error FROM errors WHERE scan_id = ? ORDER BY id", (scan_id,)):
                yield ErrorRecord(text(path), text(member), error)
        except self.ERRORS as exc:
            raise ConfigError(f"{self.path}: cannot read scan {scan_id}: {exc}") from None

    def _items_sql(self) -> str:
        personal = "i.personal" if self._has("items", "personal") else "EXISTS (SELECT 1 FROM findings f" \
                                                                         " WHERE f.item_id = i.id)"
        return self.ITEMS.replace("i.personal,", f"{personal},").format(
            retention=self.RETENTION if self._has("retention") else "NULL",
            accepted="i.accepted" if self._has("items", "accepted") else "NULL")

    def _item_rows(self, scan_id: int):
        return self.conn.execute(self._items_sql(), (scan_id,))

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
            for row in self._all(self.HOLDING.format(marks=",".join("?" * len(sought))), sought):
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


class CentralReader(StoreReader):
    """The central store read as a reporting login reads it: every endpoint's scans under row-level
    security (an endpoint login reads its own). An endpoint is named by the login that wrote its
    rows, which the server vouches for, not by the host name its records claim."""

    HOST = "endpoint"
    ITEMS = (
        "SELECT i.path, i.member, i.size, i.mtime, i.encrypted, i.encryption, i.personal,"
        " (SELECT json_agg(json_build_object('detector', f.detector, 'count', f.count,"
        " 'samples', f.samples::json) ORDER BY f.id)::text FROM findings f WHERE f.item_id = i.id),"
        " (SELECT json_agg(json_build_object('rule', v.rule, 'severity', v.severity, 'detail', v.detail)"
        " ORDER BY v.id)::text FROM violations v WHERE v.item_id = i.id), {retention}, {accepted}"
        " FROM items i WHERE i.scan_id = ? ORDER BY i.id")
    RETENTION = ("(SELECT json_build_object('category', r.category, 'expired', r.expired, 'severity', r.severity,"
                 " 'age_days', r.age_days, 'action', r.action)::text FROM retention r WHERE r.item_id = i.id"
                 " ORDER BY r.id LIMIT 1)")
    HOLDING = (
        "SELECT i.id, i.scan_id, i.path, i.member, i.size, i.mtime_ns, i.inode, i.device, i.encrypted,"
        " i.encryption, k.value FROM findings f JOIN items i ON i.id = f.item_id,"
        " json_array_elements_text(f.keys::json) AS k(value) WHERE k.value IN ({marks}) ORDER BY i.id")
    ERRORS = CentralStoreError

    def __init__(self, url: str):
        self.path = url
        self.conn = Connection(url)
        self._order: collections.deque = collections.deque()
        self._reader: Optional[threading.Thread] = None
        try:
            current(self.conn, may_migrate=False)
        except BaseException:
            self.conn.close()
            raise

    def prefetch(self, scan_ids: list, ahead: int = 2) -> None:
        """Read the item rows of `scan_ids`, in that order, on a second connection, up to `ahead` scans
        in front of `records`: the server builds the next scan's rows while this one is counted."""
        self._order = collections.deque(scan_ids)
        self._ready: queue.Queue = queue.Queue(maxsize=ahead)
        self._stopping = threading.Event()
        sql = self._items_sql()

        def read():
            conn = None
            try:
                conn = Connection(self.path)
                for scan_id in scan_ids:
                    if self._stopping.is_set():
                        return
                    self._ready.put((scan_id, conn.execute(sql, (scan_id,)).fetchall()))
            except PdscanError as exc:  # handed to the reader in place of the rows it waits for
                self._ready.put((None, exc))
            finally:
                if conn is not None:
                    conn.close()

        self._reader = threading.Thread(target=read, name="pdscan-prefetch", daemon=True)
        self._reader.start()

    def _item_rows(self, scan_id: int):
        # Rows read ahead, in the order asked for; a scan asked for out of that order is read here.
        while scan_id in self._order:
            got, rows = self._ready.get()
            if isinstance(rows, Exception):
                self._order.clear()
                raise rows
            self._order.popleft()
            if got == scan_id:
                return rows
        return super()._item_rows(scan_id)

    def close(self) -> None:
        if self._reader is not None:
            self._stopping.set()
            while self._reader.is_alive():  # a reader blocked on a full queue is let go
                try:
                    self._ready.get_nowait()
                except queue.Empty:
                    self._reader.join(0.05)
        super().close()

    def _has(self, table: str, column: Optional[str] = None) -> bool:
        return True  # a current schema (checked on open) has every table and column

    def _columns(self, table: str) -> set:
        return {name for (name,) in self._all("SELECT column_name FROM information_schema.columns"
                                               " WHERE table_schema = current_schema() AND table_name = ?",
                                               (table,))}


def open_reader(target: str) -> StoreReader:
    """A reader of the store at `target`: a SQLite file, or the central store's postgresql:// URL."""
    return CentralReader(target) if is_url(target) else StoreReader(target)

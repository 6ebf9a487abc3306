"""The store read-only, for reports and `pdscan locate`: tallies per scan summed by SQLite, the
rows a report lists, and the items holding a person's keyed hashes.

Opened read-only (no write, no lock taken on a store a scan is writing);
every query is here, next to the schema it reads (sinks/migrations.py). The
results are plain tuples of counts and the typed records of model.py, so a
report never learns a column's position. Nothing raw is stored, so nothing
raw is read: masked samples only; a sender is never read at all.
"""
from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import quote

from ...errors import ConfigError
from ...model import Finding, ItemResult, Violation, VolumeResult
from ...records import violation_from
from ...safefile import refuse_symlink
from . import _bool, _str, _text  # names as the writer stores them (a BLOB when not UTF-8)


@dataclass(frozen=True)
class ScanRow:
    id: int
    host: Optional[str]
    started: Optional[str]
    complete: bool
    skipped: dict  # reason → items not read, from the scan's summary counts
    ended: Optional[str] = None
    roots: tuple = ()               # the folders it covered, absolute
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


_TALLIES = {
    # scan, files, items, bytes, items with findings, of them unencrypted
    "items": "SELECT scan_id, SUM(member IS NULL), COUNT(*), SUM(CASE WHEN member IS NULL THEN size ELSE 0 END),"
             " SUM(EXISTS (SELECT 1 FROM findings f WHERE f.item_id = items.id)),"
             " SUM(encrypted = 0 AND EXISTS (SELECT 1 FROM findings f WHERE f.item_id = items.id))"
             " FROM items GROUP BY scan_id",
    "violations": "SELECT i.scan_id, v.rule, v.severity, COUNT(*) FROM violations v JOIN items i"
                  " ON i.id = v.item_id GROUP BY 1, 2, 3",
    # Mail-rule violations live on the message rows (JSON), as in the JSONL records.
    "message_violations": "SELECT m.scan_id, json_extract(v.value, '$.rule'), json_extract(v.value, '$.severity'),"
                          " COUNT(*) FROM messages m, json_each(m.violations) v GROUP BY 1, 2, 3",
    # `pdscan retention` verdicts past their period, by category (table added by migration 0004).
    "expired_by_category": "SELECT i.scan_id, r.category, r.severity, COUNT(*) FROM retention r JOIN items i"
                           " ON i.id = r.item_id WHERE r.expired = 1 GROUP BY 1, 2, 3",
    "errors": "SELECT scan_id, substr(error, 1, 200), COUNT(*) FROM errors GROUP BY 1, 2",
    "messages": "SELECT scan_id, COUNT(*) FROM messages GROUP BY scan_id",
}

_VIOLATING_ITEMS = (
    "SELECT i.path, i.member, i.mtime, i.encrypted, i.encryption, v.rule, v.severity,"
    " (SELECT json_group_array(json_object('detector', f.detector, 'count', f.count,"
    " 'samples', json(f.samples))) FROM findings f WHERE f.item_id = i.id)"
    " FROM violations v JOIN items i ON i.id = v.item_id WHERE i.scan_id = ?")

_MAIL = (
    "SELECT path, COUNT(*), SUM(classification = 'personal' OR outside > 0), SUM(outside), SUM(personal_data),"
    " SUM(bulk) FROM (SELECT path, classification,"
    " COALESCE(json_array_length(findings), 0) > 0 AS personal_data,"
    " (SELECT COUNT(*) FROM json_each(m.violations) WHERE json_extract(value, '$.rule') = ?) AS outside,"
    " (SELECT COUNT(*) FROM json_each(m.violations) WHERE json_extract(value, '$.rule') = ?) AS bulk"
    " FROM messages m WHERE scan_id = ?) GROUP BY path ORDER BY path")


# `pdscan locate`: the items whose findings hold any of the sought keyed hashes, one row per hash.
_HOLDING = (
    "SELECT i.id, i.scan_id, i.path, i.member, i.size, i.mtime_ns, i.inode, i.device, i.encrypted, i.encryption,"
    " k.value FROM findings f JOIN items i ON i.id = f.item_id, json_each(f.keys) k WHERE k.value IN ({marks})"
    " ORDER BY i.id")


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

    def scans(self) -> list:
        # Opened read-only, a store is never migrated: columns added since may be missing.
        columns = {row[1] for row in self._all("PRAGMA table_info(scans)")}
        roots = "roots" if "roots" in columns else "NULL"
        hashed = "key_id, hash_form" if "key_id" in columns else "NULL, NULL"
        return [ScanRow(sid, host, started, bool(complete), json.loads(counts or "{}").get("skipped") or {}, ended,
                        tuple(json.loads(roots or "[]")), (key_id, form))
                for sid, host, started, complete, counts, ended, roots, key_id, form
                in self._all(f"SELECT id, host, started, complete, counts, ended, {roots}, {hashed} FROM scans"
                             " ORDER BY id")]

    def item_tallies(self) -> list:
        """(scan, files, items, bytes, items with findings, of them unencrypted) per scan."""
        return self._all(_TALLIES["items"])

    def violation_counts(self) -> list:
        """(scan, rule, severity, n): the items' violations, then the messages'."""
        return self._all(_TALLIES["violations"]) + self._all(_TALLIES["message_violations"])

    def expired_by_category(self) -> list:
        """(scan, retention category, severity, n) of the items `pdscan retention` judged past their period."""
        if not self._all("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'retention'"):
            return []   # a store from before retention verdicts were kept
        return self._all(_TALLIES["expired_by_category"])

    def error_counts(self) -> list:
        """(scan, error text cut to 200 characters, n)."""
        return self._all(_TALLIES["errors"])

    def message_counts(self) -> list:
        return self._all(_TALLIES["messages"])

    def volumes(self) -> list:
        """(scan, VolumeResult) in stored order; flags as SQLite holds them (1, 0, None)."""
        rows = self._all("SELECT scan_id, device, mountpoint, fstype, removable, encrypted, encryption, verdict,"
                         " violations FROM volumes ORDER BY id")
        return [(sid, VolumeResult(text(device), text(mountpoint), fstype, removable, encrypted, encryption,
                                   verdict, [violation_from(v) for v in json.loads(violations or "[]")]))
                for sid, device, mountpoint, fstype, removable, encrypted, encryption, verdict, violations in rows]

    def violating_items(self, scan_id: int) -> Iterator[ItemResult]:
        """One ItemResult per violation of an item of the scan (the item's findings, that one violation)."""
        for path, member, mtime, encrypted, encryption, rule, severity, findings in self.conn.execute(
                _VIOLATING_ITEMS, (scan_id,)):
            yield ItemResult(text(path), text(member), None, None, mtime,
                             None if encrypted is None else bool(encrypted), encryption,
                             findings=[Finding(f.get("detector"), f.get("count"), None, f.get("samples") or [])
                                       for f in json.loads(findings or "[]")],
                             violations=[Violation(rule, severity, None)])

    def mail_tallies(self, scan_id: int, outside_rule: str, bulk_rule: str) -> list:
        """(mailbox, messages, personal, personal outside Personal, with personal data, bulk-social) per mailbox."""
        rows = self._all(_MAIL, (outside_rule, bulk_rule, scan_id), "the store's messages")
        return [(text(path), *counts) for path, *counts in rows]

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

"""The SQLite store: scan history, and what `scan --incremental` reuses.

A streaming Sink: one scan row at begin (complete=0), rows per record
committed in batches (so a killed scan loses at most one batch and leaves
a readable store), complete=1 with the counts at end. WAL mode lets a
report read while a scan writes. The file and its -wal/-shm are created
readable by the owner only: they hold masked samples and keyed hashes,
never a raw value.
"""
from __future__ import annotations

import collections
import getpass
import json
import logging
import os
import socket
import sqlite3
import sys
import time
import uuid
from pathlib import Path
from typing import Iterable, Optional
from urllib.parse import quote

from ... import __version__
from ...display import shown
from ...errors import ConfigError
from ...model import ErrorRecord, FileStat, Finding, ItemResult, MessageResult, RunInfo, Violation, VolumeResult
from ...privacy import data_dir
from ...records import acceptance_from, acceptance_json, finding_json, summary_json, violation_json
from ...safefile import open_private, refuse_symlink
from ...unattended import LOGGER
from ..central import CentralStoreError, Connection, is_url
from ..migrations import MIGRATIONS, applied_names, migrate

BATCH_RECORDS = 500
BATCH_SECONDS = 1.0
ID_BATCH = 10_000  # item ids a query (SQLite allows 32,766 parameters)
ITEM_COLUMNS = ("id", "scan_id", "path", "member", "size", "mtime", "mtime_ns", "ctime_ns", "inode", "device",
                "mime", "encrypted", "encryption", "encryption_note", "personal", "unread", "volume_encrypted", "accepted")


def default_path() -> Path:
    return data_dir() / "pdscan.db"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _text(value):
    """A str SQLite can hold: undecodable path bytes (surrogate escapes) go in as a BLOB."""
    if isinstance(value, str) and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogateescape")
    return value


def _str(value):
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


def _bool(value):
    return None if value is None else bool(value)


SIDECARS = ("-wal", "-shm")


def _create_private(path: Path) -> None:
    """The store and its WAL files as regular files of ours, 0600, before SQLite opens them by name.

    SQLite follows a symbolic link planted at any of the three names; made ours here, in a
    sticky shared folder nobody else can swap them for one while the store is open."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in (path, *(f"{path}{suffix}" for suffix in SIDECARS)):
        os.close(open_private(name, "r+"))
    refuse_symlink(f"{path}-journal")


def _is_damage(exc: sqlite3.Error) -> bool:
    """Corruption or not a database at all, as opposed to a lock, a permission or a full disk."""
    return getattr(exc, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def _damage(path: Path) -> Optional[str]:
    """Why the store at `path` is damaged, or None. Read-only: a damaged store stays byte-identical."""
    try:
        conn = sqlite3.connect(f"file:{quote(os.path.abspath(path))}?mode=ro", uri=True, timeout=10)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if _is_damage(exc):
            return str(exc)
        raise
    return None if problems == ["ok"] else problems[0]


def _set_aside(path: Path) -> str:
    """Rename the store and its WAL files to PATH.damaged-TIME[-N]; returns the new name."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    kept, n = f"{path}.damaged-{stamp}", 1
    while any(os.path.lexists(f"{kept}{suffix}") for suffix in ("", *SIDECARS)):
        n += 1
        kept = f"{path}.damaged-{stamp}-{n}"
    for suffix in ("", *SIDECARS):
        if os.path.lexists(f"{path}{suffix}"):
            os.rename(f"{path}{suffix}", f"{kept}{suffix}")
    return kept


class Store:
    """One open store; schema migrated to the current version on open.

    A damaged store is refused, or with `set_aside_damaged` renamed whole (see
    `_set_aside`) and replaced by a new one; `set_aside` is then (new name, reason)."""

    def __init__(self, path, set_aside_damaged: bool = False):
        self.path = Path(path)
        self.set_aside: Optional[tuple] = None
        try:
            _create_private(self.path)
            reason = _damage(self.path)
            if reason and not set_aside_damaged:
                raise ConfigError(f"{self.path}: the store is damaged ({reason})")
            if reason:
                self.set_aside = (_set_aside(self.path), reason)
                _create_private(self.path)
            # Autocommit: transactions are explicit.
            self.conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA busy_timeout = 10000")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")  # WAL: safe against a killed process
            self.conn.execute("PRAGMA foreign_keys = ON")
            migrate(self.conn)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"{self.path}: cannot open the store: {exc}") from None

    def close(self) -> None:
        # A scan that stopped early keeps what it wrote: complete=0 says it did not finish.
        try:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")
        except CentralStoreError:
            pass  # the server went away: it rolled back what was not committed
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                raise
        finally:
            self.conn.close()

    def previous(self, roots: Iterable[str], detector_fp: str, policy_fp: str, hashing=(None, None)) -> "Reuse":
        """What `scan --incremental` may reuse under `roots`: the latest stored result of each file
        made with these fingerprints and hashing (key id, hash form: results under another key are
        rehashed by reading the file again), from the last complete scan covering the root and any
        scan after it (an interrupted scan's finished files count). Files that errored are left out.
        Nothing is read yet: the scan looks files up a folder at a time (Reuse.lookup)."""
        # Only checks that read files as files: a mailbox or a volume scanned as such is not reused.
        scans = self.conn.execute(
            "SELECT id, complete, roots FROM scans WHERE detector_fingerprint = ? AND policy_fingerprint = ?"
            " AND key_id IS ? AND hash_form IS ? AND (kind IS NULL OR kind IN ('files', 'retention', 'watch'))"
            " ORDER BY id", (detector_fp, policy_fp, *hashing)).fetchall()
        candidates = [(os.path.abspath(root), _candidate_scans(scans, os.path.abspath(root))) for root in roots]
        return Reuse(self.conn, [(root, ids) for root, ids in candidates if ids],
                     copying=isinstance(self.conn, sqlite3.Connection))


class Reuse:
    """Stored results looked up by path, a batch (the files of one folder) in a few indexed queries.

    `copying`: the scan writes the store it reads (SQLite), so a record reused as stored keeps its
    row id (ItemResult.stored) for StoreSink to copy the rows by id, and its keyed hashes are not
    read; a central store's ids are shared with other writers, so there records are rebuilt whole."""

    def __init__(self, conn: sqlite3.Connection, roots: list, copying: bool = False):
        self.conn, self.roots = conn, roots  # (root, candidate scan ids); a later root wins, as given
        self.copying = copying

    def __bool__(self) -> bool:
        return bool(self.roots)

    def lookup(self, paths: list) -> dict:
        """path → Prior for those of `paths` with a stored result to reuse."""
        by_scans: dict = {}
        for path in paths:
            ids = next((ids for root, ids in reversed(self.roots) if covers(root, path)), None)
            if ids:
                by_scans.setdefault(tuple(ids), []).append(path)
        found: dict = {}
        for ids, batch in by_scans.items():
            for start in range(0, len(batch), ID_BATCH):  # within SQLite's bound parameters
                found.update(self._latest(list(ids), batch[start:start + ID_BATCH]))
        return found

    def _latest(self, scan_ids: list, paths: list) -> dict:
        where = f"scan_id IN ({','.join('?' * len(scan_ids))}) AND path IN ({','.join('?' * len(paths))})"
        args = [*scan_ids, *(_text(p) for p in paths)]
        groups: dict = {}  # (scan, file) → its item rows, members first
        for row in map(ItemRow._make, self.conn.execute(
                f"SELECT {', '.join(ITEM_COLUMNS)} FROM items WHERE {where} ORDER BY id", args)):
            groups.setdefault((row.scan_id, row.path), []).append(row)
        errored: dict = {}
        for scan_id, path in self.conn.execute(f"SELECT scan_id, path FROM errors WHERE {where}", args):
            errored[path] = max(scan_id, errored.get(path, 0))
        latest: dict = {}
        for (scan_id, path), rows in groups.items():
            if rows[-1].member is None and latest.get(path, (0,))[0] < scan_id:
                latest[path] = (scan_id, rows)
        latest = {path: rows for path, (scan_id, rows) in latest.items() if errored.get(path, 0) < scan_id}
        findings, violations = self._details([row.id for rows in latest.values() for row in rows],
                                             keys=not self.copying)
        return {_str(path): Prior([_item_result(row, findings.get(row.id, ()), violations.get(row.id, ()),
                                                self.copying)
                                   for row in rows])
                for path, rows in latest.items()}

    def judged(self, prior: "Prior", triage) -> list:
        """A reused file's records as today's triage judges them. When it leaves every one as stored
        they go as they are, to be copied by id; else they are made whole (keyed hashes read) and
        judged again, to be written as new rows."""
        records = prior.records
        if not any(triage.changes(r) for r in records):
            return records
        if self.copying:
            keys = self._keys([r.stored for r in records])
            for record in records:
                record.keys, record.stored = keys.get(record.stored, {}), None
        return [triage.apply(record) for record in records]

    def _keys(self, item_ids: list) -> dict:
        """item id → detector → keyed hashes."""
        keys: dict = {}
        for start in range(0, len(item_ids), ID_BATCH):  # an archive's members: many ids
            ids = item_ids[start:start + ID_BATCH]
            for item_id, detector, hashes in self.conn.execute(
                    f"SELECT item_id, detector, keys FROM findings WHERE item_id IN ({','.join('?' * len(ids))})", ids):
                keys.setdefault(item_id, {})[detector] = json.loads(hashes)
        return keys

    def _details(self, item_ids: list, keys: bool = True) -> tuple:
        """Findings (with their locations, and with `keys` their keyed hashes) and violations of these
        items, in stored order."""
        findings: dict = {}
        violations: dict = {}
        columns = FINDING_COLUMNS if keys else tuple(c for c in FINDING_COLUMNS if c != "keys")
        for start in range(0, len(item_ids), ID_BATCH):  # an archive's members are items too: many ids
            ids = item_ids[start:start + ID_BATCH]
            marks = ",".join("?" * len(ids))
            for item_id, *row in self.conn.execute(
                    f"SELECT item_id, {', '.join(columns)} FROM findings WHERE item_id IN ({marks}) ORDER BY id", ids):
                findings.setdefault(item_id, []).append(dict(zip(columns, row)))
            for item_id, rule, severity, detail in self.conn.execute(
                    f"SELECT item_id, rule, severity, detail FROM violations WHERE item_id IN ({marks}) ORDER BY id",
                    ids):
                violations.setdefault(item_id, []).append(Violation(rule, severity, detail))
        return findings, violations


class CentralStore(Store):
    """The central PostgreSQL store (`--db postgresql://...`), read and written as the SQLite one.

    Opened by the database owner, it is migrated; opened by an endpoint or reporting login, which
    may not change the schema, it must already be current (`pdscan fleet init`)."""

    def __init__(self, url: str, set_aside_damaged: bool = False):
        self.path, self.set_aside = url, None
        self.conn = Connection(url)
        try:
            current(self.conn, may_migrate=True)
        except BaseException:
            self.conn.close()
            raise


def current(conn, may_migrate: bool) -> None:
    """Refuse a central store whose schema is not this pdscan's; migrate it when allowed and able."""
    names = [name for name, _ in MIGRATIONS]
    applied = applied_names(conn)
    unknown = [n for n in applied if n not in names]
    if unknown:
        raise ConfigError(f"the central store was written by a newer pdscan (migration {unknown[0]!r})")
    missing = [n for n in names if n not in applied]
    if not missing:
        return
    if may_migrate:
        try:
            migrate(conn)
            return
        except CentralStoreError as exc:
            if "permission denied" not in str(exc) and "must be owner" not in str(exc):
                raise
    raise ConfigError(f"the central store {shown(conn.url)} lacks migration {missing[0]!r}: its owner runs "
                      "`pdscan fleet init --db URL`")


def open_store_at(target, set_aside_damaged: bool = False) -> Store:
    """The store --db names: a SQLite file, or the central store at a postgresql:// URL."""
    return CentralStore(target) if is_url(target) else Store(target, set_aside_damaged)


def covers(scan_root: str, root: str) -> bool:
    return root == scan_root or root.startswith(scan_root.rstrip(os.sep) + os.sep)


def _candidate_scans(scans: list, root: str) -> list:
    """The last complete scan that covered `root`, and every later scan that touched it."""
    def roots_of(row):
        return json.loads(row[2] or "[]")

    touching = [row for row in scans if any(covers(r, root) or covers(root, r) for r in roots_of(row))]
    complete = [row[0] for row in touching if row[1] and any(covers(r, root) for r in roots_of(row))]
    base = complete[-1] if complete else 0
    return [row[0] for row in touching if row[0] >= base]


class Prior:
    """A file's stored result: its item results (members first, the file last, as scanned)."""

    __slots__ = ("records",)

    def __init__(self, records: list):
        self.records = records

    def unchanged(self, ref, volume_encrypted) -> bool:
        top = self.records[-1]
        st = top.stat
        return (st is not None and top.size == ref.size and top.volume_encrypted == volume_encrypted
                and st.mtime_ns == ref.mtime_ns and st.ctime_ns == ref.ctime_ns and st.inode == ref.inode
                and st.device == ref.device)


FINDING_COLUMNS = ("detector", "count", "confidence", "samples", "keys", "locations")


ItemRow = collections.namedtuple("ItemRow", ITEM_COLUMNS)


def _item_result(row: ItemRow, findings, violations, copying: bool = False) -> ItemResult:
    """An items row and its findings and violations, as the scan made them; `copying`: with its
    row id (the findings came without their keyed hashes)."""
    stat = None
    if row.member is None:
        stat = FileStat(row.mtime_ns, row.ctime_ns, row.inode, row.device)
    return ItemResult(
        _str(row.path), _str(row.member), row.mime, row.size, row.mtime, _bool(row.encrypted),
        row.encryption, row.encryption_note,
        [Finding(f["detector"], f["count"], f["confidence"], json.loads(f["samples"])) for f in findings],
        list(violations), personal=bool(row.personal),
        where={f["detector"]: json.loads(f["locations"] or "[]") for f in findings},
        keys={} if copying else {f["detector"]: json.loads(f["keys"]) for f in findings},
        volume_encrypted=_bool(row.volume_encrypted), unread=row.unread, stat=stat,
        accepted=acceptance_from(json.loads(row.accepted) if row.accepted else None),
        stored=row.id if copying else None)


class StoreSink:
    """Writes each record into the store under one scan row; see the module docstring."""

    def __init__(self, store: Store, detector_fp: str, policy_fp: str, roots=(), run: Optional[RunInfo] = None,
                 hashing=(None, None)):
        self.store, self.conn = store, store.conn
        self.run = run = run or run_info("files", roots)
        self.meta = (run.host, run.user, __version__, detector_fp, policy_fp,
                     json.dumps([root_name(r) for r in roots]), run.kind, *hashing)
        self.scan_id: Optional[int] = None
        self._pending, self._since, self._last = 0, time.monotonic(), None
        self._copies: list = []  # row ids of reused records, copied together before the next write or commit
        self.stopped = False

    def begin(self) -> None:
        cur = self.conn.execute(
            'INSERT INTO scans (host, "user", started, version, detector_fingerprint, policy_fingerprint, roots, kind,'
            " key_id, hash_form, uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.meta[0], self.meta[1], self.run.started, *self.meta[2:], uuid.uuid4().hex))
        self.scan_id = cur.lastrowid
        self.conn.execute("BEGIN")

    def record(self, record) -> None:
        if self.stopped:
            return
        try:
            self._write(record)
        except (sqlite3.DatabaseError, CentralStoreError) as exc:
            self._stop(exc)

    def _write(self, record) -> None:
        # A batch ends only where a new file begins: a file's members, item and error
        # records are committed together, so a killed scan never leaves half a file.
        path = getattr(record, "path", None)
        if path != self._last and self._due():
            self._commit()
        self._last = path
        if getattr(record, "stored", None) is not None:
            self._copies.append(record.stored)
        else:
            self._copy()  # rows keep the order of the records
            _WRITERS[type(record)](self.conn, self.scan_id, record)
        self._pending += 1

    def _copy(self) -> None:
        if self._copies:
            _copy_items(self.conn, self.scan_id, self._copies)
            self._copies = []

    def _stop(self, exc) -> None:
        """Damage found mid-scan stops the storing, not the scan: its results are still reported."""
        self.stopped = True
        if isinstance(exc, CentralStoreError):
            warn(f"{exc}; the rest of this scan is reported but not stored there")
            return
        if not _is_damage(exc):
            raise exc
        warn(f"the store {shown(self.store.path)} turned out damaged during the scan ({exc}); the rest of this "
             "scan is reported but not stored, and the next scan sets the store aside")

    def _due(self) -> bool:
        return self._pending >= BATCH_RECORDS or time.monotonic() - self._since >= BATCH_SECONDS

    def _commit(self) -> None:
        self._copy()
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN")
        self._pending, self._since = 0, time.monotonic()

    def end(self, summary) -> None:
        if self.stopped:
            return
        counts = {k: v for k, v in summary_json(summary).items() if k != "type"}
        try:
            self._copy()
            self.conn.execute("UPDATE scans SET complete = 1, ended = ?, counts = ? WHERE id = ?",
                              (_now(), json.dumps(counts, sort_keys=True), self.scan_id))
            self.conn.execute("COMMIT")
        except (sqlite3.DatabaseError, CentralStoreError) as exc:
            self._stop(exc)


def warn(message: str) -> None:
    """A store problem the scan survives: on stderr, and in an unattended run's log file."""
    print(f"pdscan: warning: {message}", file=sys.stderr)
    log = logging.getLogger(LOGGER)
    if log.handlers:
        log.warning(message)


def _user() -> Optional[str]:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return None


def root_name(root: str) -> str:
    """A root as runs record it: a folder, file or mountpoint made absolute; an imap:// URL as given."""
    return root if "://" in root else os.path.abspath(root)


def run_info(kind: str, roots=()) -> RunInfo:
    """This run, here and now: what every record of it carries (host, user) and its summary says."""
    return RunInfo(kind, tuple(root_name(r) for r in roots), socket.gethostname(), _user(), _now())


_INSERT_ITEM = f"INSERT INTO items ({', '.join(ITEM_COLUMNS[1:])}) VALUES ({', '.join('?' * (len(ITEM_COLUMNS) - 1))})"


def _write_item(conn, scan_id: int, r: ItemResult) -> None:
    stat = r.stat or FileStat(None, None, None, None)
    cur = conn.execute(
        _INSERT_ITEM, (scan_id, _text(r.path), _text(r.member), r.size, r.mtime, stat.mtime_ns, stat.ctime_ns,
                       stat.inode, stat.device, r.mime, r.encrypted, r.encryption, r.encryption_note,
                       int(r.personal), r.unread, r.volume_encrypted,
                       json.dumps(acceptance_json(r.accepted)) if r.accepted else None))
    if r.findings:
        conn.executemany("INSERT INTO findings (item_id, detector, count, confidence, samples, keys, locations)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [(cur.lastrowid, f.detector, f.count, f.confidence, json.dumps(f.samples),
                           json.dumps(r.keys.get(f.detector, [])), json.dumps(r.where.get(f.detector, [])))
                          for f in r.findings])
    if r.violations:
        conn.executemany("INSERT INTO violations (item_id, rule, severity, detail) VALUES (?, ?, ?, ?)",
                         [(cur.lastrowid, v.rule, v.severity, v.detail) for v in r.violations])
    if r.retention:
        _write_retention(conn, cur.lastrowid, r.retention)
    if r.lapsed:
        note_lapse(conn, *r.lapsed)


def _copy_items(conn, scan_id: int, item_ids: list) -> None:
    """Stored items written again under this scan inside SQLite, by id and in the order given, with
    their findings and violations, as the rebuilt records would be (retention verdicts are
    `pdscan retention`'s own and are not carried, as they were not before). One INSERT holds the
    write lock while rows without an id take max(id) + 1 in turn, so the n-th copy is numbered
    the last id minus the count plus n; `copying` maps old ids to those."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS copying (seq INTEGER PRIMARY KEY, old INTEGER NOT NULL)")
    conn.execute("DELETE FROM temp.copying")  # emptied, its seq starts again at 1
    conn.executemany("INSERT INTO temp.copying (old) VALUES (?)", [(i,) for i in item_ids])
    cur = conn.execute(_COPY_ITEMS, (scan_id,))
    top = cur.lastrowid - len(item_ids)
    if cur.rowcount != len(item_ids) or conn.execute(
            "SELECT count(*) FROM items WHERE id > ? AND id <= ? AND scan_id = ?",
            (top, cur.lastrowid, scan_id)).fetchone()[0] != len(item_ids):
        raise sqlite3.IntegrityError(f"copying {len(item_ids)} stored items: some went from the store during"
                                     " the scan, or the copies were not numbered in turn")
    conn.execute("INSERT INTO findings (item_id, detector, count, confidence, samples, keys, locations)"
                 " SELECT ? + c.seq, f.detector, f.count, f.confidence, f.samples, f.keys, f.locations"
                 " FROM temp.copying c JOIN findings f ON f.item_id = c.old ORDER BY c.seq, f.id", (top,))
    conn.execute("INSERT INTO violations (item_id, rule, severity, detail) SELECT ? + c.seq, v.rule, v.severity,"
                 " v.detail FROM temp.copying c JOIN violations v ON v.item_id = c.old ORDER BY c.seq, v.id", (top,))


_COPY_ITEMS = (f"INSERT INTO items ({', '.join(ITEM_COLUMNS[1:])}) SELECT ?, {', '.join('i.' + c for c in ITEM_COLUMNS[2:])}"
               " FROM temp.copying c JOIN items i ON i.id = c.old ORDER BY c.seq")


def note_event(conn, decision_id: int, event: str, by: Optional[str], detail: Optional[str]) -> None:
    """A decision's history, the audit trail: accepted, revoked, lapsed (who, when, why)."""
    conn.execute("INSERT INTO decision_events (decision_id, event, event_by, event_at, detail) VALUES (?, ?, ?, ?, ?)",
                 (decision_id, event, by, _now(), detail))


def note_lapse(conn, decision_id: int, why: str) -> None:
    """A decision a scan found lapsed (policy/triage.py) is out of force from now on, once."""
    if conn.execute("UPDATE decisions SET state = 'lapsed' WHERE id = ? AND state = 'active'",
                    (decision_id,)).rowcount:
        note_event(conn, decision_id, "lapsed", None, why)


def _write_retention(conn, item_id: int, v: dict) -> None:
    conn.execute("INSERT INTO retention (item_id, category, evidence, clock, clock_from, age, age_days, expires,"
                 " expired, action, rule, as_of, severity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (item_id, v["category"], json.dumps(v["evidence"]), v["clock"], v["clock_from"], v["age"],
                  v["age_days"], v["expires"], int(v["expired"]), v["action"], v["rule"], v["as_of"],
                  v.get("severity")))


def _write_error(conn, scan_id: int, r: ErrorRecord) -> None:
    conn.execute("INSERT INTO errors (scan_id, path, member, error) VALUES (?, ?, ?, ?)",
                 (scan_id, _text(r.path), _text(r.member), r.error))


def _write_volume(conn, scan_id: int, r: VolumeResult) -> None:
    conn.execute("INSERT INTO volumes (scan_id, device, mountpoint, fstype, removable, encrypted, encryption,"
                 " verdict, violations) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (scan_id, _text(r.device), _text(r.mountpoint), r.fstype, r.removable, r.encrypted, r.encryption,
                  r.verdict, json.dumps([violation_json(v) for v in r.violations])))


def _write_message(conn, scan_id: int, r: MessageResult) -> None:
    conn.execute("INSERT INTO messages (scan_id, path, folder, message_id, date, sender, classification, score,"
                 " findings, violations, sent_outside) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (scan_id, _text(r.path), r.folder, r.message_id, r.date, r.sender, r.classification, r.score,
                  json.dumps([finding_json(f) for f in r.findings]),
                  json.dumps([violation_json(v) for v in r.violations]),
                  json.dumps(r.sent_outside) if r.sent_outside else None))


_WRITERS = {ItemResult: _write_item, ErrorRecord: _write_error, VolumeResult: _write_volume,
            MessageResult: _write_message}

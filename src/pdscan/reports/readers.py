"""Readers of stored scan results: JSONL files streamed line by line, the store through SQL aggregates.

Pass one (`read_jsonl`, `read_store`) reduces every source to one small
`Scan` tally per scan; pass two (`jsonl_violations`, `store_violations`)
re-reads a kept scan for its violation rows, and (`jsonl_mail`,
`store_mail`) for its per-mailbox mail counts. Nothing raw is read here:
records hold masked samples only, and only those reach the rows.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import quote

from ..display import shown
from ..errors import ConfigError
from ..safefile import refuse_symlink
from ..policy.rules import BULK_SOCIAL_EMAIL, PERSONAL_EMAIL_OUTSIDE_FOLDER, RETENTION_EXPIRED

RECORD_TYPES = ("item", "message", "error", "volume", "summary")
LINE_CAP = 16 * 1024 * 1024  # a line read at a time while checking: a binary file has no newlines

@dataclass
class Scan:
    """One scan's tally: everything the current tables and the trend need, but no rows."""
    endpoint: str
    when: dt.datetime
    complete: bool
    source: str
    key: tuple  # ("jsonl", path) or ("db", path, scan id): how pass two finds it again
    files: int = 0
    items: int = 0
    bytes: int = 0
    personal: int = 0
    unencrypted: int = 0
    violations: Counter = field(default_factory=Counter)     # (rule, severity) -> n
    retention: Counter = field(default_factory=Counter)      # (category, severity) -> n
    not_scanned: Counter = field(default_factory=Counter)    # (kind, reason) -> n
    volumes: list = field(default_factory=list)
    messages: int = 0  # mail messages seen: pass two reads the mail table only from scans that have some


def _date(text) -> Optional[dt.date]:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _when(text) -> Optional[dt.datetime]:
    """An ISO 8601 time as naive UTC, or None."""
    try:
        when = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(dt.timezone.utc).replace(tzinfo=None) if when.tzinfo else when


def _category(violation: dict, record: dict) -> str:
    retention = record.get("retention") or {}
    return retention.get("category") or (violation.get("detail") or "").split(":", 1)[0] or "unknown"


# ---- JSONL -----------------------------------------------------------------------------------------------

_TEXT, _MAYBE_TEXT, _MAYBE_INT, _MAYBE_BOOL = str, (str, type(None)), (int, type(None)), (bool, type(None))
_SCALAR = (str, int, float, bool, type(None))
# The types report reads in each record's fields (absent fields are fine). A file from any
# endpoint may be crafted: a wrong type is refused here, never met deep in a table or a sheet.
_FIELDS = {
    "item": {"path": _MAYBE_TEXT, "member": _MAYBE_TEXT, "size": _MAYBE_INT, "mtime": _MAYBE_TEXT,
             "encrypted": _MAYBE_BOOL, "encryption": _MAYBE_TEXT, "findings": list, "violations": list,
             "retention": (dict, type(None)), "host": _SCALAR},
    "message": {"path": _MAYBE_TEXT, "member": _MAYBE_TEXT, "classification": _MAYBE_TEXT, "findings": list,
                "violations": list, "host": _SCALAR},
    "error": {"path": _MAYBE_TEXT, "member": _MAYBE_TEXT, "error": _SCALAR, "host": _SCALAR},
    "volume": {"device": _SCALAR, "mountpoint": _SCALAR, "fstype": _SCALAR, "removable": _SCALAR,
               "encrypted": _SCALAR, "encryption": _SCALAR, "verdict": _SCALAR, "violations": list, "host": _SCALAR},
    "summary": {"started": _MAYBE_TEXT, "skipped": dict, "host": _SCALAR},
}
_ENTRIES = {  # the fields of each element of a list (or value of a dict) field
    "findings": {"detector": _MAYBE_TEXT, "count": _MAYBE_INT, "confidence": _MAYBE_TEXT, "samples": list},
    "violations": {"rule": _MAYBE_TEXT, "severity": _MAYBE_TEXT, "detail": _MAYBE_TEXT},
    "retention": {"category": _MAYBE_TEXT},
}


def _misfit(record: dict) -> Optional[str]:
    """Why a record of a known type is not as pdscan writes it, or None."""
    for name, kinds in _FIELDS.get(record.get("type"), {}).items():
        value = record.get(name)
        if name in record and not isinstance(value, kinds):
            return f"field {name!r} is {type(value).__name__}"
        if name == "skipped":
            if value and not all(isinstance(n, int) for n in value.values()):
                return "field 'skipped' holds a count that is not a number"
            continue
        entries = value if isinstance(value, list) else [value] if isinstance(value, dict) else ()
        for entry in entries:
            if not isinstance(entry, dict):
                return f"field {name!r} holds a {type(entry).__name__}"
            for key, kinds in _ENTRIES.get(name, {}).items():
                if key in entry and not isinstance(entry[key], kinds):
                    return f"field {name!r} has {key!r} of type {type(entry[key]).__name__}"
            if not all(isinstance(sample, str) for sample in entry.get("samples") or ()):
                return f"field {name!r} has a sample that is not text"
    return None


def _lines(path: str) -> Iterator[Optional[dict]]:
    """Records of one JSONL file, one line at a time; None for a line that is not a JSON object.
    A pdscan record with a field of the wrong type is refused (ConfigError naming file and line)."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as stream:
            for number, line in enumerate(stream, 1):
                if line.strip():
                    try:
                        record = json.loads(line)
                    except ValueError:
                        record = None
                    if not isinstance(record, dict):
                        yield None
                        continue
                    why = _misfit(record)
                    if why:
                        raise ConfigError(f"{shown(path)}: line {number} is not as pdscan writes it ({why}); "
                                          "not reporting from it")
                    yield record
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def jsonl_has_results(path: str) -> bool:
    """True when `path` holds a pdscan record, False when it holds no line at all.

    Lines that are all something else (a spreadsheet, the one JSON document of
    --format json, another tool's JSONL) are not scan results: an error naming the
    file and its first such line, rather than a report of nothing."""
    first = None
    try:
        with open(path, "rb") as stream:
            for number, line in enumerate(iter(lambda: stream.readline(LINE_CAP), b""), 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if isinstance(record, dict) and record.get("type") in RECORD_TYPES:
                    return True
                if first is None:
                    first = (number, "a JSON object that is not a pdscan record" if isinstance(record, dict)
                             else "not a JSON object")
    except OSError as exc:
        raise ConfigError(f"{shown(path)}: cannot read: {exc.strerror}") from None
    if first is None:
        return False
    raise ConfigError(f"{shown(path)}: not pdscan JSONL results (line {first[0]} is {first[1]}); --from takes the "
                      "output of `pdscan scan --format jsonl`")


def _tally_item(scan: Scan, r: dict) -> None:
    scan.items += 1
    if r.get("member") is None:
        scan.files += 1
        scan.bytes += r.get("size") or 0
    if r.get("findings"):
        scan.personal += 1
        scan.unencrypted += r.get("encrypted") is False
    for v in r.get("violations") or ():
        scan.violations[(v.get("rule"), v.get("severity"))] += 1
        if v.get("rule") == RETENTION_EXPIRED:
            scan.retention[(_category(v, r), v.get("severity"))] += 1


def read_jsonl(path: str) -> Optional[Scan]:
    """One file's scan, or None for a file without a single record (nothing was scanned)."""
    mtime = dt.datetime.fromtimestamp(os.stat(path).st_mtime, dt.timezone.utc).replace(tzinfo=None)
    scan = Scan(Path(path).stem, mtime.replace(microsecond=0), False, path, ("jsonl", path))
    lines = 0
    for lines, r in enumerate(_lines(path), 1):
        kind = r.get("type") if r else None
        if r and r.get("host"):
            scan.endpoint = str(r["host"])
        if kind == "message":
            scan.messages += 1
        if kind in ("item", "message"):
            _tally_item(scan, r if kind == "item" else {**r, "member": "", "size": 0})
        elif kind == "error":
            scan.not_scanned[("error", str(r.get("error"))[:200])] += 1
        elif kind == "volume":
            scan.volumes.append(r)
            for v in r.get("violations") or ():
                scan.violations[(v.get("rule"), v.get("severity"))] += 1
        elif kind == "summary":
            scan.complete = True
            for reason, n in (r.get("skipped") or {}).items():
                scan.not_scanned[("skipped", reason)] += n
            scan.when = _when(r.get("started")) or scan.when
        elif r is None:
            scan.not_scanned[("report", "unreadable JSONL line")] += 1
    return scan if lines else None


def jsonl_violations(scan: Scan) -> Iterator[tuple]:
    for r in _lines(scan.source):
        if r and r.get("type") == "item" and r.get("violations"):
            yield from _violation_rows(scan.endpoint, r, r.get("findings") or ())


def _mail_counts(r: dict) -> tuple:
    """One message's (messages, personal, personal outside Personal, with personal data, bulk-social) counts."""
    rules = [v.get("rule") for v in r.get("violations") or () if isinstance(v, dict)]
    outside = rules.count(PERSONAL_EMAIL_OUTSIDE_FOLDER)
    personal = r.get("classification") == "personal" or outside > 0  # the rule is broken by personal mail only
    return 1, int(personal), outside, int(bool(r.get("findings"))), rules.count(BULK_SOCIAL_EMAIL)


def jsonl_mail(scan: Scan) -> Iterator[tuple]:
    """(mailbox path, counts...) per mailbox of one JSONL scan: one small tally per mailbox, never per message."""
    boxes: dict = {}
    for r in _lines(scan.source):
        if r and r.get("type") == "message":
            counts = _mail_counts(r)
            box = boxes.setdefault(str(r.get("path")), [0] * len(counts))
            for i, n in enumerate(counts):
                box[i] += n
    for path in sorted(boxes):
        yield (path, *boxes[path])


# ---- the store -------------------------------------------------------------------------------------------

def _connect(path: str) -> sqlite3.Connection:
    if not os.path.isfile(path):
        raise ConfigError(f"{path}: no such store")
    resolved = str(Path(path).resolve())
    for suffix in ("-wal", "-shm", "-journal"):
        refuse_symlink(resolved + suffix)  # even read-only, SQLite may create these by name
    try:
        conn = sqlite3.connect(f"file:{quote(resolved)}?mode=ro", uri=True)
        conn.execute("SELECT id, host, started, complete, counts FROM scans LIMIT 1").fetchall()
        return conn
    except sqlite3.Error as exc:
        raise ConfigError(f"{path}: not a pdscan store: {exc}") from None


_STORE_SQL = {
    "items": "SELECT scan_id, SUM(member IS NULL), COUNT(*), SUM(CASE WHEN member IS NULL THEN size ELSE 0 END),"
             " SUM(EXISTS (SELECT 1 FROM findings f WHERE f.item_id = items.id)),"
             " SUM(encrypted = 0 AND EXISTS (SELECT 1 FROM findings f WHERE f.item_id = items.id))"
             " FROM items GROUP BY scan_id",
    "violations": "SELECT i.scan_id, v.rule, v.severity, COUNT(*) FROM violations v JOIN items i"
                  " ON i.id = v.item_id GROUP BY 1, 2, 3",
    "retention": "SELECT i.scan_id, CASE WHEN instr(v.detail, ':') > 0 THEN substr(v.detail, 1,"
                 " instr(v.detail, ':') - 1) ELSE 'unknown' END, v.severity, COUNT(*) FROM violations v"
                 f" JOIN items i ON i.id = v.item_id WHERE v.rule = '{RETENTION_EXPIRED}' GROUP BY 1, 2, 3",
    # `pdscan retention` verdicts (a store before migration 0004 has no such table).
    "retention_verdicts": "SELECT i.scan_id, r.category, r.severity, COUNT(*) FROM retention r JOIN items i"
                          " ON i.id = r.item_id WHERE r.expired = 1 GROUP BY 1, 2, 3",
    "errors": "SELECT scan_id, substr(error, 1, 200), COUNT(*) FROM errors GROUP BY 1, 2",
    "messages": "SELECT scan_id, COUNT(*) FROM messages GROUP BY scan_id",
    # Mail-rule violations live on the message rows (JSON), as in the JSONL records.
    "message_violations": "SELECT m.scan_id, json_extract(v.value, '$.rule'), json_extract(v.value, '$.severity'),"
                          " COUNT(*) FROM messages m, json_each(m.violations) v GROUP BY 1, 2, 3",
    "volumes": "SELECT scan_id, device, mountpoint, fstype, removable, encrypted, encryption, verdict,"
               " violations FROM volumes ORDER BY id",
}


def read_store(path: str) -> list:
    conn = _connect(path)
    try:
        scans = {}
        for sid, host, started, complete, counts in conn.execute(
                "SELECT id, host, started, complete, counts FROM scans ORDER BY id"):
            when = _when(started) or dt.datetime.min
            scan = scans[sid] = Scan(host or Path(path).stem, when, bool(complete), path, ("db", path, sid))
            for reason, n in (json.loads(counts or "{}").get("skipped") or {}).items():
                scan.not_scanned[("skipped", reason)] += n
        for sid, files, items, size, personal, unencrypted in conn.execute(_STORE_SQL["items"]):
            s = scans[sid]
            s.files, s.items, s.bytes, s.personal, s.unencrypted = files, items, size or 0, personal, unencrypted
        for query in ("violations", "message_violations"):
            for sid, rule, severity, n in conn.execute(_STORE_SQL[query]):
                scans[sid].violations[(rule, severity)] += n
        for sid, category, severity, n in conn.execute(_STORE_SQL["retention"]):
            scans[sid].retention[(category, severity)] += n
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'retention'").fetchone():
            for sid, category, severity, n in conn.execute(_STORE_SQL["retention_verdicts"]):
                scans[sid].retention[(category, severity)] += n
        for sid, error, n in conn.execute(_STORE_SQL["errors"]):
            scans[sid].not_scanned[("error", error)] += n
        for sid, n in conn.execute(_STORE_SQL["messages"]):
            scans[sid].messages = n
        for sid, *row in conn.execute(_STORE_SQL["volumes"]):
            volume = dict(zip(("device", "mountpoint", "fstype", "removable", "encrypted", "encryption",
                               "verdict"), row[:7]))
            scans[sid].volumes.append(volume)
            for v in json.loads(row[7] or "[]"):
                scans[sid].violations[(v.get("rule"), v.get("severity"))] += 1
        return list(scans.values())
    except sqlite3.Error as exc:
        raise ConfigError(f"{path}: cannot read the store: {exc}") from None
    finally:
        conn.close()


def store_has_results(path: str) -> bool:
    """True when the store holds at least one scan; an error when it is not a pdscan store."""
    conn = _connect(path)
    try:
        return conn.execute("SELECT 1 FROM scans LIMIT 1").fetchone() is not None
    except sqlite3.Error as exc:
        raise ConfigError(f"{path}: cannot read the store: {exc}") from None
    finally:
        conn.close()


def store_violations(scan: Scan) -> Iterator[tuple]:
    conn = _connect(scan.source)
    try:
        rows = conn.execute(
            "SELECT i.path, i.member, i.mtime, i.encrypted, i.encryption, v.rule, v.severity,"
            " (SELECT json_group_array(json_object('detector', f.detector, 'count', f.count,"
            " 'samples', json(f.samples))) FROM findings f WHERE f.item_id = i.id)"
            " FROM violations v JOIN items i ON i.id = v.item_id WHERE i.scan_id = ?", (scan.key[2],))
        for path, member, mtime, encrypted, encryption, rule, severity, findings in rows:
            record = {"path": as_text(path), "member": as_text(member), "mtime": mtime,
                      "encrypted": None if encrypted is None else bool(encrypted), "encryption": encryption}
            yield from _violation_rows(scan.endpoint, {**record, "violations": [
                {"rule": rule, "severity": severity}]}, json.loads(findings or "[]"))
    finally:
        conn.close()


_MAIL_SQL = (
    "SELECT path, COUNT(*), SUM(classification = 'personal' OR outside > 0), SUM(outside), SUM(personal_data),"
    " SUM(bulk) FROM (SELECT path, classification,"
    " COALESCE(json_array_length(findings), 0) > 0 AS personal_data,"
    " (SELECT COUNT(*) FROM json_each(m.violations) WHERE json_extract(value, '$.rule') = ?) AS outside,"
    " (SELECT COUNT(*) FROM json_each(m.violations) WHERE json_extract(value, '$.rule') = ?) AS bulk"
    " FROM messages m WHERE scan_id = ?) GROUP BY path ORDER BY path")


def store_mail(scan: Scan) -> Iterator[tuple]:
    """(mailbox path, counts...) per mailbox of one stored scan, summed by SQLite (the sender is never read)."""
    conn = _connect(scan.source)
    try:
        rows = conn.execute(_MAIL_SQL, (PERSONAL_EMAIL_OUTSIDE_FOLDER, BULK_SOCIAL_EMAIL, scan.key[2])).fetchall()
    except sqlite3.Error as exc:
        raise ConfigError(f"{scan.source}: cannot read the store's messages: {exc}") from None
    finally:
        conn.close()
    for path, *counts in rows:
        yield (as_text(path), *counts)


def as_text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


# ---- rows ------------------------------------------------------------------------------------------------

def _violation_rows(endpoint: str, r: dict, findings) -> Iterator[tuple]:
    detectors = ", ".join(f"{f.get('detector')} ×{f.get('count')}" for f in findings)
    samples = ", ".join(s for f in findings for s in (f.get("samples") or ())[:1])
    encrypted = {True: "yes", False: "no"}.get(r.get("encrypted"), "unknown")
    if r.get("encryption"):
        encrypted += f" ({r['encryption']})"
    modified = _date(r.get("mtime"))
    for v in r.get("violations") or ():
        yield (endpoint, r.get("path"), r.get("member"), v.get("rule"), v.get("severity"), detectors, samples,
               encrypted, modified)

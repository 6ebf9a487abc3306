"""The report's tables, the same in every format, built from stored scan results.

Sources are read in two passes so memory stays bounded however many
findings there are: pass one streams every record (JSONL line by line, the
store through SQL aggregates) into one small `Scan` tally per scan; the
merge keeps each endpoint's latest complete scan for the current tables and
every scan for the trend; pass two re-reads only the kept scans for the
violations list, keeping the most severe and oldest MAX_VIOLATION_ROWS.
Nothing raw is read here: records hold masked samples only, and only those
reach the tables.
"""
from __future__ import annotations

import datetime as dt
import heapq
import itertools
import json
import os
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import quote

from ..errors import ConfigError

MAX_VIOLATION_ROWS = 50_000
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}

RULES = {
    "unencrypted-personal-data": (
        "A file holds personal data and can be read without a key: neither the file nor its disk is encrypted.",
        "Encrypt the file (pdscan protect), move it to an encrypted volume, or delete it if it is not needed."),
    "unencrypted-removable-volume": (
        "A USB stick or other removable disk holds personal data and is not encrypted.",
        "Copy the data to an encrypted stick (BitLocker To Go, LUKS) and wipe this one."),
    "retention-expired": (
        "Personal data has been kept longer than the retention schedule allows for its category.",
        "Review the deletion plan (pdscan retention --plan-out) and delete securely (pdscan shred)."),
    "personal-email-outside-folder": (
        "A personal message is filed outside the mailbox's Personal folder.",
        "Move it to the Personal folder or delete it."),
    "bulk-social-email": (
        "A sender's volume of personal or social mail is above the policy threshold.",
        "Ask the account holder to use a personal mailbox for this mail."),
    "published-photo-named": (
        "An image in a publishing location carries an individual's name.",
        "Check consent for publication, or rename the file and strip its metadata."),
}


@dataclass
class Table:
    title: str
    columns: tuple
    rows: list = field(default_factory=list)


@dataclass
class Tables:
    """The report: named tables in order, plus whether there was anything to report."""
    tables: dict
    empty: bool
    generated: dt.datetime


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

def _lines(path: str) -> Iterator[Optional[dict]]:
    """Records of one JSONL file, one line at a time; None for a line that is not a JSON object."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as stream:
            for line in stream:
                if line.strip():
                    try:
                        record = json.loads(line)
                    except ValueError:
                        record = None
                    yield record if isinstance(record, dict) else None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


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
        if v.get("rule") == "retention-expired":
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


def _jsonl_violations(scan: Scan) -> Iterator[tuple]:
    for r in _lines(scan.source):
        if r and r.get("type") == "item" and r.get("violations"):
            yield from _violation_rows(scan.endpoint, r, r.get("findings") or ())


# ---- the store -------------------------------------------------------------------------------------------

def _connect(path: str) -> sqlite3.Connection:
    if not os.path.isfile(path):
        raise ConfigError(f"{path}: no such store")
    try:
        conn = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True)
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
                 " JOIN items i ON i.id = v.item_id WHERE v.rule = 'retention-expired' GROUP BY 1, 2, 3",
    "errors": "SELECT scan_id, substr(error, 1, 200), COUNT(*) FROM errors GROUP BY 1, 2",
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
        for sid, rule, severity, n in conn.execute(_STORE_SQL["violations"]):
            scans[sid].violations[(rule, severity)] += n
        for sid, category, severity, n in conn.execute(_STORE_SQL["retention"]):
            scans[sid].retention[(category, severity)] += n
        for sid, error, n in conn.execute(_STORE_SQL["errors"]):
            scans[sid].not_scanned[("error", error)] += n
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


def _store_violations(scan: Scan) -> Iterator[tuple]:
    conn = _connect(scan.source)
    try:
        rows = conn.execute(
            "SELECT i.path, i.member, i.mtime, i.encrypted, i.encryption, v.rule, v.severity,"
            " (SELECT json_group_array(json_object('detector', f.detector, 'count', f.count,"
            " 'samples', json(f.samples))) FROM findings f WHERE f.item_id = i.id)"
            " FROM violations v JOIN items i ON i.id = v.item_id WHERE i.scan_id = ?", (scan.key[2],))
        for path, member, mtime, encrypted, encryption, rule, severity, findings in rows:
            record = {"path": _text(path), "member": _text(member), "mtime": mtime,
                      "encrypted": None if encrypted is None else bool(encrypted), "encryption": encryption}
            yield from _violation_rows(scan.endpoint, {**record, "violations": [
                {"rule": rule, "severity": severity}]}, json.loads(findings or "[]"))
    finally:
        conn.close()


def _text(value):
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


def _merge(scans: list, since: Optional[dt.date]) -> tuple:
    """(current scans: one per endpoint, every scan in date order)."""
    kept = sorted((s for s in scans if since is None or s.when.date() >= since), key=lambda s: (s.when, s.source))
    current: dict = {}
    for s in kept:
        best = current.get(s.endpoint)
        if best is None or s.complete or not best.complete:
            current[s.endpoint] = s
    return sorted(current.values(), key=lambda s: s.endpoint), kept


def _violations_of(current: list, today: dt.date) -> tuple:
    """The most severe, then oldest, violations of the current scans (bounded), and how many there were."""
    total = itertools.count()

    def rows():
        for scan in current:
            source = _jsonl_violations(scan) if scan.key[0] == "jsonl" else _store_violations(scan)
            for row in source:
                next(total)
                age = (today - row[-1]).days if row[-1] else None
                yield (*row, age)

    def rank(row):
        return SEVERITY_RANK.get(row[4], 3), -(row[-1] or 0), row[0], str(row[1]), str(row[2] or "")

    kept = heapq.nsmallest(MAX_VIOLATION_ROWS, rows(), key=rank)
    return kept, next(total)


def _summary(current: list, every: list, shown: int, total: int, generated: dt.datetime) -> Table:
    t = Table("Summary", ("figure", "value"))
    add = t.rows.append
    add(("Report generated (UTC)", generated))
    if not every:
        add(("Status", "no scan results"))
        return t
    add(("Endpoints", len(current)))
    add(("Scans read", len(every)))
    add(("Latest scan", max(s.when for s in current).date()))
    add(("Oldest current scan", min(s.when for s in current).date()))
    for label, attr in (("Files scanned", "files"), ("Items scanned (files and archive members)", "items"),
                        ("Bytes scanned", "bytes"), ("Items with personal data", "personal"),
                        ("Items with personal data, unencrypted", "unencrypted")):
        add((label, sum(getattr(s, attr) for s in current)))
    volumes = [v for s in current for v in s.volumes]
    add(("Volumes checked", len(volumes)))
    add(("Volumes failed", sum(v.get("verdict") == "FAIL" for v in volumes)))
    add(("Violations", sum(sum(s.violations.values()) for s in current)))
    by_rule = Counter()
    for s in current:
        by_rule.update(s.violations)
    for (rule, severity), n in sorted(by_rule.items(), key=lambda kv: (str(kv[0][0]), SEVERITY_RANK.get(kv[0][1], 3))):
        add((f"Violations: {rule} ({severity})", n))
    add(("Errors (items that could not be read)", sum(n for s in current for (k, _), n in s.not_scanned.items()
                                                      if k == "error")))
    add(("Items not scanned (skipped)", sum(n for s in current for (k, _), n in s.not_scanned.items()
                                            if k == "skipped")))
    add(("Endpoints without a complete scan", sum(not s.complete for s in current)))
    if shown < total:
        add(("Violations listed", f"{shown} of {total} (most severe, then oldest)"))
    return t


def _endpoints(current: list) -> Table:
    t = Table("Endpoints", ("endpoint", "last scan", "complete", "files", "bytes", "items with personal data",
                            "unencrypted", "violations", "high severity", "errors", "source"))
    for s in current:
        t.rows.append((s.endpoint, s.when.date(), "yes" if s.complete else "no", s.files, s.bytes, s.personal,
                       s.unencrypted, sum(s.violations.values()),
                       sum(n for (_, sev), n in s.violations.items() if sev == "high"),
                       sum(n for (k, _), n in s.not_scanned.items() if k == "error"), s.source))
    return t


def _rules(current: list) -> Table:
    t = Table("Violations by rule", ("rule", "severity", "violations", "endpoints", "what it means", "what to do"))
    counts, hosts = Counter(), {}
    for s in current:
        counts.update(s.violations)
        for key in s.violations:
            hosts.setdefault(key, set()).add(s.endpoint)
    for (rule, severity), n in sorted(counts.items(), key=lambda kv: (SEVERITY_RANK.get(kv[0][1], 3), -kv[1])):
        meaning, action = RULES.get(rule, ("A policy rule was broken.", "See the policy file for this rule."))
        t.rows.append((rule, severity, n, len(hosts[(rule, severity)]), meaning, action))
    return t


def _simple(title: str, columns: tuple, current: list, attr: str) -> Table:
    t = Table(title, columns)
    for s in current:
        for key, n in sorted(getattr(s, attr).items(), key=lambda kv: tuple(map(str, kv[0]))):
            t.rows.append((s.endpoint, *key, n))
    return t


def _volumes(current: list) -> Table:
    t = Table("Volumes", ("endpoint", "device", "mountpoint", "fstype", "removable", "encrypted", "encryption",
                          "verdict"))
    yes_no = {True: "yes", False: "no", 1: "yes", 0: "no"}
    for s in current:
        for v in s.volumes:
            t.rows.append((s.endpoint, _text(v.get("device")), _text(v.get("mountpoint")), v.get("fstype"),
                           yes_no.get(v.get("removable"), "unknown"), yes_no.get(v.get("encrypted"), "unknown"),
                           v.get("encryption"), v.get("verdict")))
    return t


def _trend(every: list) -> Table:
    t = Table("Trend", ("scan date", "endpoint", "complete", "files", "items with personal data", "unencrypted",
                        "violations"))
    for s in every:
        t.rows.append((s.when.date(), s.endpoint, "yes" if s.complete else "no", s.files, s.personal,
                       s.unencrypted, sum(s.violations.values())))
    return t


VIOLATION_COLUMNS = ("endpoint", "path", "member", "rule", "severity", "detectors", "masked samples", "encrypted",
                     "modified", "age (days)")


def assemble(scans: list, since: Optional[dt.date], generated: dt.datetime) -> Tables:
    current, every = _merge(scans, since)
    listed, total = _violations_of(current, generated.date())
    tables = {
        "summary": _summary(current, every, len(listed), total, generated),
        "endpoints": _endpoints(current),
        "rules": _rules(current),
        "violations": Table("Violations", VIOLATION_COLUMNS, listed),
        "retention": _simple("Retention due", ("endpoint", "category", "severity", "items"), current, "retention"),
        "volumes": _volumes(current),
        "not_scanned": _simple("Errors and not scanned", ("endpoint", "kind", "reason", "items"), current,
                               "not_scanned"),
        "trend": _trend(every),
    }
    return Tables(tables, not every, generated)

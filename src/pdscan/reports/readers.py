"""Readers of stored scan results: JSONL files streamed line by line, the store through its own queries.

Pass one (`read_jsonl`, `read_store`) reduces every source to one small
`Scan` tally per scan; pass two (`jsonl_violations`, `store_violations`)
re-reads a kept scan for its violation rows, and (`jsonl_mail`,
`store_mail`) for its per-mailbox mail counts. A JSONL line is checked
(`_misfit`) and read into its typed record by records.py; the store is read
by sinks/store/queries.py, which holds every SQL query. Nothing raw is read
here: records hold masked samples only, and only those reach the rows.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from ..display import shown
from ..errors import ConfigError
from ..model import ItemResult, MessageResult
from ..policy.rules import BULK_SOCIAL_EMAIL, PERSONAL_EMAIL_OUTSIDE_FOLDER, RETENTION_EXPIRED
from ..records import RECORD_TYPES, from_json
from ..sinks.store.queries import StoreReader

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
    volumes: list = field(default_factory=list)  # VolumeResult
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


def _category(violation, record) -> str:
    retention = getattr(record, "retention", None) or {}
    return retention.get("category") or (violation.detail or "").split(":", 1)[0] or "unknown"


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


def _tally_item(scan: Scan, r, encrypted) -> None:
    """An item, or a message (counted as an item of no file). `encrypted` is the line's own field:
    a message has none in the contract, but one that carries it counts as an item would."""
    scan.items += 1
    if isinstance(r, ItemResult) and r.member is None:
        scan.files += 1
        scan.bytes += r.size or 0
    if r.findings:
        scan.personal += 1
        scan.unencrypted += encrypted is False
    for v in r.violations:
        scan.violations[(v.rule, v.severity)] += 1
        if v.rule == RETENTION_EXPIRED:
            scan.retention[(_category(v, r), v.severity)] += 1


def read_jsonl(path: str) -> Optional[Scan]:
    """One file's scan, or None for a file without a single record (nothing was scanned)."""
    mtime = dt.datetime.fromtimestamp(os.stat(path).st_mtime, dt.timezone.utc).replace(tzinfo=None)
    scan = Scan(Path(path).stem, mtime.replace(microsecond=0), False, path, ("jsonl", path))
    lines = 0
    for lines, r in enumerate(_lines(path), 1):
        kind = r.get("type") if r else None
        if r and r.get("host"):
            scan.endpoint = str(r["host"])
        record = from_json(r) if r else None
        if kind == "message":
            scan.messages += 1
        if kind in ("item", "message"):
            _tally_item(scan, record, r.get("encrypted"))
        elif kind == "error":
            scan.not_scanned[("error", str(record.error)[:200])] += 1
        elif kind == "volume":
            scan.volumes.append(record)
            for v in record.violations:
                scan.violations[(v.rule, v.severity)] += 1
        elif kind == "summary":
            scan.complete = True
            for reason, n in (r.get("skipped") or {}).items():
                scan.not_scanned[("skipped", reason)] += n
            scan.when = _when(r.get("started")) or scan.when
        elif r is None:
            scan.not_scanned[("report", "unreadable JSONL line")] += 1
    return scan if lines else None


def _records(scan: Scan, kind: type) -> Iterator:
    """The scan's JSONL records of one type, read again (pass two)."""
    for r in _lines(scan.source):
        record = from_json(r) if r else None
        if isinstance(record, kind):
            yield record


def jsonl_violations(scan: Scan) -> Iterator[tuple]:
    for record in _records(scan, ItemResult):
        yield from _violation_rows(scan.endpoint, record)


def _mail_counts(r: MessageResult) -> tuple:
    """One message's (messages, personal, personal outside Personal, with personal data, bulk-social) counts."""
    rules = [v.rule for v in r.violations]
    outside = rules.count(PERSONAL_EMAIL_OUTSIDE_FOLDER)
    personal = r.classification == "personal" or outside > 0  # the rule is broken by personal mail only
    return 1, int(personal), outside, int(bool(r.findings)), rules.count(BULK_SOCIAL_EMAIL)


def jsonl_mail(scan: Scan) -> Iterator[tuple]:
    """(mailbox path, counts...) per mailbox of one JSONL scan: one small tally per mailbox, never per message."""
    boxes: dict = {}
    for r in _records(scan, MessageResult):
        counts = _mail_counts(r)
        box = boxes.setdefault(str(r.path), [0] * len(counts))
        for i, n in enumerate(counts):
            box[i] += n
    for path in sorted(boxes):
        yield (path, *boxes[path])


# ---- the store -------------------------------------------------------------------------------------------

def read_store(path: str) -> list:
    with StoreReader(path) as store:
        scans = {}
        for row in store.scans():
            when = _when(row.started) or dt.datetime.min
            scan = scans[row.id] = Scan(row.host or Path(path).stem, when, row.complete, path, ("db", path, row.id))
            for reason, n in row.skipped.items():
                scan.not_scanned[("skipped", reason)] += n
        for sid, files, items, size, personal, unencrypted in store.item_tallies():
            s = scans[sid]
            s.files, s.items, s.bytes, s.personal, s.unencrypted = files, items, size or 0, personal, unencrypted
        for sid, rule, severity, n in store.violation_counts():
            scans[sid].violations[(rule, severity)] += n
        for sid, category, severity, n in store.expired_by_category():
            scans[sid].retention[(category, severity)] += n
        for sid, error, n in store.error_counts():
            scans[sid].not_scanned[("error", error)] += n
        for sid, n in store.message_counts():
            scans[sid].messages = n
        for sid, volume in store.volumes():
            scans[sid].volumes.append(volume)
            for v in volume.violations:
                scans[sid].violations[(v.rule, v.severity)] += 1
        return list(scans.values())


def store_has_results(path: str) -> bool:
    """True when the store holds at least one scan; an error when it is not a pdscan store."""
    with StoreReader(path) as store:
        return store.has_scans()


def store_violations(scan: Scan) -> Iterator[tuple]:
    with StoreReader(scan.source) as store:
        for item in store.violating_items(scan.key[2]):
            yield from _violation_rows(scan.endpoint, item)


def store_mail(scan: Scan) -> Iterator[tuple]:
    """(mailbox path, counts...) per mailbox of one stored scan, summed by SQLite (the sender is never read)."""
    with StoreReader(scan.source) as store:
        rows = store.mail_tallies(scan.key[2], PERSONAL_EMAIL_OUTSIDE_FOLDER, BULK_SOCIAL_EMAIL)
    yield from rows


# ---- rows ------------------------------------------------------------------------------------------------

def _violation_rows(endpoint: str, r: ItemResult) -> Iterator[tuple]:
    detectors = ", ".join(f"{f.detector} ×{f.count}" for f in r.findings)
    samples = ", ".join(s for f in r.findings for s in (f.samples or ())[:1])
    encrypted = {True: "yes", False: "no"}.get(r.encrypted, "unknown")
    if r.encryption:
        encrypted += f" ({r.encryption})"
    modified = _date(r.mtime)
    for v in r.violations:
        yield (endpoint, r.path, r.member, v.rule, v.severity, detectors, samples, encrypted, modified)

"""The report's tables, the same in every format, built from stored scan results.

Sources are read (by `readers`) in two passes so memory stays bounded however many
findings there are: pass one streams every record (JSONL line by line, the
store through SQL aggregates) into one small `Scan` tally per scan; the
merge keeps each endpoint's latest complete scan for the current tables and
every scan for the trend; pass two re-reads only the kept scans for the
violations list, keeping the most severe and oldest MAX_VIOLATION_ROWS,
and those with mail messages for the mail table (one tally per mailbox).
Nothing raw is read here: records hold masked samples only, and only those
reach the tables.
"""
from __future__ import annotations

import datetime as dt
import functools
import heapq
import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from ..config import bundled
from ..model import SEVERITIES, worst_first
from ..policy.loader import read_toml
from ..policy.rules import load_rules
from .readers import jsonl_mail, jsonl_violations, store_mail, store_violations

MAX_VIOLATION_ROWS = 50_000

UNKNOWN_RULE = ("A policy rule was broken.", "See the policy file for this rule.")


@functools.lru_cache(maxsize=None)
def declared_rules() -> dict:
    """Rule id → (what it means, what to do), as the bundled policy declares them (policy/rules.py)."""
    path = bundled("policies.toml")
    return {r.id: (r.description, r.advice) for r in load_rules(read_toml(path), str(path)).values()}


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
            source = jsonl_violations(scan) if scan.key[0] == "jsonl" else store_violations(scan)
            for row in source:
                next(total)
                age = (today - row[-1]).days if row[-1] else None
                yield (*row, age)

    def rank(row):
        return worst_first(row[4]), -(row[-1] or 0), row[0], str(row[1]), str(row[2] or "")

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
    add(("Volumes failed", sum(v.verdict == "FAIL" for v in volumes)))
    add(("Violations", sum(sum(s.violations.values()) for s in current)))
    by_rule = Counter()
    for s in current:
        by_rule.update(s.violations)
    for (rule, severity), n in sorted(by_rule.items(), key=lambda kv: (str(kv[0][0]), worst_first(kv[0][1]))):
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
                       sum(n for (_, sev), n in s.violations.items() if sev == SEVERITIES[-1]),
                       sum(n for (k, _), n in s.not_scanned.items() if k == "error"), s.source))
    return t


def _rules(current: list) -> Table:
    t = Table("Violations by rule", ("rule", "severity", "violations", "endpoints", "what it means", "what to do"))
    counts, hosts = Counter(), {}
    for s in current:
        counts.update(s.violations)
        for key in s.violations:
            hosts.setdefault(key, set()).add(s.endpoint)
    for (rule, severity), n in sorted(counts.items(), key=lambda kv: (worst_first(kv[0][1]), -kv[1])):
        meaning, action = declared_rules().get(rule, UNKNOWN_RULE)
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
            t.rows.append((s.endpoint, v.device, v.mountpoint, v.fstype, yes_no.get(v.removable, "unknown"),
                           yes_no.get(v.encrypted, "unknown"), v.encryption, v.verdict))
    return t


MAIL_COLUMNS = ("endpoint", "mailbox", "messages", "personal messages", "personal outside Personal",
                "messages with personal data", "bulk-social senders")


def _mail(current: list) -> Table:
    """One row per mailbox of the current scans (pass two, scans with messages only): counts, never an address."""
    t = Table("Mail", MAIL_COLUMNS)
    for s in current:
        if s.messages:
            for row in (jsonl_mail(s) if s.key[0] == "jsonl" else store_mail(s)):
                t.rows.append((s.endpoint, *row))
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
        "mail": _mail(current),
        "not_scanned": _simple("Errors and not scanned", ("endpoint", "kind", "reason", "items"), current,
                               "not_scanned"),
        "trend": _trend(every),
    }
    return Tables(tables, not every, generated)

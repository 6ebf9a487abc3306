"""An endpoint's state: the latest complete result per (host, kind of check, root), counted once.

A record of a run is *current* unless a later complete run of the same host and check covers
its path (a root at or above it; a watch covers the paths it recorded): so a scan of one folder
replaces what an earlier scan said about that folder only, and a mail run never replaces a file
scan. A run that did not finish counts only where no complete run covers it. Files and watch
runs are one check (a watched change replaces the file's earlier result); retention runs count
only their verdicts. Every figure of the report (cards, charts, tables) is summed here, in one
pass over every run's records: "items holding personal data under the policy" are the items
whose `personal` is true, as the scan's own summary counts them (session.count).
"""
from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from ..model import LAPSING_SOON_DAYS, NOT_PERSONAL, ErrorRecord, ItemResult, MessageResult, VolumeResult, worst_first
from ..policy.rules import BULK_SOCIAL_EMAIL, MAIL_FORWARDING_OUTSIDE, PERSONAL_EMAIL_OUTSIDE_FOLDER, \
    RETENTION_EXPIRED
from .readers import UNREADABLE_LINE, Run, records

MAX_VIOLATION_ROWS = 50_000
WATCHED = "(changed files)"  # the root a watch's results are listed under


def group(kind: str) -> str:
    """The check a run's results replace each other within."""
    return "files" if kind == "watch" else kind


def _covers(root: str, path: str) -> bool:
    return root == "" or path == root or path.startswith(root.rstrip("/\\") + "/") \
        or path.startswith(root.rstrip("/\\") + "\\")


def covers(run: Run, path: str) -> bool:
    if run.kind == "watch":
        return path in run.paths
    return not run.roots or any(_covers(r, path) for r in run.roots)


def root_of(run: Run, path: str) -> str:
    """The run's root a record belongs under: the longest covering one, else the path itself."""
    if run.kind == "watch":
        return WATCHED
    if not run.roots:
        return ""
    under = [r for r in run.roots if _covers(r, path)]
    return max(under, key=len) if under else path


@dataclass
class Check:
    """One current (host, kind, root): what its latest complete run found there."""
    host: str
    kind: str
    root: str
    when: dt.datetime = dt.datetime.min
    complete: bool = True
    sources: set = field(default_factory=set)
    files: int = 0
    items: int = 0
    bytes: int = 0
    personal: int = 0
    unencrypted: int = 0
    messages: int = 0
    violations: Counter = field(default_factory=Counter)    # (rule, severity) -> n
    retention: Counter = field(default_factory=Counter)     # (category, severity) -> n expired
    not_scanned: Counter = field(default_factory=Counter)   # (kind, reason) -> n
    volumes: list = field(default_factory=list)
    accepted: Counter = field(default_factory=Counter)      # (rule, severity) -> n a decision accepted
    dismissed: Counter = field(default_factory=Counter)     # (rule, severity) -> n dismissed as not personal
    mailboxes: dict = field(default_factory=dict)           # mailbox -> [messages, personal, outside, data, bulk]
    sent_outside: Counter = field(default_factory=Counter)  # destination kind -> messages (personal-data-sent-outside)
    forwarding: int = 0                                     # mailboxes with mail-forwarding-outside


@dataclass
class RunTally:
    """What one run found (current or not): the trend."""
    run: Run
    files: int = 0
    personal: int = 0
    unencrypted: int = 0
    violations: int = 0


@dataclass
class State:
    checks: list          # Check, by host, kind, root
    trend: list           # RunTally, every run in date order
    violations: list      # rows of the violations listed (most severe, then oldest; bounded)
    violations_total: int
    triaged: list = field(default_factory=list)  # rows of the items a decision covers (bounded)


class _Currency:
    """Whether a run's record at a path is current (see the module docstring)."""

    def __init__(self, runs: list):
        self.by_group: dict = {}
        for order, run in enumerate(runs):
            self.by_group.setdefault((run.host, group(run.kind)), []).append((order, run))

    def current(self, order: int, run: Run, path: str) -> bool:
        for other_order, other in self.by_group[(run.host, group(run.kind))]:
            if other_order == order or not covers(other, path):
                continue
            later = other_order > order
            if other.complete and (later or not run.complete):
                return False
            if not other.complete and not run.complete and later:
                return False
        return True


def _path(record) -> str:
    if isinstance(record, VolumeResult):
        return str(record.mountpoint or record.device or "")
    return str(record.path or "")


def _date(text) -> Optional[dt.date]:
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")).date() if text else None
    except ValueError:
        return None


def _row(host: str, record, rule: str, severity: str, today: dt.date) -> tuple:
    """A listed violation: (endpoint, path, member, rule, severity, detectors, masked samples, encrypted,
    modified, age in days)."""
    if isinstance(record, VolumeResult):
        return (host, _path(record), None, rule, severity, "", "", "yes" if record.encrypted else "no", None, None)
    detectors = ", ".join(f"{f.detector} ×{f.count}" for f in record.findings)
    samples = ", ".join(s for f in record.findings for s in (f.samples or ())[:1])
    encrypted = getattr(record, "encrypted", None)
    shown = {True: "yes", False: "no"}.get(encrypted, "unknown")
    if getattr(record, "encryption", None):
        shown += f" ({record.encryption})"
    modified = _date(getattr(record, "mtime", None) or getattr(record, "date", None))
    return (host, record.path, record.member, rule, severity, detectors, samples, shown, modified,
            (today - modified).days if modified else None)


def _expired(record) -> list:
    """A retention run's record: [(retention-expired, severity)] when its verdict is expired."""
    verdict = getattr(record, "retention", None) or {}
    if not verdict.get("expired"):
        return []
    covered = getattr(record, "accepted", None)
    severity = verdict.get("severity") or next((v.severity for v in (*record.violations, *(
        covered.violations if covered else ())) if v.rule == RETENTION_EXPIRED), None)
    return [(RETENTION_EXPIRED, severity)]


def _covers_retention(record) -> bool:
    """A retention run stores the scan's own record: a decision on it covers the verdict when it
    covers every rule or this one (policy/triage.py decides per item, the same way)."""
    covered = getattr(record, "accepted", None)
    return covered is not None and covered.rule in (None, RETENTION_EXPIRED)


def _violations(run: Run, record) -> list:
    """(rule, severity) pairs the record counts in its check as open: a retention run's expired verdicts only."""
    if run.kind != "retention":
        return [(v.rule, v.severity) for v in record.violations]
    return [] if _covers_retention(record) else _expired(record)


def _triaged(run: Run, record) -> list:
    """(rule, severity) pairs a decision in force covers on the record (accepted or dismissed)."""
    covered = getattr(record, "accepted", None)
    if covered is None:
        return []
    if run.kind == "retention":
        return _expired(record) if _covers_retention(record) else []
    return [(v.rule, v.severity) for v in covered.violations]


def _triage_row(host: str, record, found: list, today: dt.date) -> tuple:
    """A listed decision: (endpoint, path, member, status, violations covered, reason, by, decided, until,
    lapsing soon, source)."""
    a = record.accepted
    until = _date(a.until)
    soon = "yes" if until and until <= today + dt.timedelta(days=LAPSING_SOON_DAYS) else "no"
    status = "not personal data" if a.status == NOT_PERSONAL else "accepted"
    source = f"decision {a.id}" if a.id is not None else "policy exception"
    return (host, record.path, record.member, status, ", ".join(f"{rule} ({sev})" for rule, sev in found),
            a.reason, a.by, _date(a.at), until, soon, source)


def _category(record) -> str:
    """An expired item's retention category; a file from a pdscan before verdicts were fields names it
    first in the violation's detail."""
    verdict = getattr(record, "retention", None) or {}
    detail = next((v.detail for v in record.violations if v.rule == RETENTION_EXPIRED), None) or ""
    return verdict.get("category") or detail.split(":", 1)[0] or "unknown"


def _count(check: Check, run: Run, record) -> list:
    """Add one current record to its check; returns the (rule, severity) pairs it lists."""
    if isinstance(record, ErrorRecord):
        unreadable = record.error == UNREADABLE_LINE and record.path == run.source
        check.not_scanned[("report" if unreadable else "error", str(record.error)[:200])] += 1
        return []
    found = _violations(run, record)
    check.violations.update(found)
    covered = _triaged(run, record)
    if covered:
        (check.dismissed if record.accepted.status == NOT_PERSONAL else check.accepted).update(covered)
    for rule, severity in found:
        if rule == RETENTION_EXPIRED:
            check.retention[(_category(record), severity)] += 1
    if run.kind == "retention":
        return found
    if isinstance(record, VolumeResult):
        check.volumes.append(record)
    elif isinstance(record, MessageResult):
        check.messages += 1
        rules = [v.rule for v in record.violations]
        outside = rules.count(PERSONAL_EMAIL_OUTSIDE_FOLDER)
        counts = (1, int(record.classification == "personal" or outside > 0), outside, int(bool(record.findings)),
                  rules.count(BULK_SOCIAL_EMAIL))
        box = check.mailboxes.setdefault(str(record.path), [0] * len(counts))
        for i, n in enumerate(counts):
            box[i] += n
        if record.sent_outside:
            check.sent_outside[str(record.sent_outside.get("destination"))] += 1
    elif isinstance(record, ItemResult):
        check.forwarding += any(rule == MAIL_FORWARDING_OUTSIDE for rule, _ in found)
        check.items += 1
        if record.member is None:
            check.files += 1
            check.bytes += record.size or 0
        if record.personal:
            check.personal += 1
            check.unencrypted += record.encrypted is False
    return found


def _tally_run(tally: RunTally, run: Run, record, found: list) -> None:
    tally.violations += len(found)
    if run.kind != "retention" and isinstance(record, ItemResult):
        tally.files += record.member is None
        tally.personal += record.personal
        tally.unencrypted += record.personal and record.encrypted is False


def build_state(runs: list, since: Optional[dt.date], today: dt.date) -> State:
    runs = sorted((r for r in runs if since is None or r.when.date() >= since), key=lambda r: (r.when, r.source))
    currency = _Currency(runs)
    checks: dict = {}
    trend = [RunTally(run) for run in runs]
    listed = itertools.count()
    triaged: list = []

    def check_for(order: int, run: Run, root: str) -> Check:
        check = checks.get((run.host, group(run.kind), root))
        if check is None:
            check = checks[(run.host, group(run.kind), root)] = Check(run.host, run.kind, root)
        if run.when >= check.when:
            check.when, check.kind = run.when, run.kind
        check.complete = check.complete and run.complete
        check.sources.add(run.source)
        return check

    def rows():
        for order, run in enumerate(runs):
            # A run is a check of each of its roots even where it found nothing (an empty, clean folder).
            for n, root in enumerate(run.roots or (() if run.kind == "watch" else ("",))):
                if currency.current(order, run, root):
                    check = check_for(order, run, root)
                    if n == 0:
                        check.not_scanned.update({("skipped", reason): k for reason, k in run.skipped.items()})
            for record in records(run):
                path = _path(record)
                if currency.current(order, run, path):
                    check = check_for(order, run, root_of(run, path))
                    found = _count(check, run, record)
                    if getattr(record, "accepted", None) is not None and len(triaged) < MAX_VIOLATION_ROWS:
                        triaged.append(_triage_row(run.host, record, _triaged(run, record), today))
                    for rule, severity in found:
                        next(listed)
                        yield _row(run.host, record, rule, severity, today)
                else:
                    found = _violations(run, record) if not isinstance(record, ErrorRecord) else []
                _tally_run(trend[order], run, record, found)

    def rank(row):
        return worst_first(row[4]), -(row[-1] or 0), row[0], str(row[1]), str(row[2] or "")

    kept = heapq.nsmallest(MAX_VIOLATION_ROWS, rows(), key=rank)
    ordered = sorted(checks.values(), key=lambda c: (c.host, c.kind, c.root))
    triaged.sort(key=lambda row: (row[0], str(row[1]), str(row[2] or "")))
    return State(ordered, trend, kept, next(listed), triaged)

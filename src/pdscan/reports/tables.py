"""The report's tables, the same in every format, built from one `State` (reports/state.py).

Every figure is summed once, in state.py, over the current results of each endpoint (the
latest complete run per host, kind of check and root); the tables only arrange them, so the
summary, the endpoints, the checks, the listed violations and the charts agree. Nothing raw
is read here: records hold masked samples only, and only those reach the tables.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from ..config import bundled
from ..model import SEVERITIES, worst_first
from ..policy.loader import read_toml
from ..policy.rules import load_rules
from ..policy.sent_outside import DESTINATIONS
from .state import State, build_state

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




PERSONAL = "Items holding personal data under the policy"
# Violations a triage decision covers (pdscan accept, policy exceptions): not among "Violations", the open ones.
ACCEPTED_FIGURE = "Violations accepted"
DISMISSED_FIGURE = "Violations dismissed (not personal data)"
TRIAGE_COLUMNS = ("endpoint", "path", "member", "decision", "violations covered", "reason", "by", "decided", "until",
                  "lapsing soon", "source")
KIND_NAMES = {"files": "files", "watch": "files (watched changes)", "mail": "mailbox", "usb": "USB volume",
              "retention": "retention"}


def _sum(checks: list, attr: str) -> int:
    return sum(getattr(c, attr) for c in checks)


def _hosts(checks: list) -> dict:
    hosts: dict = {}
    for c in checks:
        hosts.setdefault(c.host, []).append(c)
    return hosts


def _errors(c) -> int:
    return sum(n for (k, _), n in c.not_scanned.items() if k == "error")


def _summary(state: State, generated: dt.datetime) -> Table:
    t = Table("Summary", ("figure", "value"))
    add = t.rows.append
    add(("Report generated (UTC)", generated))
    checks = state.checks
    if not state.trend:
        add(("Status", "no scan results"))
        return t
    add(("Endpoints", len(_hosts(checks))))
    add(("Checks current (host, kind, root)", len(checks)))
    add(("Scans read", len(state.trend)))
    add(("Latest scan", max((c.when for c in checks), default=state.trend[-1].run.when).date()))
    add(("Oldest current scan", min((c.when for c in checks), default=state.trend[-1].run.when).date()))
    for label, attr in (("Files scanned", "files"), ("Items scanned (files and archive members)", "items"),
                        ("Bytes scanned", "bytes"), (PERSONAL, "personal"),
                        (f"{PERSONAL}, unencrypted", "unencrypted"), ("Mail messages", "messages")):
        add((label, _sum(checks, attr)))
    volumes = [v for c in checks for v in c.volumes]
    add(("Volumes checked", len(volumes)))
    add(("Volumes failed", sum(v.verdict == "FAIL" for v in volumes)))
    add(("Violations", state.violations_total))
    add((ACCEPTED_FIGURE, sum(sum(c.accepted.values()) for c in checks)))
    add((DISMISSED_FIGURE, sum(sum(c.dismissed.values()) for c in checks)))
    by_rule = Counter()
    for c in checks:
        by_rule.update(c.violations)
    for (rule, severity), n in sorted(by_rule.items(), key=lambda kv: (str(kv[0][0]), worst_first(kv[0][1]))):
        add((f"Violations: {rule} ({severity})", n))
    add(("Retention: items past their period", sum(sum(c.retention.values()) for c in checks)))
    add(("Errors (items that could not be read)", sum(_errors(c) for c in checks)))
    add(("Items not scanned (skipped)", sum(n for c in checks for (k, _), n in c.not_scanned.items()
                                            if k == "skipped")))
    add(("Checks without a complete scan", sum(not c.complete for c in checks)))
    if len(state.violations) < state.violations_total:
        add(("Violations listed", f"{len(state.violations)} of {state.violations_total} (most severe, then oldest)"))
    return t


def _endpoints(checks: list) -> Table:
    t = Table("Endpoints", ("endpoint", "last scan", "checks", "complete", "files", "bytes", PERSONAL.lower(),
                            "unencrypted", "violations", "high severity", "errors"))
    for host, own in sorted(_hosts(checks).items()):
        violations = Counter()
        for c in own:
            violations.update(c.violations)
        t.rows.append((host, max(c.when for c in own).date(), len(own), "yes" if all(c.complete for c in own) else "no",
                       _sum(own, "files"), _sum(own, "bytes"), _sum(own, "personal"), _sum(own, "unencrypted"),
                       sum(violations.values()),
                       sum(n for (_, sev), n in violations.items() if sev == SEVERITIES[-1]),
                       sum(_errors(c) for c in own)))
    return t


def _checks(checks: list) -> Table:
    t = Table("Checks", ("endpoint", "check", "root", "last run", "complete", "items", PERSONAL.lower(),
                         "violations", "source"))
    for c in checks:
        t.rows.append((c.host, KIND_NAMES.get(c.kind, c.kind), c.root, c.when.date(), "yes" if c.complete else "no",
                       c.items, c.personal, sum(c.violations.values()), ", ".join(sorted(c.sources))))
    return t


def _rules(checks: list) -> Table:
    t = Table("Violations by rule", ("rule", "severity", "violations", "endpoints", "what it means", "what to do"))
    counts, hosts = Counter(), {}
    for c in checks:
        counts.update(c.violations)
        for key in c.violations:
            hosts.setdefault(key, set()).add(c.host)
    for (rule, severity), n in sorted(counts.items(), key=lambda kv: (worst_first(kv[0][1]), -kv[1])):
        meaning, action = declared_rules().get(rule, UNKNOWN_RULE)
        t.rows.append((rule, severity, n, len(hosts[(rule, severity)]), meaning, action))
    return t


def _simple(title: str, columns: tuple, checks: list, attr: str) -> Table:
    t = Table(title, columns)
    for host, own in sorted(_hosts(checks).items()):
        counts = Counter()
        for c in own:
            counts.update(getattr(c, attr))
        for key, n in sorted(counts.items(), key=lambda kv: tuple(map(str, kv[0]))):
            t.rows.append((host, *key, n))
    return t


def _volumes(checks: list) -> Table:
    t = Table("Volumes", ("endpoint", "device", "mountpoint", "fstype", "removable", "encrypted", "encryption",
                          "verdict"))
    yes_no = {True: "yes", False: "no", 1: "yes", 0: "no"}
    for c in checks:
        for v in c.volumes:
            t.rows.append((c.host, v.device, v.mountpoint, v.fstype, yes_no.get(v.removable, "unknown"),
                           yes_no.get(v.encrypted, "unknown"), v.encryption, v.verdict))
    return t


MAIL_COLUMNS = ("endpoint", "mailbox", "messages", "personal messages", "personal outside Personal",
                "messages with personal data", "bulk-social senders")


def _mail(checks: list) -> Table:
    """One row per current mailbox: counts, never an address."""
    t = Table("Mail", MAIL_COLUMNS)
    for c in checks:
        for box, counts in sorted(c.mailboxes.items()):
            t.rows.append((c.host, box, *counts))
    return t


SENT_OUTSIDE_COLUMNS = ("endpoint", *DESTINATIONS, "messages in all", "mailboxes forwarding outside")


def _sent_outside(checks: list) -> Table:
    """Per endpoint: messages that took others' personal data outside, by destination kind (partners
    at low severity, still counted), and mailboxes with a forwarding rule to outside."""
    t = Table("Personal data sent outside", SENT_OUTSIDE_COLUMNS)
    for host, own in sorted(_hosts(checks).items()):
        counts, forwarding = Counter(), sum(c.forwarding for c in own)
        for c in own:
            counts.update(c.sent_outside)
        if counts or forwarding:
            t.rows.append((host, *(counts[k] for k in DESTINATIONS), sum(counts.values()), forwarding))
    return t


def _trend(state: State) -> Table:
    t = Table("Trend", ("scan date", "endpoint", "check", "complete", "files", PERSONAL.lower(), "unencrypted",
                        "violations found"))
    for r in state.trend:
        t.rows.append((r.run.when.date(), r.run.host, KIND_NAMES.get(r.run.kind, r.run.kind),
                       "yes" if r.run.complete else "no", r.files, r.personal, r.unencrypted, r.violations))
    return t


VIOLATION_COLUMNS = ("endpoint", "path", "member", "rule", "severity", "detectors", "masked samples", "encrypted",
                     "modified", "age (days)")


def assemble(runs: list, since: Optional[dt.date], generated: dt.datetime) -> Tables:
    state = build_state(runs, since, generated.date())
    checks = state.checks
    tables = {
        "summary": _summary(state, generated),
        "endpoints": _endpoints(checks),
        "checks": _checks(checks),
        "rules": _rules(checks),
        "violations": Table("Violations", VIOLATION_COLUMNS, state.violations),
        "triage": Table("Accepted and dismissed", TRIAGE_COLUMNS, state.triaged),
        "retention": _simple("Retention due", ("endpoint", "category", "severity", "items"), checks, "retention"),
        "volumes": _volumes(checks),
        "mail": _mail(checks),
        "sent_outside": _sent_outside(checks),
        "not_scanned": _simple("Errors and not scanned", ("endpoint", "kind", "reason", "items"), checks,
                               "not_scanned"),
        "trend": _trend(state),
    }
    return Tables(tables, not state.trend, generated)

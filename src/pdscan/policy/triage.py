"""Triage: the decisions in force turn an item's violations into accepted or dismissed ones.

The last step of evaluation. A stored decision (`pdscan accept`, keyed by host, path, member and the
file's content hash) applies while the file's bytes hash the same, its `until` has not passed (as of
`--now` where a command has it) and no kind of finding appears that it did not see; otherwise it
lapses, and the item says so (`ItemResult.lapsed`) for the store to note in the decision's history.
A policy exception ([[exceptions]]) applies to every item under its globs until its date. What a
decision covers (its rule, else every rule) moves from `violations` to `accepted.violations`; a
not-personal decision also makes the item not personal data. `apply` first undoes any earlier
triage on the record (a stored result reused by `scan --incremental`), so it can be applied again.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Optional

from ..model import ACCEPTED, NOT_PERSONAL, Acceptance, Decision, ItemResult
from .evaluate import personal_findings
from .exceptions import today_utc


def untriaged(record: ItemResult, policy) -> ItemResult:
    """The record as evaluation made it: accepted violations back among the open ones."""
    if record.accepted is not None:
        record.violations = list(record.violations) + list(record.accepted.violations)
        if record.accepted.status == NOT_PERSONAL:
            record.personal = bool(personal_findings(record.findings, policy))
        record.accepted = None
    return record


class Triage:
    """Built once per scanner from the configuration: `apply` each item record."""

    def __init__(self, policy, hasher, decisions=(), as_of: Optional[dt.date] = None, note_lapses: bool = True):
        """`hasher(path)`: the file's content hash, as `pdscan accept` took it (sources.filesystem)."""
        self.policy = policy
        self.decisions = {(d.path, d.member): d for d in decisions}
        self.exceptions = tuple(policy.exceptions)
        self.as_of = as_of or today_utc()
        self.note_lapses = note_lapses  # a what-if `--now` reports lapses but does not record them
        self.hasher = hasher
        self._hashed: tuple = (None, None)  # (path, hash): a file's members come just before it

    def __bool__(self) -> bool:
        return bool(self.decisions or self.exceptions)

    def changes(self, record: ItemResult) -> bool:
        """Whether `apply` may change a stored record: one triaged before, or one a decision or an
        exception in force is about."""
        if record.accepted is not None:
            return True
        if not self:
            return False
        return (record.path, record.member) in self.decisions or any(
            e.in_force(self.as_of) and e.covers(record.path) for e in self.exceptions)

    def apply(self, record):
        if not isinstance(record, ItemResult):
            return record
        untriaged(record, self.policy)
        record.lapsed = None
        if not self:
            return record
        decision = self.decisions.get((record.path, record.member))
        if decision is not None:
            why = self.lapse(decision, record)
            if why is None:
                return _mark(record, Acceptance(decision.status, "decision", decision.reason, decision.by,
                                                decision.at, decision.until, decision.id, decision.rule))
            if self.note_lapses:
                record.lapsed = (decision.id, why)
        exception = next((e for e in self.exceptions if e.in_force(self.as_of) and e.covers(record.path)), None)
        if exception is not None:
            return _mark(record, Acceptance(ACCEPTED, "policy", exception.reason, exception.approved_by, None,
                                            exception.until.isoformat() if exception.until else None,
                                            rule=exception.rule))
        return record

    def lapse(self, decision: Decision, record: ItemResult) -> Optional[str]:
        """Why the decision no longer holds for this record, or None while it does."""
        if decision.until and self.as_of.isoformat() > decision.until:
            return f"its date passed ({decision.until})"
        new = sorted({f.detector for f in record.findings} - set(decision.detectors))
        if new:
            return f"a new kind of finding: {', '.join(new)}"
        if self._hash(record.path) != decision.content_hash:
            return "the content changed"
        return None

    def _hash(self, path: str) -> Optional[str]:
        if self._hashed[0] != path:
            try:
                self._hashed = (path, self.hasher(path))
            except OSError:
                self._hashed = (path, None)  # gone or unreadable: nothing to vouch for it
        return self._hashed[1]


def _mark(record: ItemResult, acceptance: Acceptance) -> ItemResult:
    covered = [v for v in record.violations if acceptance.rule is None or v.rule == acceptance.rule]
    record.violations = [v for v in record.violations if v not in covered]
    record.accepted = dataclasses.replace(acceptance, violations=tuple(covered))
    if acceptance.status == NOT_PERSONAL:
        record.personal = False
    return record

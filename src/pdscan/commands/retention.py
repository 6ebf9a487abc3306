"""`pdscan retention PATH...`: personal data held past its retention period, and a deletion plan.

The filesystem source runs through the pipeline as for `scan`, with the
retention hook (hooks/retention.py) keeping each file's retention facts as
it is read, so each file is read once; each item that holds personal data
is then classified by the retention schedule (policy/retention.py). Only
items past their period are listed (with a `retention-expired` violation
and a `retention` object in JSONL); --plan-out writes the expired,
delete-action files as a plan for `pdscan shred`. The store (--db, else the
per-user one, as for `scan`) gets the scan's own records, each judged item
with its verdict as fields of its own (`retention` table), never as a scan
violation.
"""
from __future__ import annotations

import collections
import dataclasses
import datetime as dt
from typing import Optional

from ..config import ScanConfig, triage_of
from ..detect.loader import load_detectors
from ..hooks.retention import RetentionHook, retention_facts
from ..model import ErrorRecord, ItemResult
from ..options import add_scan_options, check_roots
from ..outputs import open_sinks, open_store, scan_exit_code
from ..policy.evaluate import retention_violation
from ..policy.retention import decide
from ..policy.rules import RETENTION_EXPIRED
from ..remediate.plan import NotPlanned, entry_for, write_plan
from ..safefile import refuse_symlink
from ..sinks.console import acceptance_text, item_name
from ..sinks.store import StoreSink
from ..session import Session, count
from ..sources.filesystem import Walker
from ..workers import scan_events


def add_parser(sub) -> None:
    p = sub.add_parser("retention", help="list personal data held past its retention period",
                       description="List personal data held past its retention period (the schedule is "
                                   "[retention] in the policy) and write a deletion plan for `pdscan shred`.")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="files and folders to judge against the retention schedule (folders recursively)")
    add_scan_options(p)
    p.add_argument("--now", metavar="YYYY-MM-DD", help="judge ages as of this day (default: today, UTC)")
    p.add_argument("--plan-out", metavar="FILE", help="write the deletion plan (JSON) here")
    p.set_defaults(run=run_retention)


def run_retention(args) -> int:
    check_roots(args.paths)
    if args.plan_out:
        refuse_symlink(args.plan_out)  # before the scan, not after it (write_plan checks again)
    cfg = ScanConfig.from_args(args)
    now = cfg.as_of
    schedule = cfg.policy.retention
    categories = {s.id: s.category for s in load_detectors(cfg.detector_paths)}
    judge = Judge(schedule, categories, now, bool(args.plan_out), cfg.policy, triage_of(cfg))
    with open_store(cfg, default=True) as store, \
            open_sinks(args, cfg, store, args.paths, "retention") as (sinks, _progress):
        if args.format == "text":
            sinks[0] = RetentionText(sinks[0], judge)
        # The output lists expired items with their retention violation only; the store keeps the
        # scan's own records (its violations, which `scan --incremental` may reuse) and beside them
        # each judged item's verdict.
        stored = Session([s for s in sinks if isinstance(s, StoreSink)])
        shown = [s for s in sinks if not isinstance(s, StoreSink)]
        session = Session(shown)
        events = Walker(cfg.walk).walk(args.paths)
        hook = RetentionHook(schedule, cfg.policy.mail.owner_domains)
        for record in scan_events(cfg, events, session.summary, hooks=(hook,)):
            out = judge(record)
            stored.emit(_verdict_stored(record, out))
            count(session.summary, out)
            if isinstance(out, ErrorRecord) or out.violations or out.accepted and out.accepted.violations:
                for sink in shown:
                    sink.record(out)
        session.summary.retention = stored.summary.retention = judge.counts()
        stored.summary.skipped = session.summary.skipped
        stored.close()
        summary = session.close()
    if args.plan_out:
        write_plan(args.plan_out, judge.planned, now, cfg.policy.source)
    return scan_exit_code(summary)


def _verdict_stored(record, out):
    """The scan's record as the store keeps it: its own violations, and the verdict (with the
    retention violation's severity) beside them."""
    if not isinstance(out, ItemResult) or not out.retention:
        return record
    severity = next((v.severity for v in out.violations if v.rule == RETENTION_EXPIRED), None)
    return dataclasses.replace(record, retention=dict(out.retention, severity=severity))


class Judge:
    """Item record → the same record with retention verdicts; collects plan entries when a plan is
    wanted (each entry reads its file again for the digest shred checks)."""

    def __init__(self, schedule, det_categories: dict, now: dt.date, plan: bool, policy, triage):
        self.schedule, self.det_categories, self.now, self.plan = schedule, det_categories, now, plan
        self.policy = policy
        self.declared = policy.rules  # the policy's rules (policy/rules.py)
        self.triage = triage  # policy/triage.py: the decisions in force, as of `now`
        self.planned: list = []
        self.judged = collections.Counter()    # category id → items judged
        self.expired = collections.Counter()   # category id → items past their period
        self.not_judged = 0   # personal data with neither a category nor any date to judge by

    def __call__(self, record):
        if not isinstance(record, ItemResult):
            return record
        out = dataclasses.replace(record, violations=[], accepted=None)
        planned = self._judge(record, out)
        self.triage.apply(out)  # a decision on the item covers its verdict too (not its scan's violations)
        if planned and out.violations:  # an accepted item is kept on purpose: never planned for deletion
            self._plan(out, *planned)
        return out

    def _judge(self, record: ItemResult, out: ItemResult) -> Optional[tuple]:
        """Give `out` its verdict; (decision, reason) when it is to go in the plan."""
        facts, mail_date = retention_facts(record)
        named = not record.personal and (self._names_someone(record) or facts.file_named)
        if not (record.personal or named):
            return None
        decision = decide(self.schedule, record, facts, self.det_categories, self.now, mail_date, one_person=named)
        if decision is None:
            self.not_judged += not named  # a name no category claims is no record of a person
            return None
        out.retention = _summary(decision, self.now)
        self.judged[decision.category.id] += 1
        if not decision.expired:
            return None
        self.expired[decision.category.id] += 1
        violation = retention_violation(decision, self.declared)
        out.violations = [violation]
        return (decision, violation.detail) if decision.action == "delete" and self.plan else None

    def _names_someone(self, record: ItemResult) -> bool:
        """A finding of a one_person detector at the confidence [personal_data] asks of that detector."""
        for f in record.findings:
            rule = self.policy.detectors.get(f.detector)
            if f.detector in self.schedule.one_person and rule is not None \
                    and self.policy.counts_as_personal(f.detector, f.confidence, rule.min_count):
                return True
        return False

    def counts(self) -> dict:
        """The summary's `retention` object: how much was judged, and how much had no specific category."""
        default = self.schedule.default
        return {"judged": sum(self.judged.values()), "expired": sum(self.expired.values()),
                "categories": dict(sorted(self.judged.items())),
                "unclassified": self.judged[default.id] if default else 0,
                "unclassified_expired": self.expired[default.id] if default else 0,
                "not_judged": self.not_judged}

    def _plan(self, out: ItemResult, decision, reason: str) -> None:
        try:
            self.planned.append(entry_for(out.path, decision.category.id, decision.rule, reason))
        except NotPlanned as exc:
            out.retention["not_planned"] = str(exc)
        except OSError:
            pass  # gone or unreadable since the scan: nothing to plan


def _summary(decision, now: dt.date) -> dict:
    return {"category": decision.category.id, "evidence": list(decision.evidence), "as_of": now.isoformat(),
            "score": decision.score, "clock": decision.clock_date.isoformat(), "clock_from": decision.clock_from,
            "expires": decision.expires.isoformat(), "age": decision.age, "age_days": decision.age_days,
            "expired": decision.expired, "action": decision.action, "rule": decision.rule}


class RetentionText:
    """Text for people: one block per expired item; errors and the summary as for scan."""

    def __init__(self, console, judge: Judge):
        self.console, self.judge = console, judge

    def begin(self) -> None:
        self.console.begin()

    def record(self, record) -> None:
        if not isinstance(record, ItemResult):
            self.console.record(record)
            return
        r = record.retention
        self.console.emit([
            item_name(record),
            f"    category: {r['category']} ({'; '.join(r['evidence'])})",
            f"    age: {r['age']} since {r['clock_from']} {r['clock']}; expired {r['expires']}",
            f"    rule: {r['rule']}",
            f"    action: {r['action']}" + (" (inside an archive: plan the archive)" if record.member else "")]
            + ([f"    {r['not_planned']}"] if r.get("not_planned") else [])
            + ([f"    {acceptance_text(record.accepted)}"] if record.accepted else []))

    def end(self, summary) -> None:
        self.console.end(summary)
        c = summary.retention
        if not c:
            return
        lines = [f"Retention: {c['judged']} item(s) of personal data judged, {c['expired']} past their period."]
        default = self.judge.schedule.default
        if default is not None:
            lines.append(f"Personal data in no specific retention category: {c['unclassified']} item(s), judged as "
                         f"{default.id} ({default.period.text} after the latest known date"
                         f"{', review only' if default.review_only else ''}); {c['unclassified_expired']} past it.")
        if c["not_judged"]:
            lines.append(f"Personal data not judged (no retention category"
                         f"{' or no date' if default else ''}): {c['not_judged']} item(s); "
                         "the schedule is [retention] in the policy.")
        for line in lines:
            self.console.write(line)

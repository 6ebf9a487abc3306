"""`pdscan retention PATH...`: personal data held past its retention period, and a deletion plan.

The filesystem source runs through the pipeline as for `scan`, with the
retention hook (hooks/retention.py) keeping each file's retention facts as
it is read, so each file is read once; each item that holds personal data
is then classified by the retention schedule (policy/retention.py). Only
items past their period are listed (with a `retention-expired` violation
and a `retention` object in JSONL); --plan-out writes the expired,
delete-action files as a plan for `pdscan shred`. --db stores the scan's own
records, as `pdscan scan` would, never the retention verdicts.
"""
from __future__ import annotations

import datetime as dt

from .. import config as configuration
from ..detect.loader import load_detectors
from ..errors import ConfigError
from ..hooks.retention import RetentionHook, retention_facts
from ..pipeline import Session, count, scan_events
from ..policy.evaluate import retention_violation
from ..policy.retention import age_text, decide
from ..policy.retention_schedule import load_schedule
from ..remediate.plan import NotPlanned, entry_for, write_plan
from ..safefile import refuse_symlink
from ..sinks.console import item_name
from ..sinks.store import StoreSink
from ..sources.filesystem import Walker
from .common import add_scan_options, check_roots, open_sinks, scan_exit_code


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
    now = _today(args.now)
    cfg = configuration.build(args.policy, args.detectors, args.exclude, args.jobs, ocr=not args.no_ocr)
    specs = load_detectors(cfg.detector_paths)
    schedule = load_schedule(cfg.policy.raw, cfg.policy.source, {s.id for s in specs})
    judge = Judge(schedule, {s.id: s.category for s in specs}, now, bool(args.plan_out), cfg.policy.rules)
    with open_sinks(args, cfg, None, args.paths) as (sinks, _progress):
        if args.format == "text":
            sinks[0] = RetentionText(sinks[0], judge)
        # Retention records carry retention verdicts only, and only expired items: stored as
        # scan results they would corrupt the store's incremental reuse. The store gets the scan's.
        stored = Session([s for s in sinks if isinstance(s, StoreSink)])
        shown = [s for s in sinks if not isinstance(s, StoreSink)]
        session = Session(shown)
        events = Walker(cfg.walk).walk(args.paths)
        for record in scan_events(cfg, events, session.summary, hooks=(RetentionHook(schedule),)):
            stored.emit(record)
            out = judge(record)
            count(session.summary, out)
            if out["type"] == "error" or out["violations"]:
                for sink in shown:
                    sink.record(out)
        stored.summary.skipped = session.summary.skipped
        stored.close()
        summary = session.close()
    if args.plan_out:
        write_plan(args.plan_out, judge.planned, now, cfg.policy.source)
    return scan_exit_code(summary)


def _today(text) -> dt.date:
    if not text:
        return dt.datetime.now(dt.timezone.utc).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--now must be a date YYYY-MM-DD (got {text!r})") from None


class Judge:
    """Item record → the same record with retention verdicts; collects plan entries when a plan is
    wanted (each entry reads its file again for the digest shred checks)."""

    def __init__(self, schedule, det_categories: dict, now: dt.date, plan: bool, declared: dict):
        self.schedule, self.det_categories, self.now, self.plan = schedule, det_categories, now, plan
        self.declared = declared  # the policy's rules (policy/rules.py)
        self.planned: list = []
        self.unclassified = 0   # personal data that no category claims: not judged at all

    def __call__(self, record: dict) -> dict:
        if record["type"] != "item":
            return record
        out = dict(record, violations=[])
        if not record.get("_personal"):
            return out
        facts, mail_date = retention_facts(record)
        decision = decide(self.schedule, record, facts, self.det_categories, self.now, mail_date)
        if decision is None:
            self.unclassified += 1
            return out
        out["retention"] = _summary(decision)
        if decision.expired:
            violation = retention_violation(decision, self.declared)
            out["violations"] = [violation.to_dict()]
            if decision.action == "delete" and self.plan:
                self._plan(out, decision, violation.detail)
        return out

    def _plan(self, out: dict, decision, reason: str) -> None:
        try:
            self.planned.append(entry_for(out["path"], decision.category.id, decision.rule, reason))
        except NotPlanned as exc:
            out["retention"]["not_planned"] = str(exc)
        except OSError:
            pass  # gone or unreadable since the scan: nothing to plan


def _summary(decision) -> dict:
    return {"category": decision.category.id, "evidence": list(decision.evidence),
            "clock": decision.clock_date.isoformat(), "clock_from": decision.clock_from,
            "expires": decision.expires.isoformat(), "age_days": decision.age_days,
            "expired": decision.expired, "action": decision.action, "rule": decision.rule}


class RetentionText:
    """Text for people: one block per expired item; errors and the summary as for scan."""

    def __init__(self, console, judge: Judge):
        self.console, self.judge = console, judge

    def begin(self) -> None:
        self.console.begin()

    def record(self, record: dict) -> None:
        if record["type"] != "item":
            self.console.record(record)
            return
        r = record["retention"]
        age = age_text(dt.date.fromisoformat(r["clock"]), self.judge.now)
        self.console.emit([
            item_name(record),
            f"    category: {r['category']} ({'; '.join(r['evidence'])})",
            f"    age: {age} since {r['clock_from']} {r['clock']}; expired {r['expires']}",
            f"    rule: {r['rule']}",
            f"    action: {r['action']}" + (" (inside an archive: plan the archive)" if record.get("member") else "")]
            + ([f"    {r['not_planned']}"] if r.get("not_planned") else []))

    def end(self, summary) -> None:
        self.console.end(summary)
        if self.judge.unclassified:
            self.console.write(f"Personal data in no retention category (not judged): "
                               f"{self.judge.unclassified} item(s); the schedule is [retention] in the policy.")

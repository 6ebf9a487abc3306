"""`pdscan shred --plan PLAN [--yes]`: securely delete what a reviewed plan lists.

A dry run unless --yes: it checks every entry and says what would happen,
changing nothing and writing no audit record. Exit status: 0 every entry
deleted (or would be), 1 some refused or failed, 2 the plan is unusable.
"""
from __future__ import annotations

from ..display import shown
from ..errors import PdscanError
from ..privacy import data_dir, install_key, key_path
from ..remediate.plan import read_plan
from ..remediate.shred import AuditLog, Shredder
from ..safefile import private_dir

LABEL = {"deleted": "deleted", "would-delete": "would delete", "refused": "refused", "failed": "FAILED"}


def add_parser(sub) -> None:
    p = sub.add_parser("shred", help="securely delete what a reviewed deletion plan lists",
                       description="Securely delete the files a reviewed plan (from `pdscan retention "
                                   "--plan-out`) lists. Without --yes this is a dry run that changes nothing.")
    p.add_argument("--plan", metavar="FILE", required=True, help="the deletion plan (JSON)")
    p.add_argument("--yes", action="store_true", help="really delete (default: dry run)")
    p.add_argument("--passes", type=int, default=1, metavar="N",
                   help="overwrite passes (default 1: NIST SP 800-88 Clear for modern media)")
    p.add_argument("--audit-log", metavar="FILE",
                   help="append-only JSONL audit log (default: shred-audit.jsonl in the pdscan data folder)")
    p.set_defaults(run=run_shred)


def run_shred(args) -> int:
    if args.passes < 1:
        raise PdscanError("--passes must be at least 1")
    plan = read_plan(args.plan)
    audit = AuditLog(args.audit_log or _default_log(), install_key(key_path()))
    shredder = Shredder(audit, args.passes, dry_run=not args.yes)
    if not args.yes:
        print(f"Dry run: nothing will be changed. Plan {shown(args.plan)} ({len(plan.entries)} entries, "
              f"as of {plan.as_of}). Add --yes to delete.")
    counts: dict = {}
    for entry in plan.entries:
        outcome = shredder.shred(entry)
        counts[outcome.result] = counts.get(outcome.result, 0) + 1
        _print(outcome)
    print("Summary: " + (", ".join(f"{LABEL[k]} {n}" for k, n in sorted(counts.items())) or "empty plan")
          + (f"; audit log {shown(audit.path)}" if args.yes else ""))
    return 1 if counts.get("refused") or counts.get("failed") else 0


def _print(outcome) -> None:
    line = f"{LABEL[outcome.result]:<12} {shown(outcome.entry.path)}"
    if outcome.reason:
        line += f": {outcome.reason}"
    print(line)
    if outcome.assurance is not None:
        print(f"             assurance: {outcome.assurance.text()}")


def _default_log() -> str:
    return str(private_dir(data_dir()) / "shred-audit.jsonl")

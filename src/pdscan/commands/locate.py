"""`pdscan locate`: every stored item holding a person's identifiers (subject access and erasure).

The request (--request FILE, else typed at a prompt without echo) is hashed in memory
(locate/request.py) and compared with the keyed hashes in the store (sinks/store.py
`holdings`, locate/matching.py); nothing of it is written anywhere. --plan-out writes the
strongly matched whole files here as a deletion plan for `pdscan shred`. Exit status: 0 nothing
found, 1 items found, 2 error (a store hashed under another key among them).
"""
from __future__ import annotations

import datetime as dt
import json

from ..detect.hash_forms import FORM_VERSION
from ..display import shown
from ..locate.erasure import plan_entries
from ..locate.matching import locate
from ..locate.request import hash_request, prompt_request, read_request
from ..privacy import hash_key_path, install_key, key_id
from ..remediate.plan import write_plan
from ..safefile import refuse_symlink
from ..sinks import public
from ..sinks.console import encryption_text, item_name
from ..sinks.store import default_path, holdings
from .common import open_output


def add_parser(sub) -> None:
    p = sub.add_parser("locate", help="list every stored item holding a person's identifiers (subject access, "
                                      "erasure)",
                       description="List every item in the store that holds any of a person's identifiers, "
                                   "from their keyed hashes: for a subject access or erasure request. The "
                                   "identifiers are never written anywhere.")
    p.add_argument("--request", metavar="FILE",
                   help="TOML file of the person's identifiers (nino, uln, nhs, upn, passport, email, phone, "
                        "name, dob); without it they are asked for at the terminal, not echoed")
    p.add_argument("--db", metavar="FILE", help="the store to search (default: pdscan.db in the per-user data "
                                                "folder)")
    p.add_argument("--key-file", metavar="FILE",
                   help="the key that hashed the store's values (default: PDSCAN_HASH_KEY_FILE, else the "
                        "install key)")
    p.add_argument("--format", choices=("text", "jsonl"), default="text",
                   help="text for people (default), or jsonl one record per line")
    p.add_argument("--output", metavar="FILE", help="write results here instead of standard output")
    p.add_argument("--plan-out", metavar="FILE",
                   help="write a deletion plan of the whole files found on this machine, for `pdscan shred`")
    p.set_defaults(run=run_locate)


def run_locate(args) -> int:
    if args.plan_out:
        refuse_symlink(args.plan_out)
    key = install_key(hash_key_path(args.key_file))
    ours = (key_id(key), FORM_VERSION)
    sought = hash_request(read_request(args.request) if args.request else prompt_request(), key)
    held = holdings(args.db or default_path(), [s.hash for s in sought])
    found = locate(held, sought, ours)
    not_planned: dict = {}
    if args.plan_out:
        entries, not_planned = plan_entries(found)
        write_plan(args.plan_out, entries, dt.datetime.now(dt.timezone.utc).date())
    records = [_record(f, args.plan_out, not_planned.get(n)) for n, f in enumerate(found)]
    summary = _summary(records, ours, bool(args.plan_out))
    with open_output(args.output) as out:
        if args.format == "jsonl":
            for record in records + [summary]:
                out.write(json.dumps(public(record), ensure_ascii=False) + "\n")
        else:
            _text(out, records, summary, args.plan_out)
    return 1 if found else 0


def _record(found, plan_out, not_planned) -> dict:
    record = {"type": "located", "host": found.host, "path": found.path, "member": found.member,
              "last_seen": found.last_seen, "matched": list(found.kinds), "strength": found.strength,
              "encrypted": found.encrypted, "encryption": found.encryption,
              "erasure": "file" if found.member is None else "manual"}
    if plan_out:
        record["planned"] = not_planned is None
        if not_planned:
            record["not_planned"] = not_planned
    return record


def _summary(records: list, ours: tuple, planning: bool) -> dict:
    summary = {"type": "locate_summary", "items": len(records),
               "strong": sum(r["strength"] == "strong" for r in records),
               "medium": sum(r["strength"] == "medium" for r in records),
               "hosts": sorted({r["host"] or "" for r in records}), "key_id": ours[0], "hash_form": ours[1]}
    if planning:
        summary["planned"] = sum(bool(r.get("planned")) for r in records)
    return summary


def _text(out, records: list, summary: dict, plan_out) -> None:
    for r in records:
        out.write(f"{r['strength']:<6}  {shown(r['host'] or '?')}: {shown(item_name(r))}\n")
        out.write(f"    matched: {', '.join(r['matched'])}; {encryption_text(r)}; last seen {r['last_seen']}\n")
        if r.get("not_planned"):
            out.write(f"    {shown(r['not_planned'])}\n")
        elif r["erasure"] == "manual":
            out.write("    inside an archive or a mailbox: erase it by hand\n")
    out.write(f"\n{summary['items']} item(s) hold the request's identifiers ({summary['strong']} strong, "
              f"{summary['medium']} medium) on {len(summary['hosts'])} host(s); hashes compared under key id "
              f"{summary['key_id']}.\n")
    if plan_out:
        out.write(f"Deletion plan: {summary['planned']} file(s) in {shown(plan_out)}: review it, then "
                  f"`pdscan shred --plan {shown(plan_out)}` (a dry run) and `--yes`.\n")

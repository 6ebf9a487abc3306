"""`pdscan locate`: every stored item holding a person's identifiers (subject access and erasure).

The request (--request FILE, else typed at a prompt without echo) is hashed in memory
(locate/request.py) and compared with the keyed hashes in the store (sinks/store/queries.py
`StoreReader.holdings`, locate/matching.py); nothing of it is written anywhere. --plan-out writes the
strongly matched whole files here as a deletion plan for `pdscan shred`. Exit status: 0 nothing
found, 1 items found, 2 error (a store hashed under another key among them).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

from ..detect.hash_forms import FORM_VERSION
from ..display import shown
from ..locate.erasure import plan_entries
from ..locate.matching import locate
from ..locate.request import hash_request, no_core_dumps, prompt_request, read_request
from ..model import LocateSummary
from ..outputs import open_output
from ..privacy import hash_key_path, install_key, key_id
from ..records import to_json
from ..remediate.plan import write_plan
from ..safefile import refuse_symlink
from ..sinks.console import encryption_text, item_name
from ..sinks.store import default_path
from ..sinks.store.queries import open_reader


def add_parser(sub) -> None:
    p = sub.add_parser("locate", help="list every stored item holding a person's identifiers (subject access, "
                                      "erasure)",
                       description="List every item in the store that holds any of a person's identifiers, "
                                   "from their keyed hashes: for a subject access or erasure request. The "
                                   "identifiers are never written anywhere.")
    p.add_argument("--request", metavar="FILE",
                   help="TOML file of the person's identifiers (nino, uln, nhs, upn, passport, email, phone, "
                        "name, dob); without it they are asked for at the terminal, not echoed")
    p.add_argument("--db", metavar="FILE|URL", help="the store to search (default: pdscan.db in the per-user "
                                                    "data folder), or the central store at a postgresql:// URL")
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
    no_core_dumps()
    sought = hash_request(read_request(args.request) if args.request else prompt_request(), key)
    with open_reader(args.db or str(default_path())) as store:
        held = store.holdings([s.hash for s in sought])
    found = locate(held, sought, ours)
    if args.plan_out:
        entries, not_planned = plan_entries(found)
        write_plan(args.plan_out, entries, dt.datetime.now(dt.timezone.utc).date())
        found = [replace(f, planned=n not in not_planned, not_planned=not_planned.get(n))
                 for n, f in enumerate(found)]
    summary = LocateSummary(len(found), sum(f.strength == "strong" for f in found),
                            sum(f.strength == "medium" for f in found), tuple(sorted({f.host or "" for f in found})),
                            *ours, sum(bool(f.planned) for f in found) if args.plan_out else None)
    with open_output(args.output) as out:
        if args.format == "jsonl":
            for record in found + [summary]:
                out.write(json.dumps(to_json(record), ensure_ascii=False) + "\n")
        else:
            _text(out, found, summary, args.plan_out)
    return 1 if found else 0


def _text(out, found: list, summary: LocateSummary, plan_out) -> None:
    for f in found:
        out.write(f"{f.strength:<6}  {shown(f.host or '?')}: {shown(item_name(f))}\n")
        out.write(f"    matched: {', '.join(f.matched)}; {encryption_text(f)}; last seen {f.last_seen}\n")
        if f.not_planned:
            out.write(f"    {shown(f.not_planned)}\n")
        elif f.erasure == "manual":
            out.write("    inside an archive or a mailbox: erase it by hand\n")
    out.write(f"\n{summary.items} item(s) hold the request's identifiers ({summary.strong} strong, "
              f"{summary.medium} medium) on {len(summary.hosts)} host(s); hashes compared under key id "
              f"{summary.key_id}.\n")
    if plan_out:
        out.write(f"Deletion plan: {summary.planned} file(s) in {shown(plan_out)}: review it, then "
                  f"`pdscan shred --plan {shown(plan_out)}` (a dry run) and `--yes`.\n")

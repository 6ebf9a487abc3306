"""`pdscan accept`: record a triage decision for items as they are now; list, revoke, show history.

A decision is tied to what the store last saw of the item on this host (its kinds of finding) and
to the file's content hash, taken now: the file is read, never changed, and must be as the scan saw
it. Scans then report its violations as accepted (or dismissed, `--not-personal`) until it lapses
(policy/triage.py).
"""
from __future__ import annotations

import datetime as dt
import os
from typing import Optional

from ..config import as_of
from ..display import shown
from ..errors import ConfigError
from ..model import ACCEPTED, LAPSING_SOON_DAYS, NOT_PERSONAL
from ..policy.rules import IDS as RULE_IDS
from ..sinks.central import is_url
from ..sinks.console import item_name
from ..sinks.store import default_path
from ..sinks.store.decisions import decide, existing, latest_results, revoke
from ..sinks.store.queries import StoreReader
from ..sources.filesystem import content_hash


def add_parser(sub) -> None:
    p = sub.add_parser("accept", help="accept findings for a reason, or mark them not personal data",
                       description="Record a decision for files or archive members as they are now, from their "
                                   "latest stored scan: later scans report their violations as accepted (or "
                                   "dismissed, --not-personal) and do not count them in the exit status, until "
                                   "the content changes, the --until date passes or a new kind of finding "
                                   "appears. PATH may be a file, FILE!/MEMBER, or a folder (every item under "
                                   "it with findings).")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, FILE!/MEMBER, or folders to decide about")
    p.add_argument("--reason", metavar="TEXT", help="why (required to accept; recorded with the decision)")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="the decision lapses after this day (default: never)")
    p.add_argument("--rule", metavar="RULE", choices=RULE_IDS, help="accept this rule's violations only")
    p.add_argument("--not-personal", action="store_true",
                   help="the findings are not personal data (test data, a published list): dismissed, kept "
                        "with the mark")
    p.add_argument("--db", metavar="FILE", help="the store (default: pdscan.db in the per-user data folder); a "
                                                "central store's URL is refused: decisions are made on the endpoint")
    actions = p.add_mutually_exclusive_group()
    actions.add_argument("--list", action="store_true", help="list the decisions in force (--all: every one)")
    actions.add_argument("--revoke", type=int, metavar="ID", help="revoke a decision (--reason: why)")
    actions.add_argument("--history", action="store_true",
                         help="every decision's history: accepted, revoked, lapsed (who, when, why)")
    p.add_argument("--all", action="store_true", help="with --list: revoked and lapsed decisions too")
    p.set_defaults(run=run_accept)


def run_accept(args) -> int:
    db = str(args.db or default_path())
    if is_url(db):
        # The endpoint's own scans apply its decisions, and a revoke or a lapse changes one: a central
        # store takes rows from endpoints and changes none (sinks/central_roles.py).
        raise ConfigError("decisions are kept on the endpoint, in its own store (--db FILE, or the per-user "
                          "one): its scans apply them, and `pdscan fleet push` sends the accepted items on to "
                          "the central store, whose report lists them")
    if args.list or args.history:
        if args.paths:
            raise ConfigError("--list and --history take no PATH")
        with StoreReader(db) as reader:
            lines = _history(reader) if args.history else _listing(reader, args.all)
        print("\n".join(shown(line) for line in lines))
        return 0
    if args.revoke is not None:
        if args.paths:
            raise ConfigError("--revoke takes no PATH")
        store = existing(db)
        try:
            revoke(store, args.revoke, args.reason)
        finally:
            store.close()
        print(f"decision {args.revoke} revoked")
        return 0
    if not args.paths:
        raise ConfigError("give the PATH to accept, or --list, --history or --revoke ID")
    reason = (args.reason or "").strip()
    if not reason:
        raise ConfigError("--reason is required: say why these findings are accepted")
    until = _until(args.until)
    status = NOT_PERSONAL if args.not_personal else ACCEPTED
    store = existing(db)
    try:
        chosen = [record for path in args.paths for record in _items(store, path)]
        for record, digest in chosen:
            new, old = decide(store, record.path, record.member, digest, status, args.rule,
                              [f.detector for f in record.findings], reason, until)
            what = "not personal data" if args.not_personal else "accepted"
            print(shown(f"decision {new}: {item_name(record)} {what}" + (f" until {until}" if until else "")
                        + (f", rule {args.rule}" if args.rule else "") + (f" (replaces {old})" if old else "")))
    finally:
        store.close()
    return 0


def _until(text: Optional[str]) -> Optional[str]:
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--until must be a date YYYY-MM-DD (got {text!r})") from None
    if day < as_of(None):
        raise ConfigError(f"--until {text} has passed")
    return day.isoformat()


def _split(path: str) -> tuple:
    """PATH or FILE!/MEMBER → (absolute file or folder, member or None)."""
    if "!/" in path and not os.path.lexists(path):
        outer, member = path.split("!/", 1)
        return os.path.abspath(outer), member
    return os.path.abspath(path), None


def _items(store, path: str) -> list:
    """(record, content hash) of each item PATH names that its latest stored scan found something in."""
    root, member = _split(path)
    if not os.path.lexists(root):
        raise ConfigError(f"no such file or folder: {path}")
    chosen = []
    for file, prior in sorted(latest_results(store, root).items()):
        records = [r for r in prior.records if (r.findings or r.violations) and (member is None or r.member == member)]
        if records:
            if not _as_scanned(file, prior.records[-1]):
                raise ConfigError(f"{file} changed since its last scan: scan it again, then accept it")
            digest = content_hash(file)  # read-only (no atime): accepting never changes the file
            chosen += [(record, digest) for record in records]
    if not chosen:
        raise ConfigError(f"nothing to accept at {path}: no findings in its latest stored scan on this host "
                          "(scan it first, with the same --db)")
    return chosen


def _as_scanned(path: str, top) -> bool:
    """The file is as the stored scan saw it (size, times, inode), so its hash is the content judged."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    stat = top.stat
    return stat is not None and (top.size, stat.mtime_ns, stat.ctime_ns, stat.inode, stat.device) == \
        (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def lapsing_soon(until: Optional[str], today: dt.date) -> bool:
    return bool(until) and dt.date.fromisoformat(until) <= today + dt.timedelta(days=LAPSING_SOON_DAYS)


def _listing(reader: StoreReader, every: bool) -> list:
    decisions = reader.decisions(state=None if every else "active")
    if not decisions:
        return ["no decisions" + ("" if every else " in force")]
    today = as_of(None)
    lines = []
    for d in decisions:
        name = f"{d.path}!/{d.member}" if d.member else d.path
        until = (d.until or "-") + (" (lapsing soon)" if d.state == "active" and lapsing_soon(d.until, today) else "")
        lines.append(f"{d.id:>5}  {d.state:<8} {d.status:<12} {name}")
        lines.append(f"       host {d.host}, by {d.by or '?'} at {d.at}, until {until}"
                     + (f", rule {d.rule}" if d.rule else "") + f": {d.reason}")
    return lines


def _history(reader: StoreReader) -> list:
    names = {d.id: (f"{d.path}!/{d.member}" if d.member else d.path) for d in reader.decisions()}
    events = reader.events()
    if not events:
        return ["no decisions"]
    return [f"{at}  decision {ident:<5} {event:<12} by {by or '-'}: {names.get(ident, '?')}"
            + (f": {detail}" if detail else "") for ident, event, by, at, detail in events]

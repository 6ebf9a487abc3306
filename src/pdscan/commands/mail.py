"""`pdscan mail SOURCE...`: mailboxes into the pipeline, and personal mail outside Personal.

Each message goes through the same pipeline as a file (Scanner.scan_item:
body, headers, attachments as nested items), then gets one `message` record:
its folder, header facts, personal-or-work classification with the reasons,
the findings of all its parts, and the mail rules' violations. Mail inside
the Personal folder is counted, not read, unless policy says scan_personal.
"""
from __future__ import annotations

from typing import Iterator

from .. import config as configuration
from ..model import ErrorRecord, Item
from ..pipeline import Scanner, Session
from ..policy.mailbox import MailboxReview, outside_violation
from ..policy.mailclass import MailRules, Verdict, classify, facts_of
from ..sources.mail import open_mailbox
from .common import add_scan_options, open_sinks, scan_exit_code
from .mail_text import MailText

CLASSIFY_BYTES = 256 * 1024
MAX_SAMPLES = 3


def add_parser(sub) -> None:
    p = sub.add_parser("mail", help="scan mailboxes for personal data and personal mail outside Personal",
                       description="Scan mailboxes (Maildir, mbox files and trees, folders of .eml or other "
                                   "message files, Outlook .msg/.pst/.ost, imap:// and imaps:// URLs) for "
                                   "personal data, and find personal mail filed outside the Personal folder. "
                                   "Exit 0 clean, 1 violations found, 2 error.")
    p.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="a Maildir, mbox file, Thunderbird profile folder, folder of message files, "
                        ".msg, .pst or .ost file, or imap://user@host / imaps://user@host")
    p.add_argument("--owner-domain", metavar="DOMAIN", action="append", default=[],
                   help="a mail domain of the organisation (repeatable; also [mail] owner_domains in policy)")
    p.add_argument("--imap-cafile", metavar="PEM",
                   help="CA certificates to trust for imaps:// and STARTTLS instead of the system store "
                        "(the IMAP password comes from PDSCAN_IMAP_PASSWORD or a prompt, never an option)")
    add_scan_options(p)
    p.set_defaults(run=run_mail)


def run_mail(args) -> int:
    cfg = configuration.build(args.policy, args.detectors, args.exclude, 1)
    rules = MailRules.from_policy(cfg.policy.raw, args.owner_domain)
    # Opened before any output: a missing source or a refused IMAP login stops here, with exit 2.
    mailboxes = [open_mailbox(source, cafile=args.imap_cafile) for source in args.sources]
    with open_sinks(args, cfg, None, args.sources) as (sinks, _progress):
        if args.format == "text":
            sinks[0] = MailText(sinks[0], rules.personal_folder)
        session = Session(sinks)
        scanner = Scanner(cfg)
        for events in mailboxes:
            review = MailboxReview(rules)
            for event in events:
                if isinstance(event, ErrorRecord):
                    session.emit(event.to_dict())
                    continue
                for record, facts in check_message(scanner, rules, event):
                    if record["type"] == "message":
                        review.add(record, facts)  # emitted once the mailbox's threads are known
                    else:
                        session.emit(record)
            for record in review.finish():
                session.emit(record)
        summary = session.close()
    return scan_exit_code(summary)


def check_message(scanner: Scanner, rules: MailRules, item: Item) -> Iterator[tuple]:
    """(record, facts) pairs: the message's item records, then its message record with its facts."""
    folder = item.meta.get("folder")
    inside = rules.inside_personal(folder)
    if inside and not rules.scan_personal:
        yield message_record(item, Verdict("personal", None, ("in the Personal folder: counted, not read",)),
                             [], [], inside), None
        return
    parts = []
    for record in scanner.scan_item(item):
        parts.append(record)
        yield record, None
    facts = None
    if inside:
        verdict = Verdict("personal", None, ("in the Personal folder",))
    else:
        try:
            with item.open() as stream:
                raw = stream.read(CLASSIFY_BYTES + 1)
        except OSError as exc:
            yield ErrorRecord(item.path, item.member, f"cannot read: {exc.strerror or exc}").to_dict(), None
            return
        facts = facts_of(raw[:CLASSIFY_BYTES], whole=len(raw) <= CLASSIFY_BYTES)
        for problem in facts.problems:  # the message is still classified and reported: nothing is lost
            yield dict(ErrorRecord(item.path, item.member, problem).to_dict(), _warning=True), None
        verdict = classify(facts, rules)
    violations = [outside_violation(rules)] if verdict.classification == "personal" and not inside else []
    record = message_record(item, verdict, merged_findings(parts), violations, inside)
    record["_personal"] = any(r.get("_personal") for r in parts)
    yield record, facts


def merged_findings(records) -> list:
    """The findings of a message and all its parts, one per detector, distinct values by keyed hash."""
    merged: dict = {}
    order = ("low", "medium", "high")
    for record in records:
        if record["type"] != "item":
            continue
        keys = record.get("_keys", {})
        for f in record["findings"]:
            entry = merged.setdefault(f["detector"], {"keys": set(), "count": 0, "confidence": "low",
                                                      "samples": []})
            found = keys.get(f["detector"])
            if found:
                entry["keys"].update(found)
            else:
                entry["count"] += f["count"]
            if order.index(f["confidence"]) > order.index(entry["confidence"]):
                entry["confidence"] = f["confidence"]
            for s in f["samples"]:
                if s not in entry["samples"] and len(entry["samples"]) < MAX_SAMPLES:
                    entry["samples"].append(s)
    return [{"detector": d, "count": e["count"] + len(e["keys"]), "confidence": e["confidence"],
             "samples": e["samples"]} for d, e in sorted(merged.items())]


def message_record(item: Item, verdict: Verdict, findings: list, violations: list, inside: bool) -> dict:
    meta = item.meta
    return {
        "type": "message", "path": item.path, "member": item.member, "folder": meta.get("folder"),
        "message_id": meta.get("message_id"), "date": meta.get("date"), "from": meta.get("from"),
        "classification": verdict.classification, "score": verdict.score,
        # Why it was so classified (interface.md addition, as the issue asks): signals, never body text.
        "reasons": list(verdict.reasons),
        "findings": findings,
        "violations": [v.to_dict() for v in violations],
        "_inside_personal": inside,
    }

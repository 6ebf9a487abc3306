"""`pdscan mail SOURCE...`: mailboxes into the pipeline, and personal mail outside Personal.

Each mailbox is a source for the pipeline (workers.scan_events): its
messages are scanned like files, in parallel (--jobs), and classified by
the mail hook (hooks/mail.py) in the worker. Thread history and bulk social
mail need the whole mailbox, so message records wait in a MailboxReview
(policy/mailbox.py) until their mailbox ends.
"""
from __future__ import annotations

import os
from typing import Iterator, Optional

from ..config import ScanConfig
from ..globs import GlobSet
from ..hooks.mail import MailHook, message_facts
from ..model import Item, ItemResult, MessageResult
from ..options import add_scan_options
from ..outputs import open_sinks, scan_exit_code
from ..policy.mailbox import MailboxReview
from ..policy.sent_outside import forwarding_violation
from ..privacy import install_key
from ..sinks.mail_text import MailText
from ..sources.filesystem import Skipped, iso_utc
from ..session import Session
from ..sources.mail import open_mailbox
from ..sources.mail.forwarding import rule_files
from ..extract.forwarding import PARSERS
from ..workers import scan_events


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
    p.add_argument("--owner-address", metavar="ADDRESS", action="append", default=[],
                   help="an address of the mailbox's owner, work or personal (repeatable; also [mail] "
                        "owner_addresses; else learnt from the Sent mail's From)")
    p.add_argument("--imap-cafile", metavar="PEM",
                   help="CA certificates to trust for imaps:// and STARTTLS instead of the system store "
                        "(the IMAP password comes from PDSCAN_IMAP_PASSWORD or a prompt, never an option)")
    add_scan_options(p)
    p.set_defaults(run=run_mail)


def run_mail(args) -> int:
    cfg = ScanConfig.from_args(args)
    rules = cfg.policy.mail.with_owner_domains(args.owner_domain).with_owner_addresses(args.owner_address)
    # Opened before any output: a missing source or a refused IMAP login stops here, with exit 2.
    mailboxes = [open_mailbox(source, cafile=args.imap_cafile) for source in args.sources]
    hooks = (MailHook(rules, cfg.policy.rules, cfg.policy, install_key(cfg.key_path)),)
    with open_sinks(args, cfg, None, args.sources, "mail") as (sinks, _progress):
        if args.format == "text":
            sinks[0] = MailText(sinks[0], rules.personal_folder)
        session = Session(sinks)
        for source, events in zip(args.sources, mailboxes):
            review = MailboxReview(rules, cfg.policy.rules)
            for record in scan_events(cfg, excluding(events, cfg.walk.exclude), session.summary, hooks=hooks):
                if isinstance(record, MessageResult):
                    review.add(record, message_facts(record))  # emitted once the mailbox's threads are known
                else:
                    session.emit(record)
            for record in review.finish():
                session.emit(record)
            found = forwarding_record(source, rules, cfg.policy.rules, review.owner)
            if found is not None:
                session.emit(found)
        summary = session.close()
    return scan_exit_code(summary)


RULES_MIME = {"sieve": "application/sieve", "thunderbird": "text/plain", "forward": "text/plain",
              "procmail": "text/plain"}


def forwarding_record(source: str, rules, declared: dict, owner) -> Optional[ItemResult]:
    """mail-forwarding-outside, once per mailbox: an item record for its (first) rule file that
    forwards outside the organisation, naming every such address and file."""
    targets, first = [], None
    for kind, path, rel, text in rule_files(source):
        found = PARSERS[kind](text)
        targets += [(address, f"{how} in {rel}") for address, how in found]
        if found and first is None:
            first = (kind, path, rel)
    violation = forwarding_violation(rules, declared, owner, targets) if first else None
    if violation is None:
        return None
    kind, path, rel = first
    try:
        stat = os.stat(path)
        size, mtime = stat.st_size, iso_utc(stat.st_mtime)
    except OSError:  # gone since it was read: the finding stands
        size, mtime = None, None
    return ItemResult(os.path.abspath(source), rel.replace(os.sep, "/"), RULES_MIME[kind], size, mtime, None,
                      violations=[violation])


def excluding(events, exclude: GlobSet) -> Iterator:
    """Messages skipped by --exclude and the policy's exclude, as the walk skips files: a pattern
    is matched against the message's place inside its mailbox (its member path) and its mail folder,
    never against the folders above the mailbox."""
    for event in events:
        if exclude and isinstance(event, Item) and (
                exclude.matches(event.member or "") or exclude.matches(event.meta.get("folder") or "")):
            yield Skipped(f"{event.path}!/{event.member}", "excluded by pattern")
        else:
            yield event

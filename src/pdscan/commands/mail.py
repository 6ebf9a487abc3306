"""`pdscan mail SOURCE...`: mailboxes into the pipeline, and personal mail outside Personal.

Each mailbox is a source for the pipeline (workers.scan_events): its
messages are scanned like files, in parallel (--jobs), and classified by
the mail hook (hooks/mail.py) in the worker. Thread history and bulk social
mail need the whole mailbox, so message records wait in a MailboxReview
(policy/mailbox.py) until their mailbox ends.
"""
from __future__ import annotations

from typing import Iterator

from ..config import ScanConfig
from ..globs import GlobSet
from ..hooks.mail import MailHook, message_facts
from ..model import Item, MessageResult
from ..options import add_scan_options
from ..outputs import open_sinks, scan_exit_code
from ..policy.mailbox import MailboxReview
from ..sinks.mail_text import MailText
from ..sources.filesystem import Skipped
from ..session import Session
from ..sources.mail import open_mailbox
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
    p.add_argument("--imap-cafile", metavar="PEM",
                   help="CA certificates to trust for imaps:// and STARTTLS instead of the system store "
                        "(the IMAP password comes from PDSCAN_IMAP_PASSWORD or a prompt, never an option)")
    add_scan_options(p)
    p.set_defaults(run=run_mail)


def run_mail(args) -> int:
    cfg = ScanConfig.from_args(args)
    rules = cfg.policy.mail.with_owner_domains(args.owner_domain)
    # Opened before any output: a missing source or a refused IMAP login stops here, with exit 2.
    mailboxes = [open_mailbox(source, cafile=args.imap_cafile) for source in args.sources]
    hooks = (MailHook(rules, cfg.policy.rules),)
    with open_sinks(args, cfg, None, args.sources) as (sinks, _progress):
        if args.format == "text":
            sinks[0] = MailText(sinks[0], rules.personal_folder)
        session = Session(sinks)
        for events in mailboxes:
            review = MailboxReview(rules, cfg.policy.rules)
            for record in scan_events(cfg, excluding(events, cfg.walk.exclude), session.summary, hooks=hooks):
                if isinstance(record, MessageResult):
                    review.add(record, message_facts(record))  # emitted once the mailbox's threads are known
                else:
                    session.emit(record)
            for record in review.finish():
                session.emit(record)
        summary = session.close()
    return scan_exit_code(summary)


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

"""Text output of `pdscan mail`: messages grouped by folder, with counts per folder.

Wraps the console sink: errors and the summary go through it; each folder
lists its personal messages outside Personal ("move these N messages to
Personal") and the messages holding personal data. Nothing of a body is shown.
"""
from __future__ import annotations

from ..model import ItemResult, MessageResult
from ..policy.rules import BULK_SOCIAL_EMAIL, MAIL_FORWARDING_OUTSIDE, PERSONAL_EMAIL_OUTSIDE_FOLDER, \
    PERSONAL_DATA_SENT_OUTSIDE
from ..policy.sent_outside import DESTINATIONS

MAX_LISTED = 50


class _Folder:
    def __init__(self):
        self.total = self.personal = self.work = self.with_data = 0
        self.inside = False
        self.move: list = []
        self.data: list = []


class MailText:
    def __init__(self, console, personal_folder: str = "Personal"):
        self.console = console
        self.personal_folder = personal_folder
        self.folders: dict = {}
        self.bulk: list = []
        self.sent: list = []        # personal-data-sent-outside, listed up to MAX_LISTED
        self.forwarding: list = []  # (mailbox, violation) of mail-forwarding-outside

    def begin(self) -> None:
        self.console.begin()

    def record(self, record) -> None:
        if isinstance(record, MessageResult):
            self._message(record)
        elif not isinstance(record, ItemResult):
            self.console.record(record)
        else:
            self.forwarding += [(record.path, v) for v in record.violations if v.rule == MAIL_FORWARDING_OUTSIDE]

    def _message(self, r: MessageResult) -> None:
        key = (r.path, r.folder or "")
        folder = self.folders.setdefault(key, _Folder())
        folder.total += 1
        folder.inside = r.inside_personal
        folder.personal += r.classification == "personal"
        folder.work += r.classification == "work"
        if any(v.rule == PERSONAL_EMAIL_OUTSIDE_FOLDER for v in r.violations):
            folder.move.append(r)
        self.bulk += [v.detail for v in r.violations if v.rule == BULK_SOCIAL_EMAIL]
        if len(self.sent) < MAX_LISTED:
            self.sent += [(r, v) for v in r.violations if v.rule == PERSONAL_DATA_SENT_OUTSIDE]
        if r.personal:
            folder.with_data += 1
            if len(folder.data) < MAX_LISTED:
                folder.data.append(r)
        del folder.move[MAX_LISTED + 1:]  # counts stay exact; lists are bounded

    def end(self, summary) -> None:
        write = self.console.write
        messages = sum(f.total for f in self.folders.values())
        outside = sum(f.personal for f in self.folders.values() if not f.inside)
        write(f"Messages: {messages} in {len(self.folders)} folder(s); personal outside "
              f"{self.personal_folder}: {outside}.")
        mailbox = None
        for (path, name), f in sorted(self.folders.items()):
            if path != mailbox:
                mailbox = path
                write(f"Mailbox {path}")
            if f.inside:
                write(f"  {name or '(top)'}: {f.total} message(s) in {self.personal_folder}: counted, not read"
                      if not f.with_data else f"  {name}: {f.total} message(s) in {self.personal_folder}")
            else:
                write(f"  {name or '(top)'}: {f.total} message(s): {f.work} work, {f.personal} personal, "
                      f"{f.with_data} holding personal data")
            if f.personal and not f.inside:
                write(f"    move these {f.personal} messages to {self.personal_folder}:" if f.personal > 1
                      else f"    move this message to {self.personal_folder}:")
                for r in f.move[:MAX_LISTED]:
                    write(f"      {_line(r)}  score {r.score}: {'; '.join(r.reasons)}")
                if f.personal > MAX_LISTED:
                    write("      … (use --format jsonl for all)")
            for r in f.data:
                held = ", ".join(f"{x.detector} ×{x.count} {' '.join(x.samples)}" for x in r.findings)
                write(f"    personal data in {_line(r)}: {held}")
        for detail in self.bulk:
            write(f"Bulk social email: {detail}.")
        self._sent_outside(summary)
        self.console.end(summary)

    def _sent_outside(self, summary) -> None:
        """The summary's counts by destination kind, then the messages (bounded) and forwarding rules."""
        write = self.console.write
        counts = summary.sent_outside
        if counts:
            by_kind = ", ".join(f"{kind} {counts[kind]}" for kind in DESTINATIONS if counts.get(kind))
            write(f"Personal data sent outside: {sum(counts.values())} message(s): {by_kind}.")
            for r, v in self.sent:
                write(f"  {v.severity}: {_line(r)}: {v.detail}")
            if sum(counts.values()) > len(self.sent):
                write("  … (use --format jsonl for all)")
        for mailbox, v in self.forwarding:
            write(f"Mail forwarded outside ({v.severity}): {mailbox}: {v.detail}.")


def _line(r: MessageResult) -> str:
    return f"{r.date or 'no date'}  from {r.sender or '(unknown)'}  {r.message_id or r.member or ''}"

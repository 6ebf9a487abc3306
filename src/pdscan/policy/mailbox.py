"""What only a whole mailbox shows: thread history, and bulk social mail from Sent folders.

`MailboxReview` holds each message record of one mailbox (small: header
facts, scores, findings; never a body) until the mailbox ends, then
1. adds thread history: a message's score moves by `thread_weight` × the
   mean base score of the other messages of its thread (References /
   In-Reply-To, or the same subject once "Re:"/"Fwd:" are stripped with a
   correspondent in common), capped
   at ±1, so a bare "Thanks, see you there" in a personal thread reads as
   personal and one in a work thread as work; and a reply in a thread about the owner's own
   affairs with an outside party (a job elsewhere, a club, a relative's care home: mailclass
   `Affairs`) leaves that party's own business words out, as the thread's first message did; an
   automatic reply in a thread of personal mail only takes its thread's score;
2. adds correspondent history: a message with one correspondent on personal
   webmail (the sender, or the only recipient of the owner's mail) moves by
   `correspondent_weight` × the mean base score of the other messages with
   that address (at least MIN_CORRESPONDENCE of them), capped at ±1, so "ok"
   to a spouse reads as the rest of their mail does, and a learner's parent
   as theirs;
3. raises `bulk-social-email` for each sender whose personal messages in
   Sent folders exceed `bulk_social_threshold` in any `bulk_social_days`;
4. raises `personal-data-sent-outside` where the owner's mail took others' personal data
   outside the organisation (policy/sent_outside.py: who the owner is comes from the mailbox).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterator, Optional

from ..model import MessageFacts, MessageResult, Violation
from .mail_rules import MailRules
from .mailclass import Affairs, other_side
from .rules import BULK_SOCIAL_EMAIL, PERSONAL_EMAIL_OUTSIDE_FOLDER
from . import sent_outside

THREAD_CAP = 1.0
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|vs|tr)\s*(\[\d+\])?\s*:\s*)+", re.I)
MIN_SUBJECT = 8  # shorter subjects ("Hi", "Thanks") are too common to join threads by
MIN_CORRESPONDENCE = 2  # other messages with a webmail address before its history counts


@dataclass
class _Entry:
    record: MessageResult
    keys: tuple
    sender: str = ""
    base: Optional[float] = None
    identity: str = ""  # the Message-ID: copies of one message filed in several folders share it
    correspondent: str = ""  # the one personal webmail address on the far side, if any
    facts: Optional[MessageFacts] = None
    affairs: Affairs = Affairs()


def thread_keys(facts: MessageFacts) -> tuple:
    """Keys that join a message to its thread: its id, the ids it answers, its bare subject."""
    keys = [facts.message_id, *facts.references] if facts.message_id else list(facts.references)
    subject = REPLY_PREFIX.sub("", facts.subject or "").strip().casefold()
    subject = " ".join(subject.split())
    if len(subject) >= MIN_SUBJECT:  # the same subject with one correspondent in common, as mail clients thread
        keys += [f"subject:{subject}|{who}" for who in {facts.sender, *facts.recipients} if who]
    return tuple(k for k in keys if k)


class MailboxReview:
    def __init__(self, rules: MailRules, declared: dict):
        self.rules, self.declared = rules, declared  # declared: the policy's rules (policy/rules.py)
        self.entries: list = []
        self.owner: Optional[sent_outside.Owner] = None  # known once the mailbox is finished

    def add(self, record: MessageResult, facts: Optional[MessageFacts]) -> None:
        """A message record; `facts` is None for mail counted but not read (inside Personal)."""
        if facts is None:
            self.entries.append(_Entry(record, ()))
            return
        affairs, record.affairs = record.affairs or Affairs(), None
        self.entries.append(_Entry(record, thread_keys(facts), facts.sender, record.score, facts.message_id,
                                   webmail_correspondent(facts, self.rules), facts, affairs))

    def finish(self) -> Iterator[MessageResult]:
        shifts: dict = {}
        self._threads(shifts)
        self._correspondents(shifts)
        for i, shift in shifts.items():
            _rescored(self.entries[i].record, round(self.entries[i].base + shift, 2), self.rules, self.declared)
        self._bulk_social()
        self.owner = sent_outside.review(self.rules, self.declared, [(e.record, e.facts) for e in self.entries])
        for entry in self.entries:
            yield entry.record
        self.entries = []

    def _threads(self, shifts: dict) -> None:
        parent = list(range(len(self.entries)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        first: dict = {}
        for i, entry in enumerate(self.entries):
            for key in entry.keys:
                j = first.setdefault(key, i)
                if j != i:
                    parent[root(i)] = root(j)
        members: dict = {}
        for i, entry in enumerate(self.entries):
            if entry.base is not None:
                members.setdefault(root(i), []).append(i)
        weight = self.rules.weights["thread_weight"]
        for group in members.values():
            self._own_affairs(group, shifts)  # first: the thread then leans the way its own-affairs replies do
            # Copies of one message filed in several folders are one message, not a thread.
            distinct = {self._identity(i): self.entries[i].base + shifts.get(i, 0.0) for i in group}
            if len(distinct) < 2 or not weight:
                continue
            total = sum(distinct.values())
            threshold = self.rules.weights["personal_threshold"]
            for i in group:
                entry = self.entries[i]
                others = (total - distinct[self._identity(i)]) / (len(distinct) - 1)
                if entry.facts is not None and entry.facts.auto_reply and \
                        all(v >= threshold for k, v in distinct.items() if k != self._identity(i)):
                    # An out-of-office answering the owner's personal mail is as personal as what it answers.
                    shift = round(others - distinct[self._identity(i)], 2)
                    entry.record.reasons = [*entry.record.reasons, f"an automatic reply to personal mail, "
                                            f"as personal as its thread ({shift:+.1f})"]
                    shifts[i] = shifts.get(i, 0.0) + shift
                    continue
                shift = round(max(-THREAD_CAP, min(THREAD_CAP, weight * others)), 2)
                if not shift:
                    continue
                leaning = "personal" if others > 0 else "work"
                record = entry.record
                record.reasons = [*record.reasons,
                                  f"thread of {len(distinct)} messages leaning {leaning} ({shift:+.1f})"]
                shifts[i] = shifts.get(i, 0.0) + shift

    def _own_affairs(self, group: list, shifts: dict) -> None:
        """A message of the thread with the same outside party as one found to be about the owner's
        own affairs with it (a reply to the interview invitation, to the care home) is about them too:
        it gets that message's signal and counts none of that party's own business words either."""
        cap = self.rules.weights["vocabulary_cap"]
        affairs = [self.entries[i].affairs for i in group if self.entries[i].affairs.theirs]
        if not affairs:
            return
        for i in group:
            entry = self.entries[i]
            if entry.affairs.theirs:
                continue
            parties = other_side(entry.facts, self.rules)
            theirs = next((a for a in affairs if a.parties & parties), None)
            if theirs is None:
                continue
            total = sum(weight for _, weight in entry.affairs.work)
            kept = sum(weight for name, weight in entry.affairs.work if name not in theirs.theirs)
            shift = round(theirs.signal + min(total, cap) - min(kept, cap), 2)
            if shift > 0:
                party = ", ".join(sorted(theirs.parties & parties))
                entry.record.reasons = [*entry.record.reasons, f"in a thread about the owner's own affairs with "
                                        f"{party}, whose own business words are not counted ({shift:+.1f})"]
                shifts[i] = shifts.get(i, 0.0) + shift

    def _correspondents(self, shifts: dict) -> None:
        weight = self.rules.weights["correspondent_weight"]
        bases: dict = {}
        for i, entry in enumerate(self.entries):
            if entry.correspondent and entry.base is not None:
                bases.setdefault(entry.correspondent, {})[self._identity(i)] = entry.base
        for i, entry in enumerate(self.entries):
            distinct = bases.get(entry.correspondent) if entry.correspondent and entry.base is not None else None
            if not distinct or len(distinct) <= MIN_CORRESPONDENCE or not weight:
                continue
            others = (sum(distinct.values()) - distinct[self._identity(i)]) / (len(distinct) - 1)
            shift = round(max(-THREAD_CAP, min(THREAD_CAP, weight * others)), 2)
            if shift:
                leaning = "personal" if others > 0 else "work"
                entry.record.reasons = [*entry.record.reasons, f"{len(distinct) - 1} other messages with this "
                                        f"webmail address leaning {leaning} ({shift:+.1f})"]
                shifts[i] = shifts.get(i, 0.0) + shift

    def _identity(self, i: int) -> str:
        return self.entries[i].identity or f"#{i}"

    def _bulk_social(self) -> None:
        """Per sender, the largest number of personal Sent messages in any window of bulk_social_days."""
        days = timedelta(days=self.rules.bulk_days)
        sent: dict = {}
        for i, entry in enumerate(self.entries):
            r = entry.record
            when = _when(r.date)
            if r.classification == "personal" and when and self.rules.is_sent(r.folder):
                sender = entry.sender or (r.sender or "").lower()
                sent.setdefault(sender, {}).setdefault(self._identity(i), (when, entry))  # copies count once
        for sender, distinct in sent.items():
            dated = list(distinct.values())
            dated.sort(key=lambda pair: pair[0])
            most, crossing, start = 0, None, 0
            for end, (when, entry) in enumerate(dated):
                while when - dated[start][0] >= days:
                    start += 1
                count = end - start + 1
                if count > most:
                    most, span = count, (dated[start][0], when)
                    if crossing is None and count > self.rules.bulk_threshold:
                        crossing = entry
            if crossing is not None:
                detail = (f"{sender or 'an unknown sender'} sent {most} personal messages in "
                          f"{self.rules.bulk_days} days ({span[0]:%Y-%m-%d} to {span[1]:%Y-%m-%d}); "
                          f"policy allows {self.rules.bulk_threshold}")
                crossing.record.violations.append(
                    Violation(BULK_SOCIAL_EMAIL, self.declared[BULK_SOCIAL_EMAIL].severity, detail))


def webmail_correspondent(facts: MessageFacts, rules: MailRules) -> str:
    """The one personal webmail address a message is with: its sender, or the only recipient."""
    def webmail(address: str) -> bool:
        return address.rsplit("@", 1)[-1] in rules.webmail_domains
    if webmail(facts.sender):
        return facts.sender
    recipients = set(facts.recipients)
    return next(iter(recipients)) if len(recipients) == 1 and webmail(next(iter(recipients))) else ""


def _rescored(record: MessageResult, score: float, rules: MailRules, declared: dict) -> None:
    """A new score, its classification, and personal-email-outside-folder kept in step with it."""
    record.score = score
    record.classification = "personal" if score >= rules.weights["personal_threshold"] else "work"
    others = [v for v in record.violations if v.rule != PERSONAL_EMAIL_OUTSIDE_FOLDER]
    if record.classification == "personal" and not record.inside_personal:
        others.insert(0, outside_violation(rules, declared))
    record.violations = others


def outside_violation(rules: MailRules, declared: dict) -> Violation:
    return Violation(PERSONAL_EMAIL_OUTSIDE_FOLDER, declared[PERSONAL_EMAIL_OUTSIDE_FOLDER].severity,
                     f"move this message to {rules.personal_folder}")


def _when(iso: Optional[str]) -> Optional[datetime]:
    if not iso:
        return None
    try:
        return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None

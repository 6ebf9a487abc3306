"""Mail classification as a per-item hook: each message's `message` record, made in the worker.

After a message has gone through the pipeline like a file (body, headers,
attachments as nested items), its watch has the message's facts from the
extractor's own parse (extract/mailfacts.py), classifies it personal or work
with the reasons, and adds one `message` record: its folder, the findings of
all its parts, and the mail rules' violations. Mail inside the Personal
folder is counted, not read, unless policy says scan_personal. The facts
(without the body text) travel with the record (`facts`) to the main
process, where thread history needs the whole mailbox (policy/mailbox.py).
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from ..detect.hash_forms import value_key
from ..extract.mailfacts import facts_of_bytes
from ..extract.quoting import signature, split_quote
from ..model import ErrorRecord, Finding, Item, ItemResult, MessageFacts, MessageResult, confidence_rank
from . import whole
from ..policy.evaluate import personal_findings
from ..policy.mail_rules import MailRules
from ..policy.mailbox import outside_violation
from ..policy.mailclass import Verdict, classify

MAX_SAMPLES = 3
QUOTED_HEADER = re.compile(r"(?im)^[ \t>]*(?:from|to|cc|bcc)[ \t]*:[ \t]*(.+)$")
TEXT_SCAN = 64 * 1024
REPLY = re.compile(r"^\s*(re|aw|sv|vs)\s*(\[\d+\])?\s*:", re.I)
# Contact details in a signature block: the writer's own, never "others' data".
SIGNED_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
SIGNED_PHONE = re.compile(r"(?:\+44\s?(?:\(0\)\s?)?|\b0)\d(?:[ -]?\d){8,9}\b")


class MailHook:
    def __init__(self, rules: MailRules, declared: dict, policy=None, key: bytes = b""):
        self.rules, self.declared = rules, declared  # declared: the policy's rules (policy/rules.py)
        self.policy, self.key = policy, key  # thresholds and hash key: whose personal data a message holds
        self.engine = None  # the worker's detection engine (pipeline.Scanner binds it)

    def bind(self, engine) -> None:
        self.engine = engine

    def __getstate__(self) -> dict:
        """Sent to a worker without the engine: each process binds its own."""
        return {**self.__dict__, "engine": None}

    def begin(self, item: Item) -> "MessageWatch":
        return MessageWatch(self.rules, self.declared, item, self.policy, self.key, self.engine)


class MessageWatch:
    def __init__(self, rules: MailRules, declared: dict, item: Item, policy=None, key: bytes = b"", engine=None):
        self.rules, self.declared, self.item = rules, declared, item
        self.policy, self.key, self.engine = policy, key, engine
        self.inside = rules.inside_personal(item.meta.get("folder"))
        self.read = rules.scan_personal or not self.inside
        self.head: Optional[bytes] = None
        self.found: Optional[MessageFacts] = None

    def sniffed(self, mime: str, head: bytes) -> None:
        self.head = head

    def chunk(self, chunk) -> None:
        pass

    def facts(self, facts: MessageFacts) -> None:
        self.found = facts

    def end(self, records: list) -> list:
        item, rules = self.item, self.rules
        if not self.read:
            verdict = Verdict("personal", None, ("in the Personal folder: counted, not read",))
            return [message_record(item, verdict, [], [], self.inside)]
        out = list(records)
        facts = None
        if self.inside:
            verdict = Verdict("personal", None, ("in the Personal folder",))
        else:
            facts = self._facts(out)
            verdict = classify(facts, rules)
        violations = [outside_violation(rules, self.declared)] if verdict.classification == "personal" and not self.inside else []
        personal = any(isinstance(r, ItemResult) and r.personal for r in records)
        if facts and personal and self.policy is not None:
            facts = replace(facts, others=others_data(records, facts, self.policy, self.key, self.engine))
        # Thread history needs the headers, never the body: the text stays in the worker.
        kept = replace(facts, text="", own_text="", signature="") if facts else None
        out.append(message_record(item, verdict, merged_findings(records), violations, self.inside,
                                  personal=personal, facts=kept))
        return out

    def _facts(self, out: list) -> MessageFacts:
        """The facts the extractor gave; a message it never parsed (sealed, or not read as mail)
        is classified from the head sniff read, never opened again."""
        item = self.item
        facts = self.found or facts_of_bytes(self.head or b"", whole(self.head))
        for problem in facts.problems:  # the message is still classified and reported: nothing is lost
            out.append(ErrorRecord(item.path, item.member, problem, warning=True))
        return facts


def quoted_people(text: str) -> list:
    """(name, address) in the From/To/Cc lines of quoted and forwarded header blocks in a body
    ("From: Grace Adeyemi <grace@…>", "To: Kemi Adeyemi; Helen Okafor"): those messages' correspondents."""
    people = []
    for line in QUOTED_HEADER.findall(text[:TEXT_SCAN]):
        for entry in re.split(r"[;,](?![^<]*>)", line):
            entry = entry.strip().strip("'\"")
            address = SIGNED_EMAIL.search(entry)
            name = entry.split("<", 1)[0].strip().strip("'\" ") if "<" in entry or not address else ""
            people.append((name, address.group(0) if address else ""))
    return people


def own_keys(facts: MessageFacts, key: bytes, engine=None) -> dict:
    """detector → keyed hashes of the correspondents' own details: every address and display name in
    the headers, the contact details of the writer's signature, and in a reply, whatever it quotes
    (the correspondents wrote it to each other: sending it back takes it nowhere new)."""
    found: dict = {"email": set(), "person_name": set(), "uk.phone": set()}
    if engine is not None and REPLY.match(facts.subject) and not facts.forwarded:
        # The first text part only: an HTML copy after it repeats the writer's own words.
        _own, quote = split_quote(facts.text[:facts.first_part or None], facts.sender_name)
        for match in engine.scan_text(quote) if quote else ():
            found.setdefault(match.detector, set()).add(match.key)
    for address, name in [*facts.names, *((a, n) for n, a in quoted_people(facts.text))]:
        if address:
            found["email"].add(value_key("email", address, key))
        if name and (len(name.split()) >= 2 or (address, name) in facts.names):
            found["person_name"].add(value_key("person_name", name, key, name=True))
    signed = signature(facts.text, facts.sender_name)
    found["email"].update(value_key("email", a, key) for a in SIGNED_EMAIL.findall(signed))
    found["uk.phone"].update(value_key("uk.phone", p, key) for p in SIGNED_PHONE.findall(signed))
    return found


def others_data(records, facts: MessageFacts, policy, key: bytes, engine=None) -> tuple:
    """(detector, count) of the personal data a message holds about people other than its
    correspondents: each part's findings without the correspondents' own values, held to the
    policy's thresholds as the part's own `personal` is."""
    own = own_keys(facts, key, engine)
    held: dict = {}
    for record in records:
        if not isinstance(record, ItemResult) or not record.personal:
            continue
        left = []
        for f in record.findings:
            keys = set(record.keys.get(f.detector) or ()) - own.get(f.detector, set())
            left.append(replace(f, count=len(keys) if record.keys.get(f.detector) else f.count))
        for f in personal_findings(left, policy):
            held[f.detector] = max(held.get(f.detector, 0), f.count)
    return tuple(sorted(held.items()))


def merged_findings(records) -> list:
    """The findings of a message and all its parts, one per detector, distinct values by keyed hash."""
    merged: dict = {}
    for record in records:
        if not isinstance(record, ItemResult):
            continue
        for f in record.findings:
            entry = merged.setdefault(f.detector, {"keys": set(), "count": 0, "confidence": "low", "samples": []})
            found = record.keys.get(f.detector)
            if found:
                entry["keys"].update(found)
            else:
                entry["count"] += f.count
            if confidence_rank(f.confidence) > confidence_rank(entry["confidence"]):
                entry["confidence"] = f.confidence
            for s in f.samples:
                if s not in entry["samples"] and len(entry["samples"]) < MAX_SAMPLES:
                    entry["samples"].append(s)
    return [Finding(d, e["count"] + len(e["keys"]), e["confidence"], e["samples"]) for d, e in sorted(merged.items())]


def message_record(item: Item, verdict: Verdict, findings: list, violations: list, inside: bool,
                   personal: bool = False, facts=None) -> MessageResult:
    """The one place a message's result is built."""
    meta = item.meta
    return MessageResult(item.path, item.member, meta.get("folder"), meta.get("message_id"), meta.get("date"),
                         meta.get("from"), verdict.classification, verdict.score, list(verdict.reasons), findings,
                         list(violations), personal=personal, inside_personal=inside, facts=facts,
                         affairs=verdict.affairs)


def message_facts(record: MessageResult) -> Optional[object]:
    """The facts a message record carried from its worker (None: counted, not read), taken off it."""
    facts, record.facts = record.facts, None
    return facts

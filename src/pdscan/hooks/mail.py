"""Mail classification as a per-item hook: each message's `message` record, made in the worker.

After a message has gone through the pipeline like a file (body, headers,
attachments as nested items), its watch has the message's facts from the
extractor's own parse (extract/mailfacts.py), classifies it personal or work
with the reasons, and adds one `message` record: its folder, the findings of
all its parts, and the mail rules' violations. Mail inside the Personal
folder is counted, not read, unless policy says scan_personal (then its facts are gathered as
elsewhere, and only its classification is fixed: personal). The facts
(without the body text) travel with the record (`facts`) to the main
process, where thread history needs the whole mailbox (policy/mailbox.py).
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Optional

from ..detect.hash_forms import value_key
from ..extract.mailfacts import facts_of_bytes
from ..extract.quoting import signature, split_quote, written
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
# "On Mon, 12 Jan 2026 at 09:00, Karen Brown <k.brown@…> wrote:": who wrote what a reply quotes.
WROTE = re.compile(r"\s*on\b.{4,200},\s*([^,\n]+?)\s+wrote:\s*$", re.I | re.M)
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
PARAGRAPH = re.compile(r"\n[ \t]*\n")
# Someone else's: a possessive ("Tom's ULN", "your son's") or a third person ("his date of birth"; not
# "they" or "them", as often the details as a person: "your details as we have them").
THIRD_PERSON = re.compile(r"\b(?!(?:it|that|here|there|what|who|let|he|she)['’]s\b)\w+['’]s\b"
                          r"|\b(?:he|she|his|her|hers|him|their)\b", re.I)
# "… is attached", "attached: my payslip": the writer says what an attachment is.
ATTACHED = re.compile(r"\battach(?:ed|ment)\b", re.I)
YOURS = re.compile(r"\b(?:your|my)\b", re.I)
# The detectors whose words for a field ("ULN", "date of birth", "mobile") say whose value it is
# when "your" or "my" comes before them; names and special categories are named otherwise.
FIELD_CATEGORIES = ("identifier", "contact", "date", "financial")


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
        # Read mail in Personal (scan_personal) has its facts too: whether the owner sent others' data outside.
        facts = self._facts(out)
        verdict = Verdict("personal", None, ("in the Personal folder",)) if self.inside else classify(facts, rules)
        violations = [outside_violation(rules, self.declared)] if verdict.classification == "personal" and not self.inside else []
        personal = any(isinstance(r, ItemResult) and r.personal for r in records)
        if facts and personal and self.policy is not None:
            facts = with_others(records, facts, self.policy, self.key, self.engine, item)
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


def reply_quote(facts: MessageFacts, engine=None) -> tuple:
    """(detector → keyed hashes of what a reply quotes, (address, name) of those the quoted message
    was between, as its attribution or header block says). What a reply quotes is its
    correspondents' own words to each other: sending it back takes it nowhere new, but sending it
    to someone who was not party to it does."""
    if engine is None or not REPLY.match(facts.subject) or facts.forwarded:
        return {}, ()
    # The first text part only: an HTML copy after it repeats the writer's own words.
    _own, quote = split_quote(facts.text[:facts.first_part or None], facts.sender_name)
    found: dict = {}
    for match in engine.scan_text(quote) if quote else ():
        found.setdefault(match.detector, set()).add(match.key)
    parties = quoted_people(quote)
    wrote = WROTE.match(quote)
    if wrote:
        address = SIGNED_EMAIL.search(wrote.group(1))
        parties.append((wrote.group(1).split("<", 1)[0].strip(" \"'"), address.group(0) if address else ""))
    return found, tuple((address.lower(), name) for name, address in parties)


def own_keys(facts: MessageFacts, key: bytes, engine=None) -> tuple:
    """(detector → keyed hashes of the correspondents' own details: every address and display name in
    the headers, the contact details of the writer's signature, and what the writer says is theirs;
    whether the writer says the attachments are a correspondent's)."""
    found: dict = {"email": set(), "person_name": set(), "uk.phone": set()}
    for address, name in [*facts.names, *((a, n) for n, a in quoted_people(facts.text))]:
        if address:
            found["email"].add(value_key("email", address, key))
        if name and (len(name.split()) >= 2 or (address, name) in facts.names):
            found["person_name"].add(value_key("person_name", name, key, name=True))
    signed = signature(facts.text, facts.sender_name)
    found["email"].update(value_key("email", a, key) for a in SIGNED_EMAIL.findall(signed))
    found["uk.phone"].update(value_key("uk.phone", p, key) for p in SIGNED_PHONE.findall(signed))
    attached = False
    if engine is not None:
        stated, attached = stated_own(facts, found, engine)
        for detector, keys in stated.items():
            found.setdefault(detector, set()).update(keys)
    return found, attached


def stated_own(facts: MessageFacts, own: dict, engine) -> tuple:
    """(detector → keyed hashes of the values the writer says are a correspondent's, whether the writer
    says the attachments are). Values: in a paragraph or sentence of their own words that names a
    field "your …" or "my …" ("your ULN is …", "I've updated your mobile to …", "your enrolment
    details"), says what is held "for you", or names a correspondent ("Jane Smith, DOB …"), with no
    one else named in it, no third person ("his", "Tom's") and one value of each kind (a list is no
    one person's). Attachments: "your certificate is attached", "attached - my payslip", in such a unit."""
    claim = _claimed_field(engine)
    names = [name.casefold() for _, name in facts.names if len(name.split()) >= 2]
    found: dict = {}
    attached = False
    text = written(facts.text[:facts.first_part or None], facts.sender_name)
    for unit, whole in _units(text, names, facts.subject):
        if THIRD_PERSON.search(unit):
            continue
        claimed = claim is not None and claim.search(unit)
        folded = unit.casefold()
        named = not whole and any(n in folded for n in names)  # the whole text is signed by its writer
        says_attached = ATTACHED.search(unit) and YOURS.search(unit)
        if not (claimed or says_attached or named):
            continue
        values: dict = {}
        for match in engine.scan_text(unit):
            values.setdefault(match.detector, set()).add(match.key)
        if values.get("person_name", set()) - own.get("person_name", set()):
            continue  # someone else is named: the values may be theirs
        attached = attached or bool(says_attached)
        if (claimed or named) and all(len(keys) == 1 for detector, keys in values.items() if detector != "person_name"):
            for detector, keys in values.items():
                found.setdefault(detector, set()).update(keys)
    return found, attached


def _units(text: str, names: list, subject: str = ""):
    """(unit, whether it is the whole text): the whole text under its subject ("your details:" above
    them; "my payslip" over its NI number), each paragraph (its hard-wrapped lines joined, without a
    line that only signs it with a correspondent's name) and each sentence in it."""
    paragraphs = PARAGRAPH.split(text)
    if len(paragraphs) > 1 or subject.strip():
        yield " ".join(line.strip() for line in [subject + ".", *text.splitlines()] if line.strip(" .")), True
    for paragraph in paragraphs:
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        joined = " ".join(line for line in lines if not _signed(line, names))
        if joined:
            yield joined, False
            sentences = SENTENCE.split(joined)
            if len(sentences) > 1:
                yield from ((sentence, False) for sentence in sentences)


def _signed(line: str, names: list) -> bool:
    """"Dave Moorhouse", "Thanks, Dave Moorhouse": a line that ends with a correspondent's name and
    says little else."""
    folded = line.casefold().strip(" .,!-")
    return any(folded.endswith(n) and len(folded[:-len(n)].split()) <= 2 for n in names)


@lru_cache(maxsize=4)
def _claimed_field(engine) -> Optional[re.Pattern]:
    """"your ULN", "my new mobile": a field of the reader's or the writer's, in the detectors' words for it;
    "your enrolment details", "my payslip" (not "your apprentice details"); "what we hold for you"."""
    words = sorted({w for spec in engine.specs if spec.category in FIELD_CATEGORIES for w in spec.context},
                   key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"\b(?:your|my)\s+(?:(?:new|updated|current|correct|own)\s+)?(?:%s)\b"
                      r"|\b(?:your|my)\s+(?:(?:own|personal|contact|enrolment|current|updated|new|bank)\s+)?"
                      r"(?:details|record|payslip|p60|p45)\b"
                      r"|\b(?:hold|held|have|keep|kept|record|recorded)\s+(?:\w+\s+)?(?:for|about|on)\s+you\b"
                      % "|".join(map(re.escape, words)), re.I)


def with_others(records, facts: MessageFacts, policy, key: bytes, engine=None,
                item: Optional[Item] = None) -> MessageFacts:
    """The facts with the personal data the message holds about people other than its
    correspondents (`others`); for a reply that quotes some, also that data with the quote counted
    (`others_quoted`) and whom the quote was between (`quote_parties`), for a recipient outside it."""
    own, attached = own_keys(facts, key, engine)
    if item is not None:
        own = with_own_attachments(records, item, own, attached)
    quoted, parties = reply_quote(facts, engine)
    others = others_data(records, policy, {d: own.get(d, set()) | quoted.get(d, set()) for d in {*own, *quoted}})
    if not quoted or not parties:  # nothing quoted, or no telling whose words: the correspondents'
        return replace(facts, others=others)
    return replace(facts, others=others, others_quoted=others_data(records, policy, own), quote_parties=parties)


def with_own_attachments(records, item: Item, own: dict, attached: bool) -> dict:
    """`own` with the values of each attachment that is one correspondent's record: naming a
    correspondent (her payslip) or, when the writer says the attachments are theirs ("your certificate is
    attached"), no one; naming no one else; with one value of each kind."""
    own = {d: set(keys) for d, keys in own.items()}
    for record in records:
        if not isinstance(record, ItemResult) or (record.path, record.member) == (item.path, item.member):
            continue
        if any(f.detector not in record.keys for f in record.findings):
            continue  # values counted, not told apart: no telling whose
        keys = record.keys
        named = set(keys.get("person_name") or ())
        if named - own.get("person_name", set()) or not (named or attached):
            continue
        if all(len(v) <= 1 for d, v in keys.items() if d != "person_name"):
            for detector, values in keys.items():
                own.setdefault(detector, set()).update(values)
    return own


def others_data(records, policy, own: dict) -> tuple:
    """(detector, count) of the personal data a message holds about people other than its
    correspondents: each part's findings without the values in `own` (detector → keyed hashes),
    held to the policy's thresholds as the part's own `personal` is."""
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

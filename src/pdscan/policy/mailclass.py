"""Is a message personal or work? An explainable, additive score from its headers, text and parts.

Every signal adds or subtracts a weight named in policy `[mail]` and says so
in a reason: who wrote to whom (the organisation's own domains, personal
webmail), automatic replies and the organisation's own mailings, attachment
kinds, and vocabulary by category (wordlists/mail.toml: family, travel,
shopping... against teaching, assessment, meetings...). A message scoring at
least `personal_threshold` is personal. Calling a work message personal is
the costly mistake, so every default leans to "work" when evidence is thin:
one personal category alone does not reach the threshold. Thread history is
added afterwards, per mailbox (policy/mailbox.py). Nothing here was fitted to
the Enron corpus; the evaluation mailbox in fixtures/mail/ set the weights.
"""
from __future__ import annotations

import codecs
import email.errors
import re
import tomllib
from dataclasses import dataclass
from email.header import decode_header
from email.message import Message
from email.utils import collapse_rfc2231_value, getaddresses
from pathlib import Path
from typing import Optional

from ..errors import ConfigError
from ..extract.message import MIME_ERRORS, decode_text, html_to_text
from ..extract.mime import MimeTooComplex, parse_bounded, parse_headers
from ..sources.mail.headers import iso_date
from .keys import check_keys

VOCABULARY = Path(__file__).parent / "wordlists" / "mail.toml"
TEXT_LIMIT = 64 * 1024
MAX_LISTED_WORDS = 3
SIDES = ("personal", "work")

DEFAULTS = {
    "personal_folder": "Personal",
    "scan_personal": False,
    "owner_domains": [],
    "webmail_domains": ["gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk", "outlook.com",
                        "live.com", "live.co.uk", "msn.com", "yahoo.com", "yahoo.co.uk", "icloud.com",
                        "me.com", "aol.com", "btinternet.com", "sky.com", "virginmedia.com",
                        "talktalk.net", "protonmail.com", "proton.me", "gmx.com", "mail.com"],
    "sent_folders": ["Sent", "Sent Items", "Sent Mail", "Sent Messages", "Outbox"],
    "personal_threshold": 1.5,
    "webmail_weight": 1.0,
    "to_webmail_weight": 1.0,
    "colleagues_only_weight": -0.5,
    "owner_to_outside_weight": 0.0,
    "vocabulary_cap": 3.0,
    "repeat_bonus": 0.25,
    "no_work_words_weight": 0.5,
    "newsletter_weight": 0.0,
    "automated_outside_weight": 0.5,
    "parent_weight": -1.5,
    "owner_newsletter_weight": -2.0,
    "auto_reply_weight": -4.0,
    "photo_weight": 0.5,
    "document_weight": -0.5,
    "thread_weight": 0.5,
    "bulk_social_threshold": 20,
    "bulk_social_days": 7,
}
DOCUMENTS = re.compile(r"\.(docx?|xlsx?|pptx?|odt|ods|odp|csv)$", re.I)
PHOTOS = re.compile(r"\.(jpe?g|heic|png|gif|mov|mp4)$", re.I)
AUTO_SUBJECT = re.compile(r"(?i)\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|"
                          r"autoreply|away from (the )?office|on annual leave)")


def normalise(text: str) -> list:
    """Lower-case word tokens; possessive 's dropped, so "Mum's" matches "mum"."""
    text = text.lower().replace("\u2019", "'")
    tokens = []
    for token in re.findall(r"[a-z0-9][a-z0-9'&+.:@-]*", text):
        token = token.strip(".:'-")
        if token.endswith("'s"):
            token = token[:-2]
        if token:
            tokens.append(token)
    return tokens


@dataclass(frozen=True)
class Category:
    side: str
    name: str
    weight: float
    words: tuple


class Vocabulary:
    """Categories of words and phrases, matched on whole normalised tokens."""

    def __init__(self, categories: list):
        self.categories = categories
        self.single: dict = {}
        self.phrases: list = []
        for index, cat in enumerate(categories):
            for word in cat.words:
                key = " ".join(normalise(word))
                if not key:
                    continue
                if " " in key:
                    self.phrases.append((key, index, word))
                else:
                    self.single.setdefault(key, []).append((index, word))

    def find(self, text: str) -> dict:
        """Category index → the distinct list entries found in `text`."""
        tokens = normalise(text[:TEXT_LIMIT])
        found: dict = {}
        for token in set(tokens):
            for index, word in self.single.get(token, ()):
                found.setdefault(index, set()).add(word)
        joined = " " + " ".join(tokens) + " "
        for key, index, word in self.phrases:
            if f" {key} " in joined:
                found.setdefault(index, set()).add(word)
        return found


def _vocabulary(table: dict, where: str = "policy") -> Vocabulary:
    """The bundled categories, with policy [mail.vocabulary.SIDE.NAME] changes applied."""
    doc = tomllib.loads(VOCABULARY.read_text(encoding="utf-8"))
    changes = table.get("vocabulary") or {}
    if not isinstance(changes, dict) or set(changes) - set(SIDES) \
            or not all(isinstance(v, dict) for v in changes.values()):
        raise ConfigError(f"{where}: [mail.vocabulary]: expected tables 'personal' and/or 'work'")
    categories = []
    for side in SIDES:
        merged = {name: dict(body) for name, body in doc.get(side, {}).items()}
        for name, change in (changes.get(side) or {}).items():
            here = f"{where}: [mail.vocabulary.{side}.{name}]"
            if not isinstance(change, dict):
                raise ConfigError(f"{here}: expected a table with weight, words, extra_words")
            check_keys(change, ("weight", "words", "extra_words"), where, f"mail.vocabulary.{side}.{name}")
            body = merged.setdefault(name, {"weight": 1.0, "words": []})
            for key in ("words", "extra_words"):
                if key in change and not (isinstance(change[key], list) and all(isinstance(w, str) for w in change[key])):
                    raise ConfigError(f"{here} {key}: expected a list of strings")
            if "weight" in change:
                if not isinstance(change["weight"], (int, float)) or isinstance(change["weight"], bool):
                    raise ConfigError(f"{here} weight: expected a number, got {change['weight']!r}")
                body["weight"] = change["weight"]
            if "words" in change:
                body["words"] = list(change["words"])
            body["words"] = list(body["words"]) + list(change.get("extra_words", []))
        categories += [Category(side, name, float(body["weight"]), tuple(body["words"]))
                       for name, body in merged.items()]
    return Vocabulary(categories)


@dataclass(frozen=True)
class MailRules:
    """[mail] from policy, merged over DEFAULTS, plus --owner-domain."""

    personal_folder: str
    scan_personal: bool
    owner_domains: frozenset
    webmail_domains: frozenset
    sent_folders: frozenset
    weights: dict
    bulk_threshold: int
    bulk_days: int
    vocabulary: Vocabulary

    @classmethod
    def from_policy(cls, raw_policy: dict, extra_owner_domains=(), where: str = "policy") -> "MailRules":
        mail = raw_policy.get("mail") or {}
        if not isinstance(mail, dict):
            raise ConfigError(f"{where}: [mail] must be a table")
        table = {**DEFAULTS, **mail}
        _check(table, where)
        owners = {d.lower().lstrip("@") for d in list(table["owner_domains"]) + list(extra_owner_domains)}
        weights = {k: float(v) for k, v in table.items() if k in DEFAULTS and isinstance(DEFAULTS[k], float)}
        return cls(table["personal_folder"], table["scan_personal"], frozenset(owners),
                   frozenset(d.lower() for d in table["webmail_domains"]),
                   frozenset(_folder_key(f) for f in table["sent_folders"]), weights,
                   table["bulk_social_threshold"], table["bulk_social_days"], _vocabulary(table, where))

    def inside_personal(self, folder: Optional[str]) -> bool:
        """Any ancestor folder (or the folder itself) is the Personal folder, case-insensitively."""
        name = self.personal_folder.casefold()
        return any(part.casefold() == name for part in (folder or "").split("/"))

    def is_sent(self, folder: Optional[str]) -> bool:
        """The folder's own name is a Sent folder's ("Sent Items", "sent_items", "[Gmail]/Sent Mail")."""
        return _folder_key((folder or "").rsplit("/", 1)[-1]) in self.sent_folders


def _folder_key(name: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", name.casefold()))


_EXPECTED = {list: "a list of strings", bool: "true or false", float: "a number",
             int: "a whole number of at least 1", str: "a non-empty string"}


def _check(table: dict, where: str = "policy") -> None:
    """Each [mail] value has its default's type; the error names the file and the key."""
    check_keys(table, set(DEFAULTS) | {"vocabulary"}, where, "mail")
    for key, default in DEFAULTS.items():
        value = table[key]
        if isinstance(default, list):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
        else:
            ok = isinstance(value, str) and bool(value.strip())
        if not ok:
            raise ConfigError(f"{where}: [mail] {key}: expected {_EXPECTED[type(default)]}, got {value!r}")


@dataclass(frozen=True)
class MessageFacts:
    """What classification reads from a message: addresses, list headers, text and attachment names."""

    sender: str
    recipients: tuple
    text: str
    newsletter: bool
    auto_reply: bool
    attachments: tuple = ()
    message_id: str = ""
    references: tuple = ()
    subject: str = ""
    problems: tuple = ()  # what is wrong with the message, for an error record beside its verdict
    sender_name: str = ""


@dataclass(frozen=True)
class Verdict:
    classification: str
    score: Optional[float]
    reasons: tuple


def facts_of(raw: bytes, whole: bool = True) -> MessageFacts:
    """`whole`: `raw` is the entire message, so a missing end boundary is a real defect."""
    try:
        msg = parse_bounded(raw[:4 * TEXT_LIMIT])
    except MimeTooComplex:  # classified from its headers; the extractor's error record says why
        msg = parse_headers(raw[:4 * TEXT_LIMIT])
    except MIME_ERRORS:
        return MessageFacts("", (), "", False, False, problems=("malformed message: it cannot be parsed",))
    problems: list = []
    sender = _addresses(msg, ("From",))
    sender_name = _display_name(msg)
    recipients = tuple(_addresses(msg, ("To", "Cc")))
    subject = _decoded(msg.get("Subject", ""))
    newsletter = any(msg.get(h) for h in ("List-Unsubscribe", "List-Id")) or \
        str(msg.get("Precedence", "")).lower() in ("bulk", "list")
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower() not in ("", "no") or \
        bool(msg.get("X-Autoreply") or msg.get("X-Autorespond")) or bool(AUTO_SUBJECT.match(subject))
    refs = tuple(re.findall(r"<[^<>\s]+>", " ".join(str(msg.get(h, "")) for h in ("References", "In-Reply-To"))))
    text = _text(msg, problems)
    if msg.get("Date") is not None and iso_date(msg.get("Date")) is None:
        problems.append("unreadable Date header: the message is treated as undated")
    problems += _defects(msg, whole and len(raw) <= 4 * TEXT_LIMIT)
    return MessageFacts(sender[0] if sender else "", recipients, text, newsletter, auto,
                 _attachments(msg), str(msg.get("Message-ID", "")).strip(), refs, subject, tuple(problems),
                 sender_name)


# Defects of the email package that mean part of the message is lost or garbled, in a user's words.
# (A missing blank line after the headers, common in real mail, loses nothing: not listed.)
DEFECTS = {
    "NoBoundaryInMultipartDefect": "a multipart part has no boundary",
    "StartBoundaryNotFoundDefect": "a multipart boundary is never found",
    "CloseBoundaryNotFoundDefect": "a multipart part is not closed (truncated?)",
    "InvalidBase64PaddingDefect": "invalid base64 in a body",
    "InvalidBase64CharactersDefect": "invalid base64 in a body",
    "InvalidBase64LengthDefect": "invalid base64 in a body",
}


def _defects(msg: Message, whole: bool) -> list:
    found = []
    for part in msg.walk():
        for defect in getattr(part, "defects", ()):
            name = type(defect).__name__
            if name == "CloseBoundaryNotFoundDefect" and not whole:
                continue  # only the first bytes were read: of course the end is missing
            words = DEFECTS.get(name)
            if words and f"malformed MIME: {words}" not in found:
                found.append(f"malformed MIME: {words}")
    return found


def _decoded(value) -> str:
    try:
        return "".join(f if isinstance(f, str) else decode_text(f, c) for f, c in decode_header(str(value)))
    except (email.errors.HeaderParseError, ValueError, LookupError):
        return str(value)


def _addresses(msg: Message, names) -> list:
    values = [str(v) for name in names for v in msg.get_all(name, [])]
    try:
        return [a.lower() for _, a in getaddresses(values) if "@" in a]
    except (TypeError, ValueError, IndexError):
        return []


def _display_name(msg: Message) -> str:
    try:
        pairs = getaddresses([str(msg.get("From", ""))])
    except (TypeError, ValueError, IndexError):
        return ""
    return _decoded(pairs[0][0]).strip() if pairs else ""


# Where the writer's own words end: a quoted reply, a forwarded message, a signature.
QUOTE_START = re.compile(r"^\s*(>|on\b.{4,200}\bwrote:\s*$|-{2,}\s*(original message|forwarded)|_{8,}\s*$"
                         r"|begin forwarded message)", re.I)
OUTLOOK_QUOTE = re.compile(r"^\s*from:\s", re.I)
OUTLOOK_NEXT = re.compile(r"^\s*(sent|date|to):\s", re.I)
SIGNATURE = re.compile(r"^\s*--\s*$")
KISSES = re.compile(r"(\s+x{1,4})+\s*$", re.I)
KISS_LINE = re.compile(r"^\s*([A-Z][\w'-]*\s+)?x{1,4}\s*$", re.I)
SHORT = 15  # words: a reply this short takes its meaning from what it quotes


def substance(text: str, sender_name: str = "") -> str:
    """The writer's own words: before any quoted reply or signature. A bare forward or a short reply
    keeps the quoted text too, since that is what it is about."""
    lines = text.splitlines()
    end = len(lines)
    for i, line in enumerate(lines):
        if QUOTE_START.match(line) or (OUTLOOK_QUOTE.match(line) and
                                       any(OUTLOOK_NEXT.match(n) for n in lines[i + 1:i + 4])):
            end = i
            break
    own = lines[:end]
    for i, line in enumerate(own):
        if SIGNATURE.match(line):
            own = own[:i]
            break
    else:
        names = {n.casefold() for n in (sender_name, sender_name.split(" ")[0]) if len(n) > 1}
        for i in range(len(own) - 1, max(-1, len(own) - 12), -1):
            if KISSES.sub("", own[i]).strip(" ,.-!").casefold() in names:
                own = own[:i + 1]  # the sign-off; what follows is the signature block
                break
    # A sign-off with kisses ("x", "Dave xx") says more than any word: it reads as "xx".
    own = ["xx" if KISS_LINE.match(line) else line for line in own]
    words = sum(len(line.split()) for line in own)
    return "\n".join(own if words >= SHORT else own + lines[end:])


def _attachments(msg: Message) -> tuple:
    """File names of attached parts (inline images with a Content-ID are signatures and logos)."""
    names = []
    for part in msg.walk():
        if part.is_multipart() or (part.get("Content-ID") and part.get_content_disposition() != "attachment"):
            continue
        try:
            name = part.get_filename()
        except MIME_ERRORS:
            name = None
        if name:
            names.append(_decoded(name))
    return tuple(names)


def _text(msg: Message, problems: list) -> str:
    parts = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html") or part.get_content_disposition() == "attachment":
            continue
        try:
            data = part.get_payload(decode=True)
        except MIME_ERRORS:
            continue
        if isinstance(data, bytes):
            charset = part.get_content_charset()
            if charset and not _known_charset(charset):
                # Quoted as written, not lower-cased: the error text is masked before output,
                # and an NI number or name is only recognised in its own case.
                written = collapse_rfc2231_value(part.get_param("charset") or charset)
                problems.append(f"unknown charset {written[:40]!r}: read as UTF-8, else Windows-1252")
            text = decode_text(data[:TEXT_LIMIT], charset)
            parts.append(html_to_text(text) if ctype == "text/html" else text)
        if sum(map(len, parts)) >= TEXT_LIMIT:
            break
    return "\n".join(parts)[:TEXT_LIMIT]


def _known_charset(charset: str) -> bool:
    if charset.lower() in ("unknown-8bit", "x-unknown"):
        return True  # says "not declared": read as UTF-8 or cp1252 by design, not a fault
    try:
        codecs.lookup(charset)
        return True
    except LookupError:
        return False


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower().strip(" >.") if "@" in address else ""


def _is_owner(domain: str, owners) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in owners)


class _Score:
    def __init__(self):
        self.total, self.reasons = 0.0, []

    def add(self, weight: float, reason: str) -> None:
        if weight:
            self.total += weight
            self.reasons.append(f"{reason} ({weight:+.1f})")


def classify(facts: MessageFacts, rules: MailRules) -> Verdict:
    w = rules.weights
    score = _Score()
    _correspondents(facts, rules, score)
    if facts.auto_reply:
        score.add(w["auto_reply_weight"], "automatic reply")
    if facts.newsletter:
        if _is_owner(_domain(facts.sender), rules.owner_domains):
            score.add(w["owner_newsletter_weight"], "the organisation's own mailing")
        else:
            score.add(w["newsletter_weight"], "a mailing from outside")
    if _automated_from_outside(facts, rules):
        score.add(w["automated_outside_weight"], "automated mail from an outside business")
    if PARENT.search(facts.text):
        score.add(w["parent_weight"], "written by a learner's parent or carer")
    documents = [n for n in facts.attachments if DOCUMENTS.search(n)]
    photos = [n for n in facts.attachments if PHOTOS.search(n)]
    if documents:
        score.add(w["document_weight"], f"office documents attached ({len(documents)})")
    if photos and not documents:
        score.add(w["photo_weight"], f"photos or videos attached ({len(photos)})")
    _words(facts.subject + "\n" + substance(facts.text, facts.sender_name), rules, score)
    total = round(score.total, 2)
    kind = "personal" if total >= w["personal_threshold"] else "work"
    return Verdict(kind, total, tuple(score.reasons) or ("no evidence either way: work by default",))


# "Jake's mum", "(Mum of Jake)": a parent writing about their child, to the child's tutor.
PARENT = re.compile(r"\b[A-Z][\w-]+['\u2019]s\s+(mum|mam|mom|dad|mother|father|step-?mum|step-?dad|carer|nan|gran)\b"
                    r"|\b(mum|dad|mother|father|carer|parent) of [A-Z][\w-]+\b")
NO_REPLY = re.compile(r"^(no-?reply|do-?not-?reply|donotreply|notifications?|alerts?|news(letter)?|info|hello|"
                      r"marketing|offers|updates|service|bookings?|reminders?|auto-?confirm|order-update)\b", re.I)
UNSUBSCRIBE = re.compile(r"\bunsubscribe\b|manage your preferences|automated message", re.I)


def _automated_from_outside(facts: MessageFacts, rules: MailRules) -> bool:
    """Sent by a machine of some business: a no-reply sender, or an unsubscribe footer, not from us or webmail."""
    domain = _domain(facts.sender)
    if not domain or domain in rules.webmail_domains or _is_owner(domain, rules.owner_domains):
        return False
    return bool(facts.newsletter or NO_REPLY.match(facts.sender) or UNSUBSCRIBE.search(facts.text[-3000:]))


def _correspondents(facts: MessageFacts, rules: MailRules, score: _Score) -> None:
    w = rules.weights
    sender = _domain(facts.sender)
    domains = {_domain(a) for a in facts.recipients} - {""}
    if sender in rules.webmail_domains:
        score.add(w["webmail_weight"], f"sender uses personal webmail ({sender})")
    elif _is_owner(sender, rules.owner_domains):
        outside = {d for d in domains if not _is_owner(d, rules.owner_domains)}
        if domains and not outside:
            score.add(w["colleagues_only_weight"], "between colleagues only")
        elif outside and outside <= rules.webmail_domains:
            score.add(w["to_webmail_weight"], f"sent to personal webmail ({', '.join(sorted(outside))})")
        elif outside:
            score.add(w["owner_to_outside_weight"], "sent to another organisation")


def _words(text: str, rules: MailRules, score: _Score) -> None:
    """One reason per side: the categories found, a few of their words, and the capped weight."""
    w = rules.weights
    found = rules.vocabulary.find(text)
    for side in SIDES:
        total, parts = 0.0, []
        for index in sorted(found):
            cat = rules.vocabulary.categories[index]
            if cat.side != side:
                continue
            words = sorted(found[index])
            total += cat.weight * (1 + min(2, len(words) - 1) * w["repeat_bonus"])
            parts.append(f"{cat.name} ({', '.join(words[:MAX_LISTED_WORDS])})")
        if parts:
            weight = min(total, w["vocabulary_cap"])
            label = "personal-life words" if side == "personal" else "work words"
            score.add(weight if side == "personal" else -weight, f"{label}: {'; '.join(parts)}")
    sides = {rules.vocabulary.categories[index].side for index in found}
    if sides == {"personal"}:
        score.add(w["no_work_words_weight"], "no work words at all")

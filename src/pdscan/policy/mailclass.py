"""Is a message personal or work? A first, explainable score from its headers and text.

Every signal adds or subtracts a weight named in policy `[mail]`, and says so
in a reason: the sender's and recipients' domains (the organisation's own,
personal webmail), personal-life and work vocabulary (word lists in
wordlists/, one entry a line), newsletters and automatic replies. A message
scoring at least `personal_threshold` is personal. Flagging a work message
as personal is the costly mistake, so the weights lean to "work" when the
evidence is thin. Nothing here was fitted to a corpus; tune it in policy.
"""
from __future__ import annotations

import email.errors
import re
from dataclasses import dataclass
from email import policy as mime_policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses
from functools import lru_cache
from pathlib import Path
from typing import Optional

from ..errors import ConfigError
from ..extract.message import MIME_ERRORS, decode_text, html_to_text

WORDLISTS = Path(__file__).parent / "wordlists"
TEXT_LIMIT = 64 * 1024
MAX_LISTED_WORDS = 5

DEFAULTS = {
    "personal_folder": "Personal",
    "scan_personal": False,
    "owner_domains": [],
    "webmail_domains": ["gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk", "outlook.com",
                        "live.com", "live.co.uk", "msn.com", "yahoo.com", "yahoo.co.uk", "icloud.com",
                        "me.com", "aol.com", "btinternet.com", "sky.com", "virginmedia.com",
                        "talktalk.net", "protonmail.com", "proton.me", "gmx.com", "mail.com"],
    "personal_threshold": 1.5,
    "webmail_weight": 1.5,
    "owner_sender_weight": -0.5,
    "colleagues_only_weight": -1.0,
    "personal_word_weight": 0.6,
    "work_word_weight": 0.6,
    "word_cap": 3.0,
    "newsletter_weight": 1.0,
    "owner_newsletter_weight": -1.5,
    "auto_reply_weight": -3.0,
}


@dataclass(frozen=True)
class MailRules:
    """[mail] from policy, merged over DEFAULTS, plus --owner-domain."""

    personal_folder: str
    scan_personal: bool
    owner_domains: frozenset
    webmail_domains: frozenset
    weights: dict

    @classmethod
    def from_policy(cls, raw_policy: dict, extra_owner_domains=()) -> "MailRules":
        table = {**DEFAULTS, **(raw_policy.get("mail") or {})}
        _check(table)
        owners = {d.lower().lstrip("@") for d in list(table["owner_domains"]) + list(extra_owner_domains)}
        weights = {k: float(v) for k, v in table.items() if k in DEFAULTS and isinstance(DEFAULTS[k], float)}
        return cls(table["personal_folder"], table["scan_personal"], frozenset(owners),
                   frozenset(d.lower() for d in table["webmail_domains"]), weights)

    def inside_personal(self, folder: Optional[str]) -> bool:
        """Any ancestor folder (or the folder itself) is the Personal folder, case-insensitively."""
        name = self.personal_folder.casefold()
        return any(part.casefold() == name for part in (folder or "").split("/"))


def _check(table: dict) -> None:
    """Each [mail] value has its default's type; the error names the field."""
    for key, default in DEFAULTS.items():
        value = table[key]
        if isinstance(default, list):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str) and bool(value.strip())
        if not ok:
            raise ConfigError(f"policy [mail] {key}: expected {type(default).__name__}, got {value!r}")


@dataclass(frozen=True)
class Facts:
    """What classification reads from a message: addresses, list headers and its text."""

    sender: str
    recipients: tuple
    text: str
    newsletter: bool
    auto_reply: bool


@dataclass(frozen=True)
class Verdict:
    classification: str
    score: float
    reasons: tuple


@lru_cache(maxsize=None)
def wordlist(name: str) -> tuple:
    lines = (WORDLISTS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return tuple(sorted({ln.strip().lower() for ln in lines if ln.strip() and not ln.startswith("#")}))


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower().strip(" >.") if "@" in address else ""


def _is_owner(domain: str, owners) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in owners)


def facts_of(raw: bytes) -> Facts:
    try:
        msg = BytesParser(policy=mime_policy.compat32).parsebytes(raw[:4 * TEXT_LIMIT])
    except MIME_ERRORS:
        return Facts("", (), "", False, False)
    sender = _addresses(msg, ("From",))
    recipients = tuple(_addresses(msg, ("To", "Cc")))
    subject = _decoded(msg.get("Subject", ""))
    newsletter = any(msg.get(h) for h in ("List-Unsubscribe", "List-Id")) or \
        str(msg.get("Precedence", "")).lower() in ("bulk", "list")
    auto = str(msg.get("Auto-Submitted", "no")).lower() not in ("", "no") or \
        bool(re.match(r"(?i)\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?reply)", subject))
    return Facts(sender[0] if sender else "", recipients, subject + "\n" + _text(msg), newsletter, auto)


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


def _text(msg: Message) -> str:
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
            text = decode_text(data[:TEXT_LIMIT], part.get_content_charset())
            parts.append(html_to_text(text) if ctype == "text/html" else text)
        if sum(map(len, parts)) >= TEXT_LIMIT:
            break
    return "\n".join(parts)[:TEXT_LIMIT]


def _found(text: str, words) -> list:
    tokens = (t.strip(".'-") for t in re.findall(r"[\w'@.\-]+", text.lower()))
    lowered = " " + " ".join(t for t in tokens if t) + " "
    return [w for w in words if f" {w} " in lowered]


def classify(facts: Facts, rules: MailRules) -> Verdict:
    w = rules.weights
    score, reasons = 0.0, []

    def add(weight: float, reason: str) -> None:
        nonlocal score
        if weight:
            score += weight
            reasons.append(f"{reason} ({weight:+.1f})")

    sender_domain = _domain(facts.sender)
    domains = {_domain(a) for a in facts.recipients} - {""}
    if facts.auto_reply:
        add(w["auto_reply_weight"], "automatic reply")
    if sender_domain in rules.webmail_domains:
        add(w["webmail_weight"], f"sender uses personal webmail ({sender_domain})")
    elif _is_owner(sender_domain, rules.owner_domains):
        if domains and all(_is_owner(d, rules.owner_domains) for d in domains):
            add(w["colleagues_only_weight"], "between colleagues only")
        elif domains & rules.webmail_domains:
            add(w["webmail_weight"], f"sent to personal webmail ({', '.join(sorted(domains & rules.webmail_domains))})")
        else:
            add(w["owner_sender_weight"], f"sender in the organisation ({sender_domain})")
    if facts.newsletter:
        if _is_owner(sender_domain, rules.owner_domains):
            add(w["owner_newsletter_weight"], "the organisation's own mailing list")
        else:
            add(w["newsletter_weight"], "newsletter or commercial mailing")
    personal = _found(facts.text, wordlist("personal"))
    work = _found(facts.text, wordlist("work"))
    if personal:
        add(min(w["word_cap"], w["personal_word_weight"] * len(personal)),
            "personal-life words: " + ", ".join(personal[:MAX_LISTED_WORDS]))
    if work:
        add(-min(w["word_cap"], w["work_word_weight"] * len(work)),
            "work words: " + ", ".join(work[:MAX_LISTED_WORDS]))
    score = round(score, 2)
    kind = "personal" if score >= w["personal_threshold"] else "work"
    return Verdict(kind, score, tuple(reasons) or ("no evidence either way: work by default",))

"""A message's facts (model.MessageFacts), gathered from the parse the scan already made.

extract_message (and mimestream for very large messages) hands over the
header block it parsed (compat32, raw) and the parsed message; the facts are
yielded beside the message's chunks, so mail classification never reads or
parses the message again. The body text kept is capped (TEXT_LIMIT per part
and in all), and a part the extractor already decoded is not decoded twice.
"""
from __future__ import annotations

import re
from dataclasses import replace
from email.message import Message
from email.utils import collapse_rfc2231_value, getaddresses
from typing import Optional

from ..formats.headers import decode_text, decode_words, known_charset, parse_date
from ..formats.htmltext import html_to_text
from ..model import MessageFacts
from .mime import MIME_ERRORS, MimeTooComplex, parse_bounded, parse_headers
from .quoting import own_words, signature

TEXT_LIMIT = 64 * 1024
AUTO_SUBJECT = re.compile(r"(?i)\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|"
                          r"autoreply|away from (the )?office|on annual leave)")
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
UNPARSEABLE = "malformed message: it cannot be parsed"


class BodyText:
    """The body text of a message, part by part, as classification reads it: each text part's first
    TEXT_LIMIT bytes decoded (HTML as read), until TEXT_LIMIT characters in all."""

    def __init__(self):
        self.parts: list = []
        self.problems: list = []

    @property
    def full(self) -> bool:
        return sum(map(len, self.parts)) >= TEXT_LIMIT

    def add(self, data: bytes, charset: Optional[str], html: bool, unknown: str = "",
            decoded: Optional[str] = None) -> None:
        """`unknown`: the part's charset as written, when Python does not know it; `decoded`: the
        part's whole text as the extractor decoded it (used when the part is within TEXT_LIMIT)."""
        if unknown:
            # Quoted as written, not lower-cased: the error text is masked before output,
            # and an NI number or name is only recognised in its own case.
            self.problems.append(f"unknown charset {unknown[:40]!r}: read as UTF-8, else Windows-1252")
        if decoded is None or len(data) > TEXT_LIMIT:
            decoded = decode_text(data[:TEXT_LIMIT], charset)
            decoded = html_to_text(decoded) if html else decoded
        self.parts.append(decoded)

    def text(self) -> str:
        return "\n".join(self.parts)[:TEXT_LIMIT]


def facts_from(headers: Message, body: Message, whole: bool = True, decoded: Optional[dict] = None,
               parsed: Optional[dict] = None) -> MessageFacts:
    """Facts of a message from its raw header block (`parse_headers`) and its parsed structure.
    `whole`: the entire message was parsed, so a missing end boundary is a real defect; `decoded`:
    id(part) → the text the extractor made of that part; `parsed`: parse_defects before the
    extractor decoded the attachments."""
    text = BodyText()
    _walk_text(body, text, decoded or {})
    forwarded = any(part.get_content_type() == "message/rfc822" for part in body.walk())
    return gathered(headers, text, _attachments(body), _defects(body, whole, parsed), forwarded)


def gathered(headers: Message, text: BodyText, attachments: tuple, defects: list = (),
             forwarded: bool = False) -> MessageFacts:
    """The facts, once the body text and attachment names are known."""
    problems = list(text.problems)
    if headers.get("Date") is not None and parse_date(headers.get("Date")) is None:
        problems.append("unreadable Date header: the message is treated as undated")
    facts = header_facts(headers, text.text(), attachments, problems + list(defects), forwarded)
    return replace(facts, first_part=len(text.parts[0])) if text.parts else facts


def header_facts(headers: Message, text: str, attachments: tuple, problems: list,
                 forwarded: bool = False) -> MessageFacts:
    sender = _addresses(headers, ("From",))
    sender_name = _display_name(headers)
    subject = decode_words(headers.get("Subject", ""))
    newsletter = any(headers.get(h) for h in ("List-Unsubscribe", "List-Id")) or \
        str(headers.get("Precedence", "")).lower() in ("bulk", "list")
    # RFC 3834: "auto-replied" answers a message (an out-of-office); "auto-generated" is a machine's
    # own notice (a league's results, a payslip alert), which its words and sender judge, not a reply.
    submitted = str(headers.get("Auto-Submitted", "no")).strip().lower().split(";")[0].strip()
    generated = submitted == "auto-generated"
    auto = submitted not in ("", "no", "auto-generated") or \
        bool(headers.get("X-Autoreply") or headers.get("X-Autorespond")) or bool(AUTO_SUBJECT.match(subject))
    refs = tuple(re.findall(r"<[^<>\s]+>", " ".join(str(headers.get(h, "")) for h in ("References", "In-Reply-To"))))
    resent_from = _addresses(headers, ("Resent-From",)) or _addresses(headers, ("Resent-Sender",))
    return MessageFacts(sender[0] if sender else "", tuple(_addresses(headers, ("To", "Cc"))), text, newsletter,
                        auto, attachments, str(headers.get("Message-ID", "")).strip(), refs, subject,
                        tuple(problems), sender_name, own_words(text, sender_name), parse_date(headers.get("Date")),
                        bcc=tuple(_addresses(headers, ("Bcc",))), names=tuple(_named(headers, PEOPLE_HEADERS)),
                        resent_from=resent_from[0] if resent_from else "", signature=signature(text, sender_name),
                        resent_to=tuple(_addresses(headers, RESENT_TO, newest=True)), forwarded=forwarded,
                        sent_label="sent" in {label.strip().casefold()
                                              for label in str(headers.get("X-Gmail-Labels", "")).split(",")},
                         generated=generated and not auto)


def facts_of_bytes(raw: bytes, whole: bool = True) -> MessageFacts:
    """Facts from bytes no extractor has parsed (a message that cannot be extracted, or its first
    bytes): parsed here, within the same bounds."""
    try:
        msg = parse_bounded(raw)
    except MimeTooComplex:  # classified from its headers; the extractor's error record says why
        msg = parse_headers(raw)
    except MIME_ERRORS:
        return MessageFacts(problems=(UNPARSEABLE,))
    return facts_from(msg, msg, whole)


def _walk_text(msg: Message, text: BodyText, decoded: dict) -> None:
    for part in msg.walk():
        if not _is_text(part):
            continue
        try:
            data = part.get_payload(decode=True)
        except MIME_ERRORS:
            continue
        if isinstance(data, bytes):
            charset = part.get_content_charset()
            html = part.get_content_type() == "text/html"
            text.add(data, charset, html, written_charset(part, charset), decoded.get(id(part)))
        if text.full:
            break


def written_charset(part: Message, charset: Optional[str]) -> str:
    """A charset Python does not know, as the message wrote it ("" for a known one)."""
    if not charset or known_charset(charset):
        return ""
    return collapse_rfc2231_value(part.get_param("charset") or charset)


def parse_defects(msg: Message) -> dict:
    """id(part) → how many defects parsing found in it. Decoding a part adds its own (bad base64):
    those count for the body text, which classification reads, not for attachments."""
    return {id(part): len(part.defects) for part in msg.walk()}


def _is_text(part: Message) -> bool:
    return part.get_content_type() in ("text/plain", "text/html") and part.get_content_disposition() != "attachment"


def _defects(msg: Message, whole: bool, parsed: Optional[dict] = None) -> list:
    found = []
    for part in msg.walk():
        defects = getattr(part, "defects", ())
        if parsed is not None and not _is_text(part):
            defects = defects[:parsed.get(id(part), 0)]
        for defect in defects:
            name = type(defect).__name__
            if name == "CloseBoundaryNotFoundDefect" and not whole:
                continue  # only the first bytes were read: of course the end is missing
            words = DEFECTS.get(name)
            if words and f"malformed MIME: {words}" not in found:
                found.append(f"malformed MIME: {words}")
    return found


def attachment_name(part: Message) -> Optional[str]:
    """The file name of an attached part (an inline image with a Content-ID is a signature or logo)."""
    if part.is_multipart() or (part.get("Content-ID") and part.get_content_disposition() != "attachment"):
        return None
    try:
        name = part.get_filename()
    except MIME_ERRORS:
        return None
    return decode_words(name) if name else None


def _attachments(msg: Message) -> tuple:
    return tuple(name for part in msg.walk() if (name := attachment_name(part)))


PEOPLE_HEADERS = ("From", "To", "Cc", "Bcc", "Resent-From", "Resent-Sender", "Resent-To", "Resent-Cc",
                  "Resent-Bcc")
RESENT_TO = ("Resent-To", "Resent-Cc", "Resent-Bcc")


def _addresses(msg: Message, names, newest: bool = False) -> list:
    """Addresses of these headers, lower case; `newest`: only each header's first occurrence (a
    message resent twice carries two Resent- blocks, the newest on top)."""
    values = [str(v) for name in names for v in msg.get_all(name, [])[:1 if newest else None]]
    try:
        return [a.lower() for _, a in getaddresses(values) if "@" in a]
    except (TypeError, ValueError, IndexError):
        return []


def _named(msg: Message, names) -> list:
    """(address, display name) of everyone these headers name."""
    values = [str(v) for name in names for v in msg.get_all(name, [])]
    try:
        pairs = getaddresses(values)
    except (TypeError, ValueError, IndexError):
        return []
    return [(a.lower(), decode_words(n).strip()) for n, a in pairs if "@" in a]


def _display_name(msg: Message) -> str:
    try:
        pairs = getaddresses([str(msg.get("From", ""))])
    except (TypeError, ValueError, IndexError):
        return ""
    return decode_words(pairs[0][0]).strip() if pairs else ""

"""Outlook (MAPI) messages as RFC 822: what a .msg file or a PST message holds, as one MIME message.

The readers (extract/outlook.py for .msg, extract/pst.py for .pst/.ost) fill
an `Outlook` record from MAPI properties (extract/mapi.py); `to_rfc822` writes it as a message
the rest of the pipeline already reads (extract/message.py for bodies and
attachments, policy/mailclass.py for classification), so an Outlook message
is scanned and classified exactly like the same message saved as .eml.

The headers are the transport headers when the message kept them (received
mail), else built from the MAPI properties; a field the transport headers
lack is added from the properties. The bodies come first, then attachments,
an embedded message as message/rfc822. Items that are not mail (contacts,
appointments, distribution lists) also get their text properties as a plain
text part, so the personal data they hold is found.
"""
from __future__ import annotations

import mimetypes
import re
from datetime import datetime, timezone
from email import encoders, policy
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.parser import HeaderParser
from email.utils import format_datetime, formataddr
from typing import Iterable, Iterator, Optional

from .mapi import Attachment, Outlook, one_line, rtf_text

# Parts that describe the original MIME structure: the converted message has its own.
_STRUCTURE = {"content-type", "content-transfer-encoding", "mime-version", "content-disposition",
              "content-id", "content-description"}

_FIELD_LINE = re.compile(r"^[!-9;-~]+[ \t]*:")



def to_rfc822(message: Outlook) -> bytes:
    return _compose(message).as_bytes(policy=policy.compat32)



def all_problems(message: Outlook, prefix: str = "") -> Iterator[tuple]:
    """(attachment path, reason) of this message and the messages embedded in it.

    A second name is "name (2)", as extract/message.py names attachments."""
    used = {a.name for a in message.attachments if a.name}
    for name, reason in message.problems:
        unique, count = name, 1
        while unique in used:
            count += 1
            unique = f"{name} ({count})"
        used.add(unique)
        yield f"{prefix}{unique}", reason
    for attachment in message.attachments:
        if attachment.message is not None:
            yield from all_problems(attachment.message, f"{prefix}{_message_name(attachment.name)}!/")



def _compose(message: Outlook) -> Message:
    # compat32 keeps transport header values as they were written (folding, encoded words)
    # and encodes any non-ASCII value as UTF-8 encoded words.
    root = Message()
    for name, value in _headers(message):
        root[name] = value
    root["MIME-Version"] = "1.0"
    root["Content-Type"] = "multipart/mixed"
    parts = list(_body_parts(message))
    if message.fields and not message.is_mail:
        parts.append(_text_part(_fields_text(message.fields), "plain"))
    parts.extend(_attachment_part(a) for a in message.attachments)
    root.set_payload(parts or [_text_part("", "plain")])
    return root



def _text_part(text: str, subtype: str) -> Message:
    part = MIMEText(text, subtype, "utf-8")
    del part["MIME-Version"]  # said once, at the top
    return part



def _headers(message: Outlook) -> list:
    """Transport headers first, then the fields they lack, From and Date leading (libmagic
    knows a message by them)."""
    kept = _transport(message.transport_headers)
    present = {name.lower() for name, _ in kept}
    built = []
    if message.sender and (message.sender[0] or message.sender[1]):
        built.append(("From", _address(*message.sender)))
    if message.date is not None:
        built.append(("Date", _date(message.date)))
    for kind in ("To", "Cc", "Bcc"):
        people = [p for p in message.recipients.get(kind, []) if p[0] or p[1]]
        if people:
            built.append((kind, ", ".join(_address(*p) for p in people)))
    if message.subject:
        built.append(("Subject", _text_header(message.subject)))
    if message.message_id:
        built.append(("Message-ID", one_line(message.message_id)))
    return kept + [(n, v) for n, v in built if n.lower() not in present]



def _transport(text: Optional[str]) -> list:
    if not text or not text.strip():
        return []
    lines = text.replace("\r\n", "\n").lstrip("\n").split("\n")
    while lines and lines[0].strip() and not _FIELD_LINE.match(lines[0]):
        lines.pop(0)  # "Microsoft Mail Internet Headers Version 2.0" and similar preambles
    headers = HeaderParser(policy=policy.compat32).parsestr("\n".join(lines), headersonly=True)
    return [(n, v) for n, v in headers.items() if n.lower() not in _STRUCTURE]



def _address(name: Optional[str], address: Optional[str]) -> str:
    name, address = one_line(name), one_line(address)
    if name == address or name.strip("'\"") == address:
        name = ""
    if not address:
        return str(Header(name, "utf-8").encode()) if not name.isascii() else _quoted(name)
    return formataddr((name, address), charset="utf-8")



def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"' if re.search(r'[(),.:;<>@\[\]"]', name) \
        else name



def _text_header(value: str) -> str:
    value = one_line(value)
    return value if value.isascii() else Header(value, "utf-8").encode()



def _date(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)  # MAPI times are UTC
    return format_datetime(when.astimezone(timezone.utc).replace(microsecond=0))



def _body_parts(message: Outlook) -> Iterator[Message]:
    plain, html = message.plain, message.html
    if not (plain and plain.strip()) and not (html and html.strip()) and message.rtf:
        plain = rtf_text(message.rtf)
    texts = [_text_part(t, sub) for t, sub in ((plain, "plain"), (html, "html")) if t and t.strip()]
    if len(texts) == 2:
        alternative = MIMEMultipart("alternative")
        del alternative["MIME-Version"]
        for part in texts:
            alternative.attach(part)
        yield alternative
    else:
        yield from texts



def _attachment_part(attachment: Attachment) -> Message:
    if attachment.message is not None:
        part = MIMEMessage(_compose(attachment.message))
        del part["MIME-Version"]
        name = _message_name(attachment.name)
    else:
        # Outlook often stores no MIME type; the name's extension is the next best hint.
        mimetype = attachment.mimetype or mimetypes.guess_type(attachment.name or "")[0] or ""
        maintype, _, subtype = mimetype.partition("/")
        if not maintype or not subtype or not re.fullmatch(r"[\w.+-]+", maintype + subtype):
            maintype, subtype = "application", "octet-stream"
        part = MIMEBase(maintype.lower(), subtype.lower())
        del part["MIME-Version"]
        part.set_payload(attachment.data or b"")
        encoders.encode_base64(part)
        name = attachment.name
    disposition = "inline" if attachment.inline else "attachment"
    if name:
        # RFC 2231 for names beyond ASCII: extract/message.py decodes them back.
        part.add_header("Content-Disposition", disposition,
                        filename=name if name.isascii() else ("utf-8", "", name))
    else:
        part.add_header("Content-Disposition", disposition)
    return part



def _message_name(name: Optional[str]) -> str:
    """An embedded message's part name: its Outlook name, marked `.eml` since that is what it now is."""
    name = (name or "message").strip() or "message"
    return name if name.lower().endswith(".eml") else f"{name}.eml"



def _fields_text(fields: Iterable[tuple]) -> str:
    lines, seen = [], set()
    for label, value in fields:
        value = value.strip()
        if not value or value in seen:
            continue
        seen.add(value)
        lines.append(f"{label}: {value}" if label else value)
    return "\n".join(lines) + "\n"

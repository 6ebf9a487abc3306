"""The few header facts a message Item carries: folder, Message-ID, Date, From.

Read from the header block only, decoded tolerantly: unknown charsets, broken
encoded words and unparseable dates give the best text available (a date
that cannot be read is None), never an exception.
"""
from __future__ import annotations

import re
from email import policy
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from typing import Optional

from ...formats.headers import decode_words, iso_date

HEAD_LIMIT = 64 * 1024
# "Name: value" or a continuation line: what the first line of an RFC 822 header block looks like.
_FIELD = re.compile(rb"^[!-9;-~]+[ \t]*:")


def header_block(data: bytes) -> bytes:
    """The bytes up to the blank line that ends the headers (or all of `data`)."""
    data = data[:HEAD_LIMIT]
    cut = [i for i in (data.find(b"\n\n"), data.find(b"\r\n\r\n")) if i >= 0]
    return data[:min(cut) + 1] if cut else data


def looks_like_headers(data: bytes, needed: int = 2) -> bool:
    """The first lines are RFC 822 header fields, with at least one mail header among them."""
    lines = header_block(data).splitlines()[:40]
    if not lines or not _FIELD.match(lines[0]):
        return False
    fields = [ln.split(b":", 1)[0].strip().lower() for ln in lines if _FIELD.match(ln)]
    known = {b"from", b"to", b"subject", b"date", b"message-id", b"received", b"return-path",
             b"mime-version", b"cc", b"sender", b"delivered-to", b"reply-to", b"x-mailer"}
    return len(fields) >= needed and any(f in known for f in fields)


def words(value) -> str:
    return decode_words(str(value)).strip()


def sender(value) -> Optional[str]:
    """The From header as "Name <address>" (or the address alone), decoded."""
    if not value:
        return None
    try:
        pairs = getaddresses([str(value)])
    except (TypeError, ValueError, IndexError):
        return words(value) or None
    name, address = pairs[0] if pairs else ("", "")
    name = words(name)
    if not address:
        return name or words(value) or None
    return f"{name} <{address}>" if name else address


def meta_of(head: bytes, folder: str) -> dict:
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(header_block(head))
    message_id = headers.get("Message-ID")
    return {"folder": folder,
            "message_id": words(message_id).strip() or None if message_id else None,
            "date": iso_date(headers.get("Date")),
            "from": sender(headers.get("From"))}

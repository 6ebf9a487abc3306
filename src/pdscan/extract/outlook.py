"""Outlook .msg files (extract-msg) and .pst/.ost data files (libpff) in file scans.

A .msg is converted to RFC 822 (extract/outlook_mime.py) and read by
extract/message.py, so its bodies, headers and attachments are handled
exactly as an .eml's are; attachments extract-msg cannot read become
members that refuse to open, so each is reported. A .pst/.ost yields one
nested message per item (extract/pst.py), under `<folder>/<id>`.
`pdscan mail` reads both through sources/mail/outlook.py instead.

sniff.py tells the two apart (libmagic names both vnd.ms-outlook, and a .msg
only "OLE storage" from a prefix): a .msg by its property streams, a PST by
its "!BDN" magic.
"""
from __future__ import annotations

import io
import logging
from dataclasses import replace
from datetime import datetime
from typing import BinaryIO, Iterator, Optional

from ..errors import ItemError
from ..limits import read_capped
from ..model import Item
from .mapi import Attachment, Outlook, address_fields, html_text, sender, string_fields
from .members import member_item, refusing
from .outlook_mime import all_problems, to_rfc822
from . import pst
from .message import extract_message
from ..formats.ole import msg_streams, stream_names

MAX_EMBEDDED = 10  # messages inside messages inside messages...
TO, CC, BCC = 1, 2, 3

# extract-msg and the RTF de-encapsulator log freely, some of it message text: none of it may
# reach pdscan's log.
for _name in ("extract_msg", "RTFDE"):
    logging.getLogger(_name).setLevel(logging.CRITICAL + 1)


class NotReadable(Exception):
    """A .msg that extract-msg could not open; the message says why, without content."""


def is_msg(stream: BinaryIO) -> bool:
    """An OLE file with the property streams of an Outlook item (MS-OXMSG), read from the start."""
    return msg_streams(stream_names(stream) or set())


def msg_to_rfc822(data: bytes) -> tuple:
    """(RFC 822 bytes, [(attachment path, reason)] of parts that could not be read)."""
    message = read_msg(data)
    return to_rfc822(message), list(all_problems(message))


def read_msg(data: bytes) -> Outlook:
    import extract_msg
    from extract_msg.enums import ErrorBehavior

    # Tolerate what extract-msg can work around (a broken attachment is reported, not fatal), but
    # not a damaged OLE container: extract-msg would read a truncated file as an empty message.
    options = dict(strict=False, delayAttachments=True,
                   errorBehavior=ErrorBehavior.SUPPRESS_ALL & ~ErrorBehavior.OLE_DEFECT_INCORRECT)
    try:
        msg = extract_msg.openMsg(data, **options)
    except Exception as exc:  # a hostile file can raise from anywhere in the parser
        try:
            msg = extract_msg.MSGFile(data, **options)  # a class extract-msg does not know: props still read
        except Exception:
            raise NotReadable(f"not a readable Outlook message ({type(exc).__name__})") from None
    try:
        return _outlook(msg, 0)
    except RecursionError:
        raise NotReadable("Outlook message nested too deeply") from None
    except Exception as exc:
        raise NotReadable(f"unreadable Outlook message ({type(exc).__name__})") from None
    finally:
        msg.close()


def _outlook(msg, depth: int) -> Outlook:
    get = _Reader(msg)
    out = Outlook(message_class=get.string(0x001A) or "IPM.Note",
                  transport_headers=get.attr("headerText"),
                  sender=sender(get.string),
                  subject=get.string(0x0037), date=get.time(0x0039) or get.time(0x0E06),
                  message_id=get.string(0x1035), recipients=_recipients(msg))
    # The stored bodies only: extract-msg would otherwise derive HTML from RTF (slow, and
    # from the plain body), and RTF is read here only when there is no other body.
    out.plain = get.string(0x1000)
    out.html = html_text(get.stream("__substg1.0_10130102"), get.integer(0x3FDE)) or get.string(0x1013)
    if not (out.plain or out.html):
        out.rtf = get.attr("rtfBody")
    if not out.is_mail:
        out.fields = _fields(msg, get)
    try:
        attachments = list(getattr(msg, "attachments", None) or ())
    except Exception as exc:
        out.problems.append(("attachments", f"attachments not readable ({type(exc).__name__})"))
        attachments = []
    for index, att in enumerate(attachments, start=1):
        _add_attachment(out, att, index, depth)
    return out


class _Reader:
    """Property access that never raises: a damaged property is an absent one."""

    def __init__(self, msg):
        self.msg = msg

    def attr(self, name: str):
        try:
            return getattr(self.msg, name, None)
        except Exception:
            return None

    def string(self, tag: int) -> Optional[str]:
        try:
            value = self.msg.getStringStream(f"__substg1.0_{tag:04X}")
        except Exception:
            return None
        return value.rstrip("\0") if isinstance(value, str) and value.strip("\0 ") else None

    def stream(self, name: str) -> Optional[bytes]:
        try:
            value = self.msg.getStream(name)
        except Exception:
            return None
        return value if isinstance(value, bytes) else None

    def time(self, tag: int) -> Optional[datetime]:
        try:
            value = self.msg.getPropertyVal(f"{tag:04X}0040")
        except Exception:
            return None
        return value if isinstance(value, datetime) else None

    def integer(self, tag: int) -> Optional[int]:
        try:
            value = self.msg.getPropertyVal(f"{tag:04X}0003")
        except Exception:
            return None
        return value if isinstance(value, int) else None


def _recipients(msg) -> dict:
    people: dict = {}
    try:
        recipients = list(getattr(msg, "recipients", None) or ())
    except Exception:
        return people
    for r in recipients:
        try:
            kind = {TO: "To", CC: "Cc", BCC: "Bcc"}.get(int(r.type))
            name, address = r.name, r.email
        except Exception:
            continue
        if kind:
            people.setdefault(kind, []).append((name, address if address and "@" in address else None))
    return people


def _fields(msg, get: _Reader) -> list:
    """Text and one-off address properties of a contact, appointment or list, for the fields part."""
    strings, binaries = [], []
    try:
        names = [e[0] for e in msg.listDir(True, False, False) if len(e) == 1 and e[0].startswith("__substg1.0_")]
    except Exception:
        return []
    for name in sorted(names):
        tag, kind = int(name[12:16], 16), name[16:20].upper()
        if kind in ("001F", "001E"):
            strings.append((tag, get.string(tag)))
        elif kind in ("0102", "1102"):
            try:
                binaries.append((tag, msg.getStream(name, prefix=True) or b""))
            except Exception:
                continue
    return string_fields(strings) + address_fields(binaries)


def _add_attachment(out: Outlook, att, index: int, depth: int) -> None:
    from extract_msg import MSGFile
    from extract_msg.enums import AttachmentType

    try:
        kind, data = att.type, att.data
        name = (att.displayName if isinstance(data, MSGFile) else None) or att.name
        mimetype, inline = att.mimetype, bool(att.hidden)
    except Exception as exc:
        out.problems.append((f"attachment {index}", f"attachment not readable ({type(exc).__name__})"))
        return
    label = name or f"attachment {index}"
    if isinstance(data, bytes):
        out.attachments.append(Attachment(name, mimetype, data, inline=inline))
    elif isinstance(data, MSGFile):
        if depth >= MAX_EMBEDDED:
            out.problems.append((label, "embedded messages nested too deeply"))
            return
        try:
            inner = _outlook(data, depth + 1)
        except Exception as exc:
            out.problems.append((label, f"embedded message not readable ({type(exc).__name__})"))
            return
        out.attachments.append(Attachment(name, message=inner, inline=inline))
    elif kind != AttachmentType.WEB:  # a link to a file stored elsewhere holds nothing to read
        out.problems.append((label, "attachment not readable by extract-msg"))


# -- extractors -----------------------------------------------------------------


def extract_outlook(item: Item, ctx) -> Iterator:
    """A .msg file: its RFC 822 conversion, read by extract/message.py."""
    with item.open() as stream:
        data = read_capped(stream, ctx.limits.max_document_size, "message")
    try:
        raw, problems = msg_to_rfc822(data)
    except NotReadable as exc:
        raise ItemError(str(exc)) from None
    del data
    ctx.budget.charge(len(raw), "Outlook message")
    converted = replace(item, open=lambda: io.BytesIO(raw), size=len(raw))
    yield from extract_message(converted, ctx)
    for path, reason in problems:
        yield member_item(item, path, refusing(reason), 0, None)


def extract_pst(item: Item, ctx) -> Iterator:
    """A .pst/.ost file: one nested message per item, `<folder>/<id>`; unreadable ones refuse to open."""
    with item.open() as stream:
        yield from _pst_members(item, stream, ctx)


def _pst_members(item: Item, stream: BinaryIO, ctx) -> Iterator:
    count = 0
    for event in pst.walk(stream):
        count += 1
        if count > ctx.limits.max_members:
            raise ItemError(f"more than {ctx.limits.max_members} messages in Outlook data file")
        if isinstance(event, pst.Failure):
            if event.member is None:
                raise ItemError(event.reason)
            yield member_item(item, event.member, refusing(event.reason), 0, None)
            continue
        ctx.budget.charge(len(event.raw), "Outlook data file")
        raw = event.raw
        yield member_item(item, event.member, lambda raw=raw: io.BytesIO(raw), len(raw), None,
                          name_hint=f"{event.name}.eml")
        for path, reason in event.problems:
            yield member_item(item, f"{event.member}!/{path}", refusing(reason), 0, None)

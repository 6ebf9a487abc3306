"""MAPI properties (MS-OXPROPS, MS-OXCDATA) → an `Outlook` record, independent of the file it came from.

The readers (extract/outlook.py for .msg, extract/pst.py for .pst/.ost) fill the record with
what is decoded here: the sender, text properties of items that are not mail, one-off
addresses in binary properties, bodies in the item's code page. extract/outlook_mime.py
then writes the record as one RFC 822 message.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Optional

from .message import decode_text

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ONE_OFF_UID = bytes.fromhex("812B1FA4BEA310199D6E00DD010F5402")  # MS-OXCDATA one-off entry ID provider

# Property tags (MS-OXPROPS) whose values are read into fields: names for the ones worth a label.
LABELS = {
    0x0037: "Subject", 0x0042: "Sent on behalf of", 0x0065: "Sent on behalf of address",
    0x0C1A: "Sender", 0x0C1F: "Sender address", 0x3001: "Display name",
    0x3A05: "Generation", 0x3A06: "Given name", 0x3A07: "Government ID", 0x3A08: "Business phone",
    0x3A09: "Home phone", 0x3A0A: "Initials", 0x3A11: "Surname", 0x3A15: "Postal address",
    0x3A16: "Company", 0x3A17: "Job title", 0x3A18: "Department", 0x3A19: "Office",
    0x3A1A: "Primary phone", 0x3A1B: "Business phone 2", 0x3A1C: "Mobile phone", 0x3A1F: "Other phone",
    0x3A21: "Pager", 0x3A23: "Primary fax", 0x3A24: "Business fax", 0x3A25: "Home fax",
    0x3A26: "Country", 0x3A27: "City", 0x3A28: "State or province", 0x3A29: "Street",
    0x3A2A: "Postal code", 0x3A2B: "PO box", 0x3A2E: "Assistant phone", 0x3A2F: "Home phone 2",
    0x3A30: "Assistant", 0x3A44: "Middle name", 0x3A45: "Title", 0x3A48: "Spouse",
    0x3A4E: "Manager", 0x3A4F: "Nickname", 0x3A51: "Business home page", 0x3A50: "Personal home page",
    0x3A59: "Home city", 0x3A5A: "Home country", 0x3A5B: "Home postal code", 0x3A5C: "Home state",
    0x3A5D: "Home street", 0x3A5E: "Home PO box",
}

# Technical strings that are never personal data (address types, classes, bodies read elsewhere).
SKIPPED_TAGS = {0x0037, 0x001A, 0x0064, 0x0C1E, 0x3002, 0x007D, 0x1000, 0x1013, 0x1009, 0x0E1D, 0x0070, 0x003D}

# Windows code page numbers Python does not know as "cpNNNN".
CODEPAGES = {65001: "utf-8", 20127: "ascii", 1200: "utf-16-le", 1201: "utf-16-be", 20866: "koi8-r",
             21866: "koi8-u", 50220: "iso2022_jp", 50221: "iso2022_jp", 50222: "iso2022_jp",
             51932: "euc_jp", 51949: "euc_kr", 54936: "gb18030", 52936: "hz", 10000: "mac_roman",
             **{28590 + n: f"iso-8859-{n}" for n in range(1, 16)}}



@dataclass
class Attachment:
    name: Optional[str]
    mimetype: Optional[str] = None
    data: Optional[bytes] = None
    message: Optional["Outlook"] = None  # an embedded message, converted recursively
    inline: bool = False



@dataclass
class Outlook:
    """What one Outlook item holds, independent of the file format it came from."""

    message_class: str = "IPM.Note"
    transport_headers: Optional[str] = None
    sender: Optional[tuple] = None       # (display name, address)
    recipients: dict = field(default_factory=dict)  # "To"/"Cc"/"Bcc" → [(name, address)]
    subject: Optional[str] = None
    date: Optional[datetime] = None
    message_id: Optional[str] = None
    plain: Optional[str] = None
    html: Optional[str] = None
    rtf: Optional[bytes] = None          # decompressed RTF, read only when there is no other body
    fields: list = field(default_factory=list)      # (label or None, value) of items that are not mail
    attachments: list = field(default_factory=list)
    problems: list = field(default_factory=list)    # (attachment name, reason): parts that could not be read

    @property
    def is_mail(self) -> bool:
        return self.message_class.upper().startswith(("IPM.NOTE", "REPORT.IPM.NOTE"))



def one_line(value: Optional[str]) -> str:
    """A property value as header text: line breaks in a name must not start a header of their own."""
    return " ".join(_CONTROL.sub(" ", value or "").split())



def string_fields(props: Iterable[tuple]) -> list:
    """(label, value) for the text properties of an item that is not mail, from (tag, value) pairs."""
    return [(LABELS.get(tag), _CONTROL.sub("", value)) for tag, value in props
            if tag not in SKIPPED_TAGS and isinstance(value, str) and value.strip()]



def address_fields(props: Iterable[tuple]) -> list:
    """Fields for the one-off addresses in binary properties, from (tag, bytes) pairs."""
    return [(None, f"{n} <{a}>" if n and a else n or a) for tag, data in props if tag not in SKIPPED_TAGS
            for n, a in one_off_addresses(data)]



def sender(string) -> tuple:
    """(name, SMTP address) of the sender, from a tag → string getter; "sent on behalf of" if no sender.

    An Exchange sender may be stored only as an X.500 DN; an item its owner wrote (Sent Items,
    Drafts) then still carries the SMTP address of its creator (PidTagCreatorSmtpAddress)."""
    return (string(0x0C1A) or string(0x0042),
            smtp_address(string(0x5D01), string(0x0C1F), string(0x0C1E))
            or smtp_address(string(0x5D02), string(0x0065), string(0x0064))
            or (smtp_address(string(0x5D0A), None, None) if (string(0x0C1E) or "").upper() == "EX" else None))



def smtp_address(smtp: Optional[str], address: Optional[str], kind: Optional[str]) -> Optional[str]:
    """An SMTP address: Exchange items keep an X.500 DN in the plain address field."""
    if smtp and "@" in smtp:
        return smtp
    if address and "@" in address and (kind or "SMTP").upper() != "EX":
        return address
    return None



def one_off_addresses(data: bytes) -> list:
    """(name, address) of the one-off entry IDs in a binary property (MS-OXCDATA 2.2.5.1).

    Distribution lists and attendee lists keep their members' names and
    addresses only in such binary structures."""
    found, start = [], 0
    while True:
        at = data.find(ONE_OFF_UID, start)
        if at < 0 or at + 20 > len(data):
            return found
        flags = int.from_bytes(data[at + 18:at + 20], "little")
        unicode = bool(flags & 0x8000)
        pos, strings = at + 20, []
        for _ in range(3):  # display name, address type, address
            value, pos = _terminated(data, pos, unicode)
            strings.append(value)
        name, _kind, address = (one_line(s) for s in strings)
        if address or name:
            found.append((name, address if "@" in address else ""))
        start = max(pos, at + 16)



def _terminated(data: bytes, pos: int, unicode: bool) -> tuple:
    if unicode:
        end = pos
        while True:  # a NUL character, on a character boundary
            end = data.find(b"\0\0", end)
            if end < 0:
                end = len(data)
                break
            if (end - pos) % 2 == 0:
                break
            end += 1
        return data[pos:end].decode("utf-16-le", "replace"), end + 2
    end = data.find(b"\0", pos)
    end = len(data) if end < 0 else end
    return data[pos:end].decode("cp1252", "replace"), end + 1



def codec(codepage: Optional[int]) -> Optional[str]:
    """Python codec name of a Windows code page number, or None."""
    if not codepage or codepage < 0:
        return None
    name = CODEPAGES.get(codepage, f"cp{codepage}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None



def html_text(data: Optional[bytes], codepage: Optional[int]) -> Optional[str]:
    """An HTML body (bytes in the item's internet code page) as text."""
    if not data:
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    return decode_text(data, codec(codepage))



def rtf_text(rtf: bytes) -> str:
    """Text of an RTF body (striprtf drops the HTML tags Outlook encapsulates in it)."""
    from striprtf.striprtf import rtf_to_text

    from .rtf import rtf_codepage

    encoding = rtf_codepage(rtf[:4096])
    try:
        text = rtf_to_text(rtf.decode(encoding, "replace"), encoding=encoding, errors="replace")
    except (ValueError, IndexError, LookupError, RecursionError):
        return ""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")

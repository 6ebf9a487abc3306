"""Outlook data files (.pst, .ost) with libpff: each message as RFC 822, with its folder path.

libpff's objects live only while the file is open, so each message is
converted (extract/outlook_mime.py) as the walk reaches it and handed on as bytes:
memory holds one message at a time. Folder paths drop the containers above
the folders a user sees: the root, the IPM subtree the message store
points to ("Top of Personal Folders", "IPM_SUBTREE"; localised names too)
and the folders on the way to it ("Root - Mailbox"), so the Inbox is
"Inbox". Folders outside the IPM subtree (an OST's "Recoverable Items")
keep their own names.

A PST password is a checksum in the message store that Outlook checks;
the data is not encrypted by it, and libpff reads such a file like any
other. Its messages are therefore scanned: what a PST password "protects"
is readable by anyone who has the file.

A file libpff cannot open is one Failure; a folder or message it cannot
read is a Failure for that folder or message, and the walk goes on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Iterator, Optional

from .mapi import Attachment, Outlook, address_fields, html_text, sender, smtp_address, string_fields
from .message import decode_text
from .outlook_mime import all_problems, to_rfc822

TOP = "(top)"
# Containers above the user's folders when the store does not say which folder is the IPM subtree.
CONTAINERS = {"top of personal folders", "top of outlook data file", "top of information store",
              "root - mailbox", "root - public", "ipm_subtree"}
# libpff reports damaged data as OSError, and as MemoryError when a corrupt size is absurd.
PFF_ERRORS = (OSError, MemoryError, ValueError, TypeError, UnicodeError, OverflowError, SystemError)
MAX_FOLDER_DEPTH = 64
STRING_TYPES, BINARY_TYPES = (0x001F, 0x001E), (0x0102, 0x1102)
ATTACH_BY_VALUE, ATTACH_EMBEDDED, ATTACH_OLE = 1, 5, 6
RECIPIENT_KINDS = {1: "To", 2: "Cc", 3: "Bcc"}


@dataclass
class Converted:
    member: str          # "<folder path>/<message id>": the id is the message's node id, stable in the file
    folder: str
    name: str
    raw: bytes
    problems: list = field(default_factory=list)  # (attachment path, reason)


@dataclass
class Failure:
    member: Optional[str]  # None: the file as a whole
    folder: Optional[str]
    reason: str


def walk(stream: BinaryIO) -> Iterator:
    """Converted messages and Failures of the PST/OST in `stream`, folder by folder."""
    import pypff

    pff = pypff.file()
    try:
        pff.open_file_object(stream)
    except PFF_ERRORS:
        yield Failure(None, None, "not a readable Outlook data file (damaged or truncated)")
        return
    try:
        try:
            root = pff.get_root_folder()
        except PFF_ERRORS:
            root = None
        if root is None:
            yield Failure(None, None, "Outlook data file has no readable folders (damaged or truncated)")
            return
        hidden = _containers(pff, root)
        yield from _walk(root, hidden)
    finally:
        pff.close()


def _walk(root, hidden: set) -> Iterator:
    stack, seen = [(root, (), 0)], set()
    while stack:
        folder, parts, depth = stack.pop()
        identifier = _id(folder)
        if identifier in seen:  # a damaged tree can point back at a folder already walked
            continue
        seen.add(identifier)
        path = "/".join(parts)
        try:
            count = folder.get_number_of_sub_messages()
        except PFF_ERRORS:
            yield Failure(path or TOP, path or TOP, "folder not readable (damaged)")
            count = 0
        for index in range(count):
            event = _message(folder, index, parts)
            if event is not None:
                yield event
        try:
            subs = [folder.get_sub_folder(i) for i in range(folder.get_number_of_sub_folders())]
        except PFF_ERRORS:
            yield Failure(path or TOP, path or TOP, "subfolders not readable (damaged)")
            continue
        if depth < MAX_FOLDER_DEPTH:
            stack.extend(reversed([(sub, parts + _name_part(sub, parts, hidden), depth + 1) for sub in subs]))


def _name_part(folder, parts: tuple, hidden: set) -> tuple:
    identifier = _id(folder)
    name = _safe(folder.get_name) or f"folder-{identifier}"
    if identifier in hidden or (not parts and name.strip().lower() in CONTAINERS):
        return ()
    return (name.strip() or f"folder-{identifier}",)


def _containers(pff, root) -> set:
    """Node ids of the root, the IPM subtree the store names, and the folders between them."""
    hidden = {_id(root)}
    target = None
    try:
        entry = pff.get_message_store().get_record_set(0).get_entry_by_type(0x35E0)  # PidTagIpmSubtreeEntryId
        data = entry.get_data() if entry is not None else None
        if data and len(data) >= 24:
            target = int.from_bytes(data[20:24], "little")
    except PFF_ERRORS + (AttributeError,):
        target = None
    if target is None:
        return hidden
    stack = [(root, ())]
    while stack:
        folder, chain = stack.pop()
        if _id(folder) == target:
            return hidden | set(chain) | {target}
        if len(chain) >= 4:  # the IPM subtree sits at most a few levels down
            continue
        try:
            subs = [folder.get_sub_folder(i) for i in range(folder.get_number_of_sub_folders())]
        except PFF_ERRORS:
            continue
        stack.extend((sub, chain + (_id(folder),)) for sub in subs)
    return hidden


def _id(item) -> Optional[int]:
    return _safe(item.get_identifier)


def _safe(getter, *args):
    try:
        return getter(*args)
    except PFF_ERRORS:
        return None


def _message(folder, index: int, parts: tuple):
    import pypff

    path = "/".join(parts)
    folder_name = path or TOP
    try:
        message = folder.get_sub_message(index)
    except PFF_ERRORS:
        return Failure(_join(path, f"#{index + 1}"), folder_name, "message not readable (damaged)")
    if not isinstance(message, pypff.message):
        return None  # free/busy data and other records that are not messages
    identifier = _id(message)
    member = _join(path, str(identifier if identifier is not None else f"#{index + 1}"))
    try:
        outlook = _outlook(message)
        raw = to_rfc822(outlook)
    except PFF_ERRORS:
        return Failure(member, folder_name, "message not readable (damaged)")
    except Exception as exc:  # whatever a damaged message makes the conversion trip on: this message only
        return Failure(member, folder_name, f"message not converted ({type(exc).__name__})")
    return Converted(member, folder_name, f"message-{identifier}", raw, list(all_problems(outlook)))


def _join(path: str, leaf: str) -> str:
    return f"{path}/{leaf}" if path else leaf


class _Props:
    """A libpff record set by property tag; damaged entries read as absent."""

    def __init__(self, record_set):
        self.entries: dict = {}
        try:
            for entry in (record_set.entries if record_set is not None else ()):
                self.entries.setdefault(entry.get_entry_type(), entry)
        except PFF_ERRORS:
            pass

    @classmethod
    def of(cls, item) -> "_Props":
        """The item's own properties: its first record set."""
        try:
            return cls(item.get_record_set(0) if item.get_number_of_record_sets() else None)
        except PFF_ERRORS:
            return cls(None)

    def string(self, tag: int) -> Optional[str]:
        entry = self.entries.get(tag)
        if entry is None or _safe(entry.get_value_type) not in STRING_TYPES:
            return None
        value = _safe(entry.get_data_as_string)
        return value if value and value.strip("\0 ") else None

    def integer(self, tag: int) -> Optional[int]:
        entry = self.entries.get(tag)
        return _safe(entry.get_data_as_integer) if entry is not None else None

    def boolean(self, tag: int) -> bool:
        entry = self.entries.get(tag)
        return bool(_safe(entry.get_data_as_boolean)) if entry is not None else False

    def time(self, tag: int) -> Optional[datetime]:
        entry = self.entries.get(tag)
        value = _safe(entry.get_data_as_datetime) if entry is not None else None
        return value if isinstance(value, datetime) and value.year > 1601 else None

    def strings(self) -> list:
        return [(tag, self.string(tag)) for tag, e in sorted(self.entries.items())
                if _safe(e.get_value_type) in STRING_TYPES]

    def binaries(self) -> list:
        return [(tag, _safe(e.get_data) or b"") for tag, e in sorted(self.entries.items())
                if _safe(e.get_value_type) in BINARY_TYPES]


def _outlook(message) -> Outlook:
    props = _Props.of(message)
    out = Outlook(message_class=props.string(0x001A) or "IPM.Note",
                  transport_headers=_safe(message.get_transport_headers),
                  sender=sender(props.string),
                  subject=_safe(message.get_subject) or props.string(0x0037),
                  date=props.time(0x0039) or props.time(0x0E06),
                  message_id=props.string(0x1035), recipients=_recipients(message))
    out.plain = props.string(0x1000) or _text(_safe(message.get_plain_text_body))
    out.html = html_text(_safe(message.get_html_body), props.integer(0x3FDE))
    if not (out.plain or out.html):
        out.rtf = _safe(message.get_rtf_body)
    if not out.is_mail:
        out.fields = string_fields(props.strings()) + address_fields(props.binaries())
    count = _safe(message.get_number_of_attachments) or 0
    for index in range(count):
        _attachment(out, message, index)
    return out


def _text(data) -> Optional[str]:
    if isinstance(data, str):
        return data
    return decode_text(data, "utf-8") if data else None  # libpff hands bodies over as UTF-8


def _recipients(message) -> dict:
    people: dict = {}
    table = _safe(lambda: message.recipients)
    if table is None:
        return people
    for index in range(_safe(table.get_number_of_record_sets) or 0):
        record_set = _safe(table.get_record_set, index)
        if record_set is None:
            continue
        props = _Props(record_set)
        kind = RECIPIENT_KINDS.get(props.integer(0x0C15) or 1)
        if kind:
            address = smtp_address(props.string(0x39FE), props.string(0x3003), props.string(0x3002))
            people.setdefault(kind, []).append((props.string(0x3001), address))
    return people


def _attachment(out: Outlook, message, index: int) -> None:
    attachment = _safe(message.get_attachment, index)
    if attachment is None:
        out.problems.append((f"attachment {index + 1}", "attachment not readable (damaged)"))
        return
    props = _Props.of(attachment)
    name = (_safe(lambda: attachment.long_filename) or props.string(0x3707) or props.string(0x3704)
            or props.string(0x3001))
    label = name or f"attachment {index + 1}"
    method = props.integer(0x3705) or ATTACH_BY_VALUE
    if method == ATTACH_EMBEDDED:
        # libpff's Python binding has no way to open an embedded message: say so rather than skip it.
        out.problems.append((label if label.lower().endswith(".eml") else f"{label}.eml",
                             "embedded message not read (libpff cannot open it)"))
        return
    if method not in (ATTACH_BY_VALUE, ATTACH_OLE):
        return  # by reference: the file is stored elsewhere, nothing here to read
    try:
        size = attachment.get_size()
        data = attachment.read_buffer(size) if size else b""
    except PFF_ERRORS:
        out.problems.append((label, "attachment not readable (damaged)"))
        return
    out.attachments.append(Attachment(name, props.string(0x370E), data, inline=props.boolean(0x7FFE)))

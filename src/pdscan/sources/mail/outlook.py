"""Outlook mailboxes: .msg files (alone or in folder trees) and .pst/.ost data files.

Each Outlook message is converted to RFC 822 (extract/outlook_mime.py) as the walk
reaches it, and its Item opens those bytes, so the pipeline reads it like
any other message. A .msg file is one message whose folder is the folder it
sits in, like a message file in tree.py. A PST's messages are in the PST's
own folders ("Inbox", "Personal/Family"), with `path` = the PST file and
`member` = "<folder>/<message id>". Both are told by their bytes: an OLE
file with Outlook property streams, the "!BDN" magic.
Attachments that cannot be read are error records under the message.
"""
from __future__ import annotations

import io
import os
from functools import partial
from typing import Iterator, Optional

from ...extract.outlook import NotReadable, is_msg, msg_to_rfc822
from ...extract import pst
from ...formats.magic import OLE_MAGIC, PST_MAGIC
from ...model import ErrorRecord, Item, join_member
from ..filesystem import open_readonly
from .headers import meta_of

HEAD = 16 * 1024


def kind(path: str) -> Optional[str]:
    """"pst" (also .ost), "msg", or None, from the file's bytes.

    An OLE file named .msg whose streams cannot be listed is a damaged message, to be
    reported as such, not passed over as "not mail"."""
    try:
        with open_readonly(path, False) as stream:
            head = stream.read(len(OLE_MAGIC))
            if head.startswith(PST_MAGIC):
                return "pst"
            if head == OLE_MAGIC and (is_msg(stream) or path.lower().endswith(".msg")):
                return "msg"
    except OSError:
        return None
    return None


def msg_message(mailbox: str, file: str, member: str, folder: str) -> Iterator:
    """The message of one .msg file (and error records for attachments it could not read)."""
    try:
        with open_readonly(file, False) as stream:
            data = stream.read()
        mtime = os.stat(file).st_mtime
    except OSError as exc:
        yield ErrorRecord(mailbox, member, f"cannot read: {exc.strerror or exc}")
        return
    try:
        raw, problems = msg_to_rfc822(data)
    except NotReadable as exc:
        yield ErrorRecord(mailbox, member, str(exc))
        return
    name = os.path.basename(member)
    yield _item(mailbox, member, f"{name}.eml", raw, mtime, folder)
    for where, reason in problems:
        yield ErrorRecord(mailbox, join_member(member, where), reason)


def pst_messages(path: str) -> Iterator:
    """The messages of a .pst/.ost file, folder by folder."""
    try:
        mtime = os.stat(path).st_mtime
        stream = open_readonly(path, False)
    except OSError as exc:
        yield ErrorRecord(path, None, f"cannot read: {exc.strerror or exc}")
        return
    with stream:
        for event in pst.walk(stream):
            if isinstance(event, pst.Failure):
                yield ErrorRecord(path, event.member, event.reason)
                continue
            yield _item(path, event.member, f"{event.name}.eml", event.raw, mtime, event.folder)
            for where, reason in event.problems:
                yield ErrorRecord(path, join_member(event.member, where), reason)


def _item(mailbox: str, member: str, hint: str, raw: bytes, mtime: float, folder: str) -> Item:
    return Item(path=mailbox, open=partial(io.BytesIO, raw), size=len(raw), mtime=mtime, member=member,
                name_hint=hint, meta=meta_of(raw[:HEAD], folder))

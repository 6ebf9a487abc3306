"""Mailbox sources: each yields one Item per message, carrying its mail folder.

`open_mailbox(source)` chooses the kind from what is on disk, never from
names alone: a Maildir (a folder with cur/ or new/), an mbox file (its first
line is a "From " separator), a single message file, or a folder tree that
holds any of these (Thunderbird mbox trees, folders of .eml files, plain
trees of message files such as the Enron export), Outlook .msg files and
.pst/.ost data files (outlook.py); an imap:// or imaps://
URL is a mailbox on a server, read without changing it (imap/). A message Item has
`path` = the mailbox, `member` = a stable id inside it (the file's relative
path, `mbox:<n>`, or `<folder>/<id>` in a PST), `name_hint` ending in `.eml`, and `meta` = {"folder",
"message_id", "date", "from"} decoded from its headers. Parsing the whole
message is extract/message.py's job; only the header block is read here.
Problems with one message become ErrorRecords and the walk goes on.
"""
from __future__ import annotations

import os
from typing import Iterator, Optional, Union

from ...errors import PdscanError
from ...model import ErrorRecord, Item
from ..filesystem import listdir
from . import imap, maildir, mbox, outlook, tree

Event = Union[Item, ErrorRecord]


def open_mailbox(source: str, *, cafile: Optional[str] = None) -> Iterator[Event]:
    """Message Items (and ErrorRecords) of one mailbox, in a stable order.

    `cafile` is for imaps:// and STARTTLS: the CA certificates to trust instead of the system store."""
    if os.fsdecode(source).lower().startswith(("imap://", "imaps://")):
        return imap.messages(os.fsdecode(source), cafile=cafile)
    path = os.path.abspath(os.fsdecode(source))
    if not os.path.lexists(path):
        raise PdscanError(f"no such mailbox: {source}")
    if os.path.isfile(path):
        if mbox.is_mbox(path):
            return mbox.messages(path, path, mbox.folder_of(os.path.basename(path)))
        if tree.is_message(path):
            return tree.single(path)
        kind = outlook.kind(path)
        if kind == "pst":
            return outlook.pst_messages(path)
        if kind == "msg":
            return outlook.msg_message(path, path, os.path.basename(path),
                                       os.path.basename(os.path.dirname(path)) or tree.TOP)
        raise PdscanError(f"not a mailbox this version reads (mbox, Maildir, message files, Outlook .msg/.pst): "
                          f"{source}")
    if not os.path.isdir(path):
        raise PdscanError(f"not a mailbox: {source}")
    if maildir.is_maildir(path):
        return maildir.messages(path)
    return _tree(path)


def _tree(root: str) -> Iterator[Event]:
    """A folder tree: Maildirs, mbox files and message files wherever they are found."""
    stack = [""]
    while stack:
        rel = stack.pop()
        here = os.path.join(root, rel) if rel else root
        try:
            names = listdir(here)
        except OSError as exc:
            yield ErrorRecord(here, None, f"cannot read folder: {exc.strerror or exc}")
            continue
        folders = []
        for name in names:
            path = os.path.join(here, name)
            member = f"{rel}/{name}" if rel else name
            if os.path.islink(path):
                continue
            if os.path.isdir(path):
                if maildir.is_maildir(path):
                    yield from maildir.messages(path, root, tree.folder_name(member, root), member)
                else:
                    folders.append(member)
            elif os.path.isfile(path):
                yield from _file(root, member, path)
        stack.extend(reversed(folders))


def _file(root: str, member: str, path: str) -> Iterator[Event]:
    try:
        if mbox.is_mbox(path):
            yield from mbox.messages(path, path, mbox.folder_of(member))
        elif tree.is_message(path):
            yield tree.message_item(root, member, tree.folder_name(os.path.dirname(member), root))
        else:
            kind = outlook.kind(path)
            if kind == "pst":
                yield from outlook.pst_messages(path)
            elif kind == "msg":
                yield from outlook.msg_message(root, path, member, tree.folder_name(os.path.dirname(member), root))
    except OSError as exc:
        yield ErrorRecord(root, member, f"cannot read: {exc.strerror or exc}")

"""Maildir and Maildir++: messages in cur/ and new/ (never tmp/, where mail is still arriving).

A Maildir's own messages are the Inbox. Maildir++ subfolders sit beside
cur/ as dot-folders: `.Personal` is "Personal", `.Personal.Family` is
"Personal/Family". Subfolders that are Maildirs themselves (mu, some
Dovecot layouts) are folders too, by their relative path.
"""
from __future__ import annotations

import base64
import binascii
import os
from functools import partial
from typing import Iterator, Optional

from ...model import ErrorRecord, Item
from ..filesystem import listdir, open_readonly
from .headers import meta_of

INBOX = "Inbox"
MESSAGE_DIRS = ("cur", "new")
HEAD = 16 * 1024


def is_maildir(path: str) -> bool:
    return any(os.path.isdir(os.path.join(path, d)) for d in MESSAGE_DIRS)


def plus_folder(name: str) -> str:
    """`.Personal.Family` → "Personal/Family"; names are stored in IMAP's modified UTF-7 (Dovecot,
    Courier), so `.&AOk-t&AOk-` is "été", as an IMAP server would list it."""
    return "/".join(decode_mutf7(p) for p in name.lstrip(".").split(".") if p)


def decode_mutf7(name: str) -> str:
    """RFC 3501 §5.1.3 modified UTF-7: `&AOk-t&AOk-` → "été", `&-` → "&". A name that is
    not valid modified UTF-7 is kept as the server sent it."""
    out, i = [], 0
    while i < len(name):
        start = name.find("&", i)
        if start < 0:
            out.append(name[i:])
            break
        end = name.find("-", start)
        if end < 0:
            return name
        out.append(name[i:start])
        chunk = name[start + 1:end]
        if chunk:
            try:
                raw = base64.b64decode(chunk.replace(",", "/") + "=" * (-len(chunk) % 4), validate=True)
                out.append(raw.decode("utf-16-be"))
            except (binascii.Error, UnicodeDecodeError):
                return name
        else:
            out.append("&")
        i = end + 1
    return "".join(out)


def messages(path: str, mailbox: Optional[str] = None, folder: str = INBOX, prefix: str = "") -> Iterator:
    """Messages of the Maildir at `path`, its Maildir++ and nested Maildir subfolders.

    `mailbox` is the Item path (the root the user named); `prefix` is this
    Maildir's path relative to it, `folder` its folder name. Nested Maildirs are
    walked with a stack, not recursion: 1,000 of them inside each other are only deep."""
    mailbox = mailbox or path
    yield from _folder(mailbox, path, prefix, folder)
    stack = [(path, folder, prefix, iter(_safe_list(path)))]
    while stack:
        path, folder, prefix, names = stack[-1]
        name = next(names, None)
        if name is None:
            stack.pop()
            continue
        sub = os.path.join(path, name)
        if name in MESSAGE_DIRS or name == "tmp" or os.path.islink(sub) or not os.path.isdir(sub):
            continue
        if not is_maildir(sub):
            continue
        if name.startswith("."):
            sub_folder = plus_folder(name)
            sub_folder = sub_folder if folder == INBOX and not prefix else f"{folder}/{sub_folder}"
            yield from _folder(mailbox, sub, _join(prefix, name), sub_folder)
        else:
            sub_folder = name if folder == INBOX and not prefix else f"{folder}/{name}"
            yield from _folder(mailbox, sub, _join(prefix, name), sub_folder)
            stack.append((sub, sub_folder, _join(prefix, name), iter(_safe_list(sub))))


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def _safe_list(path: str) -> list:
    try:
        return listdir(path)
    except OSError:
        return []


def _folder(mailbox: str, path: str, prefix: str, folder: str) -> Iterator:
    for sub in MESSAGE_DIRS:
        where = os.path.join(path, sub)
        if not os.path.isdir(where):
            continue
        try:
            names = listdir(where)
        except OSError as exc:
            yield ErrorRecord(mailbox, _join(prefix, sub), f"cannot read folder: {exc.strerror or exc}")
            continue
        for name in names:
            if name.startswith("."):
                continue  # .noindex and similar markers, not mail
            file = os.path.join(where, name)
            if os.path.islink(file) or not os.path.isfile(file):
                continue
            yield file_item(mailbox, file, _join(prefix, f"{sub}/{name}"), folder)


def file_item(mailbox: str, file: str, member: str, folder: str):
    """An Item for a message stored as one file (Maildir, .eml, plain trees)."""
    try:
        with open_readonly(file, False) as stream:
            head = stream.read(HEAD)
        st = os.stat(file)
    except OSError as exc:
        return ErrorRecord(mailbox, member, f"cannot read: {exc.strerror or exc}")
    name = os.path.basename(member)
    hint = name if name.lower().endswith(".eml") else f"{name}.eml"
    return Item(path=mailbox, open=partial(open_readonly, file, False), size=st.st_size, mtime=st.st_mtime,
                member=member, name_hint=hint, meta=meta_of(head, folder))

"""Where a mailbox's forwarding rules are kept, found beside the mailbox (never changed).

A Maildir's home is its parent folder, as Dovecot and the MTAs have it: `.dovecot.sieve` (the
active script, often a link into `sieve/`), `sieve/*.sieve`, `.forward`, `.procmailrc`; a
Maildir may hold the same names itself. A folder tree (a Thunderbird profile, a home) is looked
through for `msgFilterRules.dat` and these names, to the depth of a profile. Files are read as
text, at most MAX_BYTES; a link is followed only to a regular file in the same home.
"""
from __future__ import annotations

import os
from typing import Iterator, Optional

from ..filesystem import listdir, open_readonly
from . import maildir

MAX_BYTES = 256 * 1024
MAX_DEPTH = 4
NAMES = {".dovecot.sieve": "sieve", ".forward": "forward", ".procmailrc": "procmail",
         "msgfilterrules.dat": "thunderbird"}


def kind_of(name: str) -> Optional[str]:
    lower = name.lower()
    return NAMES.get(lower) or ("sieve" if lower.endswith(".sieve") else None)


def rule_files(source: str) -> Iterator[tuple]:
    """(kind, absolute path, path relative to the mailbox, text) of each rule file of a mailbox."""
    if "://" in source:
        return
    root = os.path.abspath(source)
    if not os.path.isdir(root):
        return
    if maildir.is_maildir(root):
        yield from _files(root, os.path.dirname(root), (".", "sieve"))
        yield from _files(root, root, (".", "sieve"))
        return
    yield from _walk(root)


def _files(root: str, home: str, folders) -> Iterator[tuple]:
    for folder in folders:
        where = os.path.normpath(os.path.join(home, folder))
        try:
            names = listdir(where)
        except OSError:
            continue
        for name in names:
            kind = kind_of(name)
            if kind and (folder == "sieve") == (kind == "sieve" and name != ".dovecot.sieve"):
                found = _read(os.path.join(where, name), home)
                if found is not None:
                    yield kind, os.path.join(where, name), os.path.relpath(os.path.join(where, name), root), found


def _walk(root: str) -> Iterator[tuple]:
    stack = [(root, 0)]
    while stack:
        here, depth = stack.pop()
        try:
            names = listdir(here)
        except OSError:
            continue
        for name in names:
            path = os.path.join(here, name)
            if os.path.isdir(path) and not os.path.islink(path):
                if depth < MAX_DEPTH and not maildir.is_maildir(path) and name not in maildir.MESSAGE_DIRS:
                    stack.append((path, depth + 1))
                elif maildir.is_maildir(path):
                    yield from _files(root, path, (".", "sieve"))
                continue
            kind = kind_of(name)
            if kind:
                found = _read(path, root)
                if found is not None:
                    yield kind, path, os.path.relpath(path, root), found


def _read(path: str, home: str) -> Optional[str]:
    """The file's text; a link only to a regular file inside `home` (Dovecot's active-script link)."""
    if os.path.islink(path):
        target = os.path.realpath(path)
        if not target.startswith(os.path.realpath(home) + os.sep):
            return None
        path = target
    if not os.path.isfile(path):
        return None
    try:
        with open_readonly(path, False) as stream:
            return stream.read(MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return None

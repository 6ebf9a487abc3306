"""Folders of message files: `.eml` folders and plain trees of files of any name.

A file is a message when its first bytes look like RFC 822 headers (libmagic
calls many of them text/plain, so neither it nor the name decides). The
folder a file sits in, relative to the mailbox root, is its mail folder:
the Enron export `arnold-j/sent_items/12` read from `arnold-j` is a message
in folder "sent_items".
"""
from __future__ import annotations

import os
from typing import Iterator

from ..filesystem import open_readonly
from .headers import looks_like_headers
from .maildir import file_item

SNIFF = 4096
TOP = "(top)"


def is_message(path: str) -> bool:
    try:
        with open_readonly(path, False) as stream:
            head = stream.read(SNIFF)
    except OSError:
        return False
    return looks_like_headers(head)


def folder_name(rel_dir: str, root: str) -> str:
    """The relative folder as a mail folder; files at the root are in the root's own folder name."""
    return rel_dir.replace(os.sep, "/").strip("/") or os.path.basename(root.rstrip(os.sep)) or TOP


def message_item(root: str, member: str, folder: str):
    return file_item(root, os.path.join(root, member), member, folder)


def single(path: str) -> Iterator:
    """One message file named on its own: its folder is the one it sits in."""
    folder = os.path.basename(os.path.dirname(path)) or TOP
    yield file_item(path, path, os.path.basename(path), folder)

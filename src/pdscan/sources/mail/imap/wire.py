"""The server's replies as imaplib hands them over → plain values (folders, UIDs, sizes, bodies)."""
from __future__ import annotations

import imaplib
import re
import time

_LIST = re.compile(rb'\((?P<flags>[^)]*)\)\s+(?P<delim>NIL|"(?:[^"\\]|\\.)*")\s+(?P<name>.*)$', re.I | re.S)
_NAMESPACE = re.compile(rb'\(\("((?:[^"\\]|\\.)*)"')
_UID = re.compile(rb"\bUID\s+(\d+)", re.I)
_SIZE = re.compile(rb"\bRFC822\.SIZE\s+(\d+)", re.I)
_DATE = re.compile(rb'INTERNALDATE\s+"[^"]*"', re.I)
_NIL_BODY = re.compile(rb"\bBODY\[\]\s+NIL", re.I)
_BODY_LITERAL = re.compile(rb"BODY\[\]\s*\{\d+\}\s*$", re.I)


def text(value) -> str:
    """An imaplib reply or exception as one line of text."""
    if isinstance(value, BaseException):
        value = value.args[0] if len(value.args) == 1 else (str(value) or type(value).__name__)
    if isinstance(value, list):
        value = b" ".join(v for v in value if isinstance(v, bytes))
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())


def unquote(token: bytes) -> bytes:
    if token.startswith(b'"') and token.endswith(b'"') and len(token) >= 2:
        return re.sub(rb'\\(.)', rb'\1', token[1:-1])
    return token


def quote(wire: bytes) -> bytes:
    return b'"' + wire.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def parse_list(data: list) -> list:
    """LIST replies as (wire name, delimiter or None, flags in lower case)."""
    folders = []
    for entry in data:
        line, literal = (entry[0], entry[1]) if isinstance(entry, tuple) else (entry, None)
        match = _LIST.match(line or b"")
        if not match:
            continue
        name = literal if literal is not None else unquote(match.group("name").strip())
        delim = None if match.group("delim").upper() == b"NIL" else unquote(match.group("delim"))
        flags = {f.lower() for f in match.group("flags").decode("ascii", "replace").split()}
        folders.append((name, delim.decode("utf-8", "replace") if delim else None, flags))
    return folders


def parse_fetch(data: list) -> dict:
    """FETCH replies as UID → {"size", "date", "body"}; "body" only when it was asked for.

    imaplib gives a reply with a literal as (text before it, literal) and the
    rest of the line as the next element."""
    replies, i = {}, 0
    while i < len(data):
        entry = data[i]
        if isinstance(entry, tuple):
            head, literal = entry
            has_tail = i + 1 < len(data) and isinstance(data[i + 1], bytes)
            tail = data[i + 1] if has_tail else b""
            i += 2 if has_tail else 1
        else:
            head, literal, tail = entry, None, b""
            i += 1
        if not head:
            continue
        text = head + b" " + tail
        uid = _UID.search(text)
        if not uid:
            continue  # an unsolicited FLAGS update, not a reply to us
        reply = replies.setdefault(int(uid.group(1)), {})
        size = _SIZE.search(text)
        if size:
            reply["size"] = int(size.group(1))
        date = _DATE.search(text)
        if date:
            stamp = imaplib.Internaldate2tuple(date.group(0))
            reply["date"] = time.mktime(stamp) if stamp else None
        if literal is not None and _BODY_LITERAL.search(head):
            reply["body"] = literal
        elif _NIL_BODY.search(text):
            reply["body"] = None
    return replies


def parse_namespace(data: list) -> str:
    """The personal namespace's prefix from a NAMESPACE reply ("INBOX." on Courier), or ""."""
    match = _NAMESPACE.match(data[0] or b"") if data else None
    return unquote(b'"' + match.group(1) + b'"').decode("utf-8", "replace") if match else ""

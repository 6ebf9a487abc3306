"""Text for a terminal, made from names other people chose.

A file or member name can hold ESC, OSC, CR or a newline; printed raw it can
rewrite the screen a reviewer relies on ("all clean"). `shown()` makes any
such text inert: control characters, bidi overrides and undecodable bytes
become visible escapes.
"""
from __future__ import annotations

import os
import re

# C0 (tab included), DEL, C1; bidi embeddings, overrides and isolates; line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escape(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text) -> str:
    """`text` (str, bytes or a path) as one inert line for a terminal."""
    if isinstance(text, (bytes, os.PathLike)):
        text = os.fsdecode(text)
    text = str(text)
    if any("\udc80" <= ch <= "\udcff" for ch in text):  # undecodable bytes kept by surrogateescape
        text = os.fsencode(text).decode("utf-8", "backslashreplace")
    return _UNSAFE.sub(_escape, text)

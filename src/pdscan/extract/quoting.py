"""The writer's own words in a message body: before any quoted reply, forward or signature."""
from __future__ import annotations

import re

# Where the writer's own words end: a quoted reply, a forwarded message, a signature.
QUOTE_START = re.compile(r"^\s*(>|on\b.{4,200}\bwrote:\s*$|-{2,}\s*(original message|forwarded)|_{8,}\s*$"
                         r"|begin forwarded message)", re.I)
OUTLOOK_QUOTE = re.compile(r"^\s*from:\s", re.I)
OUTLOOK_NEXT = re.compile(r"^\s*(sent|date|to):\s", re.I)
SIGNATURE = re.compile(r"^\s*--\s*$")
KISSES = re.compile(r"(\s+x{1,4})+\s*$", re.I)
KISS_LINE = re.compile(r"^\s*([A-Z][\w'-]*(\s*(&|\+|and)\s*[A-Z][\w'-]*)?\s+)?x{1,4}\s*$", re.I)  # "Jo & Chris x"
# A kiss closing the last sentence on its line: "I can pick you up 7.15 x", "a thank you. Z x".
TRAILING_KISS = re.compile(r"[.!?)\d]\s+([A-Z][\w'-]*\s+)?x{1,4}\s*$")
SHORT = 15  # words: a reply this short takes its meaning from what it quotes


def own_words(text: str, sender_name: str = "") -> str:
    """The writer's own words: before any quoted reply or signature. A bare forward or a short reply
    keeps the quoted text too, since that is what it is about."""
    lines = text.splitlines()
    signed, end = _bounds(lines, sender_name)
    own = lines[:signed]
    # A sign-off with kisses ("x", "Dave xx") says more than any word: it reads as "xx".
    own = ["xx" if KISS_LINE.match(line) else line for line in own]
    last = next((i for i in range(len(own) - 1, -1, -1) if own[i].strip()), None)
    if last is not None and TRAILING_KISS.search(own[last]):
        own[last] = TRAILING_KISS.sub(lambda m: m.group(0)[0] + "\nxx", own[last])
    words = sum(len(line.split()) for line in own)
    return "\n".join(own if words >= SHORT else own + lines[end:])


def signature(text: str, sender_name: str = "") -> str:
    """The writer's signature block: after their "--" or sign-off, before any quoted text."""
    lines = text.splitlines()
    signed, end = _bounds(lines, sender_name)
    return "\n".join(lines[signed:end][:SIGNATURE_LINES])


def written(text: str, sender_name: str = "") -> str:
    """Only what the writer wrote: before any quoted or forwarded text and their signature."""
    lines = text.splitlines()
    return "\n".join(lines[:_bounds(lines, sender_name)[0]])


def split_quote(text: str, sender_name: str = "") -> tuple:
    """(the text before the first quoted reply or forwarded message, the text from there on)."""
    lines = text.splitlines()
    end = _bounds(lines, sender_name)[1]
    return "\n".join(lines[:end]), "\n".join(lines[end:])


SIGNATURE_LINES = 12


def _bounds(lines: list, sender_name: str) -> tuple:
    """(where the writer's own words end, where quoted text begins), as line indexes."""
    end = len(lines)
    for i, line in enumerate(lines):
        if QUOTE_START.match(line) or (OUTLOOK_QUOTE.match(line) and
                                       any(OUTLOOK_NEXT.match(n) for n in lines[i + 1:i + 4])):
            end = i
            break
    # The "--" before a gateway's disclaimer often comes after the writer's name, title and department:
    # the signature starts at the sign-off above it, if there is one.
    dashes = next((i for i in range(end) if SIGNATURE.match(lines[i])), end)
    names = {n.casefold() for n in (sender_name, sender_name.split(" ")[0]) if len(n) > 1}
    for i in range(dashes - 1, max(-1, dashes - SIGNATURE_LINES), -1):
        if KISSES.sub("", lines[i]).strip(" ,.-!").casefold() in names:
            return i + 1, end  # the sign-off; what follows is the signature block
    return dashes, end

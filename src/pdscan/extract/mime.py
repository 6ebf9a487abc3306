"""MIME parsing with a bound on nesting.

The email package parses one level of multipart or attached message per
level of recursion, so a message of 2,000 nested multiparts (140 KB, from
any sender) raises RecursionError deep inside it, or in whoever walks the
result. `parse_bounded` stops at `max_depth` levels with MimeTooDeep, before
the stack is anywhere near its limit. Millions of empty parts (7 bytes each)
cost minutes of parsing, so past `max_parts` it stops with MimeTooMany. On
either (MimeTooComplex) callers fall back to what can be read without the
structure (the headers, the undecoded body).
"""
from __future__ import annotations

import email.errors
from email import policy as mime_policy
from email.feedparser import BytesFeedParser
from email.message import Message
from email.parser import BytesParser

from ..errors import LimitExceeded
from ..limits import Limits

# What the email package raises on malformed input it cannot record as a defect.
MIME_ERRORS = (email.errors.MessageError, LookupError, ValueError, TypeError,
               AttributeError, IndexError, UnicodeError, AssertionError)


class MimeTooComplex(LimitExceeded):
    """A MIME structure past a limit: read without it."""


class MimeTooDeep(MimeTooComplex):
    """Multiparts or attached messages nested deeper than the limit."""


class MimeTooMany(MimeTooComplex):
    """More parts in one message than the limit."""


def too_many_parts(limit: int, rest: str) -> MimeTooMany:
    return MimeTooMany(f"more than {limit} MIME parts in the message: {rest}")


class _BoundedParser(BytesFeedParser):
    # FeedParser._parsegen parses one part and calls itself (through self) for each
    # subpart or attached message: counting its live calls is counting nesting, and
    # counting all its calls is counting parts.
    def __init__(self, max_depth: int, max_parts: int, **kwargs):
        super().__init__(**kwargs)
        self._max_depth, self._depth = max_depth, 0
        self._max_parts, self._parts = max_parts, 0

    def _parsegen(self):
        self._depth += 1
        self._parts += 1
        try:
            if self._depth > self._max_depth:
                raise MimeTooDeep(f"MIME parts nested deeper than {self._max_depth} levels: "
                                  f"only the headers and the undecoded body were read")
            if self._parts > self._max_parts:
                raise too_many_parts(self._max_parts, "only the headers and the undecoded body were read")
            yield from super()._parsegen()
        finally:
            self._depth -= 1


def parse_bounded(raw: bytes, policy=mime_policy.compat32, max_depth: int = Limits.max_mime_depth,
                  max_parts: int = Limits.max_mime_parts) -> Message:
    """`BytesParser(policy=policy).parsebytes(raw)`, refusing nesting deeper than max_depth
    or more than max_parts parts."""
    parser = _BoundedParser(max_depth, max_parts, policy=policy)
    parser.feed(raw)
    return parser.close()


def parse_headers(raw: bytes, policy=mime_policy.compat32) -> Message:
    """The header block only: the body stays one undecoded string, so no nesting is parsed."""
    return BytesParser(policy=policy).parsebytes(raw, headersonly=True)


def undecoded_body(headers_only: Message) -> bytes:
    """The body of a `parse_headers` result, as the bytes it was read from."""
    body = headers_only.get_payload()
    return body.encode("ascii", "surrogateescape") if isinstance(body, str) else b""


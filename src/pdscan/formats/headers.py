"""Mail header values as people wrote them: RFC 2047 encoded words, charsets, Date headers.

Tolerant by design: an unknown charset, a broken encoded word or a date no
one can read gives the best text available (or None for a date), never an
exception, since one odd header must not stop a scan.
"""
from __future__ import annotations

import codecs
import email.errors
from datetime import datetime, timezone
from email.header import Header, decode_header
from email.utils import parsedate_to_datetime
from typing import Optional

UNDECLARED = ("unknown-8bit", "x-unknown")  # "no charset was declared", not a charset


def decode_text(data: bytes, charset: Optional[str]) -> str:
    """Bytes in a declared charset; undeclared or unknown ones as UTF-8, else cp1252."""
    if charset and charset.lower() not in UNDECLARED:
        try:
            return data.decode(codecs.lookup(charset).name, errors="replace")
        except (LookupError, UnicodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def known_charset(charset: str) -> bool:
    """A charset Python can decode, or one that only says it was not declared."""
    if charset.lower() in UNDECLARED:
        return True
    try:
        codecs.lookup(charset)
        return True
    except LookupError:
        return False


def decode_words(value) -> str:
    """A header value (str, or the email package's Header for raw 8-bit bytes) with its RFC 2047
    encoded words decoded. Adjacent words are joined before decoding, so a character split across
    two words (common in real mail) survives."""
    try:
        fragments = decode_header(value if isinstance(value, (str, Header)) else str(value))
    except (email.errors.HeaderParseError, ValueError, LookupError):
        return str(value)
    return "".join(f if isinstance(f, str) else decode_text(f, c) for f, c in fragments)


def parse_date(value) -> Optional[datetime]:
    """A Date header as an aware UTC datetime; one without a zone is taken as UTC. None when absent
    or unreadable."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    try:
        return when.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def iso_date(value) -> Optional[str]:
    """A Date header as "YYYY-MM-DDTHH:MM:SSZ" in UTC, or None."""
    when = parse_date(value)
    try:
        return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else None
    except (ValueError, OverflowError):
        return None

"""Magic numbers and MIME names shared by the sniff stage and the extractors that read the formats.

sniff.py names a type from a bounded prefix; the extractor registered for that name reads it.
Both spell the names and the leading bytes from here, so they cannot drift apart.
"""
from __future__ import annotations

import re
from typing import Optional

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: legacy Office, .msg, encrypted OOXML
PST_MAGIC = b"!BDN"                               # Outlook .pst/.ost
ZIP_LOCAL = b"PK\x03\x04"                         # a zip's first local file header

OOXML_ENCRYPTED = "application/x-ooxml-encrypted"  # password-protected OOXML, which Office wraps in OLE
MSG_MIME = "application/vnd.ms-outlook"
PST_MIME = "application/vnd.ms-outlook-pst"  # Apache Tika's name: libmagic says vnd.ms-outlook for both
SQL_MIME = "application/sql"
MBOX_MIME = "application/mbox"
ODF_PREFIX = "application/vnd.oasis.opendocument."

# A statement that only an SQL dump starts a line with.
SQL_SIGNATURE = re.compile(rb"(?im)^[ \t]*(?:INSERT[ \t]+(?:IGNORE[ \t]+)?INTO|REPLACE[ \t]+INTO|CREATE[ \t]+TABLE"
                           rb"|COPY[ \t]+\S+[^\n]*FROM[ \t]+stdin)\b")


def looks_like_sql(prefix: bytes) -> bool:
    return SQL_SIGNATURE.search(prefix) is not None


def structured_kind(prefix: bytes) -> Optional[str]:
    """A MIME type for text whose first bytes are JSON or XML that libmagic did not name."""
    head = prefix.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{") and b'":' in head[:4096]:
        return "application/json"  # or JSON lines: extract/structured.py reads both
    if head.startswith(b"<") and b"</" in head:
        return "text/xml"
    return None

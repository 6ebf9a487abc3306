"""Content type from a bounded prefix of the bytes (libmagic), never the name alone.

The name is only a hint where the bytes cannot tell: libmagic calls a CSV
file text/plain, and a zip is refined into the office format it holds.
"""
from __future__ import annotations

import zipfile
from functools import lru_cache
from typing import BinaryIO

from .encryption.zipseal import names_hidden
from .formats.magic import (MBOX_MIME, MSG_MIME, ODF_PREFIX, PST_MAGIC, PST_MIME, SQL_MIME, ZIP_LOCAL,
                            looks_like_sql, structured_kind)
from .formats.ole import kind_of, msg_streams, stream_names
from .model import Item
from .sources.mail.headers import looks_like_headers

PREFIX = 8192

# Names inside a zip that say which office format it is.
ZIP_KINDS = (
    ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)
# libmagic names legacy Office files only by their container from a prefix.
OLE_TYPES = {"application/x-ole-storage", "application/CDFV2", "application/vnd.ms-office",
             "application/encrypted"}
TEXT_HINTS = {".csv": "text/csv", ".tsv": "text/tab-separated-values", ".tab": "text/tab-separated-values",
              ".eml": "message/rfc822"}  # header-only messages read as text/plain to libmagic


@lru_cache(maxsize=1)
def _magic():
    import magic
    return magic.Magic(mime=True)


def sniff_bytes(prefix: bytes) -> str:
    if not prefix:
        return "inode/x-empty"
    return _magic().from_buffer(prefix)


def sniff(item: Item) -> str:
    return sniff_with_head(item)[0]


def sniff_with_head(item: Item) -> tuple:
    """(MIME type, the first bytes): the prefix is handed on so the encryption stage need not reopen."""
    with item.open() as stream:
        prefix = stream.read(PREFIX)
        mime = sniff_bytes(prefix)
        if mime == "application/zip" or (mime == "application/octet-stream" and prefix[:4] == ZIP_LOCAL):
            mime = _refine_zip(stream, prefix)
        elif mime in OLE_TYPES:
            names = stream_names(stream)  # one directory listing decides Office and Outlook alike
            if names is not None:
                mime = kind_of(names) or (MSG_MIME if msg_streams(names) else mime)
        elif prefix.startswith(PST_MAGIC):
            mime = PST_MIME  # libmagic calls both PST and .msg vnd.ms-outlook; their extractors differ
    hint = _hint(item)
    # libmagic calls a dump text/csv when its first lines hold commas (a sqlite3 .dump that opens
    # with CREATE TABLE): the statements decide, whatever the commas suggest.
    if mime in ("text/plain", "text/csv", "application/csv", "application/x-sql") and looks_like_sql(prefix):
        mime = SQL_MIME
    elif mime == "text/plain" and (structured := structured_kind(prefix)):
        mime = structured
    elif mime == "text/plain" and _mbox(prefix):
        mime = MBOX_MIME
    elif mime in ("text/plain", "application/csv") or (hint and _misread_text(mime, prefix)):
        mime = TEXT_HINTS.get(hint, mime)
    elif mime.startswith("text/") and hint == ".eml" and looks_like_headers(prefix):
        # A message whose first headers libmagic does not know (Thunderbird's X-Mozilla-Status) is
        # named by its body (HTML, C, TeX); its header block says it is mail.
        mime = TEXT_HINTS[hint]
    return mime, prefix


def _hint(item: Item) -> str:
    """The name's extension when it is one of TEXT_HINTS, else ""."""
    ext = "." + item.name.rsplit(".", 1)[-1].lower() if "." in item.name else ""
    return ext if ext in TEXT_HINTS else ""


def _misread_text(mime: str, prefix: bytes) -> bool:
    """libmagic names some text after a few letters at its start: a TSV whose header opens with
    "PA" is an HP-GL plotter file to it. Printable UTF-8 lines are text, whatever it says;
    the name's hint (.csv, .tsv) then decides how."""
    if mime.startswith("text/") or not prefix:
        return False
    try:
        text = prefix.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(prefix) - 3:  # not merely a character cut at the end of the prefix
            return False
        text = prefix[:exc.start].decode("utf-8")
    return all(ch.isprintable() or ch in "\t\r\n" for ch in text)


def _mbox(prefix: bytes) -> bool:
    """A "From " line, then mail headers (libmagic calls some mbox files text/plain)."""
    head = prefix.lstrip(b"\r\n")
    return head.startswith(b"From ") and b"\n" in head and looks_like_headers(head.split(b"\n", 1)[1], needed=1)


def _refine_zip(stream: BinaryIO, prefix: bytes):
    if prefix[30:38] == b"mimetype":
        # ODF stores its type uncompressed as the first member.
        start = 38 + int.from_bytes(prefix[28:30], "little")
        kind = prefix[start:start + 80].split(b"PK", 1)[0].decode("ascii", "replace").strip()
        if kind.startswith(ODF_PREFIX):
            return kind
    try:
        stream.seek(0)
        names = set(zipfile.ZipFile(stream).namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return _not_a_zip(stream, prefix)
    if "[Content_Types].xml" in names:
        for marker, kind in ZIP_KINDS:
            if marker in names:
                return kind
    return "application/zip"


def _not_a_zip(stream: BinaryIO, prefix: bytes) -> str:
    """A zip signature on bytes no zip reader opens: text behind "PK\\x03\\x04" is text, to be
    read as such, not passed over as a damaged (or "encrypted") archive."""
    if names_hidden(stream):
        return "application/zip"
    rest = sniff_bytes(prefix[len(ZIP_LOCAL):])
    return rest if rest.startswith("text/") else "application/zip"

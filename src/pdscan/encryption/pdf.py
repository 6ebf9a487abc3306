"""PDF standard security handler: does the content need a password?

A PDF is encrypted when its trailer names an /Encrypt dictionary. That alone
says little: with an empty user password (an "owner password" that only
restricts printing or copying), or with both passwords empty, every reader
opens the file without asking. Such a PDF protects nothing, so it is
reported not encrypted, with a note, and the pipeline reads its content.
Only a PDF that the empty password does not open is encrypted, with the
algorithm from /V, /Length and the crypt filter in the note; one whose crypt
filters are all /Identity stores its content as it is, whatever the password
check says, and is read too.

Most PDFs are not encrypted: the trailer (found from `startxref`) is
searched for "/Encrypt" first, and pypdf is started only when it is there
or the trailer cannot be found.
"""
from __future__ import annotations

import logging
import re
from typing import Optional

from ..model import Encryption, Item

TAIL = 4096
TRAILER_WINDOW = 8192
STARTXREF = re.compile(rb"startxref\s+(\d+)")
OWNER_ONLY = "PDF has only an owner password: anyone can read it"
EMPTY_PASSWORDS = "PDF is encrypted with an empty password: anyone can read it"
IDENTITY = "/Identity"
IDENTITY_FILTERS = "PDF crypt filters are /Identity: nothing is encrypted"

logging.getLogger("pypdf").setLevel(logging.ERROR)


def check(item: Item, mime: str, head: bytes) -> Optional[Encryption]:
    if mime != "application/pdf":
        return None
    with item.open() as stream:
        if not _may_be_encrypted(stream, item.size):
            return None
        stream.seek(0)
        return _decide(stream)


def _may_be_encrypted(stream, size: int) -> bool:
    """False only when the last trailer was found and names no /Encrypt."""
    stream.seek(max(0, size - TAIL))
    tail = stream.read(TAIL)
    if b"/Encrypt" in tail:
        return True
    offsets = STARTXREF.findall(tail)
    if not offsets:
        return True
    stream.seek(int(offsets[-1]))
    # The cross-reference section (or stream) and its trailer dictionary start here.
    return b"/Encrypt" in stream.read(TRAILER_WINDOW)


def _decide(stream) -> Optional[Encryption]:
    import pypdf

    try:
        reader = pypdf.PdfReader(stream)
        if not reader.is_encrypted:
            return None
        algorithm = _algorithm(reader.trailer["/Encrypt"].get_object())
        opened = reader.decrypt("")
    except Exception:  # a damaged PDF is the extractor's to report
        return None
    if opened == pypdf.PasswordType.USER_PASSWORD:
        return Encryption(False, None, OWNER_ONLY)
    if opened == pypdf.PasswordType.OWNER_PASSWORD:
        return Encryption(False, None, EMPTY_PASSWORDS)
    if identity_only(reader.trailer["/Encrypt"].get_object()):
        return Encryption(False, None, IDENTITY_FILTERS)
    return Encryption(True, "pdf", algorithm)


def identity_only(encrypt) -> bool:
    """Crypt filters (V4/V5) that leave streams, strings and embedded files as they are:
    /Identity by name or default, or a named filter whose method is /Identity. The content
    is plain whatever the password check says."""
    try:
        if int(encrypt.get("/V", 0)) < 4:
            return False
        filters = encrypt.get("/CF", {})
        stream_filter = encrypt.get("/StmF", IDENTITY)
        named = (stream_filter, encrypt.get("/StrF", IDENTITY), encrypt.get("/EFF", stream_filter))
        return all(name == IDENTITY or _method(filters, name) == IDENTITY for name in named)
    except (AttributeError, TypeError, ValueError):
        return False


def _method(filters, name) -> object:
    found = filters.get(name) if hasattr(filters, "get") else None
    found = found.get_object() if hasattr(found, "get_object") else found
    return found.get("/CFM", "/None") if hasattr(found, "get") else None


def _algorithm(encrypt) -> str:
    """RC4-40, RC4-128, AES-128 or AES-256 from the /Encrypt dictionary."""
    version = int(encrypt.get("/V", 0))
    if version >= 5:
        return "AES-256"
    if version == 4:
        filters = encrypt.get("/CF", {})
        default = filters.get(encrypt.get("/StmF", "/Identity"), {})
        method = default.get("/CFM", "/None") if hasattr(default, "get") else "/None"
        if method == "/AESV3":
            return "AES-256"
        if method == "/AESV2":
            return "AES-128"
        return "RC4-128"
    if version in (2, 3):
        return f"RC4-{int(encrypt.get('/Length', 40))}"
    return "RC4-40"

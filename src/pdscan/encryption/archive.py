"""Encrypted archives: zip, 7z, rar.

An archive whose every member with content is encrypted is itself an
encrypted item: nothing in it can be read. (For zip, encrypted means fails
to read without the password, never the flag alone: see zipseal.) One with
some plain members is not: check() returns None and the archive extractor
opens it, marking each encrypted member with its scheme. Archives whose headers are encrypted (zip
central-directory encryption, 7z -mhe, rar -hp) hide even the names, and are
encrypted as a whole.
"""
from __future__ import annotations

import zipfile
from collections import Counter
from typing import Iterable, Optional

from ..model import Encryption, Item
from . import zipseal
from ..formats.magic import ZIP_LOCAL

SEVENZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
SEVENZIP_AES = b"\x06\xf1\x07\x01"
RAR_MAGIC = b"Rar!\x1a\x07"


def check(item: Item, mime: str, head: bytes) -> Optional[Encryption]:
    if head.startswith(ZIP_LOCAL) and mime == "application/zip":
        return _guarded(_zip, item, head)
    if head.startswith(SEVENZIP_MAGIC):
        return _guarded(_sevenzip, item, head)
    if head.startswith(RAR_MAGIC):
        return _guarded(_rar, item, head)
    return None


def _guarded(probe, item: Item, head: bytes) -> Optional[Encryption]:
    try:
        with item.open() as stream:
            return probe(stream, head)
    except ImportError:
        raise  # a missing dependency must show, not pass for "not encrypted"
    except Exception:  # a damaged archive is the extractor's to report
        return None


def whole(schemes: Iterable[Optional[str]], what: str) -> Optional[Encryption]:
    """Encryption of an archive from its members' schemes (None: a plain member)."""
    counts = Counter(schemes)
    plain = counts.pop(None, 0)
    if not counts or plain:
        return None
    scheme = counts.most_common(1)[0][0]
    total = sum(counts.values())
    return Encryption(True, scheme, f"{what}: every member encrypted ({total})")


# -- zip ----------------------------------------------------------------------

def _zip(stream, head: bytes) -> Optional[Encryption]:
    if zipseal.names_hidden(stream):
        return Encryption(True, "zip-pkware", "zip with encrypted central directory: names hidden")
    stream.seek(0)
    with zipfile.ZipFile(stream) as archive:
        members = [i for i in archive.infolist() if not i.is_dir() and _has_content(i)]
        return whole((zipseal.sealed(archive, i) for i in members), "zip")


def _has_content(info: zipfile.ZipInfo) -> bool:
    # An encrypted empty member is still encrypted; an empty plain one holds nothing to protect.
    return zipseal.flagged(info) or info.file_size > 0


# -- 7z -----------------------------------------------------------------------

def _sevenzip(stream, head: bytes) -> Optional[Encryption]:
    import py7zr

    try:
        archive = py7zr.SevenZipFile(stream, mode="r")
    except py7zr.PasswordRequired:
        return Encryption(True, "7z", "7z with encrypted headers: names hidden")
    with archive:
        files = [f for f in archive.files if not f.is_directory and f.folder is not None]
        return whole(("7z" if _sevenzip_encrypted(f.folder) else None for f in files), "7z")


def _sevenzip_encrypted(folder) -> bool:
    return any(coder.get("method") == SEVENZIP_AES for coder in folder.coders)


# -- rar ----------------------------------------------------------------------

def _rar(stream, head: bytes) -> Optional[Encryption]:
    """rarfile reads the headers (and their flags) without the unrar tool."""
    import rarfile

    archive = rarfile.RarFile(stream)
    members = [i for i in archive.infolist() if not i.is_dir()]
    if not members:
        if archive.needs_password():
            return Encryption(True, "rar", "rar with encrypted headers: names hidden")
        return None
    found = whole(("rar" if i.needs_password() else None for i in members), "rar")
    if found or not archive.needs_password():
        return found
    # No extractor reads rar: say what is known rather than nothing.
    locked = sum(1 for i in members if i.needs_password())
    return Encryption(None, None, f"rar: {locked} of {len(members)} members encrypted")

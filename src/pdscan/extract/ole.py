"""Which Office format an OLE compound file holds, from its stream names.

libmagic names legacy .xls/.doc/.ppt (and password-protected OOXML, which
Office wraps in OLE) "application/x-ole-storage" or "application/CDFV2"
from the prefix alone; the directory of streams says which it is.
"""
from __future__ import annotations

import logging
from typing import BinaryIO, Optional

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_ENCRYPTED = "application/x-ooxml-encrypted"
# Top-level stream → MIME type, checked in this order.
KINDS = (
    ("Workbook", "application/vnd.ms-excel"),
    ("Book", "application/vnd.ms-excel"),  # Excel 5/95
    ("WordDocument", "application/msword"),
    ("PowerPoint Document", "application/vnd.ms-powerpoint"),
)

logging.getLogger("olefile").setLevel(logging.ERROR)


def ole_kind(stream: BinaryIO) -> Optional[str]:
    """MIME type of the Office document in an OLE file, or None.

    `stream` must be seekable; it is read from the start and left at an
    unspecified position. None means not OLE, unreadable, or not Office.
    """
    names = stream_names(stream)
    return kind_of(names) if names is not None else None


def stream_names(stream: BinaryIO) -> Optional[set]:
    """Paths ("a/b") of the streams in an OLE file read from the start; None: not OLE, or unreadable."""
    import olefile

    try:
        if not stream.seekable():
            return None
        stream.seek(0)
        if stream.read(len(OLE_MAGIC)) != OLE_MAGIC:
            return None
        stream.seek(0)
        ole = olefile.OleFileIO(stream)
        try:
            return {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
        finally:
            ole.close()
    except Exception:  # olefile raises OSError, struct.error, IndexError... on damaged files
        return None


def kind_of(names: set) -> Optional[str]:
    if "EncryptionInfo" in names and "EncryptedPackage" in names:
        return OOXML_ENCRYPTED
    for stream_name, mime in KINDS:
        if stream_name in names:
            return mime
    return None

"""Which Office format an OLE compound file holds, from its stream names.

libmagic names legacy .xls/.doc/.ppt (and password-protected OOXML, which
Office wraps in OLE) "application/x-ole-storage" or "application/CDFV2"
from the prefix alone; the directory of streams says which it is (and whether it is an
Outlook .msg item instead).
"""
from __future__ import annotations

import logging
from typing import BinaryIO, Optional

from .magic import OLE_MAGIC, OOXML_ENCRYPTED

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


def msg_streams(names: set) -> bool:
    """The OLE stream paths of an Outlook item (MS-OXMSG): its property streams at the top level."""
    top = {n for n in names if "/" not in n}
    return "__properties_version1.0" in top and any(n.startswith("__substg1.0_") for n in top)

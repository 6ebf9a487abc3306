"""Bytes → text Chunks (with locations); containers yield nested Items.

The MIME table below is the one place extractors are listed. An extractor
is `fn(item, ctx) -> Iterator[Chunk | Item]`: it reads the item through
`item.open()`, yields Chunks of UTF-8 text, and for containers yields
nested Items that the pipeline sends back through sniff/encryption/extract.
It raises ItemError (or LimitExceeded) for what it cannot read.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Union

from ..formats.magic import MBOX_MIME, MSG_MIME, PST_MIME, SQL_MIME
from ..limits import Budget, Limits
from ..model import Chunk, Item

if TYPE_CHECKING:
    from .ocr import OcrRun

Output = Iterator[Union[Chunk, Item]]


@dataclass
class Context:
    limits: Limits
    budget: Budget
    ocr: Optional["OcrRun"] = None  # None: pixels are not read (extract/ocr.py)


# MIME type → "module:function", sorted. Text types not listed fall to text. The names sniff
# makes up itself (libmagic has none for them) come from formats/magic.py.
TABLE = {
    "application/gzip": "archive:extract_archive",
    "application/json": "structured:extract_json",
    MBOX_MIME: "mbox:extract_mbox",
    "application/msword": "doc:extract_doc",
    "application/pdf": "pdf:extract_pdf",
    "application/pgp-encrypted": "text:extract_text",  # libmagic's name for any armoured PGP text
    "application/rtf": "rtf:extract_rtf",
    SQL_MIME: "sql:extract_sql",  # sniff's name for a dump libmagic calls text/plain
    "application/vnd.ms-excel": "spreadsheet:extract_spreadsheet",
    MSG_MIME: "outlook:extract_outlook",  # .msg (sniff tells it from a PST)
    PST_MIME: "outlook:extract_pst",
    "application/vnd.ms-powerpoint": "ppt:extract_ppt",
    "application/vnd.oasis.opendocument.presentation": "office:extract_odf",
    "application/vnd.oasis.opendocument.spreadsheet": "spreadsheet:extract_spreadsheet",
    "application/vnd.oasis.opendocument.text": "office:extract_odf",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "office:extract_pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheet:extract_spreadsheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "office:extract_docx",
    "application/x-7z-compressed": "archive:extract_archive",
    "application/x-bzip2": "archive:extract_archive",
    "application/x-ndjson": "structured:extract_json",
    "application/x-sql": "sql:extract_sql",
    "application/x-tar": "archive:extract_archive",
    "application/xml": "structured:extract_xml",
    "application/x-xz": "archive:extract_archive",
    "application/zip": "archive:extract_archive",
    "image/heic": "image:extract_image",
    "image/heif": "image:extract_image",
    "image/jpeg": "image:extract_image",
    "image/png": "image:extract_image",
    "image/tiff": "image:extract_image",
    "message/rfc822": "message:extract_message",
    "text/csv": "tabular:extract_delimited",
    "text/html": "html:extract_html",
    "text/rtf": "rtf:extract_rtf",
    "text/tab-separated-values": "tabular:extract_delimited",
    "text/xml": "structured:extract_xml",
}

Extractor = Callable[[Item, Context], Output]


def preload() -> None:
    """Import every extractor now, so forked workers share them instead of each importing."""
    for target in set(TABLE.values()):
        importlib.import_module(f"{__name__}.{target.split(':')[0]}")


def extractor_for(mime: str) -> Optional[Extractor]:
    target = TABLE.get(mime)
    if target is None and mime.startswith("text/"):
        target = "text:extract_text"
    if target is None:
        return None
    module, func = target.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), func)

"""Zip-packaged XML documents (OOXML, ODF) read within the shared limits.

Every part is checked against the size, ratio and expanded-bytes budget
before a byte of it is inflated, and parsed by defusedxml with DTDs
refused, so entity bombs stop at the DOCTYPE instead of expanding.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from typing import BinaryIO, Optional

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse

from ..errors import ItemError, LimitExceeded
from ..limits import MiB, read_capped
from ..encryption.office import odf_encryption
from ..encryption.zipseal import unflag_readable

# What zipfile and zlib raise on truncated, corrupt or unsupported archives.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
              RuntimeError, KeyError)  # RuntimeError covers unsupported compression


def open_zip(item, ctx) -> zipfile.ZipFile:
    """The item as a ZipFile, read whole (capped at max_document_size)."""
    with item.open() as stream:
        data = read_capped(stream, ctx.limits.max_document_size, "document")
    try:
        zf = zipfile.ZipFile(io.BytesIO(unflag_readable(data)))
    except ZIP_ERRORS as exc:
        raise ItemError(f"not a readable zip package ({type(exc).__name__})") from None
    if len(zf.infolist()) > ctx.limits.max_members:
        raise LimitExceeded(f"more than {ctx.limits.max_members} parts in package")
    return zf


def check_part(info: zipfile.ZipInfo, ctx, cap: Optional[int] = None) -> None:
    """Refuse a part by its declared sizes, before inflating it."""
    cap = ctx.limits.max_xml_bytes if cap is None else cap
    if info.file_size > cap:
        raise LimitExceeded(f"part {info.filename} larger than {cap // MiB} MiB limit")
    ctx.budget.check_ratio(info.compress_size, info.file_size, info.filename)
    ctx.budget.charge(info.file_size, info.filename)


class _Capped:
    """A part's stream that refuses to yield more than `cap` bytes.

    zipfile already stops at the declared size; this holds even if it did not.
    """

    def __init__(self, stream: BinaryIO, cap: int, what: str, piece: int = 65536):
        self.stream, self.left, self.what, self.piece = stream, cap, what, piece

    def read(self, n: int = -1) -> bytes:
        n = self.piece if n is None or n < 0 else min(n, self.piece)
        data = self.stream.read(min(n, self.left + 1))
        self.left -= len(data)
        if self.left < 0:
            raise LimitExceeded(f"part {self.what} expands beyond its limit")
        return data


def iter_part(zf: zipfile.ZipFile, name: str, ctx, events=("start", "end"), piece: int = 65536):
    """(event, element) pairs of one XML part, parsed safely within limits, `piece` bytes at a time."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise ItemError(f"part {name} missing") from None
    check_part(info, ctx)
    try:
        with zf.open(info) as raw:
            source = _Capped(raw, ctx.limits.max_xml_bytes, name, piece)
            yield from iterparse(source, events=events, forbid_dtd=True)
    except DefusedXmlException:
        raise LimitExceeded(f"part {name} declares a DTD or entities (possible entity bomb)") from None
    except ParseError:
        raise ItemError(f"part {name} is not well-formed XML") from None
    except ZIP_ERRORS as exc:
        raise ItemError(f"part {name} unreadable ({type(exc).__name__})") from None


def parse_small(zf: zipfile.ZipFile, name: str, ctx):
    """Root element of a small part (relationships, presentation order)."""
    root = None
    for event, elem in iter_part(zf, name, ctx, events=("end",)):
        root = elem
    return root


def refuse_dtds(zf: zipfile.ZipFile, ctx) -> None:
    """Check every part of a package for limits, and its XML parts for DTDs,
    before a third-party parser (openpyxl, ezodf) sees them."""
    for info in zf.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            if not info.is_dir():
                check_part(info, ctx, cap=ctx.limits.max_document_size)
            continue
        try:
            # Small pieces: the parser stops near the first element instead of building the whole part.
            for event, elem in iter_part(zf, info.filename, ctx, events=("start",), piece=1024):
                break  # expat has passed any DOCTYPE by the first element
        except LimitExceeded:
            raise
        except ItemError:
            continue  # a malformed part is for the reading parser to judge


def refuse_encrypted_odf(zf: zipfile.ZipFile, ctx) -> None:
    """A password-protected OpenDocument, by the same test as the encryption stage: a manifest
    that only mentions encryption over a plain body is read."""
    if odf_encryption(zf):
        raise ItemError("encrypted: password required")

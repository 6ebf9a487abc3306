"""Is this item encrypted, and with what scheme? Decided from the bytes, never the name.

check() returns:
- Encryption(True, scheme, note): the content is protected and is not read;
- Encryption(False, None, note): protection that protects nothing (a PDF
  with only an owner password); the pipeline reads it and keeps the note;
- Encryption(None, None, reason): cannot tell (random-looking data with no
  header may be a VeraCrypt container); never reported as not encrypted;
- None: no protection recognised; the pipeline reads the content and an
  item whose text it could read is reported not encrypted.

Cheap first: magic numbers in the first bytes decide most formats. Only
office, PDF and archive types are opened again, and only when the sniffed
type or magic says the item is one.
"""
from __future__ import annotations

from typing import Optional

from ..model import Encryption, Item
from . import archive, containers, office, pdf, pgp

# (offset, magic, scheme, note): single-file encryption tools.
SIGNATURES = (
    (0, b"PDSCAN-PROTECTED", "pdscan", "pdscan protect"),
    (0, b"Salted__", "openssl", "OpenSSL enc (salted)"),
    (0, b"VimCrypt~01!", "vimcrypt", "Vim 'zip' cryptmethod (weak)"),
    (0, b"VimCrypt~02!", "vimcrypt", "Vim blowfish"),
    (0, b"VimCrypt~03!", "vimcrypt", "Vim blowfish2"),
    (0, b"VimCrypt~04!", "vimcrypt", "Vim xchacha20"),
    (0, b"VimCrypt~05!", "vimcrypt", "Vim xchacha20v2"),
)
# Types that have to be opened again to tell; each checker looks at the type itself.
DEEP_CHECKS = (office.check, pdf.check, archive.check)
UNTYPED = {"application/octet-stream", "application/x-raw-disk-image"}


def check(item: Item, mime: str, head: bytes) -> Optional[Encryption]:
    """head: the item's first bytes, as read by the sniff stage."""
    if item.inherited_encryption:
        return Encryption(True, item.inherited_encryption)
    found = check_head(head, mime) or pgp.check(item, head, mime)
    if found:
        return found
    for deep in DEEP_CHECKS:
        found = deep(item, mime, head)
        if found:
            return found
    if mime in UNTYPED:
        return containers.unrecognised(item, head)
    return None


def check_head(head: bytes, mime: str) -> Optional[Encryption]:
    """What the first bytes alone can tell (message formats are held to the whole item: pgp)."""
    for offset, magic, scheme, note in SIGNATURES:
        if head[offset:offset + len(magic)] == magic:
            return Encryption(True, scheme, note)
    return containers.from_head(head)

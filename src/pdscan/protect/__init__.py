"""Is this item encrypted, and with what scheme? Decided from the bytes.

check() returns an Encryption with encrypted True (and the scheme), or
None when nothing here recognises a protection: the pipeline then reads
the content, and an item whose text it could read is reported not encrypted.
"""
from __future__ import annotations

from typing import Optional

from ..model import Encryption, Item

# (offset, magic, scheme): container formats recognised by their first bytes.
SIGNATURES = (
    (0, b"LUKS\xba\xbe", "luks"),
    (3, b"-FVE-FS-", "bitlocker"),
    (0, b"age-encryption.org/v1\n", "age"),
    (0, b"-----BEGIN AGE ENCRYPTED FILE-----", "age"),
    (0, b"-----BEGIN PGP MESSAGE-----", "pgp"),
    (0, b"PDSCAN-PROTECTED", "pdscan"),
)


def check_head(head: bytes, mime: str) -> Optional[Encryption]:
    for offset, magic, scheme in SIGNATURES:
        if head[offset:offset + len(magic)] == magic:
            return Encryption(True, scheme)
    if mime == "application/x-ooxml-encrypted":
        return Encryption(True, "ooxml")
    return None


def check(item: Item, mime: str, head: bytes) -> Optional[Encryption]:
    """head: the item's first bytes, as read by the sniff stage."""
    if item.inherited_encryption:
        return Encryption(True, item.inherited_encryption)
    return check_head(head, mime)

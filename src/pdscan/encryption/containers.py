"""Encrypted volume and container files: LUKS, BitLocker, FileVault 2, APFS,
and the header-less VeraCrypt/TrueCrypt containers.

Only the first bytes handed on by the sniff stage are looked at: nothing here
opens the item again. The format tests are shared with the volume sources
(pdscan.formats.signatures); what is kept here is how a file's answer is reported.

A disk image copied to a file, or a container file kept in a home folder,
is recognised here from its first sectors. VeraCrypt and TrueCrypt write no
header at all (the volume header is itself ciphertext), so the best the bytes
can say is "random-looking data of a container's shape": that is reported as
"could not tell", never as not encrypted.
"""
from __future__ import annotations

from ..formats import signatures
from ..model import Encryption, Item
from ..formats.signatures import BITLOCKER_GUID, SECTOR, looks_random

# BITLOCKER_GUID stays importable from here: the To Go tests plant it.
__all__ = ["BITLOCKER_GUID", "CONTAINER_NOTE", "from_head", "looks_random", "unrecognised"]

# The smallest TrueCrypt volumes are 19 KiB; VeraCrypt's are larger.
MIN_CONTAINER = 19 * 1024
CONTAINER_NOTE = "high-entropy data with no header: possibly a VeraCrypt/TrueCrypt container"
MIN_SAMPLE = 256
# Volume records name an encrypted APFS volume apart from the container; a file is just "apfs".
SCHEMES = {"apfs-encrypted": "apfs"}


def from_head(head: bytes) -> Encryption | None:
    """A volume recognised from its first sectors, or None."""
    found = signatures.identify(head)
    if found is None:
        return None
    # A scheme goes with encryption only: Core Storage and APFS containers stay "could not tell".
    scheme = SCHEMES.get(found.scheme, found.scheme) if found.encrypted else None
    return Encryption(found.encrypted, scheme, found.detail)


def unrecognised(item: Item, head: bytes) -> Encryption | None:
    """Data with no known header: random-looking bytes may be ciphertext."""
    if _container_shaped(item.size) and signatures.random_sector(head):
        return Encryption(None, None, CONTAINER_NOTE)
    if len(head) >= MIN_SAMPLE and looks_random(head):
        return Encryption(None, None, "high-entropy data with no header: encrypted or compressed")
    return None


def _container_shaped(size: int) -> bool:
    return size % SECTOR == 0 and size >= MIN_CONTAINER

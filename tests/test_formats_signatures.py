"""pdscan.formats.signatures on headers built here: one table for the protect stage and the volume probe."""
from __future__ import annotations

import random
import struct

import pytest

from pdscan.formats import signatures
from pdscan.formats.signatures import Signature


def sector(size: int = 512, **at: bytes) -> bytes:
    """A zeroed buffer with byte strings planted at offsets, given as o<offset>=..."""
    buf = bytearray(size)
    for key, value in at.items():
        offset = int(key[1:])
        buf[offset:offset + len(value)] = value
    return bytes(buf)


def corestorage(cipher: int = 2, key_size: int = 16, block_type: int = 0x10, checksum: int = 1) -> bytes:
    return sector(o8=struct.pack("<HH", 1, block_type), o88=b"CS" + struct.pack("<I", checksum),
                  o168=struct.pack("<II", key_size, cipher))


def apfs_volume(flags: int) -> bytes:
    return sector(4096, o32=b"APSB", o264=struct.pack("<Q", flags))


RANDOM = random.Random(7).randbytes(4096)
TOGO_BOOT = b"\xeb\x58\x90MSWIN4.1"
GUID = signatures.BITLOCKER_GUID

IDENTIFY = [  # (case, bytes, (encrypted, scheme, detail) or None)
    ("luks1", sector(o0=b"LUKS\xba\xbe\x00\x01"), (True, "luks", "LUKS1 header")),
    ("luks2", sector(o0=b"LUKS\xba\xbe\x00\x02"), (True, "luks", "LUKS2 header")),
    ("luks magic cut short", b"LUKS\xba\xbe\x00", None),
    ("bitlocker -FVE-FS-", sector(o0=b"\xebR\x90-FVE-FS-"), (True, "bitlocker", "BitLocker volume header (-FVE-FS-)")),
    ("-FVE-FS- at 0 is a metadata block", sector(o0=b"-FVE-FS-"), None),
    ("to go: FAT32 boot, GUID at 424", sector(o0=TOGO_BOOT, o424=GUID),
     (True, "bitlocker", "BitLocker To Go volume header")),
    ("to go: 55aa, GUID at 424", sector(o3=b"MSWIN4.1", o424=GUID, o510=b"\x55\xaa"),
     (True, "bitlocker", "BitLocker To Go volume header")),
    ("to go: 55aa, GUID at 160", sector(o160=GUID, o510=b"\x55\xaa"),
     (True, "bitlocker", "BitLocker To Go volume header")),
    ("FAT32 without the GUID", sector(o0=TOGO_BOOT, o82=b"FAT32   ", o510=b"\x55\xaa"), None),
    ("GUID outside a boot sector", sector(o424=GUID), None),
    ("core storage, cipher 2", corestorage(), (True, "filevault", "Core Storage physical volume, FileVault 2 AES-XTS")),
    ("core storage, other cipher", corestorage(cipher=0), (None, "corestorage", None)),
    ("core storage, no key data", corestorage(key_size=0), (None, "corestorage", None)),
    ("core storage, unknown checksum", corestorage(checksum=7), None),
    ("core storage cut short", corestorage()[:200], None),
    ("apfs container", sector(4096, o32=b"NXSB"), (None, "apfs", "APFS container superblock")),
    ("apfs volume, unencrypted", apfs_volume(1), (False, "apfs", None)),
    ("apfs volume, encrypted", apfs_volume(0), (True, "apfs-encrypted", None)),
    ("apfs volume cut short", sector(64, o32=b"APSB"), None),
    ("zeros", bytes(4096), None),
    ("random", RANDOM, None),  # identify() reads headers only; randomness is random_sector()'s
]


@pytest.mark.parametrize("case, data, want", IDENTIFY, ids=[c[0] for c in IDENTIFY])
def test_identify(case, data, want):
    found = signatures.identify(data)
    if want is None:
        assert found is None
        return
    encrypted, scheme, detail = want
    assert isinstance(found, Signature)
    assert (found.encrypted, found.scheme) == (encrypted, scheme)
    if detail is not None:
        assert found.detail == detail


@pytest.mark.parametrize("data, random_looking", [
    (RANDOM, True),
    (RANDOM[:512] + bytes(4096), True),  # a test image wiped after its header sector
    (bytes(4096), False),
    (RANDOM[:511], False),               # less than a sector
    (b"Name,Date of birth\nJo Bloggs,01/02/2001\n" * 20, False),
])
def test_random_sector(data, random_looking):
    found = signatures.random_sector(data)
    if random_looking:
        assert (found.encrypted, found.scheme) == (None, "veracrypt")
    else:
        assert found is None


def test_looks_random_needs_uniform_bytes():
    assert signatures.looks_random(RANDOM)
    assert not signatures.looks_random(b"")
    assert not signatures.looks_random(bytes(512))
    assert not signatures.looks_random(RANDOM[:2048] + bytes(2048))
    assert not signatures.looks_random(bytes(range(256)) * 4 + bytes(4096))  # every value, but skewed


def test_signature_is_frozen():
    with pytest.raises(AttributeError):
        signatures.identify(sector(o0=b"LUKS\xba\xbe\x00\x02")).encrypted = False

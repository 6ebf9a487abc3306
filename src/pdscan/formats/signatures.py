"""On-disk signatures of encrypted volumes and containers, tested on their first bytes.

Shared by the encryption stage (is this FILE a volume image or container?) and the volume
sources (is this DEVICE encrypted?): both hand over a prefix and map the answer to their own
records. Pure functions on bytes, so neither side opens anything twice.

Offsets follow the on-disk formats as libblkid and cryptsetup check them: LUKS magic at 0,
BitLocker OEM id at 3 (To Go: a FAT32 boot sector carrying the BitLocker GUID), the Core
Storage physical volume header ("CS" at 88), APFS objects ("NXSB"/"APSB" at 32).
TrueCrypt/VeraCrypt headers have no magic: the best the bytes can say is "looks random".
"""
from __future__ import annotations

import math
import struct
from collections import Counter
from dataclasses import dataclass

LUKS_MAGIC = b"LUKS\xba\xbe"
BITLOCKER_OEM = b"-FVE-FS-"
BITLOCKER_TOGO_BOOT = b"\xeb\x58\x90MSWIN4.1"
BOOT_SIGNATURE = b"\x55\xaa"  # at 510
# The BitLocker identifier GUID {4967D63B-2E29-4AD8-8399-F6A339E3D001} as stored on disk:
# at 160 in a Windows 7+ volume header, at 424 in a To Go volume's FAT32 "discovery" boot sector.
BITLOCKER_GUID = bytes.fromhex("3bd66749292ed84a8399f6a339e3d001")
BITLOCKER_GUID_OFFSETS = (160, 424)
CORESTORAGE_AES_XTS = 2
APFS_FS_FLAGS = 264  # apfs_superblock_t.apfs_fs_flags
APFS_FS_UNENCRYPTED = 0x1

SECTOR = 512
# Chi-square over 256 byte values: uniform data gives 255 ± 23; text, structured binaries and
# the first sector of a zip or PDF give far more. Five standard deviations of headroom.
RANDOM_CHI2 = 255 + 5 * math.sqrt(2 * 255)


@dataclass(frozen=True)
class Signature:
    """encrypted: True / False / None (a known format that cannot tell from these bytes)."""

    encrypted: bool | None
    scheme: str
    detail: str


def identify(data: bytes) -> Signature | None:
    """The first header format recognised at the start of data, or None."""
    for check in (luks, bitlocker, corestorage, apfs):
        found = check(data)
        if found is not None:
            return found
    return None


def luks(data: bytes) -> Signature | None:
    if len(data) < 8 or not data.startswith(LUKS_MAGIC):
        return None
    version = struct.unpack_from(">H", data, 6)[0]
    return Signature(True, "luks", f"LUKS{version} header")


def bitlocker(data: bytes) -> Signature | None:
    if data[3:11] == BITLOCKER_OEM:
        return Signature(True, "bitlocker", "BitLocker volume header (-FVE-FS-)")
    # To Go volumes show a FAT32 "discovery volume" to old Windows; only the GUID gives them
    # away. Either a boot signature or the FAT32 jump + OEM id marks the sector as a boot sector.
    boot = data[510:512] == BOOT_SIGNATURE or data.startswith(BITLOCKER_TOGO_BOOT)
    if boot and any(data[at:at + 16] == BITLOCKER_GUID for at in BITLOCKER_GUID_OFFSETS):
        return Signature(True, "bitlocker", "BitLocker To Go volume header")
    return None


def corestorage(data: bytes) -> Signature | None:
    """A Core Storage physical volume header; FileVault 2 before APFS used it."""
    if len(data) < SECTOR or data[88:90] != b"CS":
        return None
    version, block_type = struct.unpack_from("<HH", data, 8)
    checksum_algo = struct.unpack_from("<I", data, 90)[0]
    key_size, cipher = struct.unpack_from("<II", data, 168)
    if version != 1 or checksum_algo != 1:
        return None
    # Same test as libblkid cs_fvault2: block type 0x10, 16-byte key data, cipher 2 = AES-XTS.
    if block_type == 0x10 and key_size == 16 and cipher == CORESTORAGE_AES_XTS:
        return Signature(True, "filevault", "Core Storage physical volume, FileVault 2 AES-XTS")
    # Core Storage also backs unencrypted Fusion Drives.
    return Signature(None, "corestorage",
                     f"Core Storage physical volume without FileVault 2 key data (cipher {cipher})")


def apfs(data: bytes) -> Signature | None:
    magic = data[32:36]
    if magic == b"NXSB":
        # Which volumes are encrypted is recorded in volume superblocks found through the object
        # map, beyond any fixed prefix: the container alone cannot tell.
        return Signature(None, "apfs", "APFS container superblock")
    if magic == b"APSB" and len(data) >= APFS_FS_FLAGS + 8:
        flags = struct.unpack_from("<Q", data, APFS_FS_FLAGS)[0]
        if flags & APFS_FS_UNENCRYPTED:
            return Signature(False, "apfs", "APFS volume superblock, unencrypted flag set")
        return Signature(True, "apfs-encrypted", "APFS volume superblock without the unencrypted flag")
    return None


def random_sector(data: bytes) -> Signature | None:
    """A first sector that looks random: a VeraCrypt/TrueCrypt header is salt and ciphertext.

    Only the first sector is tested: the rest of a test image may be wiped to zeros.
    """
    if len(data) < SECTOR or not looks_random(data[:SECTOR]):
        return None
    return Signature(None, "veracrypt", "no signature and the first sector looks random: "
                     "a TrueCrypt/VeraCrypt container, or random or wiped data")


def looks_random(data: bytes) -> bool:
    """Byte counts consistent with uniform random data (chi-square over the 256 values)."""
    if not data:
        return False
    expected = len(data) / 256
    counts = Counter(data)
    chi2 = sum((counts.get(b, 0) - expected) ** 2 for b in range(256)) / expected
    return chi2 < RANDOM_CHI2

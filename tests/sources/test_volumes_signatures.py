"""probe_device against every volume image of the shared corpus, copied into fixtures/real (LUKS,
BitLocker, FileVault 2, APFS, TrueCrypt/VeraCrypt), and against plain data."""
from __future__ import annotations

import lzma

import pytest

from pdscan.sources.volumes import linux, lsblk, probe_device
from pdscan.sources.volumes.probe import probe_details, read_prefix

from ..conftest import CORPUS, REAL

VOLUMES = REAL / "volumes"


IMAGES = {  # file -> (encrypted, scheme) or None (no signature)
    "bitlk-aes-cbc-128.first64KiB.img": (True, "bitlocker"),
    "bitlk-aes-cbc-elephant-128.first64KiB.img": (True, "bitlocker"),
    "bitlk-aes-xts-128.first64KiB.img": (True, "bitlocker"),
    "bitlk-partially-encrypted-aes-cbc-128.first64KiB.img": (True, "bitlocker"),
    "bitlk-togo-aes-xts-128.first64KiB.img": (True, "bitlocker"),
    "bitlk-images.conf.txt": None,
    "full/bitlk-aes-xts-128.img.xz": (True, "bitlocker"),
    "full/bitlk-togo-aes-xts-128.img.xz": (True, "bitlocker"),
    "fvault2-small.first64KiB.img": (True, "filevault"),
    "luks1-aes-xts-plain64-sha256.first64KiB.img": (True, "luks"),
    "luks1-compatimage.first128KiB.img": (True, "luks"),
    "luks2-compatimage2.first192KiB.img": (True, "luks"),
    "luks2-valid-hdr.first64KiB.img": (True, "luks"),
    # TrueCrypt/VeraCrypt have no magic: "could not tell", but the random first sector is named.
    "truecrypt-tc_1-sha1-cbc-aes.tc": (None, "veracrypt"),
    "truecrypt-tc_5-ripemd160-xts-aes.tc": (None, "veracrypt"),
    "veracrypt-vc_1-sha256-xts-aes.hc": (None, "veracrypt"),
    "veracrypt-vc_1-sha512-xts-aes-hidden.hc": (None, "veracrypt"),
    "libbde/bitlocker-volume_header.bin": (True, "bitlocker"),
    "libbde/bitlocker-fve-metadata_header.bin": None,
    "libbde/bitlocker-fve-metadata_block_header.bin": None,  # "-FVE-FS-" at 0, not a volume start
    "libbde/bitlocker-encrypted-sector.bin": (None, "veracrypt"),  # ciphertext looks random
    "libluksde/luks1-volume_header.bin": (True, "luks"),
    "libluksde/luks1-key_slot.bin": None,
    "libfvde/corestorage-volume_header.bin": (True, "filevault"),
    "libfvde/corestorage-encryption_context.plist": None,
    "libfvde/corestorage-volume_group.plist": None,
    "libfsapfs/apfs-container_superblock.bin": (None, "apfs"),
    "libfsapfs/apfs-volume_superblock-unencrypted.bin": (False, "apfs"),
    "libfsapfs/apfs-key_bag_header.bin": None,
    "libfsapfs/apfs-key_bag_entry.bin": None,
}

LUKS_VERSIONS = {"luks1-aes-xts-plain64-sha256.first64KiB.img": "LUKS1 header",
                 "luks1-compatimage.first128KiB.img": "LUKS1 header",
                 "luks2-compatimage2.first192KiB.img": "LUKS2 header",
                 "luks2-valid-hdr.first64KiB.img": "LUKS2 header",
                 "bitlk-togo-aes-xts-128.first64KiB.img": "BitLocker To Go volume header"}


def _files(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_every_copied_volume_file_has_an_expectation():
    assert sorted(IMAGES) == _files(VOLUMES)


@pytest.mark.corpus
def test_every_corpus_volume_file_is_copied():
    assert _files(CORPUS / "volumes") == _files(VOLUMES)


@pytest.mark.parametrize("name", sorted(IMAGES))
def test_probe_every_volume_image(name, tmp_path):
    path = VOLUMES / name
    if name.endswith(".xz"):  # whole images: the first 64 KiB is all the probe reads anyway
        with lzma.open(path) as f:
            (tmp_path / "img").write_bytes(f.read(64 * 1024))
        path = tmp_path / "img"
    assert probe_device(str(path)) == IMAGES[name]
    if name in LUKS_VERSIONS:
        assert probe_details(read_prefix(str(path))).detail == LUKS_VERSIONS[name]


def test_plain_fat_boot_sector_and_zeros_have_no_signature(tmp_path):
    fat = bytearray(512)
    fat[:11] = b"\xeb\x58\x90MSWIN4.1"  # a FAT32 that is not BitLocker To Go: no BitLocker GUID at 424
    fat[82:90] = b"FAT32   "
    fat[510:512] = b"\x55\xaa"
    (tmp_path / "fat").write_bytes(bytes(fat) + bytes(65536))
    (tmp_path / "zero").write_bytes(bytes(65536))
    assert probe_device(str(tmp_path / "fat")) is None
    assert probe_device(str(tmp_path / "zero")) is None


def test_unreadable_device_raises_for_probe_but_is_unknown_for_the_backend(tmp_path):
    with pytest.raises(OSError):
        probe_device(str(tmp_path / "missing"))
    dev = lsblk.BlockDev(kname="sdz1", path="/dev/sdz1", type="part")
    assert linux.device_probe(str(tmp_path))(dev) is None

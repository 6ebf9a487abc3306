"""Parsers of platform tool output, each against the real captures in fixtures/commands/:
cryptsetup *Dump, manage-bde, Get-BitLockerVolume, diskutil apfs list, apfsutil, fdesetup."""
from __future__ import annotations

import plistlib

import pytest

from pdscan.sources.volumes import Volume, cryptsetup, macos, windows

from ..conftest import FIXTURES

COMMANDS = FIXTURES / "commands"


def capture(name: str) -> str:
    return (COMMANDS / name).read_text(encoding="utf-8")


DUMPS = [  # file, parser, version, cipher, key bits, key slots, describe()
    ("local-capture_cryptsetup-luksDump_luks1-compatimage.txt", "luks", 1, "aes-cbc-essiv:sha256", 128, 1,
     "LUKS1, aes-cbc-essiv:sha256, 1 key slot"),
    ("local-capture_cryptsetup-luksDump_luks2-compatimage2.txt", "luks", 2, "aes-cbc-essiv:sha256", 128, 2,
     "LUKS2, aes-cbc-essiv:sha256, 2 key slots"),
    ("local-capture_cryptsetup-luksDump_luks2-valid-hdr.txt", "luks", 2, "aes-xts-plain64", 256, 8,
     "LUKS2, aes-xts-plain64, 8 key slots"),
    ("cryptsetup-luksDump_luks2_rear-pr2504_truncated.txt", "luks", 2, "aes-xts-plain64", 256, 1,
     "LUKS2, aes-xts-plain64, 1 key slot"),
    # two fragments without a Version line: 2 LUKS1 slots + 1 LUKS2 keyslot
    ("cryptsetup-luksDump_luks1-keyslots-vs-luks2_omv-luksencryption-issue26_partial.txt", "luks", None,
     "aes-xts-plain64", 512, 3, "LUKS, aes-xts-plain64, 3 key slots"),
    ("local-capture_cryptsetup-bitlkDump_bitlk-aes-xts-128.txt", "bitlk", 2, "aes-xts-plain64", 256, 2,
     "BitLocker, aes-xts-plain64, passphrase; recovery passphrase, 2 key slots"),
    ("local-capture_cryptsetup-bitlkDump_bitlk-togo-aes-xts-128.txt", "bitlk", 2, "aes-xts-plain64", 256, 2,
     "BitLocker, aes-xts-plain64, To Go; passphrase; recovery passphrase, 2 key slots"),
    ("local-capture_cryptsetup-bitlkDump_bitlk-partially-encrypted.txt", "bitlk", 2, "aes-cbc-eboiv", 128, 3,
     "BitLocker, aes-cbc-eboiv, passphrase; recovery passphrase; clear key, 3 key slots"),
    ("local-capture_cryptsetup-fvault2Dump_small.txt", "fvault2", None, "aes-xts-plain64", None, 0,
     "FileVault 2, aes-xts-plain64, logical volume 167772160 bytes"),
]
PARSERS = {"luks": cryptsetup.parse_luks_dump, "bitlk": cryptsetup.parse_bitlk_dump,
           "fvault2": cryptsetup.parse_fvault2_dump}


@pytest.mark.parametrize("name,kind,version,cipher,bits,slots,words", DUMPS, ids=[d[0] for d in DUMPS])
def test_cryptsetup_dumps(name, kind, version, cipher, bits, slots, words):
    info = PARSERS[kind](capture(name))
    assert (info.version, info.cipher, info.key_bits, info.keyslots) == (version, cipher, bits, slots)
    assert info.describe() == words


# --- Windows: manage-bde and Get-BitLockerVolume -------------------------------------------

# Written by us in manage-bde's documented layout: the captures above lack the "Volume X:" headers.
MANAGE_BDE_FULL = """\
BitLocker Drive Encryption: Configuration Tool version 10.0.22621
Copyright (C) 2013 Microsoft Corporation. All rights reserved.

Disk volumes that can be protected with
BitLocker Drive Encryption:
Volume C: [Windows]
[OS Volume]

    Size:                 237,84 GB
    BitLocker Version:    2.0
    Conversion Status:    Fully Encrypted
    Percentage Encrypted: 100,0%
    Encryption Method:    XTS-AES 128
    Protection Status:    Protection On
    Lock Status:          Unlocked
    Identification Field: Unknown
    Key Protectors:
        TPM
        Numerical Password

Volume E: [STICK]
[Removable Data Volume]

    Size:                 14,44 GB
    BitLocker Version:    None
    Conversion Status:    Fully Decrypted
    Percentage Encrypted: 0,0%
    Encryption Method:    None
    Protection Status:    Protection Off
    Lock Status:          Unlocked
    Identification Field: None
    Automatic Unlock:     Disabled
    Key Protectors:       None Found
"""

BDE = [  # file or text, mount, conversion, percentage, protection, protectors, encrypted, note contains
    ("manage-bde-status_used-space-only-encrypted_protection-off.txt", None, "used-space-only-encrypted",
     100.0, False, (), True, ["Used Space Only Encrypted", "protection Off", "encrypted at rest",
                               "deleted before encryption"]),
    ("manage-bde-status_encryption-in-progress_libbde-issue39.txt", None, "encryption-in-progress",
     50.8, False, ("Password", "Numerical Password"), None, ["Encryption in Progress (50.8%)",
                                                             "still plaintext"]),
]


@pytest.mark.parametrize("name,mount,conv,pct,prot,protectors,encrypted,words", BDE, ids=[b[0] for b in BDE])
def test_manage_bde_captures(name, mount, conv, pct, prot, protectors, encrypted, words):
    [status] = windows.parse_manage_bde(capture(name))
    assert (status.mount, status.conversion, status.percentage, status.protection_on,
            status.key_protectors, status.method) == (mount, conv, pct, prot, protectors, "XTS-AES 128")
    verdict, note = windows.judge_bitlocker(status)
    assert verdict is encrypted
    for word in words:
        assert word in note


def test_manage_bde_with_volume_headers():
    c, e = windows.parse_manage_bde(MANAGE_BDE_FULL)
    assert (c.mount, c.volume_kind, c.conversion, c.protection_on, c.key_protectors) == \
        ("C:", "OS Volume", "fully-encrypted", True, ("TPM", "Numerical Password"))
    assert windows.judge_bitlocker(c) == (True, "BitLocker: Fully Encrypted, protection On")
    assert (e.mount, e.volume_kind, e.conversion, e.percentage) == ("E:", "Removable Data Volume",
                                                                   "fully-decrypted", 0.0)
    assert windows.judge_bitlocker(e)[0] is False
    assert windows._row_from_status(e)["DriveType"] == "Removable"


def test_get_bitlockervolume_fully_encrypted_protection_off():
    text = capture("Get-BitLockerVolume_format-list_fullyencrypted_protection-off.txt")
    [s] = windows.parse_get_bitlockervolume(text)
    assert (s.mount, s.conversion, s.percentage, s.method, s.protection_on, s.locked, s.key_protectors,
            s.volume_kind) == ("C:", "fully-encrypted", 100.0, "XtsAes128", False, False, ("Tpm",),
                               "OperatingSystem")
    encrypted, note = windows.judge_bitlocker(s)
    assert encrypted is True
    assert "protection Off (suspended" in note and "encrypted at rest" in note


def test_windows_list_volumes_from_powershell(monkeypatch):
    outputs = {
        "Get-BitLockerVolume": capture("Get-BitLockerVolume_format-list_fullyencrypted_protection-off.txt"),
        "Get-Volume": '[{"DriveLetter":"C","DriveType":"Fixed","FileSystemType":"NTFS","Size":506333126656,'
                      '"FileSystemLabel":"Windows"},{"DriveLetter":"E","DriveType":"Removable",'
                      '"FileSystemType":"FAT32","Size":15500050432,"FileSystemLabel":"STICK"},'
                      '{"DriveLetter":null,"DriveType":"Fixed","FileSystemType":"NTFS","Size":1}]',
    }
    monkeypatch.setattr(windows, "_powershell",
                        lambda cmd: next(v for k, v in outputs.items() if cmd.startswith(k)))
    [stick] = windows.list_volumes()
    assert stick == Volume("\\\\.\\E:", "E:\\", "FAT32", 15500050432, True, None, None, "STICK",
                           "BitLocker state unavailable (needs an elevated prompt)")
    c, e = windows.list_volumes(removable_only=False)
    assert (c.device, c.encrypted, c.encryption, c.removable) == ("\\\\.\\C:", True, "bitlocker", False)
    assert e == stick


# --- macOS ----------------------------------------------------------------------------------

APFS_TEXT = [  # file, [(device, name, role, mountpoint, filevault)]
    ("diskutil-apfs-list_unencrypted-volume_libfsapfs-doc.txt",
     [("disk4s1", "untitled", "No specific role", "/Volumes/untitled", False)]),
    ("diskutil-apfs-list_partial_paragon-apfs-sdk-issue1.txt", [("disk1s1", None, None, None, None)]),
    ("apfsutil_filevault-yes-data-volume_apfs-fuse-issue182.txt",
     [(None, "Mac HD - Data", "Data", None, True), (None, "Preboot", "Preboot", None, False),
      (None, "Recovery", "Recovery", None, False)]),
]


@pytest.mark.parametrize("name,expected", APFS_TEXT, ids=[a[0] for a in APFS_TEXT])
def test_diskutil_apfs_list_text(name, expected):
    got = [(v.device, v.name, v.role, v.mountpoint, v.filevault)
           for v in macos.parse_diskutil_apfs_list(capture(name))]
    assert got == expected


def test_diskutil_apfs_list_text_locked_volume():
    text = "+-> Volume disk5s1 38311238-EFE5-33A8-B349-D1FFDDAD0882\n    FileVault:    Yes (Locked)\n"
    [v] = macos.parse_diskutil_apfs_list(text)
    assert (v.device, v.filevault, v.locked) == ("disk5s1", True, True)


def test_diskutil_apfs_list_plist():
    vols = macos.parse_diskutil_apfs_plist(
        (COMMANDS / "ours_diskutil-apfs-list-plist_internal-filevault-and-usb.plist").read_bytes())
    assert [(v.device, v.role, v.filevault, v.locked) for v in vols] == [
        ("disk3s1", "System", True, False), ("disk3s5", "Data", True, False),
        ("disk5s1", None, True, True), ("disk5s2", None, False, False)]


def test_diskutil_info_to_volume():
    apfs = {v.device: v for v in macos.parse_diskutil_apfs_plist(
        (COMMANDS / "ours_diskutil-apfs-list-plist_internal-filevault-and-usb.plist").read_bytes())}
    exfat = plistlib.loads((COMMANDS / "ours_diskutil-info-plist_usb-exfat.plist").read_bytes())
    assert macos.volume_from_info(exfat, apfs) == Volume(
        "disk6s1", "/Volumes/STICK", "exfat", 15500050432, True, False, None, "STICK",
        "plain exfat filesystem")
    open_apfs = plistlib.loads(
        (COMMANDS / "ours_diskutil-info-plist_usb-apfs-unencrypted.plist").read_bytes())
    v = macos.volume_from_info(open_apfs, apfs)
    assert (v.removable, v.encrypted, v.encryption) == (True, False, None)
    locked = dict(open_apfs, DeviceIdentifier="disk5s1", MountPoint=None, VolumeName="SAFE")
    v = macos.volume_from_info(locked, apfs)
    assert (v.encrypted, v.encryption, v.mountpoint) == (True, "apfs-encrypted", None)
    boot = {"DeviceIdentifier": "disk3s5", "FilesystemType": "apfs", "MountPoint": "/System/Volumes/Data",
            "Internal": True}
    assert macos.volume_from_info(boot, apfs).encryption == "filevault"
    assert macos.volume_from_info(dict(boot, DeviceIdentifier="disk9s1"), {}).encrypted is None


@pytest.mark.parametrize("text,expected", [
    ("FileVault is On.\n", True),
    ("FileVault is Off.\n", False),
    ("FileVault is On.\nEncryption in progress: Percent completed = 45.23\n", None),
    ("FileVault is On.\nDecryption in progress: Percent completed = 12.0\n", False),
    ("", None),
])
def test_fdesetup_status(text, expected):  # Apple's documented one-line messages
    assert macos.parse_fdesetup_status(text)[0] is expected

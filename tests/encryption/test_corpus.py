"""Every encryption sample of the shared real-world corpus, classified as expected.

The table is filled from shared/corpus/real/SOURCES.md; the files are read from
their copies in fixtures/real. Each file must have a row, so a new file there
(or in the shared corpus, when it is beside the clone) fails this test until
someone copies it and says what it is.
Values: (encrypted, scheme) as encryption.check() returns them, or None when check()
recognises nothing (the pipeline then reads the content itself).
"""
from __future__ import annotations

import os

import pytest

from pdscan import encryption
from pdscan.sniff import sniff_with_head
from pdscan.sources.filesystem import FileRef, item_for

from ..conftest import CORPUS, REAL

FOLDERS = ("office", "pdf", "archives", "pgp", "age", "smime", "other-encrypted", "volumes")
OWNER_ONLY = (False, None)   # opens without a password: read, with a note
UNKNOWN = (None, None)        # cannot tell: never reported as not encrypted

EXPECTED = {
    # OOXML: CFB container with EncryptionInfo + EncryptedPackage (agile or standard)
    "office/example_password.docx": (True, "ooxml"),
    "office/example_password.xlsx": (True, "ooxml"),
    "office/ecma376standard_password.docx": (True, "ooxml"),
    "office/officeconverter/pptx-with-password.pptx": (True, "ooxml"),
    "office/poi/protect.xlsx": (True, "ooxml"),                 # VelvetSweatshop
    "office/poi/protected_agile.docx": (True, "ooxml"),         # VelvetSweatshop
    "office/poi/protected_sha512.xlsx": (True, "ooxml"),
    "office/poi/60320-protected.xlsx": (True, "ooxml"),
    "office/poi/bug53475-password-is-pass.docx": (True, "ooxml"),
    "office/poi/protected_passtika.xlsx": (True, "ooxml"),
    "office/poi/protected_passtika.xlsb": (True, "ooxml"),
    # legacy binary Office
    "office/rc4cryptoapi_password.doc": (True, "msoffice-rc4"),
    "office/rc4cryptoapi_password.xls": (True, "msoffice-rc4"),
    "office/rc4cryptoapi_password.ppt": (True, "msoffice-rc4"),
    "office/xor_password_123456789012345.xls": (True, "msoffice-xor"),
    "office/poi/password_password_cryptoapi.doc": (True, "msoffice-rc4"),
    "office/poi/password_tika_binaryrc4.doc": (True, "msoffice-rc4"),
    "office/poi/PasswordProtected.doc": (True, "msoffice-rc4"),
    "office/poi/Password_Protected-hello.ppt": (True, "msoffice-rc4"),
    "office/poi/ppt_with_png_encrypted.ppt": (True, "msoffice-rc4"),
    "office/poi/password.xls": (True, "msoffice-rc4"),
    "office/poi/xor-encryption-abc.xls": (True, "msoffice-xor"),
    # ODF: per-entry (AOO Blowfish) and LibreOffice 24.2 whole-package
    "office/aoo_document_pw_hello.odt": (True, "odf"),
    "office/libre_office_sample_pw_hello.odt": (True, "odf"),
    "office/libre_office_spreadsheet_pw_hello.ods": (True, "odf"),
    "office/libre_office_presentation_pw_hello.odp": (True, "odf"),
    "office/officeconverter/odt-with-password.odt": (True, "odf"),
    "office/officeconverter/ods-with-password.ods": (True, "odf"),
    # plain office, including editing restrictions that encrypt nothing
    "office/plain.doc": None,
    "office/plain.ppt": None,
    "office/plain.xls": None,
    "office/example.docx": None,
    "office/example.xlsx": None,
    "office/ecma376standard_password_plain.docx": None,
    "office/rc4cryptoapi_password_plain.doc": None,
    "office/rc4cryptoapi_password_plain.xls": None,
    "office/xor_password_123456789012345_plain.xls": None,
    "office/libreoffice-writer-source.odt": None,
    "office/libre_office_spreadsheet.ods": None,
    "office/aoo_spreadsheet.ods": None,
    "office/officeconverter/odt-plain.odt": None,
    "office/officeconverter/pptx-plain.pptx": None,
    "office/poi/documentProtection_readonly_no_password.docx": None,
    "office/poi/workbookProtection-workbook_password-2013.xlsx": None,
    "office/poi/sheetProtection_allLocked.xlsx": None,
    # PDF: a user password protects; an owner password (or empty ones) does not
    "pdf/unencrypted.pdf": None,
    "pdf/r2-user-password.pdf": (True, "pdf"),
    "pdf/r3-user-password.pdf": (True, "pdf"),
    "pdf/r4-user-password.pdf": (True, "pdf"),
    "pdf/r4-aes-user-password.pdf": (True, "pdf"),
    "pdf/r6-both-passwords.pdf": (True, "pdf"),
    "pdf/crazyones-encrypted-256.pdf": (True, "pdf"),
    "pdf/encrypted-file.pdf": (True, "pdf"),
    "pdf/libreoffice-writer-password.pdf": (True, "pdf"),
    "pdf/r2-owner-password.pdf": OWNER_ONLY,
    "pdf/r6-owner-password.pdf": OWNER_ONLY,
    "pdf/r2-empty-password.pdf": OWNER_ONLY,
    "pdf/r3-empty-password.pdf": OWNER_ONLY,
    "pdf/r6-empty-password.pdf": OWNER_ONLY,
    "pdf/r5-user-password.pdf": OWNER_ONLY,   # empty owner password opens it
    "pdf/r6-user-password.pdf": OWNER_ONLY,   # empty owner password opens it
    # archives: every member encrypted, or headers encrypted
    "archives/encrypted_1.7z": (True, "7z"),
    "archives/encrypted_3.7z": (True, "7z"),
    "archives/encrypted_5.7z": (True, "7z"),
    "archives/encrypted_6.7z": (True, "7z"),
    "archives/filename_encryption.7z": (True, "7z"),
    "archives/copy.7z": None,
    "archives/test_1.7z": None,
    "archives/libarchive/7zip_encryption_partially.7z": None,  # the extractor marks members
    "archives/libzip-encrypt-aes128.zip": None,       # a plain member beside the encrypted one
    "archives/libzip-encrypt-aes192.zip": None,
    "archives/libzip-encrypt-aes256.zip": None,
    "archives/libzip-encrypt-zipcrypto.zip": None,
    "archives/libzip-encrypt-none.zip": None,
    "archives/libzip-encrypt-zipcrypto-1234.zip": (True, "zip-zipcrypto"),
    "archives/libzip-empty-pkware.zip": (True, "zip-zipcrypto"),
    "archives/puren_tonbo/aesop.txt": None,
    "archives/puren_tonbo/aesop_win_winrar.aes256.zip": (True, "zip-aes"),
    "archives/puren_tonbo/aesop_win_winrar.aes256stored.zip": (True, "zip-aes"),
    "archives/puren_tonbo/aesop_win_7z.aes256.zip": (True, "zip-aes"),
    "archives/puren_tonbo/aesop_win_7z.old.zip": (True, "zip-zipcrypto"),
    "archives/libarchive/zip_traditional_encryption_data.zip": (True, "zip-zipcrypto"),
    "archives/libarchive/zip_winzip_aes256_stored.zip": (True, "zip-aes"),
    "archives/libarchive/zip_encryption_header.zip": (True, "zip-pkware"),
    "archives/libarchive/zip_encryption_partially.zip": None,
    "archives/libarchive/rar4_encrypted.rar": UNKNOWN,   # 2 of 4 members; no rar extractor
    "archives/libarchive/rar5_encrypted.rar": UNKNOWN,
    "archives/libarchive/rar4_encrypted_filenames.rar": (True, "rar"),
    "archives/libarchive/rar5_encrypted_filenames.rar": (True, "rar"),
    # OpenPGP: encrypted, and signed-only negatives
    "pgp/enc-sym-cfb-1.asc": (True, "pgp"),
    "pgp/enc-sym-ocb-1.asc": (True, "pgp"),
    "pgp/enc-1-key-1.asc": (True, "pgp"),
    "pgp/enc-1-key-1.gpg": (True, "pgp"),
    "pgp/enc-2-keys-1.gpg": (True, "pgp"),
    "pgp/encsig-2-keys-1.asc": (True, "pgp"),
    "pgp/aesop_win_encryptpad.gpg": (True, "pgp"),
    "pgp/aesop_win_encryptpad.asc": (True, "pgp"),
    "pgp/signed-1-key-1.asc": None,
    "pgp/clearsig-1-key-1.asc": None,
    # age, CMS
    "age/example.age": (True, "age"),
    "age/example.zip.age": (True, "age"),
    "age/armored.age": (True, "age"),
    "age/example_keys.txt": None,
    "smime/pwri-sample.cbc.p7m": (True, "smime"),
    "smime/pwri-sample.gcm.p7m": (True, "smime"),
    # single-file tools; ccrypt writes no cleartext header (its magic is inside the ciphertext)
    "other-encrypted/aesop_linux.openssl_aes256cbc_pbkdf2_10k": (True, "openssl"),
    "other-encrypted/aesop_linux.vimcrypt3": (True, "vimcrypt"),
    "other-encrypted/aesop_win_ccrypt.cpt": UNKNOWN,
    # volumes and containers
    "volumes/luks1-compatimage.first128KiB.img": (True, "luks"),
    "volumes/luks2-compatimage2.first192KiB.img": (True, "luks"),
    "volumes/luks2-valid-hdr.first64KiB.img": (True, "luks"),
    "volumes/luks1-aes-xts-plain64-sha256.first64KiB.img": (True, "luks"),
    "volumes/libluksde/luks1-volume_header.bin": (True, "luks"),
    "volumes/libluksde/luks1-key_slot.bin": None,
    "volumes/bitlk-aes-xts-128.first64KiB.img": (True, "bitlocker"),
    "volumes/bitlk-aes-cbc-128.first64KiB.img": (True, "bitlocker"),
    "volumes/bitlk-aes-cbc-elephant-128.first64KiB.img": (True, "bitlocker"),
    "volumes/bitlk-togo-aes-xts-128.first64KiB.img": (True, "bitlocker"),
    "volumes/bitlk-partially-encrypted-aes-cbc-128.first64KiB.img": (True, "bitlocker"),
    "volumes/bitlk-images.conf.txt": None,
    "volumes/full/bitlk-aes-xts-128.img.xz": None,        # a compression layer: the extractor opens it
    "volumes/full/bitlk-togo-aes-xts-128.img.xz": None,
    "volumes/libbde/bitlocker-volume_header.bin": (True, "bitlocker"),
    "volumes/libbde/bitlocker-encrypted-sector.bin": UNKNOWN,
    "volumes/libbde/bitlocker-fve-metadata_header.bin": None,
    "volumes/libbde/bitlocker-fve-metadata_block_header.bin": None,
    "volumes/fvault2-small.first64KiB.img": (True, "filevault"),
    "volumes/libfvde/corestorage-volume_header.bin": (True, "filevault"),
    "volumes/libfvde/corestorage-encryption_context.plist": None,
    "volumes/libfvde/corestorage-volume_group.plist": None,
    "volumes/libfsapfs/apfs-container_superblock.bin": UNKNOWN,
    "volumes/libfsapfs/apfs-volume_superblock-unencrypted.bin": (False, None),
    "volumes/libfsapfs/apfs-key_bag_header.bin": None,
    "volumes/libfsapfs/apfs-key_bag_entry.bin": None,
    "volumes/truecrypt-tc_1-sha1-cbc-aes.tc": UNKNOWN,
    "volumes/truecrypt-tc_5-ripemd160-xts-aes.tc": UNKNOWN,
    "volumes/veracrypt-vc_1-sha256-xts-aes.hc": UNKNOWN,
    "volumes/veracrypt-vc_1-sha512-xts-aes-hidden.hc": UNKNOWN,
}


def corpus_files(root) -> list:
    found = []
    for folder in FOLDERS:
        for dirpath, dirnames, filenames in os.walk(root / folder):
            dirnames.sort()
            found += [os.path.relpath(os.path.join(dirpath, f), root) for f in sorted(filenames)]
    return found


def classify(relpath: str):
    path = str(REAL / relpath)
    st = os.stat(path)
    item = item_for(FileRef(path, st.st_size, st.st_mtime, st.st_ino, st.st_dev, st.st_ctime_ns, st.st_mtime_ns))
    mime, head = sniff_with_head(item)
    return encryption.check(item, mime, head)


@pytest.mark.parametrize("relpath", sorted(EXPECTED))
def test_corpus_file(relpath):
    found = classify(relpath)
    got = None if found is None else (found.encrypted, found.scheme)
    assert got == EXPECTED[relpath], f"{relpath}: {found}"


def test_every_copied_file_has_a_row_and_every_row_a_file():
    assert sorted(corpus_files(REAL)) == sorted(EXPECTED)


@pytest.mark.corpus
def test_every_shared_corpus_file_is_copied_with_a_row():
    new = sorted(set(corpus_files(CORPUS)) - set(EXPECTED))
    assert new == [], "new corpus files: copy them into fixtures/real (SOURCES.md) and add their rows to EXPECTED"


@pytest.mark.parametrize("relpath", ["office/poi/protect.xlsx", "office/poi/protected_agile.docx"])
def test_default_office_password_is_noted(relpath):
    assert "VelvetSweatshop" in classify(relpath).note


@pytest.mark.parametrize("relpath, algorithm", [
    ("pdf/r2-user-password.pdf", "RC4-40"), ("pdf/r3-user-password.pdf", "RC4-128"),
    ("pdf/r4-user-password.pdf", "RC4-128"), ("pdf/r4-aes-user-password.pdf", "AES-128"),
    ("pdf/r6-both-passwords.pdf", "AES-256"),
])
def test_pdf_algorithm_in_note(relpath, algorithm):
    assert classify(relpath).note == algorithm


def test_owner_password_pdf_says_why_it_is_read():
    assert classify("pdf/r2-owner-password.pdf").note == "PDF has only an owner password: anyone can read it"


@pytest.mark.parametrize("relpath", ["volumes/veracrypt-vc_1-sha256-xts-aes.hc", "volumes/truecrypt-tc_1-sha1-cbc-aes.tc"])
def test_headerless_container_is_named_as_possible(relpath):
    assert "VeraCrypt/TrueCrypt" in classify(relpath).note

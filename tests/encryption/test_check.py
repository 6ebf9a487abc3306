"""encryption.check() on made-up bytes: what it must not claim, and what it must not open."""
from __future__ import annotations

import io
import random
import zipfile

import pytest

from pdscan import encryption
from pdscan.model import Encryption, Item
from pdscan.encryption import archive, containers, pdf, pgp

# Fixed noise: random flag bits could make a "corrupt" zip look encrypted one run in eight.
NOISE = random.Random(20261129)


def item_of(data: bytes, **kw) -> Item:
    return Item(path="/x", open=lambda: io.BytesIO(data), size=len(data), **kw)


def unopenable(head: bytes, size: int) -> Item:
    def refuse():
        raise AssertionError("check() opened an item its first bytes had already decided")
    return Item(path="/x", open=refuse, size=size)


def random_bytes(n: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(n)


@pytest.mark.parametrize("mime, head", [
    ("text/plain", b"Name,Date of birth\nJo Bloggs,01/02/2001\n"),
    ("text/csv", b"a,b\n1,2\n"),
    ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(600)),
    ("message/rfc822", b"From: a@example.com\n\n-----BEGIN PGP MESSAGE-----\n\nhQEMA\n"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04" + bytes(60)),
])
def test_ordinary_files_are_decided_without_reopening(mime, head):
    assert encryption.check(unopenable(head, 10_000), mime, head) is None


def test_a_member_of_an_encrypted_container_keeps_its_scheme():
    item = item_of(b"", inherited_encryption="zip-aes")
    assert encryption.check(item, "application/octet-stream", b"") == Encryption(True, "zip-aes")


@pytest.mark.parametrize("head, scheme", [
    (b"LUKS\xba\xbe\x00\x02" + bytes(600), "luks"),
    (b"\xebX\x90-FVE-FS-" + bytes(600), "bitlocker"),
    (b"Salted__" + random_bytes(64), "openssl"),
    (b"VimCrypt~04!" + random_bytes(64), "vimcrypt"),
    (b"PDSCAN-PROTECTED" + bytes(40), "pdscan"),
])
def test_magic_numbers(head, scheme):
    found = encryption.check(unopenable(head, len(head)), "application/octet-stream", head)
    assert (found.encrypted, found.scheme) == (True, scheme)


def test_well_formed_age_header_then_ciphertext_is_age():
    data = (b"age-encryption.org/v1\n-> X25519 " + b"A" * 43 + b"\n" + b"B" * 43 + b"\n--- " + b"C" * 43
            + b"\n" + random_bytes(64))
    found = encryption.check(item_of(data), "application/octet-stream", data)
    assert (found.encrypted, found.scheme) == (True, "age")


def test_random_data_is_unknown_never_plain():
    data = random_bytes(8192)
    found = encryption.check(item_of(data), "application/octet-stream", data)
    assert found.encrypted is None and "high-entropy" in found.note


def test_random_data_of_container_shape_names_veracrypt():
    data = random_bytes(512 * 64)
    found = encryption.check(item_of(data), "application/octet-stream", data[:8192])
    assert found.encrypted is None and "VeraCrypt" in found.note


def test_structured_binary_is_not_called_random():
    data = bytes(range(256)) * 4 + bytes(4096)
    assert containers.unrecognised(item_of(data), data) is None


def test_bitlocker_to_go_needs_its_guid_not_just_a_fat_boot_sector():
    sector = bytearray(512)
    sector[3:11] = b"MSWIN4.1"
    sector[510:512] = b"\x55\xaa"
    assert containers.from_head(bytes(sector)) is None
    sector[424:440] = containers.BITLOCKER_GUID
    assert containers.from_head(bytes(sector)).scheme == "bitlocker"


# -- OpenPGP: signed is not encrypted, and chance bytes are not a message ------

def test_signed_only_binary_message_is_not_encrypted():
    one_pass_signature = bytes([0xC4, 13, 3, 0, 8, 1]) + bytes(9)
    assert not pgp.is_encrypted_openpgp(one_pass_signature + bytes([0xCB, 5]) + b"b\x00abc")


def test_symmetric_session_key_then_seipd_is_encrypted():
    skesk = bytes([0xC3, 13, 4, 9, 3, 8]) + bytes(8) + bytes([0x60])
    seipd = bytes([0xD2, 20, 1]) + bytes(19)
    assert pgp.is_encrypted_openpgp(skesk + seipd)


@pytest.mark.parametrize("seed", range(200))
def test_random_bytes_are_not_openpgp(seed):
    data = random_bytes(4096, seed)
    assert not pgp.is_encrypted_openpgp(bytes([0x8C]) + data[1:])


def test_armour_quoted_deep_inside_a_text_is_not_the_message():
    armour = (b"-----BEGIN PGP MESSAGE-----\n\n"
              b"jA0EBwMCt0tGQ7H0b2Xt0j8BHVEh+mzI3SyApdQmObZuDtAKNk/dRbERyF7haRCn\n"
              b"-----END PGP MESSAGE-----\n")
    assert pgp.from_head(armour, "text/plain").scheme == "pgp"
    assert pgp.from_head(b"notes\n" * 400 + armour, "text/plain") is None


def test_armour_with_a_mangled_body_is_not_claimed():
    assert pgp.from_head(b"-----BEGIN PGP MESSAGE-----\n\n!!!not base64!!!\n", "text/plain") is None


def test_cms_signed_data_is_not_encrypted():
    signed_data_oid = bytes.fromhex("06092a864886f70d010702")
    assert pgp.from_head(b"\x30\x80" + signed_data_oid + bytes(20), "application/octet-stream") is None


# -- archives -----------------------------------------------------------------

@pytest.mark.parametrize("schemes, expected", [
    (["zip-aes", "zip-aes"], (True, "zip-aes")),
    (["zip-aes", None], None),
    ([None, None], None),
    ([], None),
])
def test_an_archive_is_encrypted_only_when_every_member_is(schemes, expected):
    found = archive.whole(schemes, "zip")
    assert (None if found is None else (found.encrypted, found.scheme)) == expected


def test_plain_zip_is_opened_and_not_claimed():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a.txt", "hello")
        zf.writestr("folder/", "")
    data = buffer.getvalue()
    assert encryption.check(item_of(data), "application/zip", data[:8192]) is None


def test_damaged_archive_is_left_to_the_extractor():
    data = b"PK\x03\x04" + NOISE.randbytes(200)
    assert encryption.check(item_of(data), "application/zip", data) is None


def test_pdf_without_encrypt_in_its_trailer_is_not_parsed(monkeypatch):
    monkeypatch.setattr(pdf, "_decide", lambda stream: pytest.fail("pypdf started for a plain PDF"))
    data = (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\nxref\n0 1\n0000000000 65535 f \n"
            b"trailer<</Size 1/Root 1 0 R>>\nstartxref\n49\n%%EOF\n")
    assert encryption.check(item_of(data), "application/pdf", data) is None

"""A flagged zip member that reads as plaintext by its own method is not encrypted.

Red-team findings 04/04b: a member flagged ZipCrypto in both headers holding
12 junk bytes and then a plain bzip2 stream (zipseal looked behind the fake
header only for stored/deflated data), or a plain deflate stream with a wrong
CRC (it failed the CRC read as plain, and failed to inflate behind 12 bytes).
Both were reported `zip-zipcrypto` with nothing scanned, while skipping 12
bytes and running bunzip2 (or inflating, ignoring the CRC) shows the data.
"""
from __future__ import annotations

import bz2
import lzma
import struct
import zipfile
import zlib

import pytest

from .plaintext import assert_read_with_ni
from .test_content_zip_encryption import SECRET, scan

NAME = b"students.csv"


def flagged_zip(data: bytes, method: int, crc: int) -> bytes:
    fields = struct.pack("<HHHHIII", 0x01, method, 0, 0, crc, len(data), len(SECRET))
    local = b"PK\x03\x04" + struct.pack("<H", 46) + fields + struct.pack("<HH", len(NAME), 0) + NAME
    central = (b"PK\x01\x02" + struct.pack("<HH", 46, 46) + fields
               + struct.pack("<HHHHHII", len(NAME), 0, 0, 0, 0, 0o100644 << 16, 0) + NAME)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    return local + data + central + end


def lzma_member(plain: bytes) -> bytes:
    """Zip's lzma framing: version, properties size, properties, raw lzma1 stream."""
    filters = [{"id": lzma.FILTER_LZMA1}]
    props = lzma._encode_filter_properties(filters[0])
    return b"\x09\x04" + struct.pack("<H", len(props)) + props + lzma.compress(
        plain, format=lzma.FORMAT_RAW, filters=filters)


def raw_deflate(plain: bytes) -> bytes:
    return zlib.compress(plain)[2:-4]


@pytest.mark.parametrize("method, pack", [(zipfile.ZIP_BZIP2, bz2.compress), (zipfile.ZIP_LZMA, lzma_member)],
                         ids=["bzip2", "lzma"])
def test_compressed_plaintext_behind_fake_zipcrypto_header_is_scanned(cli, tmp_path, method, pack):
    path = tmp_path / "records.zip"
    path.write_bytes(flagged_zip(bytes(range(12)) + pack(SECRET), method, zlib.crc32(SECRET)))
    result, items, summary = scan(cli, path)
    assert items[None]["encrypted"] is False
    assert_read_with_ni(result, items["students.csv"], summary)


def test_flagged_deflate_with_wrong_crc_is_scanned_not_encrypted(cli, tmp_path):
    """Data that inflates is plaintext; the CRC is one more field the attacker writes."""
    path = tmp_path / "records.zip"
    path.write_bytes(flagged_zip(raw_deflate(SECRET), zipfile.ZIP_DEFLATED, zlib.crc32(SECRET) ^ 1))
    result, items, summary = scan(cli, path)
    assert items[None]["encrypted"] is False
    assert_read_with_ni(result, items["students.csv"], summary)

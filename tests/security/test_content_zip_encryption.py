"""A plaintext zip cannot pass for an encrypted one.

The attack: flip the encryption bit of a plaintext zip (in the local header,
the central directory or both), or put "PK\\x03\\x04" in front of a text file
named .xlsx. pdscan used to report `encrypted: true`, no findings and no
violation, while `unzip -p` (or any reader ignoring the bit) prints the data.
Genuinely encrypted zips made by `zip -P` must stay encrypted.
"""
from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
import zlib

import pytest

TEXT = b"Name: Siobhan McGregor\nNI number: AB 12 34 56 C\n"
SECRET = TEXT * 40  # long enough that deflate really compresses it


def flag_encrypted(data: bytes, local: bool, central: bool) -> bytes:
    out = bytearray(data)
    if local:
        out[data.index(b"PK\x03\x04") + 6] |= 0x01
    if central:
        out[data.index(b"PK\x01\x02") + 8] |= 0x01
    return bytes(out)


def plaintext_zip(method: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as archive:
        archive.writestr("staff.txt", SECRET)
    return buf.getvalue()


def scan(cli, path):
    result = cli("scan", path, "--format", "jsonl", "--jobs", "1")
    records = result.records()
    items = {r["member"]: r for r in records if r["type"] == "item"}
    return result, items, records[-1]


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"])
@pytest.mark.parametrize("local, central", [(True, False), (False, True), (True, True)],
                         ids=["local-header", "central-directory", "both"])
def test_plaintext_zip_with_encryption_bit_is_read_and_reported(cli, tmp_path, method, local, central):
    path = tmp_path / "staff.zip"
    path.write_bytes(flag_encrypted(plaintext_zip(method), local, central))
    result, items, summary = scan(cli, path)
    assert result.code == 1, result
    assert items[None]["encrypted"] is False
    member = items["staff.txt"]
    assert member["encrypted"] is False and member["encryption"] is None
    assert {"uk.nino", "person_name"} <= {f["detector"] for f in member["findings"]}
    assert [v["rule"] for v in member["violations"]] == ["unencrypted-personal-data"]
    assert summary["encrypted_items"] == 0


def zipcrypto_shaped(payload: bytes, method: int, size: int, crc: int) -> bytes:
    """One member flagged encrypted (both headers) whose data is 12 junk bytes, then `payload`."""
    name, data = b"staff.txt", bytes(range(12)) + payload
    fields = struct.pack("<HHHHIII", 0x01, method, 0, 0, crc, len(data), size)
    local = b"PK\x03\x04" + struct.pack("<H", 20) + fields + struct.pack("<HH", len(name), 0) + name
    central = (b"PK\x01\x02" + struct.pack("<HH", 20, 20) + fields
               + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, 0) + name)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    return local + data + central + end


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"])
def test_plaintext_behind_a_fake_zipcrypto_header_is_not_encrypted(cli, tmp_path, method):
    """Skip 12 bytes and the text is there: no password protects it, and it is scanned."""
    payload = SECRET if method == zipfile.ZIP_STORED else zlib.compress(SECRET)[2:-4]  # raw deflate
    path = tmp_path / "staff.zip"
    path.write_bytes(zipcrypto_shaped(payload, method, len(SECRET), zlib.crc32(SECRET)))
    result, items, summary = scan(cli, path)
    assert result.code == 1, result
    assert items[None]["encrypted"] is False
    assert {"uk.nino", "person_name"} <= {f["detector"] for f in items["staff.txt"]["findings"]}
    assert summary["encrypted_items"] == 0 and summary["errors"] == 0


def test_text_behind_a_zip_signature_is_scanned_as_text(cli, tmp_path):
    path = tmp_path / "timetable.xlsx"
    path.write_bytes(b"PK\x03\x04\n" + TEXT)
    result, items, _ = scan(cli, path)
    assert result.code == 1, result
    record = items[None]
    assert record["encrypted"] is False and record["mime"].startswith("text/")
    assert {"uk.nino", "person_name"} <= {f["detector"] for f in record["findings"]}
    assert [v["rule"] for v in record["violations"]] == ["unencrypted-personal-data"]


def test_workbook_with_encryption_bits_is_read(cli, tmp_path):
    """openpyxl believes the bit: a flagged plaintext .xlsx was refused as "password required"."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Name", "NI number"])
    book.active.append(["Mary Jones", "AB 12 34 56 C"])
    buf = io.BytesIO()
    book.save(buf)
    data = buf.getvalue()
    for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data = data[:at + flags] + bytes([data[at + flags] | 1]) + data[at + flags + 1:]
            at = data.find(signature, at + 1)
    path = tmp_path / "staff.xlsx"
    path.write_bytes(data)
    result, items, summary = scan(cli, path)
    assert result.code == 1, result
    assert items[None]["encrypted"] is False
    assert {"uk.nino", "person_name"} <= {f["detector"] for f in items[None]["findings"]}
    assert summary["errors"] == 0


def test_flagged_member_that_neither_decrypts_nor_reads_is_an_error_not_encrypted(cli, tmp_path):
    """The bit set in one header only, over data that is not plaintext: damaged, not protected."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("staff.txt", SECRET)
    data = bytearray(flag_encrypted(buf.getvalue(), local=False, central=True))
    start = data.index(b"staff.txt") + len("staff.txt")
    data[start:start + 8] = b"\xff" * 8  # the deflate stream no longer decodes
    path = tmp_path / "odd.zip"
    path.write_bytes(bytes(data))
    result, items, summary = scan(cli, path)
    assert items[None]["encrypted"] is False
    errors = [r for r in result.records() if r["type"] == "error"]
    assert [(e["member"], e["error"]) for e in errors] == [("staff.txt", "corrupt zip member")]
    assert summary["encrypted_items"] == 0


needs_zip = pytest.mark.skipif(shutil.which("zip") is None, reason="the `zip` tool (apt package zip) is not installed")


@needs_zip
@pytest.mark.parametrize("level", ["-0", "-6"], ids=["stored", "deflated"])
def test_zipcrypto_zip_made_by_zip_stays_encrypted(cli, tmp_path, level):
    (tmp_path / "staff.txt").write_bytes(SECRET)
    path = tmp_path / "staff.zip"
    subprocess.run(["zip", "-q", level, "-P", "correct horse", str(path), "staff.txt"],
                   cwd=tmp_path, check=True)
    (tmp_path / "staff.txt").unlink()
    result, items, summary = scan(cli, path)
    assert result.code == 0, result
    record = items[None]
    assert (record["encrypted"], record["encryption"]) == (True, "zip-zipcrypto")
    assert record["findings"] == [] and record["violations"] == []
    assert summary["encrypted_items"] == 1

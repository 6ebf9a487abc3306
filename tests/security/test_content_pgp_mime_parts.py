"""In a PGP/MIME message only the encrypted part is encrypted.

Red-team finding 10a: a multipart/encrypted message whose second part is a
text/plain part of NI numbers (not application/octet-stream ciphertext) had
the whole multipart reported as one encrypted "pgp" part: nothing was read.
"""
from __future__ import annotations

import pytest

from .test_robust_large_mail import encrypted_message, outputs

HEADERS = (b"From: someone@example.org\nTo: d@college.ac.uk\nSubject: hi\nMIME-Version: 1.0\n"
           b'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary=Q\n\n')
PLAIN_SIBLING = (HEADERS + b"--Q\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
                 b"--Q\nContent-Type: text/plain\n\nname,ni\nJohn Smith,AB123456C\n--Q--\n")


@pytest.mark.parametrize("streamed", [False, True], ids=["in-memory", "streamed"])
def test_plain_part_of_multipart_encrypted_is_read(streamed):
    texts, members = outputs(PLAIN_SIBLING, streamed)
    assert any("AB123456C" in text for text in texts.values()), texts
    assert [m for m in members if m[1] == "pgp"] == []


@pytest.mark.parametrize("streamed", [False, True], ids=["in-memory", "streamed"])
def test_octet_stream_part_stays_encrypted(streamed):
    texts, members = outputs(encrypted_message(), streamed)
    assert [(encryption, content) for _, encryption, content in members] == [("pgp", "ItemError")]


def test_scan_reports_the_plain_part(cli, tmp_path):
    path = tmp_path / "a.eml"
    path.write_bytes(PLAIN_SIBLING)
    result = cli("scan", path, "--format", "jsonl", "--jobs", "1")
    assert result.code == 1, result
    items = [r for r in result.records() if r["type"] == "item"]
    assert not any(r["encrypted"] for r in items)
    assert any("uk.nino" in {f["detector"] for f in r["findings"]} for r in items)

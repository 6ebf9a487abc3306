"""Text that only claims to be an age or PGP message is scanned.

Red-team finding 08: a CSV of NI numbers whose first line is
`age-encryption.org/v1`, or `-----BEGIN AGE ENCRYPTED FILE-----`, or that has
an OpenPGP armour block after the rows, was reported encrypted (no finding,
no violation): only the magic line was looked at.
"""
from __future__ import annotations

import base64
import random

import pytest

from .plaintext import assert_read_with_ni
from .test_content_zip_encryption import scan

ROWS = "name,ni_number\n" + "".join(f"Student {i},AB{123456 + i:06d}C\n" for i in range(40))


def pgp_armour() -> str:
    skesk = bytes([0xC3, 4, 4, 9, 0, 8])  # new-format tag 3, v4, AES256, simple S2K SHA256
    body = bytes([1]) + random.Random(8).randbytes(60)
    seipd = bytes([0xD2, len(body)]) + body  # tag 18, v1
    return ("-----BEGIN PGP MESSAGE-----\n\n" + base64.b64encode(skesk + seipd).decode()
            + "\n-----END PGP MESSAGE-----\n")


@pytest.mark.parametrize("text", [
    "age-encryption.org/v1\n" + ROWS,
    "-----BEGIN AGE ENCRYPTED FILE-----\n" + ROWS,
    "age-encryption.org/v1\n-> X25519 " + "A" * 43 + "\n" + "B" * 43 + "\n--- " + "C" * 43 + "\n" + ROWS,
    ROWS[:1000] + pgp_armour(),
    pgp_armour() + ROWS,
], ids=["age-line", "age-armour-line", "age-header-then-text", "pgp-after-rows", "pgp-before-rows"])
def test_plaintext_with_message_magic_is_scanned(cli, tmp_path, text):
    path = tmp_path / "students.csv"
    path.write_text(text)
    result, items, summary = scan(cli, path)
    assert_read_with_ni(result, items[None], summary)


def test_armoured_message_with_a_short_note_stays_encrypted(cli, tmp_path):
    """A note before the block with no personal data in it (as gpg users write) keeps it encrypted."""
    path = tmp_path / "message.asc"
    path.write_text("Encrypted with the usual passphrase.\n\n" + pgp_armour())
    result, items, summary = scan(cli, path)
    assert result.code == 0, result
    assert (items[None]["encrypted"], items[None]["encryption"]) == (True, "pgp")

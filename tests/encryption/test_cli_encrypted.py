"""End to end: real encrypted samples through `pdscan scan --format jsonl`."""
from __future__ import annotations

import shutil

import pytest

from ..conftest import FIXTURES

SAMPLES = FIXTURES / "real" / "encrypted"


@pytest.fixture
def records(cli, tmp_path):
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder)
    result = cli("scan", folder, "--format", "jsonl", "--jobs", "1")
    assert result.code in (0, 1), result
    items = {}
    for record in result.records():
        if record["type"] == "item":
            name = record["path"].rsplit("/", 1)[-1]
            items[name if record["member"] is None else f"{name}!/{record['member']}"] = record
        assert record["type"] != "error", record
    return items


@pytest.mark.parametrize("name, scheme", [
    ("example_password.docx", "ooxml"),
    ("r2-user-password.pdf", "pdf"),
    ("enc-1-key-1.gpg", "pgp"),
    ("zip_encryption_header.zip", "zip-pkware"),
])
def test_encrypted_files_are_reported_and_not_read(records, name, scheme):
    record = records[name]
    assert (record["encrypted"], record["encryption"]) == (True, scheme), record
    assert record["findings"] == [] and record["violations"] == []


def test_owner_password_pdf_is_read(records):
    record = records["r2-owner-password.pdf"]
    assert (record["encrypted"], record["encryption"]) == (False, None), record


def test_partly_encrypted_zip_is_opened_and_its_members_marked(records):
    assert records["zip_encryption_partially.zip"]["encrypted"] is False
    assert records["zip_encryption_partially.zip!/bar.txt"]["encrypted"] is False
    locked = records["zip_encryption_partially.zip!/foo.txt"]
    assert locked["encrypted"] is True and locked["encryption"].startswith("zip-")


def test_signed_only_message_is_not_called_encrypted(records):
    assert records["signed-1-key-1.asc"]["encrypted"] is not True

"""OLE compound files: which Office format, from the stream names."""
from __future__ import annotations

import io

import pytest

from pdscan.formats.ole import kind_of, ole_kind


@pytest.mark.parametrize("name,mime", [
    ("office/plain.xls", "application/vnd.ms-excel"),
    ("office/plain.doc", "application/msword"),
    ("office/plain.ppt", "application/vnd.ms-powerpoint"),
    ("office/example_password.docx", "application/x-ooxml-encrypted"),
    ("office/example_password.xlsx", "application/x-ooxml-encrypted"),
    ("office/officeconverter/pptx-with-password.pptx", "application/x-ooxml-encrypted"),
])
def test_corpus_kinds(corpus, name, mime):
    with open(corpus(name), "rb") as stream:
        assert ole_kind(stream) == mime


def test_not_ole_or_damaged(corpus):
    assert ole_kind(io.BytesIO(b"PK\x03\x04 a zip")) is None
    assert ole_kind(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600)) is None


def test_stream_name_rules():
    assert kind_of({"Book"}) == "application/vnd.ms-excel"
    assert kind_of({"EncryptionInfo", "EncryptedPackage", "\x06DataSpaces/Version"}) == "application/x-ooxml-encrypted"
    assert kind_of({"SummaryInformation"}) is None

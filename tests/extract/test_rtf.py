"""RTF: text decoded in the document's ANSI code page, one paragraph per line."""
from __future__ import annotations

import pytest

from pdscan.errors import ItemError
from pdscan.extract.rtf import extract_rtf, rtf_codepage


def test_cp1252_escapes_and_paragraphs(run, located):
    data = (rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}"
            rb"Learner: Zo\'eb Bront\'eb\par Fee \'a3\'a020\par NI number QQ 12 34 56 C\par}")
    seen = located(run(extract_rtf, data))
    assert seen == {("", 1): "Learner: Zoë Brontë", ("", 2): "Fee £\xa020", ("", 3): "NI number QQ 12 34 56 C"}


def test_other_code_page(run, located):
    data = rb"{\rtf1\ansi\ansicpg1251 \'c8\'e2\'e0\'ed \'cf\'e5\'f2\'f0\'ee\'e2\par}"
    assert located(run(extract_rtf, data))[("", 1)] == "Иван Петров"


def test_unicode_escape_and_default_code_page(run, located):
    data = rb"{\rtf1\ansi Caf\'e9 \u8364? 5\par}"
    assert located(run(extract_rtf, data))[("", 1)] == "Café € 5"


@pytest.mark.parametrize("head,codec", [
    (rb"{\rtf1\ansi\ansicpg1250", "cp1250"),
    (rb"{\rtf1\ansi\ansicpg99999", "cp1252"),
    (rb"{\rtf1\mac", "mac_roman"),
    (rb"{\rtf1\pca", "cp850"),
    (rb"{\rtf1\ansi", "cp1252"),
])
def test_codepage_from_header(head, codec):
    assert rtf_codepage(head) == codec


def test_not_rtf(run):
    with pytest.raises(ItemError):
        run(extract_rtf, b"plain text pretending")

"""Dumps, JSON, XML and mbox files are attacker-supplied like any file: damaged or hostile
ones fail as one item (ItemError) or are read as text, never crash a scan or expand a bomb."""
from __future__ import annotations

import json

import pytest

from pdscan.extract.mbox import extract_mbox
from pdscan.extract.sql import extract_sql
from pdscan.extract.structured import extract_json, extract_xml
from tests.extract.drive import mutations, only_item_errors
from tests.layouts import ULNS, counts

SAMPLES = {
    "sql": (extract_sql, b"CREATE TABLE t (uln TEXT, dob TEXT);\nINSERT INTO t VALUES ('1830166130','2007-03-14'),"
                         b"('2860913903','2006-11-02');\nCOPY t (uln, dob) FROM stdin;\n7030824627\t2005-06-30\n\\.\n"),
    "json": (extract_json, json.dumps({"learners": [{"uln": ULNS[0], "dob": "2007-03-14"}]}).encode()),
    "xml": (extract_xml, b'<?xml version="1.0"?><r><learner uln="1830166130"><dob>2007-03-14</dob></learner></r>'),
    "mbox": (extract_mbox, b"From a@b Mon May  6 09:00:00 2024\nFrom: x@example.org\nSubject: s\n\nbody\n\n"
                           b"From a@b Mon May  6 10:00:00 2024\nFrom: y@example.org\n\nbody\n"),
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_damaged_exports_fail_only_as_one_item(kind):
    extractor, data = SAMPLES[kind]
    for damaged in mutations(data, 150, seed=12):
        only_item_errors(extractor, damaged, f"damaged.{kind}")


def test_an_xml_entity_bomb_is_not_expanded_and_its_text_still_read(tmp_path):
    path = tmp_path / "bomb.xml"
    lol = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY l0 "lol">{lol}]>\n'
                    f"<r><note>ULN: {ULNS[0]}</note><x>&l9;</x></r>\n", encoding="utf-8")
    assert counts(path).get("uk.uln") == 1


def test_json_nested_past_the_recursion_limit_is_read_as_text(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + f'"ULN {ULNS[0]}"' + "]" * 100_000, encoding="utf-8")
    assert counts(path).get("uk.uln") == 1

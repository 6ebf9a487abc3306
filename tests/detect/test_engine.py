"""The engine's ladder, evidence and chunk seams, on small inline detectors."""
from __future__ import annotations

import pytest

from pdscan.detect import validators
from pdscan.detect.engine import Engine
from pdscan.detect.spec import parse_detector
from pdscan.extract.tabular import QuotedColumns
from pdscan.model import Chunk, Columns

KEY = b"t" * 32


@validators.validator("test_even_digits")
def _even(value: str):
    digits = [c for c in value if c.isdigit()]
    return int(digits[-1]) % 2 == 0 if digits else None


def detector(**fields):
    table = {"id": "test.num", "name": "Test number", "category": "identifier",
             "patterns": [{"name": "six-digits", "regex": r"\b\d{6}\b", "confidence": "low"}],
             "examples": {"match": ["x"], "no_match": ["y"]}}
    table.update(fields)
    return parse_detector(table, "inline", 0, validators.REGISTRY)


def levels(engine, text):
    return [m.confidence for m in engine.scan_text(text)]


@pytest.mark.parametrize("use_hyperscan", [True, False], ids=["hyperscan", "python"])
def test_confidence_ladder(use_hyperscan):
    engine = Engine([detector(validator="test_even_digits", on_valid="medium", context=["ref"],
                              negative_context=["order"])], KEY, use_hyperscan)
    assert levels(engine, "code 123457 here") == []                 # validator fails: dropped
    assert levels(engine, "code 123456 here") == ["medium"]          # validator passes: on_valid
    assert levels(engine, "ref 123456") == ["high"]                  # + context word: one up
    assert levels(engine, "order 123456") == []                      # negative context: dropped


def test_requires_evidence_drops_bare_values():
    engine = Engine([detector(requires="evidence", context=["staff number"])], KEY)
    assert levels(engine, "123456") == []
    assert levels(engine, "Staff Number: 123456") == ["medium"]
    assert levels(engine, "staffnumber 123456") == []                # context words match whole words only


def test_column_header_is_evidence_and_location():
    engine = Engine([detector(requires="evidence", column_headers=["ref no"])], KEY)
    data = b"Name\tRef No\nJo\t123456\n"
    chunk = Chunk(data, "sheet Staff", columns=Columns(("Name", "Ref No")))
    [m] = engine.scan(chunk)
    assert m.confidence == "medium"
    assert m.location == "sheet Staff row 2 column 'Ref No'"
    assert "column header 'Ref No'" in m.evidence


def test_quoted_csv_fields_keep_their_column():
    cols = QuotedColumns(("Name", "Address", "Ref"), b",")
    data = b'Name,Address,Ref\n"Jo, Bloggs","1 High St, Leeds",123456\n'
    assert cols.header_at(data, data.index(b"123456")) == "Ref"
    assert cols.header_at(data, data.index(b"High")) == "Address"
    assert cols.header_at(data, data.index(b"Bloggs")) == "Name"


def test_column_scoped_pattern_runs_only_under_its_header():
    spec = detector(column_headers=["surname"], requires="evidence",
                    patterns=[{"name": "word", "regex": r"\b[A-Z][a-z]+\b", "confidence": "low", "scope": "column"}])
    engine = Engine([spec], KEY)
    data = b"Surname\tCity\nBloggs\tLeeds\n"
    found = engine.scan(Chunk(data, columns=Columns(("Surname", "City"))))
    assert [m.sample for m in found] == ["B*****"]                   # not the header, not Leeds
    assert engine.scan_text("Bloggs lives in Leeds") == []


def test_match_on_a_chunk_seam_is_counted_once():
    engine = Engine([detector()], KEY)
    first = Chunk(b"aaaa 123456", guard=8)          # the value ends inside the guard: left to the next chunk
    second = Chunk(b"a 123456 bbb", offset=3)
    assert engine.scan(first) == []
    assert len(engine.scan(second)) == 1


def test_raw_value_never_in_a_match():
    engine = Engine([detector()], KEY)
    [m] = engine.scan_text("ref 246810")
    assert "246810" not in repr(m)
    assert m.sample == "24***0" or "*" in m.sample


def test_same_value_same_key_different_format():
    engine = Engine([detector(patterns=[{"name": "spaced", "regex": r"\b\d{3} ?\d{3}\b", "confidence": "low"}])], KEY)
    a, b = engine.scan_text("123 456"), engine.scan_text("123456")
    assert a[0].key == b[0].key
    other = Engine(engine.specs, b"x" * 32).scan_text("123456")
    assert other[0].key != a[0].key                                  # keyed: another install, another hash

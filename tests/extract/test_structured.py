"""JSON, NDJSON and XML exports: a value's key, element or attribute name is its header."""
from __future__ import annotations

import json

import pytest

from pdscan.sniff import sniff
from tests.conftest import FIXTURES
from tests.extract.drive import file_item
from tests.layouts import DOBS, NAMES, NHS, PASSPORTS, ULNS, counts, found

RECORDS = [{"learner": {"name": f"{f} {s}", "dob": dob, "ids": {"uln": int(uln), "passport_no": p}},
            "contact": {"emergency": {"nhs": nhs}}, "active": True, "notes": None}
           for (s, f), dob, uln, p, nhs in zip(NAMES, DOBS, ULNS, PASSPORTS, NHS)]


def _expect_people(got):
    for detector in ("date_of_birth", "uk.uln", "uk.passport"):
        assert got.get(detector) == 3, (detector, got)
    assert got.get("person_name", 0) >= 3, got


def test_json_keys_at_any_depth_are_headers(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"college": "Riverside", "learners": RECORDS}, indent=2), encoding="utf-8")
    _expect_people(counts(path))


@pytest.mark.parametrize("name", ["learners.ndjson", "learners.jsonl", "learners.txt"])
def test_ndjson_one_record_a_line(tmp_path, name):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    _expect_people(counts(path))


def test_xml_elements_and_attributes_are_headers(tmp_path):
    path = tmp_path / "learners.xml"
    rows = "".join(f'<learner uln="{uln}" passportNo="{p}"><name>{f} {s}</name><dob>{dob}</dob></learner>'
                   for (s, f), dob, uln, p in zip(NAMES, DOBS, ULNS, PASSPORTS))
    path.write_text(f"<learners>{rows}</learners>", encoding="utf-8")
    assert sniff(file_item(path)) in ("text/xml", "application/xml")
    _expect_people(counts(path))


def test_the_ilr_return_names_its_learner():
    got = found(FIXTURES / "layouts" / "ilr-2324.xml")
    for detector in ("uk.uln", "date_of_birth", "uk.nino", "uk.postcode", "special.health", "email"):
        assert detector in got, (detector, got)
    assert got["person_name"][0] == 1, got  # FamilyName and GivenNames: one learner


def test_an_xml_schema_names_fields_of_no_one(tmp_path):
    path = tmp_path / "learner-return.xsd.xml"
    fields = [("Surname", "string"), ("Forename", "string"), ("Ethnicity", "int"), ("Religion", "string"),
              ("DateOfBirth", "date"), ("Disability", "int")]
    elements = "".join(f'<xs:element name="{n}" type="xs:{t}"/>' for n, t in fields)
    path.write_text('<?xml version="1.0"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
                    f'<xs:complexType name="Learner"><xs:sequence>{elements}</xs:sequence></xs:complexType>'
                    "</xs:schema>\n", encoding="utf-8")
    assert counts(path) == {}


def test_xml_with_a_dtd_is_still_read_as_text(tmp_path):
    path = tmp_path / "old.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "x">]>\n'
                    f"<r><p>ULN: {ULNS[0]}</p></r>\n", encoding="utf-8")
    assert counts(path).get("uk.uln") == 1


def test_json_without_personal_keys_finds_nothing(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"build": {"id": int(ULNS[0]), "date": "2007-03-14", "name": "Nightly Release"},
                                "items": [{"sku": "A1", "barcode": ULNS[1]}]}), encoding="utf-8")
    assert counts(path) == {}

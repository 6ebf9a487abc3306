"""Bad detector files fail at load time with a message naming file, detector and field."""
from __future__ import annotations

import pytest

from pdscan.detect.loader import load_detectors
from pdscan.errors import ConfigError
from tests.conftest import FIXTURES

INVALID = FIXTURES / "detectors" / "invalid"

CASES = {
    "missing_id": "field 'id' is required",
    "unknown_validator": "detector 'site.staff': field 'validator' names unknown validator 'no_such_check'",
    "bad_regex": "detector 'site.staff' pattern #1: field 'regex' does not compile",
    "group_missing": "field 'group' is 1 but the regex has 0 groups",
    "no_no_match_example": "field 'examples' needs at least one 'match' and one 'no_match'",
    "unknown_field": "detector 'site.staff': unknown field 'confidance'",
    "bad_category": "field 'category' must be one of",
    "empty_match": "matches the empty string",
    "duplicate_id": "detector 'site.staff' is already defined",
    "not_toml": "not valid TOML",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_detector_file_is_refused_with_its_place(case):
    path = INVALID / f"{case}.toml"
    with pytest.raises(ConfigError) as err:
        load_detectors([path])
    assert str(path) in str(err.value)
    assert CASES[case] in str(err.value)


def test_every_invalid_fixture_has_a_case():
    assert {p.stem for p in INVALID.glob("*.toml")} == set(CASES)


def test_site_detector_file_loads_beside_the_bundled_ones(cli):
    result = cli("detectors", "--test", FIXTURES / "detectors" / "site_staff.toml")
    assert result.code == 0, result
    assert "4 passed, 0 failed" in result.out


def test_site_detector_finds_its_ids_in_a_scan(cli, tmp_path):
    (tmp_path / "staff.txt").write_text("New starter, staff number ST123456, starts Monday.\n")
    result = cli("scan", tmp_path, "--detectors", FIXTURES / "detectors" / "site_staff.toml",
                 "--format", "jsonl", "--jobs", "1")
    items = [r for r in result.records() if r["type"] == "item"]
    assert [f["detector"] for f in items[0]["findings"]] == ["site.staff_number"]


def test_a_bundled_detector_file_is_tested_as_it_ships(cli):
    """The bundled file is loaded already: `--test` on it runs its examples, not a duplicate-id error."""
    from pdscan.config import bundled
    result = cli("detectors", "--test", bundled("detectors") / "names.toml")
    assert result.code == 0, result
    assert " passed, 0 failed" in result.out and "already defined" not in result.err

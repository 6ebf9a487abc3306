"""Identifiers as people type them: lower case, hyphens, digits in one group.

Found near a label or under a column header; the same shapes loose in text
are references and log tokens, and stay unflagged.
"""
from __future__ import annotations



def _found(cli, folder) -> dict:
    result = cli("scan", folder, "--format", "jsonl", "--no-progress", "--jobs", "1")
    return {f["detector"]: f["count"] for r in result.records() if r["type"] == "item" for f in r["findings"]}


def test_lower_case_and_hyphenated_nino_and_postcode_under_their_headers(cli, tmp_path):
    (tmp_path / "list.csv").write_text("Name,NI Number,Postcode\n"
                                       "Jo Bloggs,jt487192c,ls6 2qt\n"
                                       "Al Smith,JT-48-71-92-A,m14 5rx\n"
                                       "Bea Jones,JT 487193 B,M14 5RX\n")
    found = _found(cli, tmp_path)
    assert found.get("uk.nino") == 3 and found.get("uk.postcode") == 2, found


def test_the_same_shapes_without_a_label_are_not_flagged(cli, tmp_path):
    (tmp_path / "build.log").write_text("step jt487192c ok\ncache key ls6 2qt hit\nbuild ab-12-34-56-c done\n")
    assert _found(cli, tmp_path) == {}

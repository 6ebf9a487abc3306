"""Rules as data: each rule declared once in policies.toml ([rules.<id>]), read by every stage."""
from __future__ import annotations

import json
import re

import pytest

from pdscan.config import build
from pdscan.errors import ConfigError
from pdscan.model import SEVERITIES
from pdscan.policy import rules
from tests.conftest import ROOT, run_cli

SOURCE = ROOT / "src" / "pdscan"
CSV = b"Name,Date of birth,NI number\nAda Lovelace,10/12/1985,AB 12 34 56 C\n"


def test_every_declared_rule_has_severity_description_and_advice():
    declared = build().policy.rules
    assert list(declared) and set(declared) == set(rules.IDS)
    for rule in declared.values():
        assert rule.severity in SEVERITIES, rule.id
        assert rule.description.strip() and rule.advice.strip(), rule.id


def test_every_rule_id_in_the_source_is_declared_and_spelt_only_in_rules_py():
    declared = set(build().policy.rules)
    home = SOURCE / "policy" / "rules.py"
    spelt = set(re.findall(r'^[A-Z_]+ = "([a-z-]+)"$', home.read_text(), re.MULTILINE))
    assert spelt == declared
    for path in SOURCE.rglob("*.py"):
        if path == home:
            continue
        text = path.read_text(encoding="utf-8")
        # A string literal naming a rule; prose in docstrings and comments (backquoted) is fine.
        for ident in declared:
            assert not re.search(rf"[\"']{re.escape(ident)}[\"']", text), f"{path}: literal {ident!r}"
        # A violation raised with any literal id, declared or not.
        assert not re.search(r'Violation\(\s*["\']', text), f"{path}: Violation with a literal rule id"


def test_a_policy_that_leaves_a_rule_undeclared_is_a_config_error(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[rules.no-such-rule]\nseverity = "low"\n')
    with pytest.raises(ConfigError, match=r"\[rules\] unknown key 'no-such-rule'"):
        build(str(site))
    site.write_text('[rules.bulk-social-email]\nseverity = "severe"\n')
    with pytest.raises(ConfigError, match="rules.bulk-social-email: severity must be one of low, medium, high"):
        build(str(site))


def test_a_severity_changed_in_the_declaration_shows_in_evaluation_and_the_report(tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    (files / "list.csv").write_bytes(CSV)
    site = tmp_path / "site.toml"
    # Below the "high" thresholds: the declared severity is the one used.
    site.write_text('[rules.unencrypted-personal-data]\nseverity = "low"\nhigh_when_categories = []\n'
                    '[rules.unencrypted-removable-volume]\nseverity = "low"\n')
    results = tmp_path / "usb.jsonl"
    scan = run_cli("usb", "--mountpoint", files, "--policy", site, "--format", "jsonl", "--no-progress",
                   "--jobs", 1, "--output", results)
    assert scan.code == 1, scan
    records = [json.loads(line) for line in results.read_text().splitlines()]
    got = {(v["rule"], v["severity"]) for r in records if r["type"] in ("item", "volume") for v in r["violations"]}
    assert got == {(rules.UNENCRYPTED_PERSONAL_DATA, "low"), (rules.UNENCRYPTED_REMOVABLE_VOLUME, "low")}

    out = tmp_path / "report.json"
    report = run_cli("report", "--from", results, "--format", "json", "--output", out)
    assert report.code == 0, report
    text = out.read_text()
    assert f"Violations: {rules.UNENCRYPTED_PERSONAL_DATA} (low)" in text
    assert f"Violations: {rules.UNENCRYPTED_PERSONAL_DATA} (medium)" not in text

"""The outside contract (shared/spec/interface.md) against the code and data."""
from __future__ import annotations

import re

import pytest

from pdscan.cli import COMMANDS
from pdscan.config import bundled
from pdscan.detect.loader import load_detectors
from tests.conftest import ROOT

INTERFACE = ROOT.parent / "shared" / "spec" / "interface.md"
pytestmark = pytest.mark.skipif(not INTERFACE.exists(), reason="shared/spec/interface.md not beside the repo")


def table_ids(heading: str) -> set:
    text = INTERFACE.read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([^`]+)` \|", section, re.MULTILINE))


def test_detector_ids_are_exactly_the_interface_ones():
    ours = {s.id for s in load_detectors([bundled("detectors")])}
    assert ours == table_ids("Detector ids")


def test_every_rule_raised_in_code_is_in_the_interface():
    source = "\n".join(p.read_text() for p in (ROOT / "src" / "pdscan").rglob("*.py"))
    raised = set(re.findall(r'Violation\(\s*"([a-z-]+)"', source))
    assert raised and raised <= table_ids("Rule ids (policy violations)")


def test_policy_names_only_known_detectors():
    # loading the default config validates every detector id the policy names
    from pdscan.config import build
    build()


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for command in COMMANDS:
        name = command.__name__.rsplit(".", 1)[-1]
        assert f"pdscan {name}" in readme, name

"""The outside contract (docs/interface.md, the living one) against the code and what it writes."""
from __future__ import annotations

import io
import os
import re
import tarfile

import pytest

from pdscan.cli import COMMANDS
from pdscan.config import bundled
from pdscan.detect.loader import load_detectors
from tests.commands.college import NOW, make_tree
from tests.conftest import ROOT, run_cli

INTERFACE = ROOT / "docs" / "interface.md"
RULE = "unencrypted-personal-data"
CSV = b"Name,Date of birth,NI number\nAda Lovelace,10/12/1985,AB 12 34 56 C\n"


def section(heading: str) -> str:
    """The text under the first heading (any level) that starts with `heading`, up to the next one."""
    text = INTERFACE.read_text(encoding="utf-8")
    found = re.search(rf"^#+ {re.escape(heading)}.*?$(.*?)(?=^#+ |\Z)", text, re.MULTILINE | re.DOTALL)
    assert found, f"interface.md has no section {heading!r}"
    return found.group(1)


def table_ids(heading: str) -> set:
    return set(re.findall(r"^\| `([^`]+)` \|", section(heading), re.MULTILINE))


def documented(heading: str) -> set:
    """Every `name` the section mentions (table rows, prose and `{"a", "b"}` shapes alike)."""
    text = section(heading)
    return set(re.findall(r"`([a-z_]+)`", text)) | set(re.findall(r'"([a-z_]+)"', text))


def test_it_is_the_living_contract():
    assert "living contract" in INTERFACE.read_text(encoding="utf-8").split("\n## ", 1)[0]


def test_detector_ids_are_exactly_the_interface_ones():
    ours = {s.id for s in load_detectors([bundled("detectors")])}
    assert ours == table_ids("Detector ids")


def test_the_declared_rules_are_exactly_the_interface_ones():
    from pdscan.config import build
    assert set(build().policy.rules) == table_ids("Rule ids (policy violations)")


def test_policy_names_only_known_detectors():
    # loading the default config validates every detector id the policy names
    from pdscan.config import build
    build()


def test_every_command_is_in_the_readme_and_the_interface():
    readme = (ROOT / "README.md").read_text()
    commands = section("Commands")
    for name in COMMANDS:
        assert f"pdscan {name}" in readme, name
        assert f"`pdscan {name}" in commands, name


def test_readme_points_at_the_living_contract():
    assert "docs/interface.md" in (ROOT / "README.md").read_text()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Records of every type the commands write, keyed by type, from inputs that bring out every
    optional field: names that are not UTF-8, a checked volume, mail with a damaged message,
    files past their retention period."""
    tmp_path = tmp_path_factory.mktemp("contract")
    files = tmp_path / "files"
    files.mkdir()
    (files / os.fsdecode(b"caf\xe9.csv")).write_bytes(CSV)
    with tarfile.open(files / "names.tar", "w", format=tarfile.GNU_FORMAT, encoding="latin-1") as tf:
        info = tarfile.TarInfo("r\xe9sum\xe9.csv")
        info.size = len(CSV)
        tf.addfile(info, io.BytesIO(CSV))
    (files / "unknown.bin").write_bytes(bytes(range(256)) * 4)
    maildir = tmp_path / "mail"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "cur" / "1.host:2,S").write_bytes(
        b"From: Jo <jo@gmail.com>\nTo: me@college.ac.uk\nSubject: party\nMessage-ID: <1@x>\n"
        b"Date: Mon, 1 Jan 2024 09:30:00 +0000\nContent-Type: text/plain; charset=x-no-such-charset\n\n"
        b"Birthday party this weekend! Love you xx\n")
    college = tmp_path / "college"
    make_tree(college)
    db = tmp_path / "store.db"
    runs = [run_cli("scan", files, "--format", "jsonl", "--no-progress", "--db", db, "--jobs", 1),
            run_cli("usb", "--mountpoint", files, "--format", "jsonl", "--no-progress", "--jobs", 1),
            run_cli("mail", maildir, "--format", "jsonl", "--no-progress", "--owner-domain", "college.ac.uk"),
            run_cli("retention", college, "--now", NOW, "--format", "jsonl", "--no-progress", "--jobs", 1)]
    # A decision in force, so items carry an `accepted` object and the summary its counts.
    for target, how in ((files / "names.tar", "--not-personal"), (files / os.fsdecode(b"caf\xe9.csv"), "--rule=" + RULE)):
        assert run_cli("accept", target, how, "--reason", "test data", "--db", db).code == 0
    runs.append(run_cli("scan", files, "--format", "jsonl", "--no-progress", "--db", db, "--jobs", 1))
    request = tmp_path / "request.toml"
    request.write_text('nino = "AB123456C"\n', encoding="utf-8")
    runs.append(run_cli("locate", "--request", request, "--db", db, "--format", "jsonl",
                        "--plan-out", tmp_path / "plan.json"))
    found: dict = {}
    for result in runs:
        assert result.code in (0, 1), result
        for record in result.records():
            found.setdefault(record["type"], []).append(record)
    return found


@pytest.mark.parametrize("kind, heading", [
    ("item", '`"type": "item"`'), ("error", '`"type": "error"`'), ("volume", '`"type": "volume"`'),
    ("message", '`"type": "message"`'), ("summary", '`"type": "summary"`'), ("located", '`"type": "located"`'),
    ("locate_summary", '`"type": "located"`')])
def test_every_field_written_is_documented_under_its_record_type(written, kind, heading):
    fields = set().union(*(record.keys() for record in written[kind])) - {"type"}
    assert fields - documented(heading) == set()


def test_locate_brings_out_its_optional_fields(written):
    fields = set().union(*(record.keys() for record in written["located"]))
    assert {"path_bytes", "member", "planned", "not_planned"} <= fields
    assert {r["erasure"] for r in written["located"]} == {"file", "manual"}


def test_non_utf8_names_and_their_bytes_are_documented(written):
    fields = set().union(*(record.keys() for record in written["item"]))
    assert {"path_bytes", "member_bytes"} <= fields
    assert {"path_bytes", "member_bytes"} <= documented('`"type": "item"`')


def test_every_retention_field_is_documented(written):
    retention = [r["retention"] for r in written["item"] if "retention" in r]
    assert retention
    assert set().union(*(r.keys() for r in retention)) - documented("`pdscan retention` items") == set()


def test_every_accepted_field_is_documented(written):
    accepted = [r["accepted"] for r in written["item"] if r.get("accepted")]
    assert {a["status"] for a in accepted} == {"accepted", "not_personal"}
    assert {"accepted", "dismissed"} <= set().union(*(s.keys() for s in written["summary"]))
    assert set().union(*(a.keys() for a in accepted)) <= documented('`"type": "item"`')


def test_every_finding_and_violation_field_is_documented(written):
    findings = [f for r in written["item"] for f in r["findings"]]
    violations = [v for r in written["item"] + written["message"] for v in r["violations"]]
    assert findings and violations
    item = documented('`"type": "item"`')
    assert set().union(*(f.keys() for f in findings), *(v.keys() for v in violations)) <= item

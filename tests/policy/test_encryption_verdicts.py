"""`unencrypted-personal-data` is raised only when the item is readable and neither it nor its
volume is encrypted."""
from __future__ import annotations

import pytest

from pdscan.sources.volumes import Volume

LIST = "Name,NI number,Date of birth\nJo Bloggs,AB 12 34 56 C,01/02/2001\n"


def volume(encrypted):
    return Volume("/dev/sdz1", "/", "ext4", None, False, encrypted, "luks" if encrypted else None)


@pytest.mark.parametrize("encrypted,raised", [(True, False), (False, True), (None, True)])
def test_volume_encryption_decides(cli, tmp_path, monkeypatch, encrypted, raised):
    import pdscan.sources.volumes as volumes
    monkeypatch.setattr(volumes, "volume_for_path", lambda path: volume(encrypted))  # VolumeState's
    (tmp_path / "staff.csv").write_text(LIST)
    result = cli("scan", tmp_path, "--format", "jsonl", "--jobs", "1")
    [item] = [r for r in result.records() if r["type"] == "item"]
    assert item["findings"]
    assert ("unencrypted-personal-data" in [v["rule"] for v in item["violations"]]) is raised
    assert result.code == (1 if raised else 0)


def test_encrypted_file_is_not_read_and_raises_nothing(cli, tmp_path):
    from tests.conftest import FIXTURES
    import shutil
    shutil.copy(FIXTURES / "real" / "encrypted" / "example_password.docx", tmp_path / "staff.docx")
    result = cli("scan", tmp_path, "--format", "jsonl", "--jobs", "1")
    [item] = [r for r in result.records() if r["type"] == "item"]
    assert (item["encrypted"], item["encryption"], item["findings"], item["violations"]) == (True, "ooxml", [], [])


@pytest.mark.parametrize("removable, encrypted, mounted, exposed, verdict, rules", [
    (True, False, True, 0, "PASS", []),
    (True, False, True, 2, "FAIL", ["unencrypted-removable-volume"]),
    (True, None, True, 1, "FAIL", ["unencrypted-removable-volume"]),
    (False, False, True, 1, "FAIL", []),          # a fixed disk: the items' own violations stand alone
    (True, True, False, 0, "PASS", []),
    (True, False, False, 0, "NOT MOUNTED", []),
])
def test_the_volume_verdict_is_the_policys(removable, encrypted, mounted, exposed, verdict, rules):
    from pdscan.config import build
    from pdscan.policy.evaluate import volume_verdict
    got, violations = volume_verdict(removable, encrypted, mounted, exposed, build().policy.rules)
    assert (got, [v.rule for v in violations]) == (verdict, rules)

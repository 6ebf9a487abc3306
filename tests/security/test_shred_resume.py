"""Resuming an interrupted shred believes only sealed audit records, and finishes only
pdscan's own temp file: a forged `start` record must not aim the overwrite elsewhere."""
from __future__ import annotations

import json
import os
import secrets

import pytest

from pdscan.privacy import install_key, key_path
from pdscan.remediate import shred as shred_module
from pdscan.remediate.plan import entry_for
from pdscan.remediate.shred import TEMP_PREFIX, AuditLog, Shredder

OLD = b"Payroll 2018: NI number ZR 77 66 55 B\n"
VICTIM = b"a file nobody planned\n"


@pytest.fixture
def gone(tmp_path):
    """A planned file that has since disappeared from its name, and an audit log."""
    folder = tmp_path / "Payroll"
    folder.mkdir()
    (folder / "payroll-2018.txt").write_bytes(OLD)
    entry = entry_for(str(folder / "payroll-2018.txt"), "payroll", "payroll: 6y", "test")
    os.unlink(folder / "payroll-2018.txt")
    victim = tmp_path / "victim.db"
    victim.write_bytes(VICTIM)
    return entry, victim, AuditLog(str(tmp_path / "audit.jsonl"), install_key(key_path()))


def forge(audit, entry, **fields):
    record = {"time": "2026-12-01T00:00:00.000+00:00", "host": "h", "user": "root", "action": "start",
              "path_hash": audit.path_hash(entry.path), "size": entry.size, "sha256_before": entry.sha256, **fields}
    with open(audit.path, "a", encoding="ascii") as f:
        f.write(json.dumps(record) + "\n")
    os.chmod(audit.path, 0o600)


def test_a_forged_start_record_pointing_at_another_file_leaves_it_intact(gone):
    entry, victim, audit = gone
    forge(audit, entry, temp=str(victim))
    outcome = Shredder(audit, dry_run=False).shred(entry)
    assert victim.read_bytes() == VICTIM
    assert outcome.result == "refused" and "1 audit record(s) for it fail their seal" in outcome.reason


def test_a_sealed_record_naming_a_planted_file_with_another_inode_is_refused(gone):
    entry, victim, audit = gone
    temp = TEMP_PREFIX + secrets.token_hex(8)
    planted = os.path.join(os.path.dirname(entry.path), temp)
    os.link(victim, planted)  # pdscan's own name pattern, but not the file it renamed
    os.unlink(victim)
    st = os.stat(planted)
    audit.write(entry, "start", temp=temp, dev=st.st_dev, ino=st.st_ino + 1)
    outcome = Shredder(audit, dry_run=False).shred(entry)
    assert outcome.result == "refused" and "inode or size differ" in outcome.reason
    with open(planted, "rb") as f:
        assert f.read() == VICTIM


@pytest.mark.parametrize("temp", ["../victim.db", "victim.db", TEMP_PREFIX + "zz" * 8])
def test_a_sealed_record_whose_temp_is_not_pdscans_pattern_is_refused(gone, temp):
    entry, victim, audit = gone
    st = os.stat(victim)
    audit.write(entry, "start", temp=temp, dev=st.st_dev, ino=st.st_ino)
    outcome = Shredder(audit, dry_run=False).shred(entry)
    assert outcome.result == "refused" and "not one pdscan makes" in outcome.reason
    assert victim.read_bytes() == VICTIM


class Killed(BaseException):
    """Stands in for SIGKILL between the rename and the overwrite."""


def test_a_genuinely_interrupted_shred_is_finished(tmp_path, monkeypatch):
    folder = tmp_path / "HR"
    folder.mkdir()
    (folder / "staff-2012.txt").write_bytes(OLD)
    entry = entry_for(str(folder / "staff-2012.txt"), "staff-files", "staff-files: 6y", "test")
    audit = AuditLog(str(tmp_path / "audit.jsonl"), install_key(key_path()))

    def killed(fd, passes):
        raise Killed()

    monkeypatch.setattr(shred_module, "overwrite_fd", killed)
    with pytest.raises(Killed):
        Shredder(audit, dry_run=False).shred(entry)
    [temp] = os.listdir(folder)
    assert temp.startswith(TEMP_PREFIX)
    monkeypatch.undo()
    dry = Shredder(audit, dry_run=True).shred(entry)
    assert dry.result == "would-delete" and dry.reason == "finish an interrupted shred"
    outcome = Shredder(audit, dry_run=False).shred(entry)
    assert outcome.result == "deleted" and outcome.reason == "finished an interrupted shred"
    assert os.listdir(folder) == []
    last = json.loads((tmp_path / "audit.jsonl").read_text().splitlines()[-1])
    assert last["action"] == "done" and last["note"] == "finished an interrupted shred" and "mac" in last

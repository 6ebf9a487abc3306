"""shred --yes acts on the planned file only, even when a folder of its path is swapped for a
symlink while the file is being hashed (the slow step between the check and the unlink)."""
from __future__ import annotations

import os

import pytest

from pdscan.privacy import install_key, key_path
from pdscan.remediate import shred as shred_module
from pdscan.remediate.plan import entry_for, sha256_fd
from pdscan.remediate.shred import TEMP_PREFIX, AuditLog, Shredder

OLD = b"Leaver 2015: Ann Baker, ULN 1234567899\n"
VICTIM = b"root's own file, not in any plan\n"


@pytest.fixture
def layout(tmp_path):
    planned, elsewhere = tmp_path / "HR", tmp_path / "etc-like"
    planned.mkdir()
    elsewhere.mkdir()
    (planned / "old.txt").write_bytes(OLD)
    (elsewhere / "old.txt").write_bytes(VICTIM)  # same name: the swapped path leads here
    entry = entry_for(str(planned / "old.txt"), "learner-records", "learner-records: 6y", "test")
    return tmp_path, entry, AuditLog(str(tmp_path / "audit.jsonl"), install_key(key_path()))


def swap_folder_while_hashing(monkeypatch, planned, moved, target):
    def hashing(fd):
        os.rename(planned, moved)
        os.symlink(target, planned)
        return sha256_fd(fd)

    monkeypatch.setattr(shred_module, "sha256_fd", hashing)


def test_a_folder_swapped_for_a_symlink_mid_hash_deletes_nothing_elsewhere(layout, monkeypatch):
    root, entry, audit = layout
    swap_folder_while_hashing(monkeypatch, root / "HR", root / "HR-moved", root / "etc-like")
    outcome = Shredder(audit, dry_run=False).shred(entry)
    assert (root / "etc-like" / "old.txt").read_bytes() == VICTIM
    assert outcome.result == "refused" and "moved or replaced" in outcome.reason
    assert (root / "HR-moved" / "old.txt").read_bytes() == OLD  # the planned file, kept: the entry was refused
    assert not [n for n in os.listdir(root / "etc-like") if n.startswith(TEMP_PREFIX)]


def test_a_folder_swapped_during_the_overwrite_leaves_the_victim_and_is_reported(layout, monkeypatch):
    root, entry, audit = layout
    real = shred_module.overwrite_fd

    def overwriting(fd, passes):
        real(fd, passes)
        os.rename(root / "HR", root / "HR-moved")
        os.symlink(root / "etc-like", root / "HR")

    monkeypatch.setattr(shred_module, "overwrite_fd", overwriting)
    outcome = Shredder(audit, dry_run=False).shred(entry)
    assert (root / "etc-like" / "old.txt").read_bytes() == VICTIM
    assert outcome.result == "failed" and "not unlinked" in outcome.reason
    [leftover] = os.listdir(root / "HR-moved")  # the planned file, overwritten, under its temp name
    assert leftover.startswith(TEMP_PREFIX) and os.path.getsize(root / "HR-moved" / leftover) == 0


def test_a_symlinked_folder_is_refused_even_if_the_textual_check_is_passed(layout, monkeypatch):
    root, entry, audit = layout
    os.rename(root / "HR", root / "HR-moved")
    os.symlink(root / "etc-like", root / "HR")
    # The swap lands just after path_refusal looked: the walk from / must still see the link.
    monkeypatch.setattr(shred_module, "path_refusal", lambda path: "")
    outcome = Shredder(audit, dry_run=False).shred(entry)
    assert outcome.result == "refused" and "symbolic link" in outcome.reason
    assert (root / "etc-like" / "old.txt").read_bytes() == VICTIM


def test_a_plan_path_through_a_symlink_at_plan_time_is_refused(layout):
    root, entry, audit = layout
    os.symlink(root / "HR", root / "via")
    through = type(entry)(**{**entry.__dict__, "path": str(root / "via" / "old.txt")})
    outcome = Shredder(audit, dry_run=False).shred(through)
    assert outcome.result == "refused" and "symbolic link" in outcome.reason
    assert (root / "HR" / "old.txt").read_bytes() == OLD


def test_the_planned_file_is_still_shredded_when_nothing_moves(layout):
    root, entry, audit = layout
    outcome = Shredder(audit, dry_run=False).shred(entry)
    assert outcome.result == "deleted" and os.listdir(root / "HR") == []
    assert (root / "etc-like" / "old.txt").read_bytes() == VICTIM

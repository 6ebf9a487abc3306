"""Findings 01, 02, 02b: protect/unprotect run as root on a file in a folder its (unprivileged)
owner controls. That user can swap NAME.pdscan-tmp-* for a symlink at any moment; root must
never chmod, chown, utime or rename *through* it. Each test does the swap at the racy moment
the attack script waits for, deterministically, by wrapping the step that runs just before."""
from __future__ import annotations

import os
import stat

import pytest
from Crypto.PublicKey import RSA

from pdscan.errors import ItemError
from pdscan.remediate import protect as procedure
from pdscan.remediate.protect import protect_file, unprotect_file

USER = 4242
PLAIN = b"name,ni\nJohn Smith,AB123456C\n" * 1000

needs_root = pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0,
                                reason="the attack needs root running pdscan in another user's folder")


@pytest.fixture(scope="module")
def key():
    return RSA.generate(2048)


@pytest.fixture
def scene(tmp_path):
    """The attacker's folder (uid 4242) and a root-only file elsewhere standing in for /etc/shadow."""
    folder = tmp_path / "alice"
    folder.mkdir()
    os.chown(folder, USER, USER)
    victim = tmp_path / "victim"
    victim.write_bytes(b"root secret\n")
    os.chmod(victim, 0o600)
    os.utime(victim, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    return folder, victim


def state(path) -> tuple:
    st = os.lstat(path)
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, st.st_mtime_ns, path.read_bytes()


def swap_temp(folder, victim) -> None:
    """What the attacker does: move pdscan's temp file away and put a symlink at its name."""
    [temp] = [n for n in os.listdir(folder) if procedure.TEMP_MARK in n]
    os.rename(folder / temp, folder / "moved-away")
    os.symlink(victim, folder / temp)


def attempt(action, *args) -> str:
    """Run `action`; the refusal's message, or '' if it claimed success."""
    try:
        action(*args)
    except ItemError as exc:
        return str(exc) or type(exc).__name__
    return ""


def user_file(folder, name, data, mode) -> "os.PathLike":
    path = folder / name
    path.write_bytes(data)
    os.chown(path, USER, USER)
    os.chmod(path, mode)
    return path


@needs_root
def test_protect_does_not_chmod_or_chown_through_a_swapped_temp(scene, key, monkeypatch):
    folder, victim = scene
    path = user_file(folder, "students.csv", PLAIN, 0o777)
    before = state(victim)
    real = procedure._verify

    def then_swap(*args):
        real(*args)
        swap_temp(folder, victim)

    monkeypatch.setattr(procedure, "_verify", then_swap)
    refused = attempt(protect_file, path, key.publickey())
    assert state(victim) == before  # not 0777, not the user's
    assert "replaced by someone else" in refused
    assert path.read_bytes() == PLAIN and not path.is_symlink()


@needs_root
def test_protect_swap_at_the_rename_is_detected_and_nothing_followed(scene, key, monkeypatch):
    folder, victim = scene
    path = user_file(folder, "students.csv", PLAIN, 0o640)
    before = state(victim)
    real = os.replace

    def swap_then_replace(src, dst, **dir_fds):
        swap_temp(folder, victim)
        return real(src, dst, **dir_fds)

    monkeypatch.setattr(procedure.os, "replace", swap_then_replace)
    refused = attempt(protect_file, path, key.publickey())
    assert state(victim) == before
    assert "replaced its temporary file" in refused


def protected_by_user(folder, key, damage: bool):
    path = user_file(folder, "marks.csv", PLAIN, 0o644)
    protect_file(path, key.publickey())
    if damage:  # the last tag: unprotect fails only after writing most of the plain text
        data = bytearray(path.read_bytes())
        data[-1] ^= 1
        path.write_bytes(bytes(data))
    os.chown(path, USER, USER)
    return path


@pytest.mark.parametrize("damage", [True, False], ids=["damaged-02", "intact-02b"])
@needs_root
def test_unprotect_does_not_chmod_utime_or_rename_a_swapped_temp(scene, key, monkeypatch, damage):
    folder, victim = scene
    os.chmod(victim, 0o644)  # stands in for /etc/passwd
    path = protected_by_user(folder, key, damage)
    sealed = path.read_bytes()
    before = state(victim)
    real = procedure.read_body

    def swap_then_decrypt(src, out, *rest):
        swap_temp(folder, victim)
        return real(src, out, *rest)

    monkeypatch.setattr(procedure, "read_body", swap_then_decrypt)
    refused = attempt(unprotect_file, path, key)
    assert state(victim) == before  # not 0600 (02), not the header's mtime (02b)
    assert refused
    assert not path.is_symlink() and path.read_bytes() == sealed
    assert (folder / "moved-away").read_bytes() == b""  # the plain text pdscan wrote was overwritten


def test_protect_refuses_a_folder_path_through_a_symlink(tmp_path, key):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "f.txt").write_bytes(PLAIN)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(ItemError, match="symbolic link"):
        protect_file(tmp_path / "link" / "f.txt", key.publickey())
    assert (tmp_path / "real" / "f.txt").read_bytes() == PLAIN

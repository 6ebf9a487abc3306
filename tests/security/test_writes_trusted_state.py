"""State pdscan finds already there is checked before it is trusted: the data folder, the key, old outputs."""
from __future__ import annotations

import os
import stat

import pytest

from pdscan.privacy import KEY_BYTES, install_key
from tests.test_unattended import pdscan as pdscan_child

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX modes and owners")
needs_root = pytest.mark.skipif(os.name == "nt" or os.geteuid() != 0, reason="chown to another user needs root")


@pytest.fixture
def data(tmp_path, monkeypatch):
    path = tmp_path / "data"
    path.mkdir(mode=0o700)
    monkeypatch.setenv("PDSCAN_DATA_DIR", str(path))
    monkeypatch.delenv("PDSCAN_KEY_FILE", raising=False)
    install_key.cache_clear()
    yield path
    install_key.cache_clear()


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# -- the data folder --------------------------------------------------------------------------------------------

@posix_only
@pytest.mark.parametrize("bits", [0o777, 0o770, 0o1777], ids=oct)
def test_a_data_folder_others_can_write_is_refused(cli, folder, data, bits):
    data.chmod(bits)
    result = cli("scan", folder, "--no-progress")
    assert result.code == 2, result
    assert "writable by group or others" in result.err and f"chmod 700 {data}" in result.err
    assert os.listdir(data) == []  # no key made, no store written where others could swap them


@needs_root
def test_a_data_folder_of_another_user_is_refused(cli, folder, data):
    os.chown(data, 4242, 4242)
    result = cli("scan", folder, "--no-progress")
    assert result.code == 2 and "owned by uid 4242" in result.err, result
    assert os.listdir(data) == []


@posix_only
def test_a_data_folder_that_is_a_link_is_refused(cli, folder, tmp_path, data, monkeypatch):
    monkeypatch.setenv("PDSCAN_DATA_DIR", str(tmp_path / "linked"))
    (tmp_path / "linked").symlink_to(data)
    result = cli("scan", folder, "--no-progress")
    assert result.code == 2 and "symbolic link" in result.err, result
    assert os.listdir(data) == []


@posix_only
def test_unattended_logs_and_lock_refuse_an_open_data_folder(folder, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o777)
    done = pdscan_child("scan", folder, "--unattended", data_dir=data)
    assert done.returncode == 2 and "writable by group or others" in done.stderr, done
    assert os.listdir(data) == []


def test_a_missing_data_folder_is_made_private(cli, folder, tmp_path, monkeypatch):
    monkeypatch.setenv("PDSCAN_DATA_DIR", str(tmp_path / "new" / "data"))
    monkeypatch.delenv("PDSCAN_KEY_FILE", raising=False)
    install_key.cache_clear()
    assert cli("scan", folder, "--no-progress").code == 1
    assert mode(tmp_path / "new" / "data") == 0o700
    assert len((tmp_path / "new" / "data" / "hmac.key").read_bytes()) == KEY_BYTES


# -- the key ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"0123456789abcdef", b"k" * (KEY_BYTES + 1)], ids=["empty", "16", "33"])
def test_a_key_of_the_wrong_length_is_refused_not_replaced(cli, folder, data, content):
    key = data / "hmac.key"
    key.write_bytes(content)
    key.chmod(0o600)
    result = cli("scan", folder, "--no-progress", "--format", "jsonl")
    assert result.code == 2, result
    assert f"holds {len(content)} bytes, not {KEY_BYTES}" in result.err and "restore it from a backup" in result.err
    assert result.out == ""  # nothing hashed under the bad key
    assert key.read_bytes() == content  # never silently regenerated: stored hashes would be orphaned


@posix_only
@pytest.mark.parametrize("bits", [0o644, 0o640, 0o666], ids=oct)
def test_a_key_others_can_read_is_refused(cli, folder, data, bits):
    key = data / "hmac.key"
    key.write_bytes(b"k" * KEY_BYTES)
    key.chmod(bits)
    result = cli("scan", folder, "--no-progress")
    assert result.code == 2 and f"chmod 600 {key}" in result.err, result
    assert key.read_bytes() == b"k" * KEY_BYTES


@needs_root
def test_a_key_of_another_user_is_refused(cli, folder, data):
    key = data / "hmac.key"
    key.write_bytes(b"k" * KEY_BYTES)
    key.chmod(0o600)
    os.chown(key, 4242, 4242)
    result = cli("scan", folder, "--no-progress")
    assert result.code == 2 and "owned by uid 4242" in result.err, result


@posix_only
def test_a_key_that_is_a_link_is_refused(cli, folder, data, tmp_path):
    real = tmp_path / "elsewhere.key"
    real.write_bytes(b"k" * KEY_BYTES)
    real.chmod(0o600)
    (data / "hmac.key").symlink_to(real)
    result = cli("scan", folder, "--no-progress")
    assert result.code == 2 and "symbolic link" in result.err, result


def test_a_missing_key_is_created_once_and_then_reused(cli, folder, data):
    assert cli("scan", folder, "--no-progress").code == 1
    key = (data / "hmac.key").read_bytes()
    assert len(key) == KEY_BYTES and mode(data / "hmac.key") == 0o600
    install_key.cache_clear()
    assert cli("scan", folder, "--no-progress").code == 1
    assert (data / "hmac.key").read_bytes() == key
    assert sorted(os.listdir(data)) == ["hmac.key", "pdscan.db"]  # no temporary name left behind


# -- outputs that already exist ---------------------------------------------------------------------------------

@posix_only
def test_an_existing_output_ends_owner_only(cli, folder, tmp_path):
    out = tmp_path / "results.jsonl"
    out.write_text("old results\n")
    out.chmod(0o666)
    assert cli("scan", folder, "--no-progress", "--format", "jsonl", "--output", out).code == 1
    assert mode(out) == 0o600 and "old results" not in out.read_text()


@posix_only
def test_an_existing_log_and_report_end_owner_only(cli, folder, tmp_path):
    log, report, db = tmp_path / "scan.log", tmp_path / "report.html", tmp_path / "s.db"
    for path in (log, report, db):
        path.write_text("")
        path.chmod(0o644)
    assert cli("scan", folder, "--no-progress", "--log-file", log, "--db", db).code == 1
    assert cli("report", "--db", db, "--format", "html", "--output", report).code == 0
    assert [mode(log), mode(report), mode(db)] == [0o600, 0o600, 0o600]


@posix_only
def test_shred_default_audit_log_refuses_an_open_data_folder(data, tmp_path):
    from tests.commands.college import NOW, make_tree, run, tree_state

    root, plan = tmp_path / "college", tmp_path / "plan.json"
    make_tree(root)
    assert run("retention", root, "--now", NOW, "--jobs", 1, "--plan-out", plan).code == 1
    before = tree_state(root)
    data.chmod(0o777)
    result = run("shred", "--plan", plan, "--yes")
    assert result.code == 2 and "writable by group or others" in result.err, result
    assert tree_state(root) == before  # nothing deleted without an audit trail we can trust
    assert not (data / "shred-audit.jsonl").exists()

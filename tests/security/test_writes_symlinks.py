"""Every file pdscan writes refuses a symbolic link planted at its name (exit 2, the target untouched).

pdscan runs as root; --output, --log-file, the run lock, the store, a report and
`schedule --install` may all name a file in a folder other users can write.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

from pdscan.commands.schedule import TASK
from tests.test_unattended import pdscan as pdscan_child

KEEP = "the victim's own content\n"


@pytest.fixture
def victim(tmp_path):
    path = tmp_path / "victim"
    path.write_text(KEEP)
    path.chmod(0o644)
    return path


def plant(link, victim):
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(victim)
    return link


def refused(result, victim):
    assert result.code == 2, result
    assert "symbolic link" in result.err and "Traceback" not in result.err, result
    assert victim.read_text() == KEEP
    assert oct(victim.stat().st_mode & 0o777) == oct(0o644)


def test_output_link_is_refused_for_scan(cli, folder, tmp_path, victim):
    refused(cli("scan", folder, "--no-progress", "--output", plant(tmp_path / "out.txt", victim)), victim)


def test_output_link_is_refused_for_retention(cli, folder, tmp_path, victim):
    refused(cli("retention", folder, "--no-progress", "--output", plant(tmp_path / "out.txt", victim)), victim)


def test_log_file_link_is_refused(cli, folder, tmp_path, victim):
    refused(cli("scan", folder, "--no-progress", "--log-file", plant(tmp_path / "scan.log", victim)), victim)


def test_store_link_is_refused(cli, folder, tmp_path, victim):
    refused(cli("scan", folder, "--no-progress", "--db", plant(tmp_path / "shared.db", victim)), victim)


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_a_link_beside_the_store_is_refused(cli, folder, tmp_path, victim, suffix):
    # SQLite opens these by name beside the store, following a link there.
    plant(tmp_path / f"shared.db{suffix}", victim)
    refused(cli("scan", folder, "--no-progress", "--db", tmp_path / "shared.db"), victim)


def test_report_output_link_is_refused(cli, folder, tmp_path, victim):
    db = tmp_path / "store.db"
    assert cli("scan", folder, "--no-progress", "--db", db).code == 1
    for fmt in ("html", "xlsx"):
        result = cli("report", "--db", db, "--format", fmt, "--output", plant(tmp_path / f"r.{fmt}", victim))
        refused(result, victim)
    assert not [name for name in os.listdir(tmp_path) if ".pdscan-tmp-" in name]


def test_schedule_install_refuses_a_linked_unit_file(cli, tmp_path, victim, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    plant(tmp_path / "config" / "systemd" / "user" / f"{TASK}.service", victim)
    refused(cli("schedule", "--print", "systemd", "--install", "--", str(tmp_path)), victim)


# -- the lock, in a child: --unattended lowers the priority of the process it runs in ----------------------------

def test_run_lock_link_beside_the_store_is_refused(folder, tmp_path, victim):
    plant(tmp_path / "shared.db.lock", victim)
    done = pdscan_child("scan", folder, "--unattended", "--db", tmp_path / "shared.db", data_dir=tmp_path / "data")
    assert done.returncode == 2 and "symbolic link" in done.stderr, done
    assert victim.read_text() == KEEP


def test_default_run_lock_link_is_refused(folder, tmp_path, victim):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    plant(data / "scan.lock", victim)
    done = pdscan_child("scan", folder, "--unattended", data_dir=data)
    assert done.returncode == 2 and "symbolic link" in done.stderr, done
    assert victim.read_text() == KEEP


# -- planted by another user in a sticky shared folder (like /tmp) --------------------------------------------

needs_root = pytest.mark.skipif(os.name == "nt" or os.geteuid() != 0 or not shutil.which("setpriv"),
                                reason="needs root and setpriv to act as a second, unprivileged user")
ATTACKER = 4242


@pytest.fixture
def sticky():
    """A world-writable sticky folder other users can reach (pytest's tmp_path is 0700)."""
    path = tempfile.mkdtemp(prefix="pdscan-sticky-", dir="/tmp")
    os.chmod(path, 0o1777)
    yield path
    shutil.rmtree(path)


def as_attacker(*cmd):
    subprocess.run(["setpriv", f"--reuid={ATTACKER}", f"--regid={ATTACKER}", "--clear-groups", *cmd],
                   check=True, capture_output=True, timeout=30)


@needs_root
@pytest.mark.parametrize("option", ["--output", "--log-file", "--db"])
def test_root_refuses_a_link_another_user_planted(cli, folder, sticky, victim, option):
    name = os.path.join(sticky, "results")
    as_attacker("ln", "-s", str(victim), name)
    refused(cli("scan", folder, "--no-progress", option, name), victim)


@needs_root
@pytest.mark.parametrize("option", ["--output", "--log-file", "--db"])
def test_root_refuses_a_file_another_user_made(cli, folder, sticky, option):
    # Not a link, but theirs: they could read what root writes, or have planted content.
    name = os.path.join(sticky, "results")
    as_attacker("sh", "-c", f"echo planted > {name}")
    result = cli("scan", folder, "--no-progress", option, name)
    assert result.code == 2 and f"owned by uid {ATTACKER}" in result.err, result
    with open(name) as f:
        assert f.read() == "planted\n"


def test_report_refuses_a_link_planted_beside_the_store(tmp_path):
    """Read-only as it is, SQLite may create the store's -shm by name: a link there is refused."""
    import subprocess
    import sys
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.csv").write_text("Name,NI number\nJo Bloggs,AB 12 34 56 C\n")
    store = tmp_path / "s.db"
    env = {**os.environ, "PDSCAN_DATA_DIR": str(tmp_path / "pdscan")}
    subprocess.run([sys.executable, "-m", "pdscan", "scan", str(folder), "--db", str(store), "--no-progress"],
                   env=env, capture_output=True, check=False)
    for suffix in ("-wal", "-shm"):
        if os.path.lexists(f"{store}{suffix}"):
            os.unlink(f"{store}{suffix}")
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    os.symlink(victim, f"{store}-shm")
    done = subprocess.run([sys.executable, "-m", "pdscan", "report", "--db", str(store), "--format", "json",
                           "--output", str(tmp_path / "r.json")], env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "symbolic link" in done.stderr
    assert victim.read_bytes() == b"keep"

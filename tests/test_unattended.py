"""Unattended scans: the run lock, low priority, --max-rate and the rotating log file."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time

import pytest

from pdscan.errors import PdscanError
from pdscan.unattended import run_lock

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")
NI = "AB 12 34 56 C"

posix_only = pytest.mark.skipif(os.name == "nt", reason="flock and niceness are POSIX")


def pdscan(*args, data_dir):
    """`python -m pdscan ARGS` in a child: --unattended lowers the priority of the process it runs in."""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PDSCAN_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "pdscan", *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "docs"
    path.mkdir()
    (path / "list.csv").write_text(f"Name,NI number\nJo Bloggs,{NI}\n")
    return path


@posix_only
def test_a_second_scan_refuses_while_the_lock_is_held_then_runs(folder, tmp_path):
    data = tmp_path / "data"
    with run_lock(data / "scan.lock"):
        blocked = pdscan("scan", folder, "--unattended", data_dir=data)
        assert blocked.returncode == 2, blocked
        assert f"another pdscan scan is running (lock {data / 'scan.lock'} held by pid {os.getpid()}); " \
               "not starting a second one" in blocked.stderr
        assert blocked.stdout == ""
    assert stat.S_IMODE(os.stat(data / "scan.lock").st_mode) == 0o600
    done = pdscan("scan", folder, "--unattended", data_dir=data)
    assert done.returncode == 1, done  # the NI number in a plain file is a violation
    assert done.stderr == ""  # no progress bar, no messages: the log file has them


def test_the_lock_follows_the_store(folder, tmp_path, cli):
    db = tmp_path / "other.db"
    with run_lock(f"{db}.lock"):
        result = cli("scan", folder, "--unattended", "--db", db, "--no-progress")
    assert result.code == 2 and f"lock {db}.lock held by pid" in result.err


def test_run_lock_refuses_a_second_holder_in_the_same_process(tmp_path):
    lock = tmp_path / "scan.lock"
    with run_lock(lock):
        with pytest.raises(PdscanError, match="another pdscan scan is running"):
            with run_lock(lock):
                pass
    with run_lock(lock):  # released
        pass


@posix_only
def test_the_log_file_is_private_and_has_start_and_end_but_no_values(folder, tmp_path):
    data = tmp_path / "data"
    result = pdscan("scan", folder, "--unattended", "--format", "jsonl", data_dir=data)
    assert result.returncode == 1, result
    log = data / "logs" / "pdscan.log"
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
    text = log.read_text()
    assert "scan started: roots" in text and str(folder) in text
    assert "scan finished: exit 1, files 1" in text and "errors 0" in text
    for form in (NI, NI.replace(" ", ""), "123456"):
        assert form not in text


def test_log_file_option_without_unattended(folder, tmp_path, cli):
    log = tmp_path / "logs" / "my.log"
    result = cli("scan", folder, "--log-file", log, "--no-progress", "--jobs", "1")
    assert result.code == 1, result
    lines = log.read_text().splitlines()
    assert [("scan started" in lines[0]), ("scan finished" in lines[-1])] == [True, True]
    assert NI not in log.read_text()


@posix_only
def test_lower_priority_sets_niceness_19():
    code = "import os; from pdscan.unattended import lower_priority; lower_priority(); print(os.nice(0))"
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "19"


@pytest.mark.slow
def test_max_rate_throttles_reads(tmp_path, cli):
    folder = tmp_path / "big"
    folder.mkdir()
    line = "the quick brown fox jumps over the lazy dog, nothing personal here\n"
    for i in range(6):
        (folder / f"part{i}.txt").write_text(line * (1024 * 1024 // len(line) + 1))
    started = time.monotonic()
    result = cli("scan", folder, "--max-rate", "2", "--jobs", "2", "--no-progress", "--format", "jsonl")
    elapsed = time.monotonic() - started
    assert result.code == 0, result
    assert elapsed >= 2.0  # 6 MB at 2 MB/s: about 3 s
    # Unthrottled again afterwards: the in-process scan restored the rate.
    from pdscan import throttle
    assert not throttle.active()


def test_max_rate_single_process_restores_the_rate(tmp_path, cli):
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "a.txt").write_text("x" * 300_000)
    started = time.monotonic()
    result = cli("scan", folder, "--max-rate", "0.5", "--jobs", "1", "--no-progress")
    assert result.code == 0, result
    assert time.monotonic() - started >= 0.4  # 0.29 MB at 0.5 MB/s
    from pdscan import throttle
    assert not throttle.active()


def test_max_rate_must_be_a_non_negative_number(folder, cli):
    assert cli("scan", folder, "--max-rate", "-1").code == 2
    assert cli("scan", folder, "--max-rate", "fast").code == 2


@posix_only
def test_unattended_scan_sets_a_damaged_default_store_aside_and_logs_it(folder, tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "pdscan.db").write_text("not a database\n" * 100)
    done = pdscan("scan", folder, "--unattended", "--format", "jsonl", data_dir=data)
    assert done.returncode == 1, done  # scanned and judged, not stopped by the store
    assert any(r.get("violations") for r in map(json.loads, done.stdout.splitlines()))
    kept = [name for name in os.listdir(data) if name.startswith("pdscan.db.damaged-")
            and not name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and (data / kept[0]).read_text() == "not a database\n" * 100
    assert f"is damaged (file is not a database); it is kept unchanged as {data / kept[0]}" in done.stderr
    log = (data / "logs" / "pdscan.log").read_text()
    assert "WARNING" in log and f"kept unchanged as {data / kept[0]}" in log
    assert "scan finished: exit 1" in log

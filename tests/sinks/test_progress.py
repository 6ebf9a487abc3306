"""The progress bar appears on a terminal's stderr, and never in a pipe or a file."""
from __future__ import annotations

import os
import pty
import subprocess
import sys


def run_with_stderr(stderr, path):
    return subprocess.run([sys.executable, "-m", "pdscan", "scan", str(path), "--format", "jsonl", "--jobs", "1"],
                          stdout=subprocess.PIPE, stderr=stderr, timeout=120)


def test_no_progress_output_when_stderr_is_a_pipe(tmp_path):
    (tmp_path / "a.txt").write_text("hello\n")
    done = run_with_stderr(subprocess.PIPE, tmp_path)
    assert done.returncode == 0 and done.stderr == b""


def test_progress_bar_on_a_terminal_shows_files_and_bytes(tmp_path):
    for n in range(3):
        (tmp_path / f"{n}.txt").write_text("hello\n" * 1000)
    leader, follower = pty.openpty()
    try:
        done = run_with_stderr(follower, tmp_path)
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    text = seen.decode("utf-8", "replace")
    assert "scanning" in text and "files" in text and "B/s" in text
    assert b'"type": "summary"' in done.stdout        # results stay on stdout, untouched by the bar

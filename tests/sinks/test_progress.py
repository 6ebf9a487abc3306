"""The progress bar appears on a terminal's stderr, on its own line, and never in a pipe or a file."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import zipfile


def run_with_stderr(stderr, path):
    return subprocess.run([sys.executable, "-m", "pdscan", "scan", str(path), "--format", "jsonl", "--jobs", "1"],
                          stdout=subprocess.PIPE, stderr=stderr, timeout=120)


def test_no_progress_output_when_stderr_is_a_pipe(tmp_path):
    (tmp_path / "a.txt").write_text("hello\n")
    done = run_with_stderr(subprocess.PIPE, tmp_path)
    assert done.returncode == 0 and done.stderr == b""


def on_a_terminal(path, *args, stdout=subprocess.PIPE, columns: int = 0):
    """`pdscan scan PATH ARGS` with stderr on a new terminal (stdout too when `stdout` is None);
    the finished process and every byte the terminal received."""
    leader, follower = pty.openpty()
    if columns:  # a new pseudo-terminal is 0 by 0 until someone sets its size
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    try:
        done = subprocess.run([sys.executable, "-m", "pdscan", "scan", str(path), "--jobs", "1", *args],
                              stdout=follower if stdout is None else stdout, stderr=follower, timeout=120)
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
    return done, seen


def test_progress_bar_on_a_terminal_shows_files_and_bytes(tmp_path):
    for n in range(3):
        (tmp_path / f"{n}.txt").write_text("hello\n" * 1000)
    done, seen = on_a_terminal(tmp_path, "--format", "jsonl")
    assert done.returncode == 0
    text = seen.decode("utf-8", "replace")
    assert "scanning" in text and "files" in text and "B/s" in text
    assert b'"type": "summary"' in done.stdout        # results stay on stdout, untouched by the bar


def screen(raw: bytes) -> list:
    """The lines a terminal shows for `raw`: CR returns to the line's start and text overwrites."""
    lines, line, col = [], [], 0
    for ch in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw.decode("utf-8", "replace")):
        if ch == "\n":
            lines.append("".join(line).rstrip())
            line, col = [], 0
        elif ch == "\r":
            col = 0
        else:
            line[col:col + 1] = [ch]
            col += 1
    return lines + ["".join(line).rstrip()]


def test_results_never_share_a_line_with_the_bar_and_the_bar_ends_at_100(tmp_path):
    for n in range(12):
        (tmp_path / f"list{n:02}.csv").write_text("Name,NI number\nJo Bloggs,AB 12 34 56 C\n" * (n + 1))
        (tmp_path / f"notes{n:02}.txt").write_text("Monday: Maths\n" * 2000)
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as z:
        z.writestr("inner.csv", "Name,NI number\nJo Bloggs,AB 12 34 56 C\n")
    done, raw = on_a_terminal(tmp_path, stdout=None, columns=120)  # as a technician runs it
    assert done.returncode == 1
    lines = screen(raw)
    results = [line for line in lines if str(tmp_path) in line or "uk.nino" in line]
    assert len([line for line in results if ".csv  [" in line]) == 13
    assert not [line for line in results if "scanning" in line]
    frames = re.findall(r"scanning:\s+(\d+)%", raw.decode("utf-8", "replace"))
    assert frames and frames[-1] == "100"
    assert any(line.startswith("Violations: unencrypted-personal-data") for line in lines)

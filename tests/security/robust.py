"""Shared by the test_robust_* files: run pdscan as a user would, and hostile inputs built in the test."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

NI_TEXT = "Student record: NI number AB 12 34 56 C\n"


def run_pdscan(tmp_path, *args, timeout=120) -> tuple:
    """`pdscan ARGS --format jsonl` in a fresh interpreter (its own stack and recursion limit):
    the completed process and its records."""
    env = dict(os.environ, PDSCAN_KEY_FILE=str(tmp_path / "key"))
    out = subprocess.run([sys.executable, "-m", "pdscan", *map(str, args), "--format", "jsonl", "--no-progress"],
                         capture_output=True, text=True, env=env, timeout=timeout)
    return out, [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def nested_multipart(depth: int, text: str, message_id: str = "<bomb@evil.example>") -> bytes:
    """A message of `depth` multiparts, each the only part of the one above, with `text` at the bottom."""
    lines = [b"From: Mallory <mallory@evil.example>", b"To: office@college.ac.uk", b"Subject: invoice",
             b"Message-ID: " + message_id.encode(), b"MIME-Version: 1.0",
             b'Content-Type: multipart/mixed; boundary="b0"', b""]
    for level in range(1, depth):
        lines += [b"--b%d" % (level - 1), b'Content-Type: multipart/mixed; boundary="b%d"' % level, b""]
    lines += [b"--b%d" % (depth - 1), b"Content-Type: text/plain", b"", text.encode()]
    lines += [b"--b%d--" % level for level in reversed(range(depth))]
    return b"\r\n".join(lines) + b"\r\n"


def make_chain(top: str, depth: int, name: str = "d", beside=()) -> list:
    """`top` and `depth` folders each inside the last (with the folders `beside` in each),
    made without recursion: os.makedirs would hit the recursion limit itself."""
    folders = [top]
    os.mkdir(top)
    for level in range(depth + 1):
        for other in beside:
            os.mkdir(os.path.join(folders[-1], other))
        if level < depth:
            folders.append(os.path.join(folders[-1], name))
            os.mkdir(folders[-1])
    return folders


def remove_chain(folders: list) -> None:
    """Undo make_chain from the bottom up (shutil.rmtree on the top would recurse 1,000 deep)."""
    for folder in reversed(folders):
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)  # shallow: the deeper chain is gone already
            else:
                os.unlink(entry.path)
        os.rmdir(folder)

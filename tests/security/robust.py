"""Shared by the test_robust_* files: run pdscan as a user would, and hostile inputs built in the test."""
from __future__ import annotations

import json
import os
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

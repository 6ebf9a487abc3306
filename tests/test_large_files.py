"""Large inputs: memory stays bounded whatever the file size; odd sizes are handled."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

GiB = 1024 ** 3
LINE = b"2024-03-01 10:00:01 INFO enrolment batch processed for course ENG-L3, room B12, ok\n"
PEAK_LIMIT_MB = 300

# Runs the scan as the only child of a fresh interpreter, so ru_maxrss is the scan's own peak.
MEASURE = """
import json, resource, subprocess, sys
out = subprocess.run(sys.argv[1:], capture_output=True)
print(json.dumps({"code": out.returncode, "stdout": out.stdout.decode(), "stderr": out.stderr.decode()[-2000:],
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def scan_measured(path, *args):
    cmd = [sys.executable, "-c", MEASURE, sys.executable, "-m", "pdscan", "scan", str(path),
           "--format", "jsonl", "--no-progress", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=os.environ)
    result = json.loads(done.stdout)
    records = [json.loads(line) for line in result["stdout"].splitlines()]
    return result, records


@pytest.fixture(scope="module")
def big_text(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "server.log"
    block = LINE * (4 * 1024 * 1024 // len(LINE))
    with open(path, "wb") as f:
        f.write(b"Contact: NI number AB 12 34 56 C\n")
        while f.tell() < GiB:
            f.write(block)
        f.write(b"last line: NI number CE 11 22 33 D\n")
    yield path
    path.unlink()


@pytest.mark.slow
def test_1gb_text_file_scans_in_bounded_memory(big_text):
    result, records = scan_measured(big_text, "--jobs", "1")
    assert result["code"] == 1, result["stderr"]
    [item] = [r for r in records if r["type"] == "item"]
    [nino] = [f for f in item["findings"] if f["detector"] == "uk.nino"]
    assert nino["count"] == 2                      # the first and the very last line both seen
    peak_mb = result["peak_kb"] / 1024
    assert peak_mb < PEAK_LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"


def test_1gb_sparse_file_and_empty_file(tmp_path):
    sparse = tmp_path / "disk.img"
    with open(sparse, "wb") as f:
        f.truncate(GiB)
    (tmp_path / "empty.txt").write_bytes(b"")
    result, records = scan_measured(tmp_path, "--jobs", "1")
    assert result["code"] == 0, result["stderr"]
    items = {os.path.basename(r["path"]): r for r in records if r["type"] == "item"}
    assert items["disk.img"]["size"] == GiB and items["disk.img"]["findings"] == []
    assert items["empty.txt"]["size"] == 0 and items["empty.txt"]["mime"] == "inode/x-empty"
    assert result["peak_kb"] / 1024 < PEAK_LIMIT_MB

"""One payload, every format: scanning fixtures/formats/ finds what EXPECTED.json says.

EXPECTED.json is written by fixtures/make_formats.py from the payload
definition; see that script's docstring for what each field means.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "fixtures" / "formats"
EXPECTED = json.loads((FORMATS / "EXPECTED.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """Scan the folder once; per file name: max count per detector, members seen, error records."""
    out = tmp_path_factory.mktemp("formats") / "scan.jsonl"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-m", "pdscan", "scan", str(FORMATS), "--format", "jsonl",
                           "--no-progress", "--output", str(out)], env=env, capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    found = defaultdict(lambda: {"counts": {}, "members": set(), "errors": []})
    for line in out.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["type"] not in ("item", "error"):
            continue
        entry = found[Path(record["path"]).name]
        if record["type"] == "error":
            entry["errors"].append((record["member"], record["error"]))
            continue
        if record["member"]:
            entry["members"].add(record["member"])
        for finding in record["findings"]:
            counts = entry["counts"]
            counts[finding["detector"]] = max(counts.get(finding["detector"], 0), finding["count"])
    return found


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_format_finds_expected(scanned, name):
    expect, got = EXPECTED[name], scanned[name]
    problems = {
        "errors": got["errors"],
        "missing": [d for d in expect["find"] if d not in got["counts"]],
        "unexpected": [d for d in expect["not_find"] if d in got["counts"]],
        "counts (want, got)": {d: (n, got["counts"].get(d)) for d, n in expect["max_count"].items()
                               if got["counts"].get(d) != n},
        "members missing": sorted(set(expect.get("members", ())) - got["members"]),
    }
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, f"{name}: {problems}\nfound: {got['counts']}"

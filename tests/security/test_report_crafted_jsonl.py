"""`report --from` a JSONL file an endpoint could have crafted: refused clearly, never a crash.

The attack: one endpoint's JSONL with a field of the wrong type (`"findings": "x"`, a
volume whose device is a list) made `report` fail for every source with "internal
error", and the xlsx writer left tracebacks on stderr. A file or member name with a
control character (BEL is a legal file name byte) did the same to xlsx.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import openpyxl
import pytest


def pdscan(tmp_path, *args):
    env = dict(os.environ, PDSCAN_KEY_FILE=str(tmp_path / "key"))
    return subprocess.run([sys.executable, "-m", "pdscan", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.fixture
def records(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    (share / "pupils.txt").write_text("Name: Mary Jones\nNI number: AB 65 43 21 D\nNI: JG 10 37 52 A\n")
    out = pdscan(tmp_path, "scan", share, "--format", "jsonl", "--no-progress", "--jobs", "1",
                 "--db", tmp_path / "s.db")
    assert out.returncode == 1, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def jsonl(path, records) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


@pytest.mark.parametrize("fmt, bad", [
    ("html", {"findings": "x"}),
    ("xlsx", {"type": "volume", "device": [1], "encrypted": "x"}),
    ("json", {"violations": [{"rule": ["x"], "severity": "high"}]}),
])
def test_a_wrong_typed_field_is_refused_naming_file_and_line(tmp_path, records, fmt, bad):
    good = jsonl(tmp_path / "good.jsonl", records)
    item = next(r for r in records if r["type"] == "item")
    crafted = jsonl(tmp_path / "crafted.jsonl", [records[-1], {**item, **bad}, records[-1]])
    out = pdscan(tmp_path, "report", "--format", fmt, "--output", tmp_path / f"r.{fmt}", "--from", good,
                 "--from", crafted)
    assert out.returncode == 2, out
    assert f"{crafted}: line 2 " in out.stderr, out.stderr
    assert "internal error" not in out.stderr and "Traceback" not in out.stderr, out.stderr


def test_xlsx_of_a_file_named_with_a_control_character(tmp_path, records):
    item = next(r for r in records if r["type"] == "item" and r["violations"])
    named = jsonl(tmp_path / "named.jsonl", [{**item, "path": "/srv/a\x07b.txt", "member": "m\x01"}, records[-1]])
    out = pdscan(tmp_path, "report", "--format", "xlsx", "--output", tmp_path / "r.xlsx", "--from", named)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr, out.stderr
    cells = [c for sheet in openpyxl.load_workbook(tmp_path / "r.xlsx")
             for row in sheet.iter_rows(values_only=True) for c in row]
    assert "/srv/a\\x07b.txt" in cells and "m\\x01" in cells

"""Hostile folder shapes: trees deeper than Python's recursion limit, a link chain with 2**16 paths."""
from __future__ import annotations

import os

import pytest

from .robust import NI_TEXT, make_chain, remove_chain, run_pdscan


def run_scan(tmp_path, *args, timeout=120) -> tuple:
    return run_pdscan(tmp_path, "scan", "--jobs", "1", *args, timeout=timeout)


@pytest.fixture
def deep_tree(tmp_path):
    folders = make_chain(str(tmp_path / "deep"), 1000)
    yield folders
    remove_chain(folders)


def test_thousand_nested_folders_are_walked_and_the_file_at_the_bottom_found(tmp_path, deep_tree):
    path = os.path.join(deep_tree[-1], "pupils.txt")
    with open(path, "w") as f:
        f.write(NI_TEXT)
    out, records = run_scan(tmp_path, deep_tree[0])
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 1, out.stderr  # a violation, not a crash
    [item] = [r for r in records if r["type"] == "item"]
    assert item["path"] == path
    assert [f["detector"] for f in item["findings"]] == ["uk.nino"]
    assert [r for r in records if r["type"] == "error"] == []


def test_link_chain_with_two_links_per_folder_scans_the_file_once(tmp_path):
    # c0/{a,b} -> c1, c1/{a,b} -> c2, ... c15/{a,b} -> c16: 2**16 paths lead to c16/pupils.txt.
    chain = tmp_path / "chain"
    chain.mkdir()
    for n in range(17):
        (chain / f"c{n}").mkdir()
    for n in range(16):
        for name in ("a", "b"):
            os.symlink(f"../c{n + 1}", chain / f"c{n}" / name)
    (chain / "c16" / "pupils.txt").write_text(NI_TEXT)
    out, records = run_scan(tmp_path, "--follow-symlinks", chain / "c0", timeout=60)
    assert out.returncode == 1, out.stderr
    items = [r for r in records if r["type"] == "item"]
    assert len(items) == 1, f"{len(items)} item records"
    assert items[0]["path"] == str(chain / "c0" / ("a/" * 16) / "pupils.txt").replace("//", "/")
    assert records[-1]["skipped"] == {"already walked through another link": 16}


def test_thousand_nested_maildirs_are_read_to_the_bottom(tmp_path):
    folders = make_chain(str(tmp_path / "Maildir"), 1000, name="s", beside=("cur", "new", "tmp"))
    try:
        with open(os.path.join(folders[-1], "cur", "1.msg:2,S"), "w") as f:
            f.write(f"From: Alice <alice@college.ac.uk>\nTo: bob@college.ac.uk\nSubject: form\n\n{NI_TEXT}")
        out, records = run_pdscan(tmp_path, "mail", folders[0])
    finally:
        remove_chain(folders)
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 1, out.stderr
    [message] = [r for r in records if r["type"] == "message"]
    assert message["folder"] == "/".join(["s"] * 1000)
    assert "uk.nino" in [f["detector"] for f in message["findings"]]

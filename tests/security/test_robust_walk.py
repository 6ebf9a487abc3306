"""Hostile folder shapes: a tree deeper than Python's recursion limit, a link chain with 2**16 paths."""
from __future__ import annotations

import os

import pytest

from .robust import NI_TEXT, run_pdscan


def run_scan(tmp_path, *args, timeout=120) -> tuple:
    return run_pdscan(tmp_path, "scan", "--jobs", "1", *args, timeout=timeout)


@pytest.fixture
def deep_tree(tmp_path):
    """1,000 nested folders, built and removed without recursion (os.makedirs and
    shutil.rmtree would hit the recursion limit themselves)."""
    folders = [str(tmp_path / "deep")]
    os.mkdir(folders[0])
    for _ in range(1000):
        folders.append(os.path.join(folders[-1], "d"))
        os.mkdir(folders[-1])
    yield folders
    for folder in reversed(folders):
        for name in os.listdir(folder):
            if not os.path.isdir(os.path.join(folder, name)):
                os.unlink(os.path.join(folder, name))
        os.rmdir(folder)


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

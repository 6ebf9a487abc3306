"""The committed fixtures are exactly what their generators produce.

Regenerating into a temporary folder must give byte-identical files, so a
fixture cannot be edited by hand (or drift from its payload) unnoticed.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# (generator, the folder it writes, and when it shares that folder, the names it writes there)
GENERATORS = [("make_formats.py", "formats", None), ("make_demo.py", "demo", None),
              ("mail/make_recall.py", "mail", ("recall/", "recall-labels.tsv")),
              ("mail/make_sent_outside.py", "mail", ("sent-outside/",))]


def _files(folder: Path, only=None):
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return [n for n in names if only is None or any(n == o or (o.endswith("/") and n.startswith(o)) for o in only)]


@pytest.mark.parametrize("script,folder,only", GENERATORS, ids=[g[0] for g in GENERATORS])
def test_generator_reproduces_committed_files(tmp_path, script, folder, only):
    subprocess.run([sys.executable, str(FIXTURES / script), "--out", str(tmp_path)], check=True)
    committed = FIXTURES / folder
    assert _files(tmp_path) == _files(committed, only)
    changed = [name for name in _files(committed, only) if not _same(tmp_path / name, committed / name)]
    assert changed == [], f"regenerate with: python fixtures/{script}"


def _same(new: Path, old: Path) -> bool:
    """Byte-identical; spreadsheets written through openpyxl/ezodf compare by their cells,
    since another version of those writers may lay out the same cells differently."""
    if new.read_bytes() == old.read_bytes():
        return True
    if new.suffix in (".xlsx", ".ods"):
        import pyexcel
        return pyexcel.get_book_dict(file_name=str(new)) == pyexcel.get_book_dict(file_name=str(old))
    return False


def test_expected_covers_every_format_fixture():
    folder = FIXTURES / "formats"
    expected = json.loads((folder / "EXPECTED.json").read_text(encoding="utf-8"))
    assert sorted(expected) == [name for name in _files(folder) if name != "EXPECTED.json"]
    for name, entry in expected.items():
        assert not set(entry["find"]) & set(entry["not_find"]), name
        assert set(entry["max_count"]) <= set(entry["find"]), name


def test_formats_folder_stays_small():
    assert sum(p.stat().st_size for p in (FIXTURES / "formats").iterdir()) < 1_000_000

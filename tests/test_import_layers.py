"""Imports run down the house, never up it.

- No command (and not the watch engine) imports a command: what commands share lives below
  them (options.py, outputs.py, schedulers/, volume_check.py, hooks/).
- sniff (stage 2) imports nothing from extract (stage 4): the magic numbers and MIME names both
  use are in formats/.
- policy imports nothing from extract or sources.
- formats/, the ground floor, imports nothing from the rest of pdscan.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "pdscan"
KNOWN: set = set()   # (file, room) pairs allowed to reach up: none


def _imported(path: Path) -> set:
    """Absolute module names a file imports (relative imports resolved against its package)."""
    package = ["pdscan", *path.relative_to(SRC).parent.parts]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _reaching(path: Path, rooms) -> set:
    name = path.relative_to(SRC).as_posix()
    return {m for m in _imported(path) for room in rooms
            if (m == room or m.startswith(room + ".")) and (name, room) not in KNOWN}


@pytest.mark.parametrize("path", sorted(SRC.glob("commands/*.py")) + [SRC / "watch.py"], ids=lambda p: p.name)
def test_commands_and_watch_import_no_command(path):
    assert _reaching(path, ["pdscan.commands"]) == set()


def test_sniff_imports_nothing_from_extract():
    assert _reaching(SRC / "sniff.py", ["pdscan.extract"]) == set()


@pytest.mark.parametrize("path", sorted(SRC.glob("policy/*.py")), ids=lambda p: p.name)
def test_policy_imports_nothing_from_extract_or_sources(path):
    assert _reaching(path, ["pdscan.extract", "pdscan.sources"]) == set()


@pytest.mark.parametrize("path", sorted(SRC.glob("formats/*.py")), ids=lambda p: p.name)
def test_formats_import_nothing_from_the_rest_of_pdscan(path):
    outside = {m for m in _imported(path) if m.startswith("pdscan.") and not m.startswith("pdscan.formats")}
    assert outside == set()


def test_the_checks_see_imports():
    """The walk finds what a command really imports, so an empty answer above means something."""
    assert "pdscan.outputs.open_sinks" in _imported(SRC / "commands" / "scan.py")
    assert "pdscan.formats.magic.PST_MAGIC" in _imported(SRC / "sniff.py")


def _pdscan_imports(name: str) -> set:
    return {m for m in _imported(SRC / name) if m.startswith("pdscan")}


def test_the_nouns_and_their_serialiser_stand_on_nothing():
    """model.py imports no pdscan module; records.py (the JSONL contract) only model.py."""
    assert _pdscan_imports("model.py") == set()
    assert {m.rsplit(".", 1)[0] if m.count(".") > 1 else m for m in _pdscan_imports("records.py")} == {"pdscan.model"}


def test_the_stage_chain_knows_nothing_of_workers_sessions_or_outputs():
    """pipeline.py (one unit's stages) ← workers.py (the pool) ← session.py (sinks, summary)."""
    chain = _pdscan_imports("pipeline.py")
    assert not {m for m in chain if m.startswith(("pdscan.workers", "pdscan.session", "pdscan.sinks",
                                                  "pdscan.throttle", "pdscan.reports", "pdscan.commands"))}
    assert not {m for m in _pdscan_imports("workers.py") if m.startswith(("pdscan.session", "pdscan.sinks"))}


def test_reports_read_the_store_through_its_queries_only():
    """No SQL outside the store: the reports import no sqlite3 and no store internals but its queries."""
    for path in sorted(SRC.glob("reports/*.py")):
        imported = _imported(path)
        assert "sqlite3" not in imported, path.name
        store = {m for m in imported if m.startswith("pdscan.sinks.store")}
        assert store <= {"pdscan.sinks.store.queries", "pdscan.sinks.store.queries.StoreReader",
                         "pdscan.sinks.store.queries.open_reader"}, path.name


def test_the_report_writers_do_not_import_their_package():
    """reports/__init__.py imports html_page and sheets: they must not import it back."""
    modules = {path.stem for path in SRC.glob("reports/*.py")} - {"__init__"}
    for name in modules:
        # `from . import x` reads as pdscan.reports and pdscan.reports.x: both run the package first.
        back = {m for m in _imported(SRC / "reports" / f"{name}.py")
                if m == "pdscan.reports" or (m.count(".") == 2 and m.startswith("pdscan.reports.")
                                             and m.split(".")[2] not in modules)}
        assert back == set(), name

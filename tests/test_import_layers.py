"""Imports run down the house: no command (and not the watch engine) builds on another command.

One exception is left: `schedule` checks the arguments of the scan it schedules with
`scan`'s own parser (commands/scan.py add_parser)."""
from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "pdscan"
KNOWN = {("schedule.py", "pdscan.commands.scan")}


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


def test_commands_and_watch_import_no_command_but_the_shared_helpers():
    modules = sorted(SRC.glob("commands/*.py")) + [SRC / "watch.py"]
    for path in modules:
        commands = {m for m in _imported(path) if m.startswith("pdscan.commands.")
                    and not m.startswith("pdscan.commands.common") and (path.name, m) not in KNOWN}
        assert commands == set(), path.name


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
        assert store <= {"pdscan.sinks.store.queries", "pdscan.sinks.store.queries.StoreReader"}, path.name


def test_the_report_writers_do_not_import_their_package():
    """reports/__init__.py imports html_page and sheets: they must not import it back."""
    modules = {path.stem for path in SRC.glob("reports/*.py")} - {"__init__"}
    for name in modules:
        # `from . import x` reads as pdscan.reports and pdscan.reports.x: both run the package first.
        back = {m for m in _imported(SRC / "reports" / f"{name}.py")
                if m == "pdscan.reports" or (m.count(".") == 2 and m.startswith("pdscan.reports.")
                                             and m.split(".")[2] not in modules)}
        assert back == set(), name

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


def test_policy_imports_nothing_from_extract_or_sources_and_formats_nothing_of_pdscan():
    for path in sorted(SRC.glob("policy/*.py")):
        assert not {m for m in _imported(path) if m.startswith(("pdscan.extract", "pdscan.sources"))}, path.name
    for path in sorted(SRC.glob("formats/*.py")):
        assert not {m for m in _imported(path) if m.startswith("pdscan")}, path.name

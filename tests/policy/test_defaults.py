"""Policy defaults live in policies.toml only: code never gives a key the bundled file sets a second default."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pdscan.config import bundled
from pdscan.errors import ConfigError
from pdscan.policy.loader import build_policy, read_toml

SRC = Path(__file__).resolve().parents[2] / "src" / "pdscan"
NOT_YET: set = set()   # sections still allowed a second default in code: none


def _bundled_keys(table: dict, path: str = "") -> set:
    """(table, key) for every value the bundled policy sets in a table (not inside arrays of tables)."""
    found = set()
    for key, value in table.items():
        if isinstance(value, dict):
            found |= _bundled_keys(value, f"{path}.{key}" if path else key)
        elif path and path.split(".")[0] not in NOT_YET:
            found.add((path, key))
    return found


def _literal(node) -> bool:
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


def _defaults_in_code() -> dict:
    """key → files where code reads it with a literal default: `x.get("key", 50)`. (A default taken
    from elsewhere in the policy, like a detector's min_confidence from its section's, is not one.)"""
    found: dict = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                    and len(node.args) == 2 and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str) and _literal(node.args[1])):
                found.setdefault(node.args[0].value, set()).add(path.relative_to(SRC).as_posix())
    return found


def test_no_key_the_bundled_policy_sets_has_a_second_default_in_code():
    keys = _bundled_keys(read_toml(bundled("policies.toml")))
    assert ("rules.unencrypted-personal-data", "high_when_count") in keys and ("retention", "window") in keys
    in_code = _defaults_in_code()
    doubled = sorted(f"[{table}] {key}: {sorted(in_code[key])}" for table, key in keys if key in in_code)
    assert doubled == []


@pytest.mark.parametrize("table, key", [("rules.unencrypted-personal-data", "high_when_count"),
                                        ("retention", "window"), ("retention", "cell_words"), ("personal_data", "min_confidence"),
                                        ("scan", "exclude"), ("ocr", "enabled")])
def test_a_bundled_key_missing_is_an_error_not_a_silent_default(table, key):
    doc = read_toml(bundled("policies.toml"))
    section = doc
    for name in table.split("."):
        section = section[name]
    del section[key]
    with pytest.raises(ConfigError, match=rf"broken\.toml: \[{table}\] {key} is missing"):
        build_policy(doc, "broken.toml")

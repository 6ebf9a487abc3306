"""Records are typed: no dict with private "_" keys travels between stages, and the JSONL
contract is written (and read back) by records.py alone."""
from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from pdscan.config import build
from pdscan.model import ErrorRecord, ItemResult, MessageResult, Summary, VolumeResult
from pdscan.records import from_json, to_json
from pdscan.sources.filesystem import Walker
from pdscan.workers import scan_events
from tests.conftest import FIXTURES

SRC = Path(__file__).resolve().parents[1] / "src" / "pdscan"
KEY_METHODS = {"get", "pop", "setdefault"}


def _private(node) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("_")
            and not node.value.startswith("__"))


def _private_keys(tree) -> list:
    """Lines where a string starting with "_" is used as a dict key: in a literal, a subscript,
    d.get/pop/setdefault, or a keyword of dict(...)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            found += [k.lineno for k in node.keys if k is not None and _private(k)]
        elif isinstance(node, ast.Subscript) and _private(node.slice):
            found.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in KEY_METHODS:
            found += [a.lineno for a in node.args[:1] if _private(a)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            found += [node.lineno for k in node.keywords if k.arg and k.arg.startswith("_")]
    return found


def test_the_scan_finds_private_keys_where_they_are():
    tree = ast.parse('r = {"_personal": 1}\nr["_where"]\nr.get("_keys")\ndict(r, _warning=True)\nr["__x"]\n')
    assert _private_keys(tree) == [1, 2, 3, 4]


def test_no_source_file_uses_a_private_dict_key():
    offenders = {str(path.relative_to(SRC)): lines for path in sorted(SRC.rglob("*.py"))
                 if (lines := _private_keys(ast.parse(path.read_text(encoding="utf-8"))))}
    assert offenders == {}


def _walk(value, path="") -> list:
    """Every key, at any depth, that starts with "_"."""
    if isinstance(value, dict):
        return [f"{path}.{k}" for k in value if str(k).startswith("_")] + \
               [p for k, v in value.items() for p in _walk(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for v in value for p in _walk(v, path)]
    return []


def test_a_scan_of_real_files_yields_typed_records_and_public_json_only():
    folders = [FIXTURES / "demo", FIXTURES / "real" / "encrypted", FIXTURES / "real" / "archives"]
    records = list(scan_events(build(jobs=1), Walker(build(jobs=1).walk).walk([str(f) for f in folders]),
                               Summary()))
    assert {type(r) for r in records} <= {ItemResult, ErrorRecord}
    assert any(r.findings for r in records if isinstance(r, ItemResult))
    assert all(dataclasses.is_dataclass(r) for r in records)
    assert [p for r in records for p in _walk(to_json(r))] == []


def test_mail_and_volume_output_carries_no_private_key(cli, tmp_path):
    mail = cli("mail", FIXTURES / "real" / "mail" / "maildir", "--format", "jsonl", "--jobs", "1", "--no-progress")
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "class.csv").write_bytes((FIXTURES / "demo" / "class-list-2024.csv").read_bytes())
    usb = cli("usb", "--mountpoint", stick, "--format", "jsonl", "--jobs", "1", "--no-progress")
    lines = mail.records() + usb.records()
    assert {"message", "volume", "item", "summary"} <= {line["type"] for line in lines}
    assert [p for line in lines for p in _walk(line)] == []


def test_each_kind_reads_back_as_it_was_written():
    from pdscan.model import Finding, Violation

    written = [
        ItemResult("/d/a.zip", "b.csv", "text/csv", 10, "2026-01-01T00:00:00Z", False, None, None,
                   [Finding("email", 2, "high", ["j*@x.org"])], [Violation("unencrypted-personal-data", "high", "x")],
                   retention={"category": "learners", "expired": True}),
        MessageResult("/mail", "cur/1", "INBOX", "<1@x>", None, "a@b.org", "personal", 1.5, ["webmail (+1.0)"]),
        VolumeResult("/dev/sdb1", "/media/usb", "vfat", True, False, None, "PASS"),
        ErrorRecord("/d/c.pdf", None, "permission denied"),
    ]
    for record in written:
        assert from_json(to_json(record)) == record

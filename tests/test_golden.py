"""Golden JSONL: the whole record stream for the one-payload-every-format folder.

Volatile fields are normalised (absolute path prefix, mtime, elapsed). Update
after an intended change with `pytest tests/test_golden.py --update-golden`
and review the diff like code.
"""
from __future__ import annotations

import json

from tests.conftest import FIXTURES

FORMATS = FIXTURES / "formats"
GOLDEN = FIXTURES / "expected" / "formats.jsonl"


def normalise(record: dict) -> dict:
    out = dict(record)
    if "path" in out:
        out["path"] = out["path"].replace(str(FORMATS), "<formats>")
    if out.get("mtime"):
        out["mtime"] = "<mtime>"
    for volatile in ("host", "user", "started"):
        if volatile in out:
            out[volatile] = f"<{volatile}>"
    if out["type"] == "summary":
        out["elapsed"] = "<elapsed>"
        out["roots"] = [root.replace(str(FORMATS), "<formats>") for root in out.get("roots", ())]
    return out


def test_formats_folder_matches_golden_jsonl(cli, request):
    result = cli("scan", FORMATS, "--format", "jsonl", "--jobs", "2")
    assert result.code == 1, result
    lines = [json.dumps(normalise(r), sort_keys=True) for r in result.records()]
    if request.config.getoption("--update-golden"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8").splitlines()
    assert lines == expected, "\n".join(f"- {a}\n+ {b}" for a, b in zip(expected, lines) if a != b)[:4000]


def test_every_record_is_typed_and_summary_is_last(cli):
    records = cli("scan", FORMATS, "--format", "jsonl", "--jobs", "1").records()
    assert all(r["type"] in ("item", "error", "summary") for r in records)
    assert [r["type"] for r in records].count("summary") == 1 and records[-1]["type"] == "summary"
    for r in records[:-1]:
        if r["type"] == "item":
            assert set(r) == {"type", "path", "member", "mime", "size", "mtime", "encrypted", "encryption",
                              "encryption_note", "personal", "findings", "violations", "host", "user"}
            for f in r["findings"]:
                assert set(f) == {"detector", "count", "confidence", "samples"}
        else:
            assert set(r) == {"type", "path", "member", "error", "host", "user"}

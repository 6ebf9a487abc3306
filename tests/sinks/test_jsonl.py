"""The JSONL envelope: every line typed, summary last, internal fields never written,
and paths that are not UTF-8 written both readable and exact."""
from __future__ import annotations

import base64
import io
import json
import os

from pdscan.model import Summary
from pdscan.sinks import public
from pdscan.sinks.jsonl import JsonlSink, JsonSink


def item(path, **extra):
    rec = {"type": "item", "path": path, "member": None, "mime": "text/plain", "size": 1, "mtime": None,
           "encrypted": False, "encryption": None, "findings": [], "violations": [],
           "_keys": {"email": ["abc"]}, "_where": {}}
    rec.update(extra)
    return rec


def test_internal_fields_never_leave():
    out = io.StringIO()
    sink = JsonlSink(out)
    sink.begin()
    sink.record(item("/x"))
    sink.end(Summary())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["type"] for line in lines] == ["item", "summary"]
    assert not any(k.startswith("_") for line in lines for k in line)


def test_non_utf8_path_is_readable_text_plus_exact_bytes():
    raw = b"/media/usb/caf\xe9.csv"
    rec = public(item(os.fsdecode(raw), member=b"inner\xff.txt".decode("utf-8", "surrogateescape")))
    assert rec["path"] == "/media/usb/caf\ufffd.csv"
    assert base64.b64decode(rec["path_bytes"]) == raw
    assert base64.b64decode(rec["member_bytes"]) == b"inner\xff.txt"
    json.dumps(rec).encode("utf-8")  # encodable


def test_utf8_paths_have_no_bytes_field():
    rec = public(item("/home/zoë/notes.txt"))
    assert rec["path"] == "/home/zoë/notes.txt" and "path_bytes" not in rec


def test_json_document_groups_records():
    out = io.StringIO()
    sink = JsonSink(out)
    sink.begin()
    sink.record(item("/a"))
    sink.record({"type": "error", "path": "/b", "member": None, "error": "permission denied"})
    sink.end(Summary(items=1))
    doc = json.loads(out.getvalue())
    assert [i["path"] for i in doc["items"]] == ["/a"]
    assert doc["errors"][0]["error"] == "permission denied"
    assert doc["summary"]["items"] == 1

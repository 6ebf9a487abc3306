"""The JSONL envelope: every line typed, summary last, internal fields never written,
and paths that are not UTF-8 written both readable and exact."""
from __future__ import annotations

import base64
import io
import json
import os

from pdscan.model import ErrorRecord, FileStat, ItemResult, Summary
from pdscan.records import from_json, to_json as public
from pdscan.sinks.jsonl import JsonlSink, JsonSink


def item(path, member=None):
    return ItemResult(path, member, "text/plain", 1, None, False, keys={"email": ["abc"]},
                      where={"email": ["line 1"]}, personal=True, unread="content not read: x",
                      stat=FileStat(1, 2, 3, 4), volume_encrypted=False)


def test_internal_fields_never_leave():
    out = io.StringIO()
    sink = JsonlSink(out)
    sink.begin()
    sink.record(item("/x"))
    sink.end(Summary())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["type"] for line in lines] == ["item", "summary"]
    assert not any(k.startswith("_") for line in lines for k in line)
    assert set(lines[0]) == {"type", "path", "member", "mime", "size", "mtime", "encrypted", "encryption",
                             "encryption_note", "personal", "findings", "violations"}


def test_a_record_read_back_is_the_same_public_record():
    rec = public(item("/home/zoë/notes.txt", member="a.zip!/b.csv"))
    assert public(from_json(json.loads(json.dumps(rec)))) == rec


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
    sink.record(ErrorRecord("/b", None, "permission denied"))
    sink.end(Summary(items=1))
    doc = json.loads(out.getvalue())
    assert [i["path"] for i in doc["items"]] == ["/a"]
    assert doc["errors"][0]["error"] == "permission denied"
    assert doc["summary"]["items"] == 1


def test_a_line_is_what_json_dumps_writes():
    """The sink's reused encoder writes each object as json.dumps(..., ensure_ascii=False) does:
    non-ASCII kept, nested lists and objects, null, booleans and numbers alike."""
    from pdscan.sinks.jsonl import _line_encoder
    encode = _line_encoder()
    for obj in ({"type": "item", "path": "/srv/Zoë's \"notes\"\n\u2028.txt", "member": None, "size": 12, "encrypted": False,
                 "findings": [{"detector": "uk.nhs", "count": 2, "samples": ["94* *** ***9"]}], "score": 0.25},
                {"violations": [], "accepted": {"violations": [{"rule": "r", "detail": None}]}, "x": True}):
        assert encode(obj) == json.dumps(obj, ensure_ascii=False)

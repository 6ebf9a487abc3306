"""A message of very many empty MIME parts: bounded by max_mime_parts, in both parsers.

The attack: an outside sender's message of millions of "--B\\n\\nx\\n" parts (7 bytes each)
tied a worker up for ten minutes (in memory and streamed alike). Past the limit the
message is read without its structure (headers, undecoded body), gives one error
record, and the scan goes on.
"""
from __future__ import annotations

import io
import time

import pytest

from pdscan.errors import LimitExceeded
from pdscan.extract import Context
from pdscan.extract.message import extract_message
from pdscan.limits import Budget, Limits
from pdscan.model import Chunk, Item

from .robust import NI_TEXT, run_pdscan


def many_parts(n: int) -> bytes:
    head = ("From: Mallory <mallory@evil.example>\nTo: office@college.ac.uk\nSubject: s\n"
            "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n")
    return (head + "--B\n\nx\n" * n + "--B\n\n" + NI_TEXT + "--B--\n").encode()


@pytest.mark.parametrize("path, in_memory", [("in memory", Limits.max_message_in_memory), ("streamed", 1)])
def test_parsing_stops_at_the_part_limit_and_the_rest_is_read_undecoded(path, in_memory):
    limits = Limits(max_mime_parts=100, max_message_in_memory=in_memory)
    raw = many_parts(1000)
    item = Item(path="/mail/many.eml", open=lambda: io.BytesIO(raw), size=len(raw), name_hint="many.eml")
    outputs = []
    with pytest.raises(LimitExceeded, match="more than 100 MIME parts"):
        for out in extract_message(item, Context(limits, Budget(limits))):
            outputs.append(out)
    # One Item per part would be 1,000 nested scans; the text past the limit is still read.
    assert sum(not isinstance(o, Chunk) for o in outputs) <= 100
    assert any(c.header == "From" for c in outputs if isinstance(c, Chunk))
    assert any(b"AB 12 34 56 C" in c.data for c in outputs if isinstance(c, Chunk) and c.where == "body (undecoded)")


def test_a_scan_of_many_empty_parts_ends_quickly_with_one_error_and_goes_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-many.eml").write_bytes(many_parts(300_000))  # 2 MB: minutes of parsing before the limit
    (folder / "b-next.txt").write_text(NI_TEXT)
    started = time.monotonic()
    out, records = run_pdscan(tmp_path, "scan", "--jobs", "1", folder, timeout=600)
    assert time.monotonic() - started < 30, "the part limit did not bound the parse"
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 1, out.stderr
    errors = [r for r in records if r["type"] == "error"]
    assert len(errors) == 1 and "more than 10000 MIME parts" in errors[0]["error"]
    items = {r["path"].rsplit("/", 1)[1]: r for r in records if r["type"] == "item" and r["member"] is None}
    assert "uk.nino" in [f["detector"] for f in items["a-many.eml"]["findings"]]
    assert "uk.nino" in [f["detector"] for f in items["b-next.txt"]["findings"]]

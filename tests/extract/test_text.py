"""Plain text in common encodings, streamed in overlapping blocks with line numbers."""
from __future__ import annotations

import codecs
import io

import pytest

from pdscan.extract.text import guess_encoding, stream_chunks

TEXT = "Learner: Zoë Brontë\nFee £20\nNI number AB 12 34 56 C\n"


@pytest.mark.parametrize("raw,encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le"),
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be"),
    (TEXT.encode("utf-16-le"), "utf-16-le"),
    (TEXT.encode("cp1252"), "cp1252"),
    (TEXT.encode("latin-1"), "cp1252"),
])
def test_every_common_encoding_reaches_the_detectors_as_utf8(raw, encoding):
    assert guess_encoding(raw)[0] == encoding
    chunks = list(stream_chunks(io.BytesIO(raw), 1 << 20, 64))
    assert b"".join(c.data for c in chunks).decode("utf-8") == TEXT


def test_cp1252_undefined_bytes_are_kept_not_dropped():
    raw = b"caf\xe9 \x81 end\n"
    [chunk] = stream_chunks(io.BytesIO(raw), 1 << 20, 64)
    assert chunk.data.decode("utf-8") == "café \x81 end\n"


def test_blocks_overlap_and_lines_stay_true():
    lines = [f"line {n} value {n:06d}" for n in range(1, 2001)]
    raw = ("\n".join(lines) + "\n").encode()
    chunks = list(stream_chunks(io.BytesIO(raw), 4096, 128))
    assert len(chunks) > 5
    for c in chunks:
        end = len(c.data) - c.guard
        body = c.data[:end]
        # a chunk may start mid-line; its first full line number must be right
        full = body.split(b"\n")[1] if body.count(b"\n") > 1 else None
        if full:
            assert full == lines[c.first_line].encode()
        assert raw[c.offset:c.offset + len(c.data)] == c.data
    assert chunks[-1].guard == 0
    assert sum(len(c.data) - c.guard for c in chunks) == len(raw)


def test_utf16_split_across_blocks_decodes_whole():
    raw = codecs.BOM_UTF16_LE + ("ab€d" * 5000).encode("utf-16-le")
    chunks = list(stream_chunks(io.BytesIO(raw), 4097, 64))  # odd block size cuts code units
    text = b"".join(c.data[: len(c.data) - c.guard] for c in chunks).decode("utf-8")
    assert text == "ab€d" * 5000


def test_invalid_utf8_in_the_middle_is_scanned_not_fatal():
    raw = b"ok line\n" * 10 + b"\xff\xfe broken \xc3\x28\n" + b"NI AB123456C\n"
    chunks = list(stream_chunks(io.BytesIO(raw), 1 << 20, 64))
    assert b"AB123456C" in b"".join(c.data for c in chunks)

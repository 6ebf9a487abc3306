"""Plain text in any common encoding, streamed in overlapping blocks.

UTF-8 (the common case) passes through as bytes without decoding; other
encodings go through an incremental decoder and are re-encoded as UTF-8,
so the detect stage always sees UTF-8 and memory stays at about two blocks.
"""
from __future__ import annotations

import codecs
import io
from typing import BinaryIO, Iterator, Optional

from ..model import Chunk, Columns
from .fixed import PROBE, split_at_header

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def guess_encoding(head: bytes) -> tuple[str, int]:
    """(encoding, BOM length) from the first bytes of a text stream."""
    for bom, name in BOMS:
        if head.startswith(bom):
            return name, len(bom)
    if len(head) >= 4:
        sample = head[:4096]
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        half = len(sample) // 2
        if odd_nuls > half * 0.4 and even_nuls < half * 0.05:
            return "utf-16-le", 0
        if even_nuls > half * 0.4 and odd_nuls < half * 0.05:
            return "utf-16-be", 0
    try:
        head.decode("utf-8")
        return "utf-8", 0
    except UnicodeDecodeError as exc:
        # A multi-byte sequence cut by the end of the sample is still UTF-8.
        if exc.start >= len(head) - 3 and exc.reason.startswith("unexpected end"):
            return "utf-8", 0
    return "cp1252", 0


def _blocks(stream: BinaryIO, encoding: str, skip: int, block_size: int) -> Iterator[bytes]:
    if skip:
        stream.read(skip)
    if encoding == "utf-8":
        while True:
            block = stream.read(block_size)
            if not block:
                return
            yield block
    decoder = codecs.getincrementaldecoder(encoding)(errors=_ERRORS.get(encoding, "replace"))
    while True:
        raw = stream.read(block_size)
        text = decoder.decode(raw, final=not raw)
        if text:
            yield text.encode("utf-8")
        if not raw:
            return


def _latin1_fallback(exc: UnicodeDecodeError):
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


codecs.register_error("pdscan-latin1", _latin1_fallback)
# cp1252 leaves five bytes undefined; map them as latin-1 so no byte is lost.
_ERRORS = {"cp1252": "pdscan-latin1"}


def stream_chunks(stream: BinaryIO, block_size: int, overlap: int, where: str = "",
                  columns: Optional[Columns] = None, first_line: int = 1) -> Iterator[Chunk]:
    """Overlapping UTF-8 chunks of a text stream, with line numbers."""
    head = stream.read(min(block_size, 65536))
    encoding, bom = guess_encoding(head)
    source = _prepend(head, stream)
    tail = b""
    offset = 0  # stream position of the chunk's first byte
    line = first_line
    pending: Optional[bytes] = None
    for block in _blocks(source, encoding, bom, block_size):
        if pending is not None:
            data = tail + pending
            yield Chunk(data, where, line, offset, columns, guard=min(overlap, len(pending)))
            line += data.count(b"\n", 0, len(data) - min(overlap, len(pending)))
            offset += len(data) - min(overlap, len(pending))
            tail = pending[-overlap:] if overlap else b""
        pending = block
    if pending is not None:
        yield Chunk(tail + pending, where, line, offset, columns)


class _prepend:
    """A stream that yields `head` first, then the rest of `stream`."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self.head, self.stream = head, stream

    def read(self, n: int = -1) -> bytes:
        if self.head:
            if n < 0:
                out, self.head = self.head + self.stream.read(), b""
                return out
            out, self.head = self.head[:n], self.head[n:]
            if len(out) < n:
                out += self.stream.read(n - len(out))
            return out
        return self.stream.read(n)


def extract_text(item, ctx) -> Iterator[Chunk]:
    with item.open() as stream:
        head = stream.read(PROBE)
        encoding, bom = guess_encoding(head)
        # A report with aligned columns: its header line names the values under it. Lines down
        # to the header are read as they are; the rest under the header's columns.
        cut, first_line, columns = split_at_header(head, encoding, bom) or (0, 1, None)
        if cut:
            yield from stream_chunks(io.BytesIO(head[:cut]), ctx.limits.block_size, ctx.limits.overlap)
        stream.seek(cut)
        yield from stream_chunks(stream, ctx.limits.block_size, ctx.limits.overlap, columns=columns,
                                 first_line=first_line)
        if columns is None:
            # Tables written in the text ("|" or tabs between cells) near its top: their headers
            # name the values under them, as a report's aligned header does.
            from .tabular import tables_in_text  # tabular builds on this module
            text = head[bom:].decode(encoding, "replace")
            yield from tables_in_text(text.rsplit("\n", 1)[0] if len(head) == PROBE else text, "")

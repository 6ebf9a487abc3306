"""Size, ratio and depth budgets shared by every extractor.

One place so that zip bombs, nested archive bombs and XML entity bombs are
refused by the same numbers, and each refusal says which limit it hit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from .errors import LimitExceeded

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_size: int = 0               # 0: no cap on streamed text; documents use max_document_size
    max_document_size: int = 256 * MiB   # whole-file parsers (office, pdf, spreadsheets) read at most this
    max_depth: int = 5                   # nesting of containers (a.zip!/b.zip is depth 2)
    max_expanded: int = 1024 * MiB       # bytes expanded from one top-level file, all members together
    max_ratio: int = 200                 # expanded / compressed for one member
    max_members: int = 100_000           # entries in one archive
    max_mime_depth: int = 64             # multiparts and attached messages nested in one message
    max_mime_parts: int = 10_000         # parts of one message, empty ones too (each costs a parse)
    max_message_in_memory: int = 16 * MiB  # a larger message is parsed as a stream (extract/mimestream.py)
    max_xml_bytes: int = 64 * MiB        # one XML part of an office document
    block_size: int = 4 * MiB            # text is streamed in blocks of this size
    overlap: int = 512                   # bytes repeated between blocks so a match on the seam is seen
    # OCR (extract/ocr.py): a scan takes them from the policy's [ocr] (policy/ocr.py); these values
    # serve callers without a policy.
    ocr_seconds: float = 120.0           # Tesseract time for one top-level file, all its pages together
    ocr_memory: int = 1024 * MiB         # address space of one Tesseract run (POSIX)
    ocr_max_pixels: int = 50_000_000     # a larger image is not OCR'd (Tesseract's memory grows with it)
    ocr_min_side: int = 200              # an image narrower than this (pixels) holds no legible page


class Budget:
    """Expanded bytes left for one top-level file, shared by all its members."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.expanded = 0

    def charge(self, n: int, what: str) -> None:
        self.expanded += n
        if self.expanded > self.limits.max_expanded:
            raise LimitExceeded(
                f"expanded size over {self.limits.max_expanded // MiB} MiB in {what} (possible archive bomb)")

    def check_ratio(self, compressed: int, expanded: int, what: str) -> None:
        if expanded > 1 * MiB and expanded > max(compressed, 1) * self.limits.max_ratio:
            raise LimitExceeded(
                f"compression ratio over {self.limits.max_ratio}:1 in {what} (possible archive bomb)")


def read_capped(stream: BinaryIO, cap: int, what: str) -> bytes:
    """Read a whole stream, refusing it when it is larger than cap."""
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise LimitExceeded(f"{what} larger than {cap // MiB} MiB limit")
    return data

"""The nouns that cross pipeline stages.

Each stage consumes the nouns of the stage before and yields its own:
sources yield Items, extractors yield Chunks (and nested Items), detection
yields Matches, the pipeline folds them into Findings, policy adds Violations.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property
from typing import BinaryIO, Callable, Optional

from .native import core

_NEWLINE = re.compile(b"\n")
CONFIDENCES = ("low", "medium", "high")
SEVERITIES = ("low", "medium", "high")


def confidence_rank(level: str) -> int:
    return CONFIDENCES.index(level)


def worst_first(severity) -> int:
    """Sort key putting the most severe first: high 0, medium 1, low 2, anything else after them."""
    return SEVERITIES[::-1].index(severity) if severity in SEVERITIES else len(SEVERITIES)


@dataclass(frozen=True)
class Item:
    """Something to scan: a way to read its bytes plus where it came from.

    `path` is the file on disk (or mailbox path/URL); `member` is the path
    inside a container, nested levels joined with "!/". `meta` carries
    source-specific facts (mail folder, inode, owner, volume) so that
    universal records stay free of source-specific fields.
    """

    path: str
    open: Callable[[], BinaryIO]
    size: int
    mtime: Optional[float] = None
    member: Optional[str] = None
    depth: int = 0
    # Protection of an enclosing container (an archive member inherits it).
    inherited_encryption: Optional[str] = None
    name_hint: Optional[str] = None  # file name, a hint only: sniffing uses the bytes
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        if self.name_hint:
            return self.name_hint
        last = (self.member or self.path).rsplit("!/", 1)[-1]
        return last.replace("\\", "/").rsplit("/", 1)[-1]


def join_member(parent: Optional[str], child: str) -> str:
    return child if not parent else f"{parent}!/{child}"


@dataclass(frozen=True)
class Columns:
    """Header row of delimited text, so a match can be tied to its column.

    Tabular extractors render rows as delimited UTF-8 lines; a match's
    column is found from its line alone, only when a match needs it.
    """

    headers: tuple
    delimiter: bytes = b"\t"
    header_line: int = 1  # the header row's line: a chunk starting there skips it

    def header_at(self, data: bytes, offset: int) -> Optional[str]:
        start = data.rfind(b"\n", 0, offset) + 1
        index = data.count(self.delimiter, start, offset)
        if index < len(self.headers):
            return self.headers[index] or None
        return None


@dataclass(frozen=True)
class Chunk:
    """UTF-8 text from an item, with where it sits.

    `where` names the part ("sheet Staff", "page 3", "header Subject"; "" for
    plain text); `first_line` is the line number of data's first byte;
    `offset` is data's position in the item's text stream, so matches found
    twice in overlapping blocks are counted once.
    """

    data: bytes
    where: str = ""
    first_line: int = 1
    offset: int = 0
    columns: Optional[Columns] = None
    header: Optional[str] = None  # one label for the whole chunk (a mail header name, a metadata field)
    # Bytes at the end that the next chunk repeats: a match ending there is
    # left to the next chunk, which sees it whole.
    guard: int = 0

    @cached_property
    def _newlines(self) -> list:
        if core is not None:
            return core.Core.newlines(self.data)
        return [m.start() for m in _NEWLINE.finditer(self.data)]

    def line_of(self, pos: int) -> int:
        # An index built once per chunk: counting afresh for every match is quadratic.
        return self.first_line + bisect_left(self._newlines, pos)


@dataclass(frozen=True)
class Match:
    """One detector hit. The raw value never leaves the detect stage: only
    its masked form and keyed hash travel on."""

    detector: str
    confidence: str
    sample: str
    key: str
    location: str
    evidence: tuple = ()


@dataclass
class Finding:
    detector: str
    count: int
    confidence: str
    samples: list

    def to_dict(self) -> dict:
        return {"detector": self.detector, "count": self.count,
                "confidence": self.confidence, "samples": list(self.samples)}


@dataclass(frozen=True)
class Violation:
    rule: str
    severity: str
    detail: str

    def to_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "detail": self.detail}


@dataclass(frozen=True)
class Encryption:
    """Protection status. encrypted: True / False / None (could not tell)."""

    encrypted: Optional[bool]
    scheme: Optional[str] = None
    note: Optional[str] = None  # e.g. "owner password only: content readable"
    surrounded: bool = False  # an encrypted block inside readable text: the text is scanned too


UNKNOWN = Encryption(None)
PLAIN = Encryption(False)


@dataclass(frozen=True)
class ErrorRecord:
    path: str
    member: Optional[str]
    error: str

    def to_dict(self) -> dict:
        return {"type": "error", "path": self.path, "member": self.member, "error": self.error}


@dataclass
class Summary:
    items: int = 0
    files: int = 0
    bytes: int = 0
    findings: dict = field(default_factory=dict)
    violations: dict = field(default_factory=dict)
    errors: int = 0
    skipped: dict = field(default_factory=dict)
    items_with_personal_data: int = 0
    encrypted_items: int = 0
    volumes: int = 0
    volumes_failed: int = 0
    messages: int = 0
    elapsed: float = 0.0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def to_dict(self) -> dict:
        return {"type": "summary", "items": self.items, "files": self.files, "bytes": self.bytes,
                "findings": dict(sorted(self.findings.items())),
                "violations": dict(sorted(self.violations.items())),
                "errors": self.errors, "skipped": dict(sorted(self.skipped.items())),
                "encrypted_items": self.encrypted_items,
                "items_with_personal_data": self.items_with_personal_data,
                **({"volumes": self.volumes, "volumes_failed": self.volumes_failed} if self.volumes else {}),
                **({"messages": self.messages} if self.messages else {}),
                "elapsed": round(self.elapsed, 3)}

"""One multi-pattern pass per chunk, then strict checks on the candidates only.

Hyperscan (prefilter mode, so every Python-regex construct is admitted)
finds where candidates end in one pass over the bytes; the exact Python
regex then runs on a small window around each end, and only those
candidates pay for validators, context words and hashing. Without
Hyperscan the same patterns run one by one: slower, same results.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .. import privacy
from ..model import Chunk, Match
from .context import Evidence
from .spec import DetectorSpec, PatternSpec
from .validators import REGISTRY

try:
    import hyperscan
except ImportError:  # pragma: no cover - platforms without wheels
    hyperscan = None

MAX_WIDTH = 256  # longest candidate looked back for; chunks overlap by more than this
MARGIN = 8       # bytes either side so \b and lookarounds see their neighbours


@dataclass(frozen=True)
class Compiled:
    detector: int
    spec: PatternSpec
    regex: re.Pattern
    width: int


def _width(regex: re.Pattern) -> int:
    try:
        import re._parser as parser
    except ImportError:  # Python < 3.11
        import sre_parse as parser
    hi = parser.parse(regex.pattern, regex.flags).getwidth()[1]
    return min(hi, MAX_WIDTH)


def _compile(pattern: PatternSpec, index: int) -> Compiled:
    flags = re.IGNORECASE if pattern.ignore_case else 0
    regex = re.compile(pattern.regex.encode("utf-8"), flags)
    return Compiled(index, pattern, regex, _width(regex))


class Engine:
    def __init__(self, specs: list, key: bytes, use_hyperscan: bool = True):
        self.specs = list(specs)
        self.key = key
        self.evidence = [Evidence(s) for s in self.specs]
        self.validators = [REGISTRY[s.validator] if s.validator else None for s in self.specs]
        self.text_patterns: list = []
        self.column_patterns: list = []
        for i, spec in enumerate(self.specs):
            for p in spec.patterns:
                (self.column_patterns if p.scope == "column" else self.text_patterns).append(_compile(p, i))
        self.db = None
        self.unfiltered: list = list(self.text_patterns)
        if use_hyperscan and hyperscan is not None and self.text_patterns:
            self._build_database()

    def _build_database(self) -> None:
        flags = [hyperscan.HS_FLAG_PREFILTER | (hyperscan.HS_FLAG_CASELESS if c.spec.ignore_case else 0)
                 for c in self.text_patterns]
        accepted = list(range(len(self.text_patterns)))
        try:
            self.db = _hs_compile([self.text_patterns[n].regex.pattern for n in accepted], accepted, flags)
        except hyperscan.error:
            # Find the patterns Hyperscan refuses; they still run, on the slow path.
            accepted = [n for n in accepted if _hs_accepts(self.text_patterns[n].regex.pattern, flags[n])]
            self.db = _hs_compile([self.text_patterns[n].regex.pattern for n in accepted], accepted,
                                  [flags[n] for n in accepted]) if accepted else None
        taken = set(accepted)
        self.unfiltered = [c for n, c in enumerate(self.text_patterns) if n not in taken]

    # -- candidates -------------------------------------------------------

    def prefilter_hits(self, data: bytes) -> dict:
        """Pattern index → sorted end offsets reported by the prefilter pass."""
        hits: dict = {}
        if self.db is not None and data:
            def on_match(pid, _start, end, _flags, _ctx):
                hits.setdefault(pid, []).append(end)
            self.db.scan(data, match_event_handler=on_match)
        return hits

    def _candidates(self, data: bytes):
        for pid, ends in self.prefilter_hits(data).items():
            c = self.text_patterns[pid]
            seen_until = -1
            for lo, hi in _windows(sorted(ends), c.width, len(data)):
                for m in c.regex.finditer(data, lo, hi):
                    if m.start() >= seen_until:
                        yield c, m
                        seen_until = m.end()
        for c in self.unfiltered:
            for m in c.regex.finditer(data):
                yield c, m

    # -- judging ------------------------------------------------------------

    def scan(self, chunk: Chunk) -> list:
        data = chunk.data
        limit = len(data) - chunk.guard
        body = _body_start(chunk)
        matches = []
        for c, m in self._candidates(data):
            if (chunk.guard and m.end(c.spec.group) > limit) or m.start() < body:
                continue
            match = self._judge(chunk, c, m)
            if match is not None:
                matches.append(match)
        if self.column_patterns and (chunk.columns is not None or chunk.header):
            matches.extend(self._scan_columns(chunk, limit))
        return matches

    def _scan_columns(self, chunk: Chunk, limit: int) -> list:
        out = []
        for c in self.column_patterns:
            wanted = self.evidence[c.detector].header
            if chunk.columns is None:
                if not wanted(chunk.header):
                    continue
            elif not any(wanted(h) for h in chunk.columns.headers):
                continue
            for m in c.regex.finditer(chunk.data, _body_start(chunk)):
                if chunk.guard and m.end() > limit:
                    continue
                match = self._judge(chunk, c, m)
                if match is not None and (chunk.columns is None or wanted(self._header(chunk, m.start()))):
                    out.append(match)
        return out

    def _header(self, chunk: Chunk, pos: int) -> Optional[str]:
        if chunk.columns is not None:
            return chunk.columns.header_at(chunk.data, pos)
        return chunk.header

    def _judge(self, chunk: Chunk, c: Compiled, m: re.Match) -> Optional[Match]:
        spec = self.specs[c.detector]
        start, end = m.span(c.spec.group)
        if start < 0:
            return None
        value = chunk.data[start:end].decode("utf-8", "replace")
        check = self.validators[c.detector]
        valid = check(value) if check else None
        header = self._header(chunk, start)
        verdict = self.evidence[c.detector].judge(c.spec.confidence, valid, chunk.data, start, end, header)
        if verdict is None:
            return None
        level, why = verdict
        return Match(
            detector=spec.id, confidence=level,
            sample=privacy.mask(value, spec.mask),
            key=privacy.keyed_hash(spec.id, value, self.key),
            location=_location(chunk, start, header),
            evidence=(f"pattern {c.spec.name}",) + why,
        )

    def scan_text(self, text: str) -> list:
        return self.scan(Chunk(text.encode("utf-8")))


def _hs_compile(expressions, ids, flags):
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=expressions, ids=ids, elements=len(ids), flags=flags)
    return db


def _hs_accepts(expression: bytes, flag: int) -> bool:
    try:
        _hs_compile([expression], [0], [flag])
        return True
    except hyperscan.error:
        return False


def _windows(ends: list, width: int, size: int):
    """Merge the look-back windows of nearby ends into (lo, hi) spans."""
    lo = hi = None
    for end in ends:
        a, b = max(0, end - width - MARGIN), min(size, end + MARGIN)
        if hi is not None and a <= hi:
            hi = max(hi, b)
            continue
        if hi is not None:
            yield lo, hi
        lo, hi = a, b
    if hi is not None:
        yield lo, hi


def _body_start(chunk: Chunk) -> int:
    """Where cells start: after the header row, when this chunk holds it."""
    if chunk.columns is not None and chunk.first_line == 1 and chunk.offset == 0:
        return chunk.data.find(b"\n") + 1 or len(chunk.data)
    return 0


def _location(chunk: Chunk, pos: int, header: Optional[str]) -> str:
    parts = [chunk.where] if chunk.where else []
    if chunk.columns is not None:
        parts.append(f"row {chunk.line_of(pos)}")
        if header:
            parts.append(f"column {header!r}")
    elif not chunk.header:
        parts.append(f"line {chunk.line_of(pos)}")
    return " ".join(parts)

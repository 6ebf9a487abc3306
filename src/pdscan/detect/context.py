"""Evidence around a candidate, and the confidence ladder it feeds.

Ladder: the pattern gives a base level; a failing validator drops the
candidate and a passing one sets `on_valid`; a context word in the window
or a matching column header raises one level; detectors that require
evidence drop candidates with none; a negative context word drops it.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from typing import Optional

from ..model import CONFIDENCES
from .spec import DetectorSpec


def _bounded(word: str) -> bytes:
    """A word as a regex that matches it whole: \\b on each side that is a word character."""
    raw = word.lower().encode("utf-8")
    body = re.escape(raw)
    start = rb"\b" if raw[:1].isalnum() else b""
    end = rb"\b" if raw[-1:].isalnum() else b""
    return start + body + end


def words_alternation(words) -> Optional[bytes]:
    """Whole-word alternation; the same expression serves Python and the Hyperscan pass,
    whose ASCII \\b agree, so the prefilter admits exactly what the check does."""
    if not words:
        return None
    return b"(?:" + b"|".join(_bounded(w) for w in sorted(words, key=len, reverse=True)) + b")"


def words_regex(words) -> Optional[re.Pattern]:
    expression = words_alternation(words)
    return re.compile(expression, re.IGNORECASE) if expression else None


def normalise_header(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


class HeaderMatcher:
    """Does a column header name this detector's data ("DOB", "Date of birth")?"""

    def __init__(self, headers):
        self.phrases = tuple(normalise_header(h) for h in headers if normalise_header(h))
        self._cache: dict = {}

    def __call__(self, header: Optional[str]) -> bool:
        if not header or not self.phrases:
            return False
        hit = self._cache.get(header)
        if hit is None:
            padded = f" {normalise_header(header)} "
            hit = any(f" {p} " in padded for p in self.phrases)
            self._cache[header] = hit
        return hit


def raise_level(level: str, steps: int = 1) -> str:
    return CONFIDENCES[min(len(CONFIDENCES) - 1, CONFIDENCES.index(level) + steps)]


def at_least(level: str, floor: str) -> str:
    return level if CONFIDENCES.index(level) >= CONFIDENCES.index(floor) else floor


class Evidence:
    """The compiled context rules of one detector."""

    def __init__(self, spec: DetectorSpec):
        self.spec = spec
        self.context = words_regex(spec.context)
        self.negative = words_regex(spec.negative_context)
        self.header = HeaderMatcher(spec.column_headers)

    def prefilter_expression(self, negative: bool = False) -> Optional[bytes]:
        return words_alternation(self.spec.negative_context if negative else self.spec.context)

    def _near(self, regex, data: bytes, start: int, end: int, hits: Optional[list]) -> Optional[str]:
        """A word wholly inside the window before or after the candidate.

        `hits`: the (end, start) of every such word in the chunk, sorted, from the
        prefilter pass; None when there was no such pass (then the regex looks)."""
        if regex is None:
            return None
        w = self.spec.window
        if hits is None:
            m = regex.search(data, max(0, start - w), start) or regex.search(data, end, end + w)
            return m.group(0).decode("utf-8", "replace").lower() if m else None
        i = bisect_left(hits, (start - w, -1))
        while i < len(hits) and hits[i][0] <= end + w:
            word_end, word_start = hits[i]
            if (word_start >= start - w and word_end <= start) or (word_start >= end and word_end <= end + w):
                return data[word_start:word_end].decode("utf-8", "replace").lower()
            i += 1
        return None

    def context_word(self, data: bytes, start: int, end: int, hits: Optional[list]) -> Optional[str]:
        return self._near(self.context, data, start, end, hits)

    def judge(self, base: str, valid: Optional[bool], data: bytes, start: int, end: int,
              header: Optional[str], words=None, requires: Optional[str] = None):
        """(confidence, evidence) for a candidate, or None when it is dropped.
        `words`: (context hits, negative hits) from the prefilter pass, or None."""
        if valid is False:
            return None
        context_hits, negative_hits = words or (None, None)
        level, why = base, []
        if valid:
            level = at_least(level, self.spec.on_valid)
            why.append(f"validator {self.spec.validator} passed")
        if self._near(self.negative, data, start, end, negative_hits):
            return None
        header_hit = self.header(header)
        word = None if header_hit else self.context_word(data, start, end, context_hits)
        if word or header_hit:
            level = raise_level(level)
            why.append(f"column header {header!r}" if header_hit else f"context word {word!r}")
        elif (requires or self.spec.requires) == "evidence":
            return None
        return level, tuple(why)

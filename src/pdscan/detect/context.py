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

    def prefilter_expression(self) -> Optional[bytes]:
        return words_alternation(self.spec.context)

    def _near(self, regex, data: bytes, start: int, end: int) -> Optional[str]:
        if regex is None:
            return None
        w = self.spec.window
        m = regex.search(data, max(0, start - w), start) or regex.search(data, end, end + w)
        return m.group(0).decode("utf-8", "replace").lower() if m else None

    def context_word(self, data: bytes, start: int, end: int, hint: Optional[list]) -> Optional[str]:
        """The context word near a candidate. `hint` (sorted end offsets of prefilter hits
        for this detector's words, or None when unknown) rules most candidates out cheaply."""
        if hint is not None:
            i = bisect_left(hint, start - self.spec.window)
            if i == len(hint) or hint[i] > end + self.spec.window:
                return None
        return self._near(self.context, data, start, end)

    def judge(self, base: str, valid: Optional[bool], data: bytes, start: int, end: int,
              header: Optional[str], hint: Optional[list] = None):
        """(confidence, evidence) for a candidate, or None when it is dropped."""
        if valid is False:
            return None
        level, why = base, []
        if valid:
            level = at_least(level, self.spec.on_valid)
            why.append(f"validator {self.spec.validator} passed")
        if self._near(self.negative, data, start, end):
            return None
        header_hit = self.header(header)
        word = None if header_hit else self.context_word(data, start, end, hint)
        if word or header_hit:
            level = raise_level(level)
            why.append(f"column header {header!r}" if header_hit else f"context word {word!r}")
        elif self.spec.requires == "evidence":
            return None
        return level, tuple(why)

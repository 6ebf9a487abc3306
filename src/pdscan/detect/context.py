"""Evidence around a candidate, and the confidence ladder it feeds.

Ladder: the pattern gives a base level; a failing validator drops the
candidate and a passing one sets `on_valid`; a context word in the window
or a matching column header raises one level; detectors that require
evidence drop candidates with none; a negative context word drops a
candidate unless a header or a nearer context word says otherwise.
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


# Where camelCase and XML names break into words: DateOfBirth, NINumber, learnerULN (not DoB).
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z][a-z])|(?<=[a-z0-9])(?=[A-Z]{2,}(?![a-z]))|(?<=[A-Z])(?=[A-Z][a-z])")


def normalise_header(text: str) -> str:
    """Lower-case words: "D.O.B." is "d o b", "NINumber" (an XML element) is "ni number"."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", _CAMEL.sub(" ", text).lower()).split())


class HeaderMatcher:
    """Does a column header name this detector's data ("DOB", "Date of birth")?

    A phrase matches as whole words anywhere in the header ("Learner DOB", "Candidate
    name"), unless the header also holds one of the detector's negative phrases ("Course
    name", "Company name"); one written "=file name" matches only as the whole header,
    and before any negative; one written "learner$" only at the end of the header, a
    number after it allowed ("Learner", "Emergency Contact 1"): a word that says whose the
    column is says what it holds only when nothing follows it ("Learner Ref", "Contact
    Relationship", an XML path's "Learner AddLine3" hold no name). One written "@from" is
    a mail header's or a metadata field's name: it matches a chunk's own label, and is
    left out of the matcher for table columns (`labels=False`), where "From" is a
    delivery's sender, a date or a place."""

    def __init__(self, headers, negatives=(), labels: bool = True):
        headers = [h[1:] if h.startswith("@") else h for h in headers if labels or not h.startswith("@")]
        plain = [h for h in headers if not h.startswith("=") and not h.endswith("$")]
        self.phrases = tuple(p for p in (normalise_header(h) for h in plain) if p)
        self.whole = frozenset(normalise_header(h[1:]) for h in headers if h.startswith("="))
        self.tails = tuple(normalise_header(h[:-1]) for h in headers if h.endswith("$"))
        self.negatives = tuple(n for n in (normalise_header(h) for h in negatives) if n)
        # Phrases of two words or more, as their words: a report cuts its last word short.
        self.cut = tuple(p.split() for p in self.phrases if " " in p)
        self._cache: dict = {}

    def __call__(self, header: Optional[str]) -> bool:
        if not header or not (self.phrases or self.whole or self.tails):
            return False
        hit = self._cache.get(header)
        if hit is None:
            words = normalise_header(header)
            padded = f" {words} "
            unnumbered = f" {_NUMBER_AT_END.sub('', words)}"
            hit = words in self.whole or ((any(f" {p} " in padded for p in self.phrases)
                                           or any(unnumbered.endswith(f" {t}") for t in self.tails)
                                           or self._cut_short(words.split()))
                                          and not any(f" {n} " in padded for n in self.negatives))
            self._cache[header] = hit
        return hit

    def _cut_short(self, words: list) -> bool:
        """A phrase whose last word the header cuts to the width of its column, as a printed
        report does ("ACCESS ARR" over "Access arrangements", "SICKNESS ABS"): the header's
        last word, three letters or more, begins the phrase's last word."""
        last = words[-1] if len(words) >= 2 else ""
        return len(last) >= 3 and any(words[-len(p):-1] == p[:-1] and p[-1].startswith(last) and p[-1] != last
                                      for p in self.cut if len(p) <= len(words))


_NUMBER_AT_END = re.compile(r" \d+$")


def raise_level(level: str, steps: int = 1) -> str:
    return CONFIDENCES[min(len(CONFIDENCES) - 1, CONFIDENCES.index(level) + steps)]


def at_least(level: str, floor: str) -> str:
    return level if CONFIDENCES.index(level) >= CONFIDENCES.index(floor) else floor


LABEL_GAP = 3  # bytes between a label and its value ("DOB: ")


def _outranks(negative, positive, start: int) -> bool:
    """A negative word decides when it is nearer, or when it covers the context word
    ("file name" over "name"); at the same distance otherwise, the context word wins. A
    label just before the value is not outranked by the next field's label after it
    ("DOB: 14/03/2007 Start date: ...", "NHS no: 943 476 5919 Tel: ...")."""
    (_, n_dist, (n_start, n_end)), (_, p_dist, (p_start, p_end)) = negative, positive
    if n_start <= p_start and p_end <= n_end:
        return True
    if p_end <= start and p_dist <= LABEL_GAP and n_start >= start:
        return False
    return n_dist < p_dist


class Evidence:
    """The compiled context rules of one detector."""

    def __init__(self, spec: DetectorSpec):
        self.spec = spec
        self.context = words_regex(spec.context)
        self.cased = frozenset(w.lower() for w in spec.cased_context)
        self.negative = words_regex(spec.negative_context)
        self.header = HeaderMatcher(spec.column_headers, spec.negative_context)  # a chunk's own label
        self.column = HeaderMatcher(spec.column_headers, spec.negative_context, labels=False)  # a table's
        # The word runs inside negative phrases: only a candidate that is one can lie inside a phrase.
        self.inside = frozenset(" ".join(ws[i:j]).encode("utf-8") for ws in (n.lower().split() for n in spec.negative_context)
                                for i in range(len(ws)) for j in range(i + 1, len(ws) + 1))
        # A negative phrase counts when it reaches into the window: it may cover a context word there.
        self.lead = max((len(w.encode("utf-8")) for w in spec.negative_context), default=0)

    def _near(self, regex, data: bytes, start: int, end: int, hits: Optional[list], lead: int = 0):
        """(word, distance) of the nearest word wholly inside the window before or after
        the candidate, or None. With `lead` (negative phrases), a word before the candidate
        may start up to `lead` bytes before the window ("a student" whose "student" is inside
        it), and a longer phrase around the candidate is at distance 0 ("child criminal
        exploitation" around "criminal exploitation": a term, about no child).

        `hits`: the (end, start) of every such word in the chunk, sorted, from the
        prefilter pass; None when there was no such pass (then the regex looks)."""
        if regex is None:
            return None
        w = self.spec.window
        if hits is None:
            found = [(start - m.end(), m.span()) for m in regex.finditer(data, max(0, start - w - lead), start)
                     if m.end() > start - w]
            # One byte past the window, so a word the window's edge cuts ("Child|line") is no
            # whole word: with endpos alone, \b would match at the cut.
            m = regex.search(data, end, end + w + 1)
            if m and m.end() <= end + w:
                found.append((m.start() - end, m.span()))
            if lead and b" ".join(data[start:end].lower().split()) in self.inside:
                found += [(0, m.span()) for m in regex.finditer(data, max(0, start - lead), end + lead)
                          if m.start() <= start and m.end() >= end and m.end() - m.start() > end - start]
        else:
            found = []
            i = bisect_left(hits, (start - w, -1))
            while i < len(hits) and hits[i][0] <= end + w:
                word_end, word_start = hits[i]
                if word_start >= start - w - lead and word_end <= start:
                    found.append((start - word_end, (word_start, word_end)))
                elif word_start >= end and word_end <= end + w:
                    found.append((word_start - end, (word_start, word_end)))
                elif lead and word_start <= start and word_end >= end and word_end - word_start > end - start:
                    found.append((0, (word_start, word_end)))
                i += 1
        if self.cased and regex is self.context:
            found = [f for f in found if not self._acronym(data[f[1][0]:f[1][1]])]
        if not found:
            return None
        distance, (a, b) = min(found)
        return data[a:b].decode("utf-8", "replace").lower(), distance, (a, b)

    def _acronym(self, word: bytes) -> bool:
        """A cased context word written in capitals ("Access to HE Diploma") is another word."""
        return len(word) > 1 and word.isupper() and word.decode("utf-8", "replace").lower() in self.cased

    def context_word(self, data: bytes, start: int, end: int, hits: Optional[list]) -> Optional[str]:
        near = self._near(self.context, data, start, end, hits)
        return near[0] if near else None

    def headed(self, header: Optional[str], in_table: bool) -> bool:
        """Does this header name the detector's data: a table column's, or a chunk's own label?"""
        return (self.column if in_table else self.header)(header)

    def judge(self, base: str, valid: Optional[bool], data: bytes, start: int, end: int,
              header: Optional[str], words=None, requires: Optional[str] = None, in_table: bool = False):
        """(confidence, evidence) for a candidate, or None when it is dropped.
        `words`: (context hits, negative hits) from the prefilter pass, or None."""
        if valid is False:
            return None
        context_hits, negative_hits = words or (None, None)
        level, why = base, []
        if valid:
            level = at_least(level, self.spec.on_valid)
            why.append(f"validator {self.spec.validator} passed")
        header_hit = self.headed(header, in_table)
        positive = self._near(self.context, data, start, end, context_hits)
        negative = self._near(self.negative, data, start, end, negative_hits, self.lead)
        # The nearer label says what a value is: "Due date 12/05/2024, born 1980" is no birth date,
        # "NHS no 943 476 5919 (call us…)" is still an NHS number. A column header outranks both.
        if negative and not header_hit and (positive is None or _outranks(negative, positive, start)):
            return None
        word = positive[0] if positive else None
        if word or header_hit:
            level = raise_level(level)
            why.append(f"column header {header!r}" if header_hit else f"context word {word!r}")
        elif (requires or self.spec.requires) in ("evidence", "person"):
            return None
        return level, tuple(why)

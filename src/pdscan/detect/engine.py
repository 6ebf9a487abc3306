"""One multi-pattern pass per chunk, then strict checks on the candidates only.

Hyperscan (prefilter mode, so every Python-regex construct is admitted)
finds, in one pass over the bytes, where candidates end and where context
words stand; the exact Python regex then runs on a small window around each
end, and only those candidates pay for validators and hashing.

Detectors that require evidence (a date is a birth date only near "DOB")
are not in that pass at all: their patterns run only in the windows around
their context words, or over a chunk whose column header names them. A log
full of timestamps then costs nothing more than the pass itself.

Without Hyperscan the same patterns run one by one: slower, same results.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Optional

from .. import privacy
from ..model import CONFIDENCES, Chunk, Match
from . import compiled
from .compiled import Found
from .context import Evidence, normalise_header, raise_level, words_alternation
from .hash_forms import value_key
from .people import NameColumns, a_mailbox, in_a_phrase, not_a_person, one_per_person, same_as_full
from .spec import PatternSpec
from .validators import REGISTRY, rejection

try:
    import hyperscan
except ImportError:  # pragma: no cover - platforms without wheels
    hyperscan = None

MAX_WIDTH = 256  # longest candidate looked back for; chunks overlap by more than this
MARGIN = 8       # bytes either side so \b and lookarounds see their neighbours
CONTEXT_IDS = 1 << 20   # prefilter id CONTEXT_IDS + i: detector i's context words
NEGATIVE_IDS = 2 << 20  # NEGATIVE_IDS + i: its negative context words
NAME_CELL = "name"  # a header under which the name detectors read a cell as a name
DESCRIBED = 16  # matches per detector and chunk that get a masked sample and a location;
                # reports show a few, and the rest are counted by their keyed hash alone
PERSON_REACH = 400  # bytes either side where a name or identifier makes a "person" candidate about someone
PERSON_CATEGORIES = ("name", "identifier")
CHANCE_MIN = 5  # values under one header before its pass rate says whether passes are chance


@dataclass(frozen=True)
class Compiled:
    detector: int
    spec: PatternSpec
    regex: re.Pattern
    width: int
    item: Optional["Compiled"] = None  # a list pattern's values, each judged on its own


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
    item = None
    if pattern.each is not None:
        values = re.compile(pattern.each.encode("utf-8"), flags)
        item = Compiled(index, replace(pattern, regex=pattern.each, group=min(1, values.groups), each=None),
                        values, _width(values))
    return Compiled(index, pattern, regex, _width(regex), item)


def _values(found, data: bytes):
    """Candidates as judged: a list pattern's match stands for each value in its list."""
    for c, m in found:
        if c.item is None:
            yield c, m
        else:
            yield from ((c.item, v) for v in c.item.regex.finditer(data, *m.span(c.spec.group)))


class Engine:
    def __init__(self, specs: list, key: bytes, use_hyperscan: bool = True, use_compiled: bool = True):
        self.specs = list(specs)
        self.key = key
        self.evidence = [Evidence(s) for s in self.specs]
        self.categories = {s.id: s.category for s in self.specs}
        # Detectors of people's names: counted one per person (people.py), keyed by canonical form
        # (hash_forms.py).
        self.names = {s.id: NameColumns(s.name_columns) for s in self.specs if s.name_columns}
        # A chunk's own labels that are a mail header's or a metadata field's ("@from", "@author").
        self.mail_labels = frozenset(normalise_header(h[1:]) for s in self.specs for h in s.column_headers
                                     if h.startswith("@"))
        self.text_patterns: list = []     # in the prefilter pass
        self.near_patterns: dict = {}     # detector index → patterns searched only near evidence
        self.column_patterns: list = []
        for i, spec in enumerate(self.specs):
            for p in spec.patterns:
                c = _compile(p, i)
                if p.scope == "column":
                    self.column_patterns.append(c)
                elif (p.requires or spec.requires) == "evidence":
                    self.near_patterns.setdefault(i, []).append(c)
                else:
                    self.text_patterns.append(c)
        # Context words of the detectors searched only near their evidence, by prefilter id.
        self.words = [(base + i, words) for i in self.near_patterns
                      for base, words in ((CONTEXT_IDS, self.specs[i].context),
                                          (NEGATIVE_IDS, self.specs[i].negative_context)) if words]
        # The compiled core, when installed, finds those words, confirms candidates and runs
        # validators (compiled.py).
        core_patterns = self.text_patterns + [c for cs in self.near_patterns.values() for c in cs]
        self.core = compiled.build(core_patterns, self.words) if use_compiled else None
        self.in_core = {id(c): n for n, (c, here) in enumerate(zip(core_patterns, self.core.compiled()))
                        if here} if self.core is not None else {}
        # Validators are pure, and the same value recurs (a sender's address in every mail).
        self.validators = [compiled.validator(self.core, s.validator, lru_cache(maxsize=8192)(REGISTRY[s.validator]))
                           if s.validator else None for s in self.specs]
        # Locations repeat (one sheet name, one header per column): each distinct one is scanned once.
        self.masked = lru_cache(maxsize=4096)(self._mask_values)
        self.db = None
        self.unfiltered: list = list(self.text_patterns)
        self.rejected: Optional[list] = None  # a list only while explain_text runs
        if use_hyperscan and hyperscan is not None:
            self._build_database()

    def _build_database(self) -> None:
        expressions = [c.regex.pattern for c in self.text_patterns]
        flags = [hyperscan.HS_FLAG_PREFILTER | (hyperscan.HS_FLAG_CASELESS if c.spec.ignore_case else 0)
                 for c in self.text_patterns]
        ids = list(range(len(self.text_patterns)))
        # The context words of detectors searched only near their evidence ride in the same
        # pass, exactly (whole words, with where they start): evidence is then a lookup. Other
        # detectors check their few candidates' windows with the regex, which costs less than
        # reporting every common word ("name", "email") in the pass. With the compiled core, the
        # core finds the words (core.context_words, the same hits) in a fraction of the time.
        words = [] if self.core is not None else [(n, words_alternation(ws)) for n, ws in self.words]
        word_flags = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SOM_LEFTMOST

        def compile_with(kept):
            return _hs_compile([expressions[n] for n in kept] + [w for _, w in words],
                               kept + [i for i, _ in words], [flags[n] for n in kept] + [word_flags] * len(words))

        if not ids and not words:
            return
        try:
            self.db = compile_with(ids)
        except hyperscan.error:
            # Leave out the patterns Hyperscan refuses: they still run, on the slow path.
            ids = [n for n in ids if _hs_accepts(expressions[n], flags[n])]
            self.db = compile_with(ids)
        self.unfiltered = [c for n, c in enumerate(self.text_patterns) if n not in set(ids)]

    # -- candidates -------------------------------------------------------

    def prefilter_hits(self, data: bytes) -> dict:
        """Prefilter id → [(end, start)] in order; start is 0 for patterns (only words report it)."""
        hits: dict = {}
        if self.db is not None and data:
            def on_match(pid, start, end, _flags, _ctx):
                hits.setdefault(pid, []).append((end, start))
            self.db.scan(data, match_event_handler=on_match)
        return hits

    def _candidates(self, chunk: Chunk, hits, words):
        """(pattern, match) in order: prefilter patterns in order of their first hit, patterns
        Hyperscan refused, patterns searched near evidence; a list pattern's match stands for
        each value in its list. `hits`: a dict from prefilter_hits, or the core's Hits, which
        then confirms the candidates itself."""
        return _values(self._found(chunk, hits, words), chunk.data)

    def _found(self, chunk: Chunk, hits, words):
        data = chunk.data
        if isinstance(hits, dict):
            for pid, found in hits.items():
                c = self.text_patterns[pid]
                yield from self._exact(c, data, _windows(sorted(end for end, _ in found), c.width, len(data)))
        else:
            for pid, here, found in self.core.candidates(data, hits):
                c = self.text_patterns[pid]
                if here:
                    yield from ((c, Found(*f[1:])) for f in found)
                else:
                    yield from _in_windows(c, data, found)
        for c in self.unfiltered:
            yield from self._exact(c, data, [(0, len(data))])
        for i, patterns in self.near_patterns.items():
            spans = self._evidence_spans(i, chunk, words)
            for c in patterns:
                yield from self._exact(c, data, spans)

    def _exact(self, c: Compiled, data: bytes, spans):
        n = self.in_core.get(id(c))
        if n is None:
            return _in_windows(c, data, spans)
        return ((c, Found(*f[1:])) for f in self.core.in_spans(n, data, list(spans)))

    def _evidence_spans(self, i: int, chunk: Chunk, words) -> list:
        """Where an evidence-requiring detector's values can be: the whole chunk when a column
        header names it (or there was no prefilter pass), else around its context words."""
        ev = self.evidence[i]
        headers = chunk.columns.headers if chunk.columns is not None else (chunk.header,)
        if words is None or any(ev.headed(h, chunk.columns is not None) for h in headers):
            return [(0, len(chunk.data))]
        reach = ev.spec.window + MAX_WIDTH
        ends = [end + ev.spec.window for end, _ in words.get(CONTEXT_IDS + i, ())]
        return list(_windows(ends, reach + ev.spec.window, len(chunk.data)))

    # -- judging ------------------------------------------------------------

    def scan(self, chunk: Chunk, spans: Optional[list] = None) -> list:
        """Matches in the chunk; `spans`, if given, gets (start, end, mask style) of each value
        and no match is described (no sample or location): for masking text, not reporting it."""
        data = chunk.data
        limit = len(data) - chunk.guard
        body = _body_start(chunk)
        words = None
        if self.core is not None and self.db is not None:
            hits = compiled.core.Hits()  # collects Hyperscan's matches without a Python call each
            if data:
                self.db.scan(data, match_event_handler=hits)
            words = self.core.context_words(data)
        else:
            hits = self.prefilter_hits(data)
            if self.db is not None:
                words = {pid: sorted(hits.pop(pid)) for pid in [p for p in hits if p >= CONTEXT_IDS]}
        matches = []
        pending: list = []
        described: Counter = Counter()
        tally = {} if chunk.columns is not None else None  # (detector, header) -> [rows checked, rows passed]
        for c, m in self._candidates(chunk, hits, words):
            if (chunk.guard and m.end(c.spec.group) > limit) or m.start() < body:
                continue
            match = self._judge(chunk, c, m, words, spans is None and described[c.detector] < DESCRIBED, pending,
                                tally=tally, masking=spans is not None)
            if match is not None:
                matches.append((m.start(c.spec.group), m.end(c.spec.group), match))
                described[c.detector] += 1
                self._span(spans, c, m)
        if self.column_patterns and (chunk.columns is not None or chunk.header):
            matches.extend(self._scan_columns(chunk, limit, spans, pending, tally))
        if pending:
            matches.extend(self._about_a_person(chunk, pending, matches, words, spans))
        if tally:
            matches = self._without_chance_passes(chunk, matches, tally)
        if self.names and spans is None:
            matches = self._one_per_person(chunk, matches)
        return _outermost(matches)

    def _without_chance_passes(self, chunk: Chunk, matches: list, tally: dict) -> list:
        """A column where most rows fail a detector's check is not that detector's column:
        under "Learner Ref", the college's own 10-digit numbers pass the ULN check one time in
        eleven, and those are no ULNs; under a delivery log's "Sender", most values are
        companies ("Viking Direct", "Hair Tools Ltd"), and the rest ("CPC Farnell") are too.
        Rows, not candidates, are counted: a footer row with three failing words ("Printed ...
        by MIS report REP-5") weighs as one row against a short table's three names."""
        chance = {key for key, (checked, passed) in tally.items()
                  if len(checked) >= CHANCE_MIN and len(passed) * 2 < len(checked)}
        if not chance:
            return matches
        return [s for s in matches if (s[2].detector, self._header(chunk, s[0])) not in chance]

    def _one_per_person(self, chunk: Chunk, matches: list) -> list:
        out = [s for s in matches if s[2].detector not in self.names]
        for detector, columns in self.names.items():
            found = [(start, end, m, chunk.data[start:end].decode("utf-8", "replace"),
                      self._header(chunk, start), chunk.line_of(start))
                     for start, end, m in sorted(matches, key=lambda s: s[0]) if m.detector == detector]
            if not found:
                continue
            if chunk.columns is not None and columns:
                found = one_per_person(found, columns, chunk.columns.sparse, self._joined)
            out += [entry[:3] for entry in same_as_full(found)]
        return out

    def _joined(self, given: tuple, family: tuple) -> tuple:
        """One match for a person whose given and family names stand in two cells."""
        first, second = sorted((given, family), key=lambda e: e[0])
        value = f"{given[3]} {family[3]}"
        m = first[2]
        best = max((given[2].confidence, family[2].confidence), key=CONFIDENCES.index)
        joined = replace(m, confidence=best, key=value_key(m.detector, value, self.key, name=True),
                         sample=privacy.mask(value, "name") if m.sample else "",
                         evidence=m.evidence + ("given and family name in one record",))
        return (first[0], first[1], joined, value, first[4], first[5])

    def _about_a_person(self, chunk: Chunk, pending: list, matches: list, words, spans: Optional[list]) -> list:
        """Candidates that needed a person: those with a name or identifier found nearby."""
        people = sorted(start for start, _, m in matches
                        if self.categories[m.detector] in PERSON_CATEGORIES or m.detector == "date_of_birth")
        out = []
        for c, m in pending:
            start, end = m.span(c.spec.group)
            i = bisect_left(people, start - PERSON_REACH)
            if i < len(people) and people[i] <= end + PERSON_REACH:
                match = self._judge(chunk, c, m, words, describe=spans is None, person=True, masking=spans is not None)
                if match is not None:
                    out.append((start, end, match))
                    self._span(spans, c, m)
        return out

    def _span(self, spans: Optional[list], c: Compiled, m: re.Match) -> None:
        if spans is not None:
            spans.append((*m.span(c.spec.group), self.specs[c.detector].mask))

    def _mask_values(self, text: str, header: bool = False, addresses: bool = False) -> str:
        """`text` with every value a detector finds in it masked as a sample is.

        A location is text someone wrote: a sheet can be named after a pupil or an NI number,
        and a header row that is really data makes a column header of "Siobhan McGregor". A
        name needs evidence, so the text is also read as a cell of a name column, and a run
        of two or more name words is masked, unless the text is a column header some
        detector knows ("Next of kin" names data, it is no one's name). With `addresses`,
        mail addresses stay whole (a sender may be shown), but other values in them do not."""
        data = text.encode("utf-8", "replace")
        spans: list = []
        self.scan(Chunk(data), spans)
        if not (header and any(ev.header(text) for ev in self.evidence)):
            named: list = []
            self.scan(Chunk(data, header=NAME_CELL), named)
            spans += [s for s in named if s[2] == "name" and len(data[s[0]:s[1]].split()) >= 2]
        if addresses:
            spans = [s for s in spans if s[2] != "email"]
        merged: list = []
        for start, end, style in sorted(spans):
            if merged and start < merged[-1][1]:  # values overlap (two detectors): one masked run
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end, style])
        out, last = [], 0
        for start, end, style in merged:
            value = data[start:end].decode("utf-8", "replace")
            out += [data[last:start], privacy.mask(value, style).encode("utf-8")]
            last = end
        return b"".join(out + [data[last:]]).decode("utf-8", "replace")

    def _scan_columns(self, chunk: Chunk, limit: int, spans: Optional[list] = None, pending=None,
                      tally: Optional[dict] = None) -> list:
        out = []
        for c in self.column_patterns:
            wanted = self.evidence[c.detector].column if chunk.columns is not None else self.evidence[c.detector].header
            if chunk.columns is None:
                if not wanted(chunk.header):
                    continue
            elif not any(wanted(h) for h in chunk.columns.headers):
                continue
            for m in c.regex.finditer(chunk.data, _body_start(chunk)):
                if chunk.guard and m.end() > limit:
                    continue
                if chunk.columns is not None and not wanted(self._header(chunk, m.start())):
                    continue
                match = self._judge(chunk, c, m, describe=spans is None, pending=pending, tally=tally,
                                    masking=spans is not None)
                if match is not None:
                    out.append((m.start(), m.end(), match))
                    self._span(spans, c, m)
        return out

    def _header(self, chunk: Chunk, pos: int) -> Optional[str]:
        if chunk.columns is not None:
            return chunk.columns.header_at(chunk.data, pos)
        return chunk.header

    def _judge(self, chunk: Chunk, c: Compiled, m: re.Match, words: Optional[dict] = None,
               describe: bool = True, pending: Optional[list] = None, person: bool = False,
               tally: Optional[dict] = None, masking: bool = False) -> Optional[Match]:
        spec = self.specs[c.detector]
        evidence = self.evidence[c.detector]
        start, end = m.span(c.spec.group)
        if start < 0:
            return None
        header = self._header(chunk, start)
        near = None if words is None or c.detector not in self.near_patterns else (
            words.get(CONTEXT_IDS + c.detector, ()), words.get(NEGATIVE_IDS + c.detector, ()))
        requires = c.spec.requires or spec.requires
        if requires == "person" and not person and chunk.columns is not None and (
                c.spec.scope == "column" or not evidence.context_word(chunk.data, start, end, near and near[0])):
            # In a table the header says what a cell is, not whom it is about: "White British" under
            # "Ethnicity" in a table of counts is about no one. A person must be in reach.
            if pending is not None:
                pending.append((c, m))
            return None
        if requires in ("evidence", "person") and not person and not evidence.headed(header, chunk.columns is not None) \
                and not evidence.context_word(chunk.data, start, end, near and near[0]):
            if requires == "person" and pending is not None:
                pending.append((c, m))  # kept if a person turns up nearby
            return None  # cheapest first: no evidence, no need to run the validator
        value = chunk.data[start:end].decode("utf-8", "replace")
        check = self.validators[c.detector]
        valid = check(value) if check else None
        # Masking a location or an error (text someone wrote: "sheet Siobhan McGregor") hides every name
        # run: what tells a person from a phrase in a cell is for reporting, never for what is shown.
        if c.spec.scope == "column" and spec.id in self.names and valid is not False and not masking \
                and in_a_phrase(chunk.data, start, end):
            valid = False  # counted as a failure: a column of such phrases is no name column
        if spec.id in self.names and valid is None and not masking and (
                not_a_person(chunk.data, start, end, value)
                or (chunk.columns is None and normalise_header(header or "") in self.mail_labels and a_mailbox(value))):
            valid = False  # a name the lists do not know, in a product's or a heading's phrase, or a mailbox's
        if requires == "known" and valid is not True:
            return None
        if tally is not None and check and header and requires == "evidence":
            # A validator's None (a name it does not know) is no failure.
            checked, passed = tally.setdefault((spec.id, header), (set(), set()))
            row = chunk.data.rfind(b"\n", 0, start)
            checked.add(row)
            if valid is not False:
                passed.add(row)
        if valid is False and self.rejected is not None:
            self.rejected.append((spec, value))
        verdict = evidence.judge(c.spec.confidence, valid, chunk.data, start, end, header, near,
                                 "none" if person else requires, in_table=chunk.columns is not None)
        if verdict is None:
            return None
        level, why = verdict
        if person:
            level, why = raise_level(level), why + ("a person named nearby",)
        return Match(
            detector=spec.id, confidence=level,
            sample=privacy.mask(value, spec.mask) if describe else "",
            key=value_key(spec.id, value, self.key, name=spec.id in self.names),
            location=self._location(chunk, start, header) if describe else "",
            evidence=(f"pattern {c.spec.name}",) + why,
        )

    def _location(self, chunk: Chunk, pos: int, header: Optional[str]) -> str:
        parts = [self.masked(chunk.where)] if chunk.where else []
        if chunk.columns is not None:
            parts.append(f"row {chunk.line_of(pos)}")
            if header:
                parts.append(f"column {self.masked(header, header=True)!r}")
        elif not chunk.header:
            parts.append(f"line {chunk.line_of(pos)}")
        return " ".join(parts)

    def scan_text(self, text: str) -> list:
        return self.scan(Chunk(text.encode("utf-8")))

    def explain_text(self, text: str) -> tuple:
        """(matches, rejections) for `detectors --explain`; a rejection is (detector id, masked
        value, reason). Rejected are the candidates a validator dropped, and the text itself
        (or a comma-separated piece of it) when a validator knows it as a reserved example
        that no pattern admits ("QQ 12 34 56 C": Q never starts an NI number)."""
        self.rejected = []
        try:
            matches = self.scan_text(text)
            found = self.rejected
        finally:
            self.rejected = None
        out: dict = {}
        for spec, value in found:
            reason = rejection(spec.validator, value) or f"fails the {spec.validator} check"
            out.setdefault((spec.id, value), reason)
        pieces = {p.strip() for p in re.split(r"[,;\n]", text) if p.strip()} | {text.strip()}
        for spec in self.specs:
            for piece in sorted(pieces):
                reason = rejection(spec.validator, piece) if spec.validator else None
                if reason and not any(d == spec.id and (piece in v or v in piece) for d, v in out):
                    out[(spec.id, piece)] = reason
        return matches, [(d, privacy.mask(v, self._spec(d).mask), why) for (d, v), why in out.items()]

    def _spec(self, detector: str):
        return next(s for s in self.specs if s.id == detector)


def _outermost(spanned: list) -> list:
    """Matches without those lying inside another match of the same detector: a sort code and
    account pair is one bank account, not also the account number alone."""
    if len(spanned) < 2:
        return [m for _, _, m in spanned]
    kept, reach = [], {}
    for start, end, match in sorted(spanned, key=lambda s: (s[0], -s[1])):
        if reach.get(match.detector, -1) >= end:
            continue
        reach[match.detector] = max(end, reach.get(match.detector, -1))
        kept.append(match)
    return kept


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


def _in_windows(c: Compiled, data: bytes, spans):
    """Exact matches of one pattern within spans, each match once."""
    seen_until = -1
    for lo, hi in spans:
        for m in c.regex.finditer(data, max(lo, 0), hi):
            if m.start() >= seen_until:
                yield c, m
                seen_until = m.end()


def _windows(ends, width: int, size: int):
    """Merge the look-back windows of nearby ends (in order) into (lo, hi) spans."""
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
    if chunk.columns is not None and chunk.first_line == chunk.columns.header_line and chunk.offset == 0:
        return chunk.data.find(b"\n") + 1 or len(chunk.data)
    return 0

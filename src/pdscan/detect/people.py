"""One person, however a file writes them.

A class list gives a learner's forename and surname columns of their own: that is one
person per row, not two names. "KHAN, Aisha", "Aisha Khan", "Mrs Aisha Khan" and
"Aisha Noor Khan" are one person. A first name alone, a preferred name or a middle
name is never a person of its own, nor is one word in capitals outside a surname column
(initials or a code: "SEM" under "Staff"). Which headers hold which part is data: the name
detector's `name_columns` (given, family, alias, and the `same_person` words such as
"Learner" that do not make "Learner Surname" someone else's surname than "Forename").
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from ..extract.layout import PARTICLES  # lower-case words a name keeps ("van den Berg")
from .context import normalise_header
from .hash_forms import canonical, title_of  # the one written form of a name, hashed and compared
from .validators import person_name, wordlist


class NameColumns:
    """Which part of a person's name a column header holds, and whose name it is."""

    def __init__(self, parts):
        table = {part: tuple(normalise_header(h) for h in phrases) for part, phrases in parts}
        self.same_person = frozenset(w for p in table.pop("same_person", ()) for w in p.split())
        # Longer phrases first: "previous surname" is an alias before "surname" is a family name.
        self.phrases = sorted(((p, part) for part, phrases in table.items() for p in phrases if p),
                              key=lambda x: -len(x[0]))
        self._cache: dict = {}

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def part(self, header: Optional[str]) -> tuple:
        """(part or None, owner), part "whole" for a header naming both parts; owner is what else
        the header says ("parent" in "Parent Surname"), so a parent's forename pairs with the
        parent's surname only."""
        if not header:
            return None, ""
        found = self._cache.get(header)
        if found is None:
            padded = f" {normalise_header(header)} "
            found = (None, "")
            for phrase, part in self.phrases:
                if f" {phrase} " in padded:
                    rest = padded.replace(f" {phrase} ", " ", 1).split()
                    found = (part, " ".join(w for w in rest if w not in self.same_person))
                    break
            if found[0] in ("given", "family") and self._both_parts(padded):
                found = ("whole", found[1])  # "Surname, Forename", "Name (surname, forename)"
            self._cache[header] = found
        return found

    def _both_parts(self, padded: str) -> bool:
        parts = {part for phrase, part in self.phrases if f" {phrase} " in padded}
        return {"given", "family"} <= parts


def one_per_person(found: list, columns: NameColumns, sparse: bool, join) -> list:
    """Name matches of one chunk, each (start, end, match, value, header, record), in order,
    as one entry per person: a given and a family name of one owner in one record (a row;
    in a sparse table of one value per line, until a part repeats) are joined by
    `join(given, family)`; a family name alone stands; a given name alone or an alias is
    dropped. Names in other columns are kept as they are."""
    out: list = []
    pending: dict = {}   # owner -> {part: entry}
    record = None

    def flush(owner):
        slot = pending.pop(owner)
        if "family" in slot and "given" not in slot:
            out.append(slot["family"])

    for entry in found:
        part, owner = columns.part(entry[4])
        if part in (None, "whole"):
            # A whole name stands; so does a surname alone under "Surname, Forename" ("LUNGU" when
            # the forename's letters are beyond the name pattern's), never initials elsewhere.
            if part == "whole" or not _initials_or_code(entry[3]):
                out.append(entry)
            continue
        if part == "alias":
            continue
        if not sparse and entry[5] != record:
            for o in list(pending):
                flush(o)
            record = entry[5]
        if part in pending.get(owner, {}):
            flush(owner)
        slot = pending.setdefault(owner, {})
        slot[part] = entry
        if len(slot) == 2:
            del pending[owner]
            out.append(join(slot["given"], slot["family"]))
    for o in list(pending):
        flush(o)
    return sorted(out, key=lambda e: e[0])


def _initials_or_code(value: str) -> bool:
    """One word in capitals where a whole name would stand ("SEM" under "Staff" in a
    timetable): a person's initials or a code. A surname column's "KHAN" is a family name."""
    return " " not in value.strip() and value.isupper()


_WORD_AFTER = re.compile(rb"(?:'s)?(?:[ ]?[-/&+][ ]?|[ ])([a-z]+)(?![A-Za-z])")
_WORD_BEFORE = re.compile(rb"(?<![A-Za-z])([a-z]+)(?:[ ]?[-/&+][ ]?|[ ])$")


def in_a_phrase(data: bytes, start: int, end: int) -> bool:
    """A cell of a name column holds a name whole. Capitalised words joined in their cell to a
    lower-case word are part of a phrase, not a person: a firm ("John Lewis for Business",
    "Snap-on Tools"), a dish ("Cornish pasty", "Earl Grey tea"), a place ("the Grace Darling
    House"), a section's title between two tables ("Withdrawn / transferred")."""
    after = _WORD_AFTER.match(data, end, end + 24)
    before = _WORD_BEFORE.search(data[max(0, start - 24):start])
    return any(m is not None and m.group(1).decode() not in PARTICLES for m in (after, before))


# Capitalised words after a name, up to what ends them; a run ending in ":" is the next label
# ("Young person: Tegan Marsh DOB: ...", "Employee: Owen Pritchard Payroll No: ..."), and one
# ending in a gap of spaces is the last of the name's field in a form printed to text.
_RUN_AFTER = re.compile(rb"((?:[ ](?:[A-Z]|\xc3[\x80-\x9e]|[\xc4\xc5][\x80-\xbf])[A-Za-z'&-]*)+)(?:[ ](?i:no|number|ref|id|code)\.?)?[ \t]*(:)?")
_TITLE_CASE = re.compile(rb"[ ][A-Z][a-z]")
_GAELIC = (b"\xc3\x93", b"N\xc3\xad", b"Nic", b"U\xc3\xad")  # "Cathal \xc3\x93 Dubhda": the name goes on
_KNIGHTED = re.compile(rb"(?<![A-Za-z])(?:Sir|Dame)\.?[ ]+$")


def not_a_person(data: bytes, start: int, end: int, value: str) -> bool:
    """A name the lists do not know, in a phrase that is no person's name. Capitalised words
    running on past it make a Title Case phrase: a product ("Mrs Bramble Country Kitchen jam"),
    a department ("Pennine Vale IT Services"), a heading. A knight or dame is named by a given
    name ("Sir Alex", "Dame Judi"): "Sir Tenbury's brown sauce" is a brand."""
    run = _RUN_AFTER.match(data, end)
    if run is not None and not run.group(2) and b"  " not in run.group(0) \
            and run.group(1).split()[0] not in _GAELIC and _TITLE_CASE.search(run.group(1)):
        # unless the next word completes the name ("Callum" then "Reid")
        return person_name(f"{value} {run.group(1).split()[0].decode('utf-8', 'replace')}") is not True
    first = value.split()[0].lower() if value.split() else ""
    return _KNIGHTED.search(data[max(0, start - 8):start]) is not None and first not in wordlist("given_names")


def a_mailbox(value: str) -> bool:
    """One word the name lists do not know, as a mail header's display name: a shared mailbox
    ("Canteen", "Admissions"), not a person."""
    words = value.split()
    return len(words) == 1 and words[0].lower() not in wordlist("given_names") \
        and words[0].lower() not in wordlist("surnames")

def same_as_full(found: list) -> list:
    """Entries whose name is one word ("Dear Sarah", "Mrs Khan") take the key of a full name
    in the same text with that given or family name: one person, not two. When several full
    names have it ("Mrs Grace Patel" writing about "Priya Patel"), the one written with the
    same title, else the first."""
    full: dict = {}
    for entry in found:
        words = canonical(entry[3]).split()
        if len(words) == 2:
            for word in words:
                keys = full.setdefault(word, {})
                keys.setdefault(entry[2].key, title_of(entry[3]))
    out = []
    for entry in found:
        words = canonical(entry[3]).split()
        keys = full.get(words[0], {}) if len(words) == 1 else {}
        if keys:
            title = title_of(entry[3])
            key = next((k for k, t in keys.items() if title and t == title), next(iter(keys)))
            entry = (entry[0], entry[1], replace(entry[2], key=key), *entry[3:])
        out.append(entry)
    return out

"""The detector TOML schema: plain records, validated before anything compiles.

Every error names the file, the detector id and the field, so a site file
with a typo says where the typo is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..errors import ConfigError
from ..model import CONFIDENCES

CATEGORIES = ("contact", "identifier", "financial", "date", "name", "special")
MASKS = ("default", "email", "name", "keep")
# "evidence": kept only with a context word or column header, and searched for only there.
# "person": the same, or with a person (a name, an identifier, a birth date) found nearby;
# searched for everywhere, since a person can be anywhere.
# "known": kept only when the validator confirms the value ("Re: Chidi Okafor": a known given
# name and surname), where the pattern alone would also take a subject line's words.
REQUIRES = ("none", "evidence", "person", "known")
DETECTOR_FIELDS = {"id", "name", "category", "validator", "on_valid", "requires", "context", "cased_context",
                   "negative_context", "window", "column_headers", "mask", "patterns", "examples", "name_columns"}
# The headers of name parts: a row's given and family name are one person; an alias never is one.
NAME_PARTS = ("given", "family", "alias", "same_person")
PATTERN_FIELDS = {"name", "regex", "confidence", "group", "scope", "ignore_case", "requires", "each"}


@dataclass(frozen=True)
class PatternSpec:
    name: str
    regex: str
    confidence: str
    group: int = 0
    scope: str = "text"  # "column": only in cells whose header matches the detector's column_headers
    ignore_case: bool = False
    requires: Optional[str] = None  # overrides the detector's `requires` for this pattern
    # A list ("Present: A, B (Chair), C"): the regex finds the list, `each` (its group 1, or the
    # whole match) each value in the list's group; every value is then judged on its own.
    each: Optional[str] = None


@dataclass(frozen=True)
class DetectorSpec:
    id: str
    name: str
    category: str
    patterns: tuple
    validator: Optional[str] = None
    on_valid: str = "high"
    requires: str = "none"
    context: tuple = ()
    # Context words that count as written in small letters or with a capital first ("he", "He"),
    # not in capitals: "HE" is higher education, no pronoun. Also in `context`.
    cased_context: tuple = ()
    negative_context: tuple = ()
    window: int = 60
    column_headers: tuple = ()
    name_columns: tuple = ()  # (part, header phrases) pairs, parts from NAME_PARTS
    mask: str = "default"
    match_examples: tuple = ()
    no_match_examples: tuple = ()
    source: str = ""


class _Fields:
    """Typed access to one TOML table, with errors that say where."""

    def __init__(self, table: dict, where: str, allowed: set):
        self.table, self.where = table, where
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise ConfigError(f"{where}: unknown field {unknown[0]!r}")

    def get(self, key, kind, default=None, required=False, choices=None):
        if key not in self.table:
            if required:
                raise ConfigError(f"{self.where}: field {key!r} is required")
            return default
        value = self.table[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigError(f"{self.where}: field {key!r} must be {_kind_name(kind)}")
        if choices is not None and value not in choices:
            raise ConfigError(f"{self.where}: field {key!r} must be one of {', '.join(choices)}")
        return value

    def strings(self, key) -> tuple:
        value = self.get(key, list, [])
        if not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{self.where}: field {key!r} must be a list of non-empty strings")
        return tuple(value)


def _kind_name(kind) -> str:
    return {str: "a string", int: "an integer", bool: "true or false", list: "a list", dict: "a table"}.get(kind, str(kind))


def _compiled(regex: str, where: str, field: str) -> re.Pattern:
    try:
        return re.compile(regex.encode("utf-8"))
    except re.error as exc:
        raise ConfigError(f"{where}: field {field!r} does not compile: {exc}") from None


def parse_pattern(table, where: str) -> PatternSpec:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    f = _Fields(table, where, PATTERN_FIELDS)
    spec = PatternSpec(
        name=f.get("name", str, required=True),
        regex=f.get("regex", str, required=True),
        confidence=f.get("confidence", str, "low", choices=CONFIDENCES),
        group=f.get("group", int, 0),
        scope=f.get("scope", str, "text", choices=("text", "column")),
        ignore_case=f.get("ignore_case", bool, False),
        requires=f.get("requires", str, None, choices=REQUIRES),
        each=f.get("each", str, None),
    )
    compiled = _compiled(spec.regex, where, "regex")
    if spec.each is not None and _compiled(spec.each, where, "each").match(b""):
        raise ConfigError(f"{where}: field 'each' matches the empty string")
    if not 0 <= spec.group <= compiled.groups:
        raise ConfigError(f"{where}: field 'group' is {spec.group} but the regex has {compiled.groups} groups")
    if compiled.match(b""):
        raise ConfigError(f"{where}: field 'regex' matches the empty string")
    return spec


def parse_detector(table, source: str, index: int, validators) -> DetectorSpec:
    where = f"{source}: detector #{index + 1}"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    if isinstance(table.get("id"), str):
        where = f"{source}: detector {table['id']!r}"
    f = _Fields(table, where, DETECTOR_FIELDS)
    ident = f.get("id", str, required=True)
    if not re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*", ident):
        raise ConfigError(f"{where}: field 'id' must be dotted lower-case words")
    patterns = f.get("patterns", list, required=True)
    if not patterns:
        raise ConfigError(f"{where}: field 'patterns' must list at least one pattern")
    validator = f.get("validator", str)
    if validator is not None and validator not in validators:
        raise ConfigError(f"{where}: field 'validator' names unknown validator {validator!r}")
    examples = _Fields(f.get("examples", dict, required=True), f"{where} examples", {"match", "no_match"})
    match, no_match = examples.strings("match"), examples.strings("no_match")
    if not match or not no_match:
        raise ConfigError(f"{where}: field 'examples' needs at least one 'match' and one 'no_match'")
    parts = _Fields(f.get("name_columns", dict, {}), f"{where} name_columns", set(NAME_PARTS))
    name_columns = tuple((part, parts.strings(part)) for part in NAME_PARTS if part in parts.table)
    window = f.get("window", int, 60)
    if not 0 < window <= 1000:
        raise ConfigError(f"{where}: field 'window' must be between 1 and 1000")
    return DetectorSpec(
        id=ident, name=f.get("name", str, required=True),
        category=f.get("category", str, required=True, choices=CATEGORIES),
        patterns=tuple(parse_pattern(p, f"{where} pattern #{i + 1}") for i, p in enumerate(patterns)),
        validator=validator, on_valid=f.get("on_valid", str, "high", choices=CONFIDENCES),
        requires=f.get("requires", str, "none", choices=REQUIRES),
        context=f.strings("context") + f.strings("cased_context"), cased_context=f.strings("cased_context"),
        negative_context=f.strings("negative_context"), window=window,
        column_headers=f.strings("column_headers"), name_columns=name_columns, mask=f.get("mask", str, "default", choices=MASKS),
        match_examples=match, no_match_examples=no_match, source=source,
    )

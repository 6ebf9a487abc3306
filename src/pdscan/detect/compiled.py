"""The detection engine's link to the compiled core (pdscan_core, see native.py).

The core gets the patterns from the detectors' TOML and the tables the Python validators
read (word lists, stdnum's UPN and IBAN tables, phonenumbers' +44 numbering plan), so
both paths judge from the same data. What the core does not decide (a pattern with
look-ahead, a value with non-ASCII text, an IBAN country with its own national check)
it hands back, and the Python code decides as before.
"""
from __future__ import annotations

from typing import Callable, Optional

import phonenumbers
from phonenumbers import PhoneMetadata
from stdnum import iban as stdnum_iban
from stdnum.gb import upn as stdnum_upn
from stdnum.util import get_cc_module

from ..native import core
from . import validators

# Validators the core implements; the others (dates, names, site ones) stay in Python.
COMPILED_VALIDATORS = frozenset({"nhs", "uln", "upn", "nino", "uk_passport", "uk_driving_licence",
                                 "uk_bank_account", "iban", "payment_card", "uk_phone", "uk_postcode", "email"})
_VERDICTS = (False, True, None)  # the core's answers 0, 1, 2; 3 is "ask Python"
# phonenumbers' number types, all of which make a number valid.
_PHONE_TYPES = validators.PERSONAL_PHONE_TYPES  # the core accepts a number of these kinds only


class Found:
    """The parts of re.Match the engine reads, for a match the core found."""
    __slots__ = ("_start", "_end", "_group_start", "_group_end")

    def __init__(self, start: int, end: int, group_start: int, group_end: int):
        self._start, self._end, self._group_start, self._group_end = start, end, group_start, group_end

    def start(self, group: int = 0) -> int:
        return self._group_start if group else self._start

    def end(self, group: int = 0) -> int:
        return self._group_end if group else self._end

    def span(self, group: int = 0) -> tuple:
        return (self._group_start, self._group_end) if group else (self._start, self._end)


def _phone_regions() -> list:
    regions = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[44]:
        meta = PhoneMetadata.metadata_for_region(region)
        general = (meta.general_desc.national_number_pattern, list(meta.general_desc.possible_length))
        types = [(desc.national_number_pattern, list(desc.possible_length))
                 for desc in (getattr(meta, name) for name in _PHONE_TYPES)
                 if desc is not None and desc.national_number_pattern]
        regions.append((meta.leading_digits, general, types))
    return regions


def _iban_tables() -> Optional[tuple]:
    """(country -> BBAN regex, countries whose stdnum module adds a national check), or None
    when stdnum's table is not the one-level country table this code reads."""
    structures = {}
    for length, low, high, props, _children in stdnum_iban._ibandb.prefixes:
        if length != 2 or low != high:
            return None
        if props:
            structures[low] = stdnum_iban._struct_to_re(props.get("bban", "")).pattern
    return structures, {cc for cc in structures if get_cc_module(cc.lower(), "iban")}


def tables() -> dict:
    structures, national_checks = _iban_tables() or ({}, set())
    return {
        "tlds": set(validators.wordlist("tlds")),
        "email_reserved": sorted(validators.wordlist("email_reserved")),
        "postcode_areas": set(validators.wordlist("postcode_areas")),
        "upn_la": set(stdnum_upn._la_numbers),
        "iban": structures, "iban_defer": national_checks,
        "card_ranges": [(low, high, list(lengths)) for low, high, lengths in validators._CARD_RANGES],
        "phone_regions": _phone_regions(),
        "phone_drama": sorted(validators.wordlist("phone_drama_ranges")),
    }


def build(patterns: list, words: list):
    """A Core for (Compiled pattern) list `patterns` and (id, [context word...]) lists `words`,
    or None when the core is not installed."""
    if core is None:
        return None
    return core.Core([(c.spec.regex, c.spec.ignore_case, c.spec.group, c.width) for c in patterns], tables(),
                     [(i, [w.encode("utf-8") for w in ws]) for i, ws in words])


def validator(engine_core, name: str, python: Callable) -> Callable:
    """Validator `name` through the core, with the Python one for what the core leaves to it."""
    if engine_core is None or name not in COMPILED_VALIDATORS or (name == "iban" and _iban_tables() is None):
        return python
    check = engine_core.check

    def compiled(value: str) -> Optional[bool]:
        code = check(name, value)
        return _VERDICTS[code] if code < 3 else python(value)
    return compiled

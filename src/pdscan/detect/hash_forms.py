"""What a detector's keyed hash is of: one written form per value.

A value is hashed (privacy.keyed_hash) to count it once per item and to find it again
(`pdscan locate`), so two spellings of one value must hash alike. privacy.normalise
already drops spaces, dashes, dots and case; a phone number is further written in its
international form ("07700 900123" and "+44 7700 900123" are one number), a date as
ISO 8601 ("12/03/2005" and "12 March 2005" are one date) and a person's name as first
given name and family name ("KHAN, Aisha Noor", "Mrs Aisha Khan" and "Aisha Khan" are one
person). `pdscan locate` hashes the identifiers of a request through `value_key`, the very
function the engine uses.

FORM_VERSION names these forms: the store records it with each scan, since hashes
made under other forms cannot be compared (locate refuses them; a rescan rehashes).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .. import privacy
from ..formats.dates import parse_uk_date

# 1: every value as written (privacy.normalise only); 2: phones in E.164, dates in ISO;
# 3: and names as given and family name (`canonical`).
FORM_VERSION = 3

TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "master"})
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def canonical(value: str) -> str:
    """The form a person's name is counted by: first given name and family name, lower case.
    "KHAN, Aisha Noor" and "Mrs Aisha Khan" are both "aisha khan"."""
    family, comma, given = value.partition(",")
    words = _words(given) + _words(family) if comma and _words(given) else _words(value)
    words = [w for w in words if w not in TITLES] or words
    if len(words) >= 2:
        return f"{words[0]} {words[-1]}"
    return words[0] if words else " ".join(value.lower().split())


def title_of(value: str) -> str:
    """The title a name is written with ("mrs" of "Mrs Aisha Khan"), or ""."""
    words = _words(value)
    return words[0] if words and words[0] in TITLES else ""


def _words(text: str) -> list:
    return [w.lower() for w in _WORD.findall(text)]


@lru_cache(maxsize=8192)  # a sender's number recurs in every mail
def _phone(value: str) -> str:
    import phonenumbers  # here, not at the top: a scan asks FORM_VERSION long before it hashes a phone
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=8192)
def _date(value: str) -> str:
    parsed = parse_uk_date(value)
    return parsed.isoformat() if parsed else value


FORMS = {"uk.phone": _phone, "date_of_birth": _date, "person_name": canonical}


def hash_form(detector: str, value: str, name: bool = False) -> str:
    """The form of `value` that is hashed; `name`: the detector finds people's names (a site's
    own name detector, with name_columns, is counted as the bundled one is)."""
    form = canonical if name else FORMS.get(detector)
    return form(value) if form else value


def value_key(detector: str, value: str, key: bytes, name: bool = False) -> str:
    """The keyed hash a match of `detector` on `value` carries (Match.key, the store's `keys`)."""
    return privacy.keyed_hash(detector, hash_form(detector, value, name), key)

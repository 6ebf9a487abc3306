"""What a detector's keyed hash is of: one written form per value.

A value is hashed (privacy.keyed_hash) to count it once per item and to find it again
(`pdscan locate`), so two spellings of one value must hash alike. privacy.normalise
already drops spaces, dashes, dots and case; a phone number is further written in its
international form ("07700 900123" and "+44 7700 900123" are one number) and a date as
ISO 8601 ("12/03/2005" and "12 March 2005" are one date). `pdscan locate` hashes the
identifiers of a request through `value_key`, the very function the engine uses.

FORM_VERSION names these forms: the store records it with each scan, since hashes
made under other forms cannot be compared (locate refuses them; a rescan rehashes).
"""
from __future__ import annotations

from functools import lru_cache

import phonenumbers

from .. import privacy
from .validators import parse_uk_date

FORM_VERSION = 2  # 1: every value as written (privacy.normalise only)


@lru_cache(maxsize=8192)  # a sender's number recurs in every mail
def _phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=8192)
def _date(value: str) -> str:
    parsed = parse_uk_date(value)
    return parsed.isoformat() if parsed else value


FORMS = {"uk.phone": _phone, "date_of_birth": _date}


def hash_form(detector: str, value: str) -> str:
    form = FORMS.get(detector)
    return form(value) if form else value


def value_key(detector: str, value: str, key: bytes) -> str:
    """The keyed hash a match of `detector` on `value` carries (Match.key, the store's `keys`)."""
    return privacy.keyed_hash(detector, hash_form(detector, value), key)

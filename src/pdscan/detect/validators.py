"""Named validators: pure functions from a matched value to True, False or None.

True: the value passes its check (checksum, numbering plan, known area);
False: it fails and the match is dropped; None: no verdict either way.
A detector names its validator in TOML; an unknown name is a load error.
Every validator takes any str and never raises: odd input is simply False.

`why`: for `detectors --explain` only (None on the scanning path, where a
reason would be built for nothing): a list the validator appends a reason to
when it rejects a value someone would recognise (a reserved range, an example
domain), not when the value simply has the wrong shape.
"""
from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.gb import nhs as stdnum_nhs
from stdnum.gb import upn as stdnum_upn

from ..formats.dates import parse_uk_date
from ..formats.mrz import valid_zone

Validator = Callable[..., Optional[bool]]
REGISTRY: dict = {}

WORDLISTS = Path(__file__).with_name("wordlists")


def validator(name: str):
    def register(fn: Validator) -> Validator:
        if name in REGISTRY:
            raise ValueError(f"validator {name!r} registered twice")
        REGISTRY[name] = fn
        return fn
    return register


@lru_cache(maxsize=None)
def wordlist(name: str) -> frozenset:
    """Lower-cased entries of wordlists/NAME.txt; `#` starts a comment."""
    text = (WORDLISTS / f"{name}.txt").read_text(encoding="utf-8")
    entries = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(e for e in entries if e)


def _compact(value: str) -> str:
    """Drop the separators people type inside numbers (spaces, hyphens)."""
    return re.sub(r"[\s-]", "", value)


def _digits(value: str, length: int) -> Optional[str]:
    """The value without separators if it is exactly `length` ASCII digits."""
    compact = _compact(value)
    if len(compact) == length and compact.isascii() and compact.isdigit():
        return compact
    return None


# --- health, education -----------------------------------------------------

def _chi_prefix(digits: str) -> bool:
    """Scottish CHI numbers start with the holder's birth date as DDMMYY."""
    day, month = int(digits[:2]), int(digits[2:4])
    # 2000 is a leap year, so 29 Feb is accepted for any century.
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000, month)[1]


@validator("nhs")
def nhs(value: str, why: Optional[list] = None) -> Optional[bool]:
    """Modulus 11 (stdnum), then the issued ranges.

    400-499 and 600-799: England, Wales, Isle of Man; 320-399: Northern
    Ireland H&C; a DDMMYY prefix: Scottish CHI. 999 is the published test
    range, never a patient. A checksum-valid number outside every issued
    range (e.g. the 943 476 5919 example in NHS documentation) gets no
    verdict, so it stands on its pattern and context alone.
    """
    digits = _digits(value, 10)
    if digits is None or not stdnum_nhs.is_valid(digits):
        return False
    prefix = int(digits[:3])
    if prefix == 999:
        if why is not None:
            why.append("999 is the NHS test range, never a patient")
        return False
    if 320 <= prefix <= 499 or 600 <= prefix <= 799 or _chi_prefix(digits):
        return True
    return None


@validator("uln")
def uln(value: str, why: Optional[list] = None) -> bool:
    """Unique Learner Number (Learning Records Service, ILR specification).

    Weight the first nine digits 10, 9, ..., 2 and take the sum mod 11; the
    check digit is 10 minus that remainder, and a remainder of 0 is never
    issued. The ILR placeholder 9999999999 ("ULN not known") fails this.
    """
    digits = _digits(value, 10)
    if digits is None:
        return False
    remainder = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1))) % 11
    return remainder != 0 and int(digits[9]) == 10 - remainder


@validator("upn")
def upn(value: str, why: Optional[list] = None) -> bool:
    """Unique Pupil Number: check letter and known LA number (stdnum)."""
    compact = _compact(value)
    return compact.isascii() and stdnum_upn.is_valid(compact)


# --- government identifiers ------------------------------------------------

_NINO = re.compile(r"[A-Z]{2}\d{6}[A-D]")
_NINO_NOT_FIRST = set("DFIQUV")
_NINO_NOT_SECOND = set("DFIOQUV")
# Never allocated. TN was the old temporary reference (TN + birth date + M/F):
# it belongs to no one, and its M/F suffix already fails the A-D rule.
_NINO_NOT_PREFIX = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


@validator("nino")
def nino(value: str, why: Optional[list] = None) -> bool:
    """National Insurance number: HMRC prefix rules and an A-D suffix."""
    compact = _compact(value).upper()
    if not compact.isascii() or not _NINO.fullmatch(compact):
        return False
    first, second = compact[0], compact[1]
    issued = (first not in _NINO_NOT_FIRST and second not in _NINO_NOT_SECOND
              and compact[:2] not in _NINO_NOT_PREFIX)
    if not issued and why is not None:
        why.append(f"prefix {compact[:2]} is never issued")
    return issued


def _placeholder_digits(digits: str) -> bool:
    """One digit repeated, or a straight run: typed as filler, not issued."""
    return len(set(digits)) == 1 or digits in "01234567890" or digits in "98765432109"


@validator("uk_passport")
def uk_passport(value: str, why: Optional[list] = None) -> bool:
    """UK passport number: nine digits (no check digit is printed)."""
    digits = _digits(value, 9)
    if digits is None:
        return False
    if _placeholder_digits(digits):
        if why is not None:
            why.append("one digit repeated or a straight run: filler, not an issued number")
        return False
    return True


@validator("mrz")
def mrz(value: str, why: Optional[list] = None) -> bool:
    """Passport or ID card machine-readable zone (ICAO 9303 TD3, TD1): every check digit."""
    return valid_zone(value)


_DRIVING = re.compile(r"([A-Z][A-Z9]{4})\d([0156]\d)(\d{2})\d([A-Z][A-Z9])\d[A-Z0-9]{2}")


@validator("uk_driving_licence")
def uk_driving_licence(value: str, why: Optional[list] = None) -> bool:
    """DVLA licence: surname(5, padded with 9) decade MM DD year initials(2) digit check(2).

    Women's month has 5 added to its first digit (so 51-62); a padding 9
    in the surname or initials is never followed by a letter.
    """
    compact = _compact(value).upper()
    match = _DRIVING.fullmatch(compact) if compact.isascii() else None
    if match is None:
        return False
    surname, month_text, day_text, initials = match.groups()
    if not re.fullmatch(r"[A-Z]+9*", surname) or not re.fullmatch(r"[A-Z]+9*", initials):
        return False
    month = int(month_text) % 50
    return 1 <= month <= 12 and 1 <= int(day_text) <= calendar.monthrange(2000, month)[1]


# --- financial -------------------------------------------------------------

@validator("uk_bank_account")
def uk_bank_account(value: str, why: Optional[list] = None) -> bool:
    """Sort code and account (6 + 8 digits), or an 8-digit labelled account (6 or 7 digits:
    a number cell that lost its leading zeros; only column patterns offer those)."""
    digits = re.sub(r"[^0-9]", "", value) if value.isascii() else ""
    if len(digits) == 14:
        sort_code, account = digits[:6], digits[6:]
    elif 6 <= len(digits) <= 8:
        sort_code, account = "", digits.zfill(8)
    else:
        return False
    return sort_code != "000000" and len(set(account)) > 1


@validator("iban")
def iban(value: str, why: Optional[list] = None) -> bool:
    """IBAN: country length and BBAN format, then mod 97 (stdnum)."""
    compact = _compact(value)
    return compact.isascii() and stdnum_iban.is_valid(compact)


# Issuer identification ranges: (low prefix, high prefix, allowed lengths).
# From the card schemes' published IIN ranges (as summarised by ISO/IEC 7812
# references); 13-19 digits only, since shorter numbers are not matched.
_CARD_RANGES = (
    (4, 4, (13, 16, 19)),                       # Visa, Visa Electron
    (51, 55, (16,)), (2221, 2720, (16,)),       # Mastercard
    (34, 34, (15,)), (37, 37, (15,)),           # American Express
    (6011, 6011, range(16, 20)), (644, 649, range(16, 20)),
    (65, 65, range(16, 20)),                    # Discover
    (622126, 622925, range(16, 20)), (62, 62, range(16, 20)),  # UnionPay
    (300, 305, range(14, 20)), (36, 36, range(14, 20)),
    (38, 39, range(16, 20)),                    # Diners Club
    (3528, 3589, range(16, 20)),                # JCB
    (2200, 2204, range(16, 20)),                # Mir
    (5018, 5018, range(13, 20)), (5020, 5020, range(13, 20)),
    (5038, 5038, range(13, 20)), (5893, 5893, range(13, 20)),
    (6304, 6304, range(13, 20)), (6759, 6759, range(13, 20)),
    (6761, 6763, range(13, 20)), (676770, 676774, range(13, 20)),  # Maestro
    # Maestro's wider 56-58 block (UK debit cards are issued in it), at card lengths only: a
    # 13-digit barcode starting 56-58 is a Portuguese or Danish product.
    (56, 58, range(16, 20)),
)


def _card_issuer_known(digits: str) -> bool:
    for low, high, lengths in _CARD_RANGES:
        prefix = int(digits[:len(str(low))])
        if low <= prefix <= high and len(digits) in lengths:
            return True
    return False


@validator("payment_card")
def payment_card(value: str, why: Optional[list] = None) -> bool:
    """Card number: 13-19 digits, Luhn (stdnum) and a known issuer range."""
    compact = _compact(value)
    if not (compact.isascii() and compact.isdigit() and 13 <= len(compact) <= 19):
        return False
    return luhn.is_valid(compact) and _card_issuer_known(compact)


# --- contact ---------------------------------------------------------------

def _drama_number(national: str) -> bool:
    """Ofcom reserves these ranges for TV and radio drama: never a subscriber."""
    return any(national.startswith(prefix) for prefix in wordlist("phone_drama_ranges"))


# The kinds of UK number a person has (libphonenumber's types). Freephone, shared-cost,
# premium-rate and 03 "UK-wide" numbers (0800, 0845, 09, 0303 ...) are organisations' lines:
# a helpline in a privacy notice is no one's phone number.
PERSONAL_PHONE_TYPES = ("fixed_line", "mobile", "personal_number", "voip", "pager", "voicemail")


@validator("uk_phone")
def uk_phone(value: str, why: Optional[list] = None) -> bool:
    """A number valid in the UK numbering plan (libphonenumber, region GB) of a kind a
    person has: not an organisation's freephone, shared-cost, premium or 03 line.

    Crown dependencies (GG, JE, IM) share +44 and count as UK.
    """
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return False
    if number.country_code != 44 or not phonenumbers.is_valid_number(number):
        # libphonenumber already refuses most drama numbers as unassigned; say which they are.
        if why is not None and number.country_code == 44 and \
                _drama_number(phonenumbers.national_significant_number(number)):
            why.append("Ofcom drama range (reserved for fiction)")
        return False
    if _drama_number(phonenumbers.national_significant_number(number)):
        if why is not None:
            why.append("Ofcom drama range (reserved for fiction)")
        return False
    if phonenumbers.number_type(number) not in _PERSONAL_TYPES:
        if why is not None:
            why.append("an organisation's line (freephone, shared-cost, premium rate or 03)")
        return False
    return True


_PERSONAL_TYPES = {getattr(phonenumbers.PhoneNumberType, kind.upper()) for kind in PERSONAL_PHONE_TYPES}


_POSTCODE = re.compile(r"([A-Z]{1,2})(\d[A-Z\d]?)(\d[ABD-HJLNP-UW-Z]{2})")
# The letter closing a district: A9A districts (W1A) and AA9A (SW1A) differ.
_DISTRICT_LETTERS = {1: set("ABCDEFGHJKPSTUW"), 2: set("ABEHMNPRVWXY")}


@validator("uk_postcode")
def uk_postcode(value: str, why: Optional[list] = None) -> bool:
    """Outward/inward format (Royal Mail rules) and a known postcode area."""
    compact = re.sub(r"\s", "", value).upper()
    if compact == "GIR0AA":  # Girobank's historic postcode, still in use
        return True
    match = _POSTCODE.fullmatch(compact) if compact.isascii() else None
    if match is None:
        return False
    area, district, _inward = match.groups()
    if area.lower() not in wordlist("postcode_areas"):
        if why is not None:
            why.append(f"no postcode area {area}")
        return False
    if district[-1].isalpha():
        return district[-1] in _DISTRICT_LETTERS[len(area)]
    return True


_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def _documentation_domain(labels: list) -> bool:
    """RFC 2606/6761 names (example.com, *.test, localhost...) are never mailboxes."""
    domain = ".".join(labels)
    return any(domain == r or domain.endswith("." + r) for r in wordlist("email_reserved"))


@validator("email")
def email(value: str, why: Optional[list] = None) -> bool:
    """RFC 5321 shape (dot-atom local part, DNS labels) and a real TLD."""
    if why is not None and not any(ch.isspace() for ch in value) and \
            _documentation_domain(value.rsplit("@", 1)[-1].lower().split(".")):
        why.append("documentation domain (RFC 2606/6761): never a real mailbox")
        return False
    if not value.isascii() or len(value) > 254 or value.count("@") != 1:
        return False
    local, domain = value.split("@")
    labels = domain.lower().split(".")
    if len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local) or len(labels) < 2:
        return False
    if not all(_DNS_LABEL.fullmatch(label) for label in labels):
        return False
    return labels[-1] in wordlist("tlds") and not _documentation_domain(labels)


# --- dates -----------------------------------------------------------------

@validator("date_of_birth")
def date_of_birth(value: str, why: Optional[list] = None) -> bool:
    """A real calendar date from 1900 up to today: a living person's birth date."""
    parsed = parse_uk_date(value)
    if parsed is None:
        return False
    if why is not None and not date(1900, 1, 1) <= parsed <= date.today():
        why.append("in the future" if parsed > date.today() else "before 1900")
    return date(1900, 1, 1) <= parsed <= date.today()


# --- names -----------------------------------------------------------------

def _name_tokens(value: str) -> list:
    return [t.strip(".,'").lower() for t in value.split() if t.strip(".,'")]


@validator("person_name")
def person_name(value: str, why: Optional[list] = None) -> Optional[bool]:
    """True: a known given name then a known surname. False: a role, greeting
    or organisation word ("Dear Sir", "Oak Tree Primary School"), or a thing named after
    someone ("Ada Lovelace Building"). None otherwise,
    so unusual names still stand on their salutation, label or header.
    """
    tokens = _name_tokens(value)
    if not tokens or len(tokens) > 4:
        return False
    if any(t in wordlist("name_stopwords") for t in tokens):
        if why is not None:
            word = next(t for t in tokens if t in wordlist("name_stopwords"))
            why.append(f"{word!r} is a role, greeting or organisation word")
        return False
    if tokens[-1] in wordlist("name_things"):
        if why is not None:
            why.append(f"{tokens[-1]!r} ends the name of a thing")
        return False
    surname_parts = tokens[-1].split("-")
    if len(tokens) >= 2 and tokens[0] in wordlist("given_names") and \
            any(p in wordlist("surnames") for p in surname_parts):
        return True
    return None


def rejection(name: str, value: str) -> Optional[str]:
    """Why validator `name` rejects `value`, when the reason is one a person would recognise."""
    why: list = []
    return why[0] if REGISTRY[name](value, why) is False and why else None

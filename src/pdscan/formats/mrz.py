"""Machine-readable zones of passports and ID cards (ICAO Doc 9303, TD3 and TD1).

A MRZ carries its own proof: check digits over the document number, the birth
date, the expiry date and (composite) all of them together. So a zone read
badly by OCR is repaired here and kept only when every check digit agrees:

- by position: a field of digits holds no letters, so "O" there is "0", and
  a country code holds no digits, so "0" there is "O";
- by trial, in the fields that may hold both (the document number): each
  look-alike pair ("0"/"O", "1"/"I", "<"/"K", ...) is tried until its check
  digit agrees;
- filler runs ("<<<<") that OCR read short or long are padded or trimmed to
  the line's fixed length, and one stray character is tried without;
- a check digit OCR lost is recomputed when the others still agree (a field's
  own check digit then rests on the composite, the composite on the three
  field check digits).

`find_zones(text)` returns the zones found in OCR text; `valid_zone(value)`
is the strict check the `passport.mrz` detector's validator runs on a zone
as written (no repair: text that is not OCR is taken as typed).
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator, Optional

TD3_LEN, TD1_LEN = 44, 30
CHARSET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
WEIGHTS = (7, 3, 1)
# What OCR reads instead of the right character, by the kind of field it sits in.
AS_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "Z": "2",
                          "S": "5", "B": "8", "E": "8", "G": "6", "T": "7", "A": "4"})
AS_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"})
# Look-alikes tried in fields where digits and letters are both allowed.
SWAPS = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8",
         "2": "Z", "Z": "2", "6": "G", "G": "6", "K": "<", "<": "K"}
MAX_TRIES = 256
# What a font or OCR prints for "<" or a pair of them.
GLYPHS = {"«": "<<", "‹": "<", "≤": "<", "(": "<", "[": "<", "{": "<", "£": "<", "¢": "<"}


@dataclass(frozen=True)
class Zone:
    kind: str            # "TD3" (passport booklet) or "TD1" (ID card)
    document: str        # document code: "P" passport, "I"/"A"/"C" ID cards; "" when unread
    issuer: str          # three-letter state code (a TD3 whose first line is unread: the nationality)
    number: str          # document number, without filler
    birth: date
    expiry: date
    lines: tuple         # the zone as repaired, one string a line

    @property
    def checked(self) -> str:
        """The part the detector reads: the line(s) the check digits cover."""
        return self.lines[1] if self.kind == "TD3" else "\n".join(self.lines[:2])


def check_digit(field: str) -> str:
    total = 0
    for i, ch in enumerate(field):
        value = int(ch) if ch.isdigit() else (ord(ch) - 55 if "A" <= ch <= "Z" else 0)
        total += value * WEIGHTS[i % 3]
    return str(total % 10)


def _check(field: str, digit: str) -> bool:
    # An empty optional field may carry "<" as its check digit.
    return digit == check_digit(field) or (digit == "<" and set(field) <= {"<"})


def _date(yymmdd: str, birth: bool, today: Optional[date] = None) -> Optional[date]:
    if not yymmdd.isdigit():
        return None
    today = today or date.today()
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    # A birth year is the latest not after this year; an expiry lies within the next few decades.
    year = 2000 + yy if (yy <= today.year % 100 or not birth) else 1900 + yy
    if not birth and year > today.year + 30:
        year -= 100
    try:
        return date(year, mm, dd)
    except ValueError:
        return None


# -- strict reading (the validator) -----------------------------------------------------------

def _td3(line1: str, line2: str) -> Optional[Zone]:
    if len(line2) != TD3_LEN or not set(line2) <= CHARSET:
        return None
    number, nationality = line2[0:9], line2[10:13]
    birth, expiry = _date(line2[13:19], True), _date(line2[21:27], False)
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    if not (birth and expiry and _check(number, line2[9]) and _check(line2[13:19], line2[19])
            and _check(line2[21:27], line2[27]) and _check(line2[28:42], line2[42])
            and _check(composite, line2[43]) and line2[20] in "MFX<" and nationality.replace("<", "").isalpha()
            and number.strip("<")):
        return None
    # The first line (document code, issuing state, name) has no check digit: kept only when it reads right.
    head = line1 if len(line1) == TD3_LEN and line1[0] == "P" and set(line1) <= CHARSET else ""
    return Zone("TD3", head[:1], head[2:5] or nationality, number.strip("<"), birth, expiry, (head, line2))


def _td1(line1: str, line2: str, line3: str = "") -> Optional[Zone]:
    if len(line1) != TD1_LEN or len(line2) != TD1_LEN or not set(line1 + line2) <= CHARSET:
        return None
    number = line1[5:14]
    birth, expiry = _date(line2[0:6], True), _date(line2[8:14], False)
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    if not (line1[0] in "IAC" and birth and expiry and _check(number, line1[14])
            and _check(line2[0:6], line2[6]) and _check(line2[8:14], line2[14])
            and _check(composite, line2[29]) and line2[7] in "MFX<" and number.strip("<")):
        return None
    return Zone("TD1", line1[0], line1[2:5], number.strip("<"), birth, expiry, (line1, line2, line3))


def valid_zone(value: str) -> bool:
    """A TD3 second line, or TD1 first and second lines, with every check digit right."""
    lines = [line.strip() for line in value.strip().splitlines()]
    if len(lines) == 1:
        return _td3("", lines[0]) is not None
    if len(lines) == 2:
        return _td1(lines[0], lines[1]) is not None
    return False


# -- repairing OCR text ---------------------------------------------------------------------------

# A run of "<" read as small letters ("<<<<" as "cccec"): a MRZ has no lower case, prose has no such runs.
FILLER_RUN = re.compile(r"[<cekx«]{4,}")


def normalise(line: str) -> str:
    """An OCR line as MRZ characters: no spaces, upper case, "<" glyphs and look-alikes as "<"."""
    line = FILLER_RUN.sub(lambda m: "<" * len(m.group().replace("«", "<<")), line.replace(" ", ""))
    out = []
    for ch in line.upper():
        if ch.isspace():
            continue
        ch = GLYPHS.get(ch, ch)
        out.append(ch if set(ch) <= CHARSET else "<")
    return "".join(out)


def _looks_like_mrz(line: str) -> bool:
    return len(line) >= TD1_LEN - 4 and line.count("<") >= 2


def _to_length(line: str, length: int) -> Iterator[str]:
    """The line at `length`: as it is, or with its filler runs padded or trimmed, or its ends cut."""
    if len(line) == length:
        yield line
        return
    runs = sorted(re.finditer(r"<{2,}", line), key=lambda m: -len(m.group()))
    delta = length - len(line)
    for run in runs[:3]:
        if delta > 0 or len(run.group()) + delta >= 1:
            fill = "<" * (len(run.group()) + delta)
            yield line[:run.start()] + fill + line[run.end():]
    if delta < 0:  # stray marks read at an edge of the zone
        for cut in range(-delta + 1):
            yield line[cut:cut + length]
    if delta == -1:  # one stray mark inside it (a speck read as a character)
        for at in range(len(line)):
            if line[at] != "<":
                yield line[:at] + line[at + 1:]


def _fix(line: str, digits=(), letters=()) -> str:
    chars = list(line)
    for spans, table in ((digits, AS_DIGIT), (letters, AS_LETTER)):
        for start, end in spans:
            for i in range(start, min(end, len(chars))):
                chars[i] = chars[i].translate(table)
    return "".join(chars)


def _variants(field: str) -> Iterator[str]:
    """The field, then with its look-alike characters swapped, fewest swaps first; a "<" before
    other characters (filler only ends a field) is a character OCR could not read: each is tried."""
    inner = field.rstrip("<")
    if "<" in inner and inner.count("<") == 1:
        at = inner.index("<")
        for ch in sorted(CHARSET - {"<"}):
            yield field[:at] + ch + field[at + 1:]
        return
    places = [i for i, ch in enumerate(field) if ch in SWAPS]
    tries = 0
    for n in range(len(places) + 1):
        for chosen in itertools.combinations(places, n):
            chars = list(field)
            for i in chosen:
                chars[i] = SWAPS[chars[i]]
            yield "".join(chars)
            tries += 1
            if tries >= MAX_TRIES:
                return


def _with_check(field: str, digit: str) -> Iterator[str]:
    for candidate in _variants(field):
        if _check(candidate, digit):
            yield candidate


def _lost_check_digit(line: str) -> Iterator[str]:
    """A second line one character short may have lost a check digit: each one's place is tried
    with the digit recomputed, and the composite check digit must still agree."""
    if len(line) >= TD3_LEN:
        return
    for place, field in ((9, (0, 9)), (19, (13, 19)), (27, (21, 27))):
        for padded in _to_length(line[:place] + "?" + line[place:], TD3_LEN):
            fixed = _fix(padded, digits=((13, 19), (21, 27)))
            yield fixed[:place] + check_digit(fixed[field[0]:field[1]]) + fixed[place + 1:]


def _lost_composite(line: str) -> Iterator[str]:
    """A last character that is no digit (an edge mark, a smudge) is the composite, recomputed: the
    three field check digits still have to agree."""
    if not line[43].isdigit():
        yield line[:43] + check_digit(line[0:10] + line[13:20] + line[21:43])


def _repair_td3(line1: str, line2: str) -> Optional[Zone]:
    exact = [_fix(line, digits=((9, 10), (13, 20), (21, 28), (42, 44)), letters=((10, 13),))
             for line in _to_length(line2, TD3_LEN)]
    lost = [_fix(line, digits=((9, 10), (13, 20), (21, 28), (42, 44)), letters=((10, 13),))
            for line in _lost_check_digit(line2)]
    head = _repair_head(line1, TD3_LEN)
    found = None
    for line in itertools.chain(exact, lost, (c for line in exact for c in _lost_composite(line))):
        if line[20] not in "MFX<":
            line = line[:20] + {"H": "M", "N": "M", "P": "F", "E": "F"}.get(line[20], "<") + line[21:]
        for number in _with_check(line[0:9], line[9]):
            # No personal number (a UK passport has none) is all filler; the composite confirms it.
            personals = [(p, line[42]) for p in _with_check(line[28:42], line[42])] + [("<" * 14, "<")]
            for personal, digit in personals:
                zone = _td3(head, number + line[9:28] + personal + digit + line[43:])
                if zone is not None and (not head or line[10:13] == head[2:5]):
                    return zone  # agreeing with the issuing state on the first line, when it was read
                found = found or zone
    return found


def _repair_head(line: str, length: int) -> str:
    """A first line of a TD3 zone: document code and issuing state letters; names are not checked."""
    for candidate in _to_length(line, length):
        if candidate[:1] == "P":
            return _fix(candidate, letters=((2, 5),))
    return ""


def _repair_td1(line1: str, line2: str, line3: str) -> Optional[Zone]:
    for first in _to_length(line1, TD1_LEN):
        first = _fix(first, letters=((2, 5),), digits=((14, 15),))
        for second in _to_length(line2, TD1_LEN):
            second = _fix(second, digits=((0, 7), (8, 15), (29, 30)), letters=((15, 18),))
            for number in _with_check(first[5:14], first[14]):
                zone = _td1(first[:5] + number + first[14:], second, line3)
                if zone is not None:
                    return zone
    return None


def find_zones(text: str) -> list:
    """Every MRZ in OCR text that is valid as read or once repaired."""
    lines = [line for line in (normalise(raw) for raw in text.splitlines()) if line]
    zones = []
    for i, line in enumerate(lines):
        if not _looks_like_mrz(line):
            continue
        if len(line) >= TD1_LEN + 4:  # a TD3 second line carries every check; the line above names the state
            zone = _repair_td3(lines[i - 1] if i else "", line)
        else:
            zone = _repair_td1(line, *(lines[i + 1:i + 3] + ["", ""])[:2])
        if zone is not None:
            zones.append(zone)
    return _distinct(zones)


def _distinct(zones: list) -> list:
    seen, out = set(), []
    for zone in zones:
        if zone.checked not in seen:
            seen.add(zone.checked)
            out.append(zone)
    return out

"""Dates as people in the UK write them: one grammar for a value and for running text.

Numeric dates are day first (03/04/2015 is 3 April), with one separator used twice (/ . -);
ISO dates (2015-04-03, and as MIS exports write them, 2015/04/03); a day and a month name
(7th August 2017, 7 of Aug. 2017, 07-Aug-2017) or a month
name and a day (August 7th, 2017). A month name is an English name or its usual abbreviation.
A value (a detector's match) may have a two-digit year, read as a birth year: the latest such
year not after today. In running text (a retention clock's date beside "leaving date") only
four-digit years count: "1/2/34" there is more often a ratio or a reference than a date.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Optional

MONTHS = {name: number for number, names in enumerate((
    (), ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
    ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
    ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december"))) for name in names}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"


def _grammar(year: str) -> tuple:
    """The forms, each with named groups d, m and y; `year` is the pattern of a year."""
    return tuple(re.compile(rf"\b{form}\b", re.IGNORECASE) for form in (
        rf"(?P<d>\d{{1,2}})(?P<sep>[/.-])(?P<m>\d{{1,2}})(?P=sep)(?P<y>{year})",
        r"(?P<y>\d{4})(?P<isep>[-/.])(?P<m>\d{2})(?P=isep)(?P<d>\d{2})",
        rf"(?P<d>\d{{1,2}}){_ORDINAL}(?:\s+|-)(?:of\s+)?(?P<m>{_MONTH})\.?,?(?:\s+|-)(?P<y>{year})",
        rf"(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}}){_ORDINAL},?\s+(?P<y>{year})",
    ))


VALUE_FORMS = _grammar(r"\d{4}|\d{2}")
TEXT_FORMS = _grammar(r"\d{4}")


def _full_year(text: str, today: date) -> int:
    """Two-digit years are birth years: the latest year not after today."""
    if len(text) != 2:
        return int(text)
    year = today.year - today.year % 100 + int(text)
    return year if year <= today.year else year - 100


def _date(match: re.Match, today: Optional[date] = None) -> Optional[date]:
    month = match["m"]
    try:
        return date(_full_year(match["y"], today or date.today()),
                    int(month) if month.isdigit() else MONTHS[month.lower()], int(match["d"]))
    except ValueError:  # 31/02, month 13, year 0
        return None


def parse_uk_date(value: str, today: Optional[date] = None) -> Optional[date]:
    """The date `value` is, in one of the forms above, else None."""
    text = value.strip()
    if not text.isascii():
        return None
    for form in VALUE_FORMS:
        match = form.fullmatch(text)
        if match is not None:
            return _date(match, today)
    return None


def dates_in(text: str) -> list:
    """(position, date) for each real calendar date written in `text`, in the forms above."""
    found = []
    for form in TEXT_FORMS:
        for match in form.finditer(text):
            day = _date(match)
            if day is not None:
                found.append((match.start(), day))
    return found

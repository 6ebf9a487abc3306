"""formats/dates.py: one UK date grammar for a detector's value and for a retention clock's text."""
from __future__ import annotations

from datetime import date

import pytest

from pdscan.formats.dates import dates_in, parse_uk_date

TODAY = date(2024, 6, 1)


@pytest.mark.parametrize("written", ["03/04/2015", "3.4.2015", "03-04-2015", "2015-04-03", "3rd April 2015",
                                     "3 of Apr. 2015", "April 3rd, 2015", "apr 3 2015"])
def test_a_value_and_running_text_read_the_same_forms(written):
    assert parse_uk_date(written, TODAY) == date(2015, 4, 3)
    assert dates_in(f"Leaving date: {written}; phoned later") == [(len("Leaving date: "), date(2015, 4, 3))]


@pytest.mark.parametrize("written", ["03/04-2015", "31/02/2015", "3 Marching 2015", "13/13/2015"])
def test_what_is_not_a_date_is_neither_a_value_nor_found_in_text(written):
    assert parse_uk_date(written, TODAY) is None
    assert dates_in(f"on {written} or so") == []


def test_two_digit_years_are_birth_years_in_a_value_and_not_dates_in_text():
    assert parse_uk_date("07/11/23", TODAY) == date(2023, 11, 7)
    assert parse_uk_date("07/11/25", TODAY) == date(1925, 11, 7)
    assert dates_in("ratio 07/11/23 of the cohort") == []

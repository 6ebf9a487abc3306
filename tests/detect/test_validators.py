"""Validators: published check-digit vectors, valid and invalid side by side,
then properties that hold for any body (checksums catch a changed digit, and
no input makes a validator raise)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from pdscan.detect.validators import REGISTRY, WORDLISTS, wordlist
from pdscan.formats.dates import parse_uk_date

EXPECTED = {
    "date_of_birth", "email", "iban", "nhs", "nino", "payment_card", "person_name",
    "uk_bank_account", "uk_driving_licence", "uk_passport", "uk_phone", "uk_postcode",
    "mrz", "uln", "upn",
}


def test_the_module_registers_exactly_the_named_validators():
    # Other tests may register throwaway validators, so look only at ours.
    ours = {name for name, fn in REGISTRY.items() if fn.__module__ == "pdscan.detect.validators"}
    assert ours == EXPECTED


def vectors(name, table):
    """Parametrize rows of (value, expected) for one validator, ids like nhs:True:0."""
    return [pytest.param(name, value, expected, id=f"{name}:{expected}:{i}")
            for i, (value, expected) in enumerate(table)]


NHS = [
    ("943 476 5919", None),    # the NHS documentation example: mod 11 ok, 9xx not an issued range
    ("9434765870", None),      # python-stdnum's example, same range
    ("401 023 2137", True),    # England 400-499
    ("4857773457", True),
    ("640-123-4563", True),    # England/Wales/IoM 600-799
    ("3201234567", True),      # Northern Ireland 320-399
    ("0101851235", True),      # Scottish CHI: 01/01/85
    ("943 476 5910", False),   # wrong check digit
    ("9434765871", False),
    ("999 000 0018", False),   # mod 11 ok, but 999 is the test range
    ("4010232170", False),     # check digit would be 10: never issued, whatever the last digit
    ("943 476 591", False),    # nine digits
    ("94347659190", False),    # eleven digits
    ("ABCDEFGHIJ", False),
]

ULN = [
    ("1234567899", True),
    ("5554443337", True),
    ("1000000000", True),      # remainder 10: check digit 0
    ("1234567890", False),
    ("9999999999", False),     # the ILR "ULN not known" placeholder
    ("9876543210", False),     # weighted sum is 0 mod 11: no check digit exists
    ("123456789", False),
    ("12345678901", False),
]

UPN = [
    ("B801200005001", True),   # python-stdnum's published example
    ("R823200005001", True),
    ("X330123456789", True),
    ("A919555012345", True),
    ("A801200005001", False),  # wrong check letter
    ("E000200005001", False),  # LA 000 does not exist
    ("X80120000A001", False),  # letter in the numeric part
    ("B80120000500", False),   # 12 characters
]

NINO = [
    ("AB123456C", True),
    ("AB 12 34 56 C", True),
    ("JG103759A", True),
    ("OA012345D", True),       # O is allowed first
    ("ZR776655B", True),
    ("QQ123456C", False),      # HMRC's specimen: Q never used
    ("AO123456A", False),      # O never second
    ("DA123456A", False), ("FA123456A", False), ("IA123456A", False),
    ("UA123456A", False), ("VA123456A", False),
    ("AD123456A", False), ("AF123456A", False), ("AI123456A", False),
    ("AU123456A", False), ("AV123456A", False),
    ("BG123456A", False), ("GB123456A", False), ("KN123456A", False),
    ("NK123456A", False), ("NT123456A", False), ("TN123456A", False),
    ("ZZ123456A", False),      # never allocated
    ("AB123456E", False),      # suffix beyond D
    ("AB12345C", False),
    ("TN010203M", False),      # old temporary reference
]

PASSPORT = [
    ("925076473", True),
    ("533380006", True),
    ("000000000", False),
    ("123456789", False),
    ("12345678", False),
    ("92507647A", False),
]

DRIVING = [
    ("MORGA753116SM9IJ", True),   # DVLA's published example layout
    ("SMITH905050JJ9AB", True),
    ("LEE99862254A99XY", True),   # short surname padded with 9, woman born in December
    ("MORGA713316SM9IJ", False),  # month 13
    ("MORGA753006SM9IJ", False),  # day 00
    ("MORGA702306SM9IJ", False),  # 30 February
    ("LE9E9862254A99XY", False),  # letter after padding
    ("MORGA753116SM9I", False),   # 15 characters
    ("MORGA7531169M9IJ", False),  # initials start with 9
]

BANK = [
    ("20-00-00 12345678", True),
    ("40-47-84, 31926819", True),
    ("12345678", True),
    ("00-00-00 12345678", False),
    ("20-00-00 00000000", False),
    ("1234567", True),   # a number cell that lost its leading 0 (only column patterns offer it)
    ("12345", False),
    ("20-00-00 1234567", False),
]

IBAN = [  # examples from the SWIFT IBAN registry
    ("GB29 NWBK 6016 1331 9268 19", True),
    ("GB82 WEST 1234 5698 7654 32", True),
    ("GB33BUKB20201555555555", True),
    ("DE89 3704 0044 0532 0130 00", True),
    ("FR14 2004 1010 0505 0001 3M02 606", True),
    ("NL91 ABNA 0417 1643 00", True),
    ("BE71 0961 2345 6769", True),     # stdnum also checks the Belgian bank code
    ("IE29 AIBK 9311 5212 3456 78", True),
    ("GB29 NWBK 6016 1331 9268 18", False),
    ("GB82 WEST 1234 5698 7654 33", False),
    ("GB00 WEST 1234 5698 7654 32", False),
    ("XX12 3456 7890 1234 5678", False),
    ("GB82 WEST 1234 5698 7654", False),   # too short for GB
]

CARDS = [  # the schemes' published test numbers
    ("4111 1111 1111 1111", True),    # Visa
    ("4222222222222", True),          # Visa, 13 digits
    ("4000-0566-5566-5556", True),    # Visa debit
    ("5555 5555 5555 4444", True),    # Mastercard 51-55
    ("2223 0031 2200 3222", True),    # Mastercard 2-series
    ("3782 822463 10005", True),      # American Express
    ("371449635398431", True),
    ("6011 1111 1111 1117", True),    # Discover
    ("3056 930902 5904", True),       # Diners Club
    ("3530111333300000", True),       # JCB
    ("6759649826438453", True),       # Maestro UK
    ("4111 1111 1111 1112", False),   # Luhn fails
    ("378282246310006", False),
    ("1234 5678 9012 3456", False),
    ("0000 0000 0000 0000", False),   # Luhn passes, no issuer
    ("490154203237518", False),       # an IMEI: Luhn passes, Visa is never 15 digits
    ("5555 5555 5555 444", False),    # Mastercard is 16 digits
    ("4111", False),
]

PHONES = [  # libphonenumber's GB plan; Ofcom drama ranges are never subscribers, organisations' lines no one's
    ("020 7123 4567", True),
    ("07911 123456", True),
    ("+44 (0)161 234 5678", True),
    ("+447700100123", True),
    ("0800 123 4567", False),         # freephone: an organisation's line
    ("0303 123 1113", False),         # 03 "UK-wide": a public body's helpline
    ("0845 600 1234", False),         # shared cost
    ("0909 879 0000", False),         # premium rate
    ("(028) 9032 1234", True),
    ("01534 123456", True),           # Jersey shares +44
    ("07700 900123", False),          # drama mobile range
    ("020 7946 0123", False),         # drama London range
    ("0161 496 0000", False),         # drama Manchester range
    ("01632 960123", False),          # drama, no area
    ("+1 415 555 0100", False),       # not UK
    ("999", False),
    ("0123", False),
]

POSTCODES = [
    ("SW1A 1AA", True), ("SW1A1AA", True), ("M1 1AE", True), ("CF10 1EP", True),
    ("GIR 0AA", True), ("BT1 5GS", True), ("EC1A 1BB", True), ("W1A 0AX", True),
    ("B33 8TH", True), ("DN55 1PT", True), ("JE2 3XP", True), ("IM1 1AD", True),
    ("QQ1 1AA", False),   # no such area
    ("XX9 9XX", False),
    ("ZZ99 9ZZ", False),
    ("SW1A 1CI", False),  # C and I never appear in the inward code
    ("SW1C 1AA", False),  # C never closes an AA9A district
    ("W1L 1AA", False),   # L never closes an A9A district
    ("SW1A", False),
]

EMAILS = [
    ("sarah.jones@gmail.com", True),
    ("j.smith@nhs.net", True),
    ("mohammed.ali+school@outlook.co.uk", True),
    ("office@st-marys.sch.uk", True),
    ("user@example.com", False),          # RFC 2606
    ("x@docs.example.org", False),
    ("admin@localhost", False),
    ("test@mail.test", False),            # RFC 6761 TLDs
    ("name@company.invalid", False),
    ("jane@intranet.local", False),
    ("logo@2x.png", False),               # png is not a TLD
    ("a..b@gmail.com", False),
    (".a@gmail.com", False),
    ("a@-x.com", False),
    ("a@b@gmail.com", False),
    ("a@gmail", False),
]

DATES = [
    ("01/02/2003", True), ("1 Feb 2003", True), ("2003-02-01", True),
    ("1st February 2003", True), ("14th of March 1987", True), ("June 5, 1990", True),
    ("29.02.2000", True), ("07/11/85", True), ("01-01-1900", True),
    ("31/02/1990", False),    # no such day
    ("29/02/2001", False),    # not a leap year
    ("31/12/1899", False),    # before 1900
    ("01/02/2099", False),    # in the future
    ("13/13/2000", False),
    ("2003-13-01", False),
    ("1 Foo 2003", False),
    ("12-05/1990", False),    # mixed separators
]

NAMES = [
    ("Sarah Jones", True), ("Priya Patel", True), ("Liam O'Brien", True),
    ("Emma Smith-Taylor", True),
    ("Okonkwo", None), ("Zebedee Quux", None), ("Smith", None),
    ("Sir", False), ("Customer", False), ("Oak Tree Primary School", False),
    ("Head Office", False), ("", False), ("Anna Bella Cara Dora Ella", False),
]

TABLE = (
    vectors("nhs", NHS) + vectors("uln", ULN) + vectors("upn", UPN) + vectors("nino", NINO)
    + vectors("uk_passport", PASSPORT) + vectors("uk_driving_licence", DRIVING)
    + vectors("uk_bank_account", BANK) + vectors("iban", IBAN) + vectors("payment_card", CARDS)
    + vectors("uk_phone", PHONES) + vectors("uk_postcode", POSTCODES) + vectors("email", EMAILS)
    + vectors("date_of_birth", DATES) + vectors("person_name", NAMES)
)


@pytest.mark.parametrize("name,value,expected", TABLE)
def test_published_vectors(name, value, expected):
    assert REGISTRY[name](value) is expected


def test_two_digit_years_are_the_latest_year_not_after_today():
    today = date(2026, 6, 1)
    assert parse_uk_date("07/11/85", today) == date(1985, 11, 7)
    assert parse_uk_date("07/11/25", today) == date(2025, 11, 7)
    assert parse_uk_date("07/11/27", today) == date(1927, 11, 7)


# --- word lists ---------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(WORDLISTS.glob("*.txt")), ids=lambda p: p.name)
def test_wordlists_say_where_they_come_from(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#") and wordlist(path.stem)


def test_postcode_areas_are_the_121_plus_crown_dependencies_and_specials():
    assert len(wordlist("postcode_areas")) == 121 + 5


# --- properties -----------------------------------------------------------------

nine_digits = st.text("0123456789", min_size=9, max_size=9)


def weighted(body: str) -> int:
    return sum(int(d) * w for d, w in zip(body, range(10, 1, -1)))


@given(nine_digits)
def test_nhs_accepts_only_its_check_digit(body):
    check = (11 - weighted(body) % 11) % 11
    for last in "0123456789":
        verdict = REGISTRY["nhs"](body + last)
        if check != 10 and int(last) == check and not body.startswith("999"):
            assert verdict is not False
        else:
            assert verdict is False


@given(nine_digits)
def test_uln_accepts_only_its_check_digit(body):
    remainder = weighted(body) % 11
    for last in "0123456789":
        expected = remainder != 0 and int(last) == 10 - remainder
        assert REGISTRY["uln"](body + last) is expected


@st.composite
def visa_numbers(draw):
    body = "4" + draw(st.text("0123456789", min_size=14, max_size=14))
    return body + luhn.calc_check_digit(body)


@given(visa_numbers(), st.integers(0, 15), st.integers(1, 9))
def test_changing_one_card_digit_breaks_it(number, position, delta):
    assert REGISTRY["payment_card"](number) is True
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1:]
    assert REGISTRY["payment_card"](changed) is False


@st.composite
def gb_ibans(draw):
    bban = "WEST" + draw(st.text("0123456789", min_size=14, max_size=14))
    numeric = "".join(str(int(c, 36)) for c in bban + "GB00")
    return f"GB{98 - int(numeric) % 97:02d}{bban}"


@given(gb_ibans(), st.integers(8, 21), st.integers(1, 9))
def test_changing_one_iban_digit_breaks_mod_97(iban, position, delta):
    assert REGISTRY["iban"](iban) is True
    changed = iban[:position] + str((int(iban[position]) + delta) % 10) + iban[position + 1:]
    assert REGISTRY["iban"](changed) is False


@pytest.mark.parametrize("name", sorted(EXPECTED))
@settings(max_examples=300)
@given(text=st.text())
def test_validators_never_raise_on_any_text(name, text):
    assert REGISTRY[name](text) in (True, False, None)


@pytest.mark.parametrize("name", sorted(EXPECTED))
@given(text=st.text("0123456789 -+()/.:@ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz'", max_size=40))
def test_validators_never_raise_on_identifier_like_text(name, text):
    assert REGISTRY[name](text) in (True, False, None)

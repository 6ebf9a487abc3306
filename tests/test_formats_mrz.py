"""Machine-readable zones (ICAO 9303): the specimens validate, a changed character does not, and
OCR misreadings of a real zone are repaired only when the check digits then agree."""
from __future__ import annotations

from datetime import date

from pdscan.formats.mrz import check_digit, find_zones, valid_zone

# ICAO Doc 9303's own specimens (the fictitious state Utopia).
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")


def test_check_digits_of_the_specimen():
    assert check_digit("L898902C3") == "6"
    assert check_digit("740812") == "2"
    assert check_digit("<<<<<<<<<<<<<<") == "0"


def test_specimens_are_valid_and_every_changed_character_is_caught():
    assert valid_zone(TD3[1]) and valid_zone("\n".join(TD1[:2]))
    line = TD3[1]
    for i, ch in enumerate(line):
        if ch.isdigit():
            changed = line[:i] + str((int(ch) + 1) % 10) + line[i + 1:]
            assert not valid_zone(changed), i


def test_the_zone_gives_its_fields():
    (zone,) = find_zones("\n".join(TD3))
    assert (zone.kind, zone.document, zone.issuer, zone.number) == ("TD3", "P", "UTO", "L898902C3")
    assert zone.birth == date(1974, 8, 12) and zone.expiry == date(2012, 4, 15)
    (card,) = find_zones("\n".join(TD1))
    assert (card.kind, card.number, card.birth) == ("TD1", "D23145890", date(1974, 8, 12))


def test_ocr_confusions_are_repaired():
    # O for 0 in digit fields, 0 for O in the state code, l for 1, spaces, "«" for "<<", filler as "c".
    read = ["P<UTOERIKSSON«ANNA<MARIA<<<<<<<<<<<<<<<<<<",
            "L8989O2C36UT0 7408l22F12O4159ZE184226Bccccc10"]
    (zone,) = find_zones("\n".join(read))
    assert zone.checked == TD3[1]


def test_a_filler_run_read_short_is_padded():
    (zone,) = find_zones("L898902C36UTO7408122F1204159ZE184226B<<<10")
    assert zone.checked == TD3[1]


def test_a_misread_digit_is_not_guessed():
    # A 2 read as 3 in the birth date: no look-alike explains it, so the zone is not claimed.
    assert find_zones("L898902C36UTO7408132F1204159ZE184226B<<<<<10") == []


def test_prose_and_tables_are_not_zones():
    text = "Invoice 2024-0001 <<<< total 1234567890 due 31/01/2025\nRef ABCDEFGHIJ<<<<<<<<<<<<<<<<<<<<<<<<<1234"
    assert find_zones(text) == []

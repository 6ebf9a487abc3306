"""Fixed-width reports (a register printed to text or PDF): the header line's names
apply to the values aligned under them, left- or right-aligned."""
from __future__ import annotations

import sys

import pytest

from tests.conftest import FIXTURES
from tests.layouts import DOBS, NAMES, NINOS, ULNS, counts

sys.path.insert(0, str(FIXTURES))
from fixturegen.pdf import pdf  # noqa: E402  (the project's own PDF writer)

ROWS = [(s, f, d, u, n) for (s, f), d, u, n in zip(NAMES * 2, DOBS * 2, ULNS * 2, NINOS * 2)]


def report() -> list:
    lines = ["RIVERSIDE COLLEGE                                   Register printed 06/05/2024",
             "Group: BUS3A   Level 3 Business Studies", "",
             "Surname        Forename        DOB        Learner Ref     NI Number",
             "-------------  -----------  ----------  ------------  -------------"]
    # Learner Ref right-aligned under its header, as number columns often are.
    lines += [f"{s:<15}{f:<13}{d:<12}{u:>13}  {n}" for s, f, d, u, n in ROWS]
    return lines + ["", "Page 1 of 1", "Printed by the MIS. Please shred after use."]


@pytest.mark.parametrize("kind", ["txt", "pdf"])
def test_values_under_a_report_header(tmp_path, kind):
    path = tmp_path / f"register.{kind}"
    lines = report()
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8") if kind == "txt" else pdf(lines))
    got = counts(path)
    assert got.get("date_of_birth") == 3, got
    assert got.get("uk.uln") == 3, got
    assert got.get("uk.nino") == 3, got
    assert got.get("person_name", 0) >= 3, got


def test_lines_above_the_header_and_prose_take_no_column(tmp_path):
    path = tmp_path / "rooms.txt"
    path.write_text("Room list   Summer term\n\nRoom      Building      Capacity\nB12       Main          30\n"
                    "C4        Annexe        24\n\nBooked on 14/03/2007 by Estates.\n", encoding="utf-8")
    assert counts(path) == {}

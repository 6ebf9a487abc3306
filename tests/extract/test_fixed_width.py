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


from fixturegen.pdf import positioned_pdf  # noqa: E402

X = [40, 130, 220, 300, 400]
HEADER = ["Surname", "Forename", "DOB", "ULN", "NI Number"]


def _printed_page(rows, header=True):
    page = [[(40, "Riverside College - Register BUS3A"), (400, "Printed 06/05/2024")]] if header else []
    page += [list(zip(X, HEADER))] if header else []
    return page + [list(zip(X, row)) for row in rows] + [[(260, "Page")]]


@pytest.mark.parametrize("repeated", [True, False], ids=["header-on-each-page", "continuation-page"])
def test_a_register_printed_cell_by_cell_over_two_pages(tmp_path, repeated):
    # Each cell is placed on its own, so pypdf's plain text runs the cells together with one space;
    # the columns come back from the cells' positions, and the second page goes on under the first's header.
    path = tmp_path / "register.pdf"
    path.write_bytes(positioned_pdf([_printed_page(ROWS[:2]), _printed_page(ROWS[2:3], header=repeated)]))
    got = counts(path)
    assert got.get("date_of_birth") == 3 and got.get("uk.uln") == 3 and got.get("uk.nino") == 3, got
    assert got.get("person_name") == 3, got


def test_a_text_report_over_pages_repeats_its_header_and_wraps_a_name(tmp_path):
    page = ["Surname        Forename     DOB         Learner Ref    NI Number",
            "-------------  -----------  ----------  ------------  -------------"]
    lines = list(page)
    for n in range(40):  # past the lines where the header is looked for
        s, f, d, u, ni = ROWS[n % 3]
        lines.append(f"{s:<15}{f:<13}{d:<12}{u:>13}  {ni}" if n % 3 else f"{'Okafor-':<15}{f:<13}{d:<12}{u:>13}  {ni}")
        if n % 3 == 0:
            lines.append(f"{'Ndiaye':<15}")  # the rest of a long surname, wrapped under its column
        if n % 20 == 19:
            lines += ["", "Page 1", "\f" + page[0], page[1]]
    path = tmp_path / "report.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = counts(path)
    assert got.get("date_of_birth") == 3 and got.get("uk.uln") == 3 and got.get("uk.nino") == 3, got


def test_header_names_one_space_apart_take_their_columns_from_the_data(tmp_path):
    # Column names as wide as their columns: one space between them; the values below say where columns start.
    lines = ["Exam entries by candidate   Summer 2024", "",
             "Candidate Surname Forename Date of Birth ULN         NI Number"]
    lines += [f"{n:<10}{s:<8}{f:<9}{d:<14}{u:<12}{ni}" for n, (s, f, d, u, ni) in enumerate(ROWS, start=4021)]
    path = tmp_path / "entries.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = counts(path)
    assert got.get("date_of_birth") == 3 and got.get("uk.uln") == 3 and got.get("uk.nino") == 3, got

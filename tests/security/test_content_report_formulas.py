"""Names from scanned files never become formulas in a report.

The attack: an archive member named `=HYPERLINK("http://x","click")` (or
starting with + - @, a tab or a CR) lands in the violations table. In the
xlsx report it was a live formula; in the CSV report a spreadsheet opening
it would run it. Every text cell must be a string in xlsx and ods, and a
CSV cell that would start a formula must start with a quote.
"""
from __future__ import annotations

import csv
import io
import zipfile

import pytest

NAMES = ['=HYPERLINK("http://x","click")', "@SUM(1+1)", "+cmd", "-2+3", "\tx.txt", "\rx.txt", " =1+1",
         "\u00a0 @SUM(2)"]


@pytest.fixture
def sources(cli, tmp_path):
    """The same scan in a store and as JSONL: the report reads either."""
    share = tmp_path / "share"
    share.mkdir()
    with zipfile.ZipFile(share / "coursework.zip", "w") as archive:
        for name in NAMES:
            archive.writestr(name, "NI number: AB 12 34 56 C\n")
    db = tmp_path / "store.db"
    assert cli("scan", share, "--db", db, "--jobs", "1", "--no-progress").code == 1
    jsonl = tmp_path / "scan.jsonl"
    scanned = cli("scan", share, "--format", "jsonl", "--jobs", "1", "--db", tmp_path / "other.db")
    jsonl.write_text(scanned.out)
    return {"db": ["--db", db], "jsonl": ["--from", jsonl]}


def report(cli, tmp_path, source, fmt):
    out = tmp_path / f"report-{source[0].strip('-')}.{'zip' if fmt == 'csv' else fmt}"
    result = cli("report", *source, "--format", fmt, "--output", out)
    assert result.code == 0, result
    return out


@pytest.mark.parametrize("kind", ["db", "jsonl"])
def test_xlsx_text_cells_are_strings_never_formulas(cli, tmp_path, sources, kind):
    import openpyxl

    book = openpyxl.load_workbook(report(cli, tmp_path, sources[kind], "xlsx"))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    members = {c.value for c in cells if isinstance(c.value, str)}
    assert set(NAMES) <= members  # the names are all there, as text


@pytest.mark.parametrize("kind", ["db", "jsonl"])
def test_ods_has_no_formula(cli, tmp_path, sources, kind):
    with zipfile.ZipFile(report(cli, tmp_path, sources[kind], "ods")) as ods:
        content = ods.read("content.xml").decode("utf-8")
    assert "table:formula" not in content
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;click&quot;)" in content or '=HYPERLINK("http://x","click")' in content


@pytest.mark.parametrize("kind", ["db", "jsonl"])
def test_csv_cells_that_would_start_a_formula_start_with_a_quote(cli, tmp_path, sources, kind):
    with zipfile.ZipFile(report(cli, tmp_path, sources[kind], "csv")) as archive:
        rows = list(csv.reader(io.StringIO(archive.read("violations.csv").decode("utf-8"))))
    members = {row[rows[0].index("member")] for row in rows[1:]}
    assert members == {"'" + name for name in NAMES}
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" \u00a0").startswith(("=", "+", "-", "@", "\t", "\r")), cell

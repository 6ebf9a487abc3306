"""`pdscan retention` finds whose record a file is where no label like "Name:" says it: a form
line with several fields ("Employee: ...   Staff number: ..."), an appraisal's "Appraisee:", an
outcome letter addressed to a name over a street address, a note titled (or a file named) with its
subject's name, a payment listing's payee records, a results statement printed with "|" between
its cells, a register's "Governor" column, an unsigned letter under a postal address, a scanned
letter read by OCR, and an Outlook .msg dated by its own Date. Files and names are invented for these tests;
the controls (a handbook naming its HR contact, a letter from a company's accounts office, recent
files) must stay unplanned."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pdscan.extract import tesseract
from pdscan.remediate.plan import read_plan
from tests.commands.college import run
from tests.commands.test_retention_correspondence import _listed, judged, lay_out, letter, pdf_lines, workbook

NOW = "2026-12-07"
REAL_MSG = Path(__file__).resolve().parents[2] / "fixtures" / "real" / "mail" / "msg" / "TxtSampleEmail.msg"

# relative path → (content, modified day, category when due; None: neither listed nor planned)
FILES = {
    # A return-to-work form printed to PDF: its fields share a line, two or more spaces apart.
    "Downloads/scan0107.pdf": (pdf_lines([
        "Return to work interview", "Employee: Hamza Khan   Staff number: W40211",
        "Absence from 07/01/2019 to 11/01/2019. Fit note seen: yes.", "Date of interview: 14/01/2019"]),
        "2019-01-15", "staff-files"),
    # An appraisal names its subject as the appraisee.
    "Documents/Team/appraisal 2018.docx": (letter(
        "Annual appraisal 2017-18", "Appraisee: Joseph Turner (staff no 40211)", "Appraiser: Aoife Kelly",
        "Objectives met: 3 of 4. Overall rating: Good"), "2018-06-15", "staff-files"),
    # An outcome letter with no greeting: addressed to a name over a street address.
    "Documents/outcome letter.pdf": (pdf_lines([
        "Private and confidential - outcome of disciplinary hearing", "Megan Lloyd",
        "17 Chapel Street, Otley LS21 3HB", "Date: 12/11/2019",
        "Following the hearing on 07/11/2019 a first written warning is issued.",
        "Aoife Kelly, Curriculum Manager"]), "2019-11-12", "staff-files"),
    # A note about one member of staff, titled with their name.
    "Desktop/notes JT.txt": ("Probation review - Joseph Turner (Technician)\nReview date: 04/12/2017\n"
                             "Outcome: probation extended by three months.\n", "2018-01-10", "staff-files"),
    # A note whose file name says whom it is about.
    "Documents/Team/Return to work - Owen Price.txt": (
        "Name: Owen Price\nBack after two days of sickness; no adjustments needed.\n", "2018-02-12", "staff-files"),
    # A sickness record that names its member of staff in its file name only.
    "Documents/Team/Priya Shah - sickness record.xlsx": (workbook(
        [["First day absent", "Days absent", "Reason"], [dt.date(2017, 3, 6), 2, "Flu"],
         [dt.date(2017, 11, 13), 1, "Migraine"]]), "2017-12-01", "staff-files"),
    # A trip itinerary named after its organiser: a name, but nothing a category claims.
    "Documents/Trips/Joseph Turner - Paris itinerary.txt": (
        "Day 1: coach to Dover, ferry to Calais.\nDay 2: Louvre.\n", "2016-05-01", None),
    # A payment listing: sort code, account number and payee on each line, no header row.
    "Documents/Finance/PAY_20170228.txt": (
        "HDR,WESTFOLD COLLEGE,BACS,PAY DATE 2017-02-28\n"
        + "".join(f"40127{n},3192681{n},PAYEE NUMBER {'ABCDEF'[n]},1210.5{n},WAGES FEB17\n" for n in range(6))
        + "TRL,6 RECORDS\n", "2017-02-28", "payroll"),
    # A results statement printed with "|" between its cells: the Name column names the candidates.
    "Downloads/results statement.pdf": (pdf_lines(
        ["Results statement. Results date: 13/08/2019", "Candidate no | Name | Unit | Mark | Grade"]
        + [f"41{n}7 | {name} | Maths L2 | 4{n} | Pass" for n, name in enumerate(
            ["Joseph Turner", "Aoife Kelly", "Megan Lloyd", "Hamza Khan", "Owen Price", "Priya Shah"])]),
        "2019-08-14", "exams-assessment"),
    # A governors' register: whom it lists is in the Governor column.
    "Documents/Governors/register 2018.xlsx": (workbook(
        [["Governor", "Category", "Declared interests"]]
        + [[name, "Co-opted", "None"] for name in
           ["Joseph Turner", "Aoife Kelly", "Megan Lloyd", "Hamza Khan", "Owen Price", "Priya Shah"]]),
        "2018-10-16", "unclassified"),
    # A parent's letter with no sign-off, under their postal address.
    "Downloads/doc0311.pdf": (pdf_lines([
        "22 Park Road, Bradford BD7 1AA", "29 November 2021", "Dear Ms Kelly,",
        "I am writing to complain about the cancelled lessons this month.", "Owen Price"]),
        "2021-11-30", "general-correspondence"),
    # Controls. A handbook names its HR contact beside disciplinary words: no one's record.
    "Documents/Policies/staff handbook.txt": (
        "Staff handbook 2016\nUnder the disciplinary procedure a written warning stays on file for 12 months.\n"
        "HR contact: Joseph Turner\n", "2016-09-01", None),
    # A company's accounts office over its address is no addressee.
    "Documents/invoice query.txt": (
        "Accounts Payable\n12 Market Street, Leeds LS1 6DT\nDisciplinary and grievance training invoice.\n"
        "Contact: Joseph Turner\n", "2017-05-01", None),
    # A sponsor list saved before its race: the race day on its title line is its clock, so not due yet.
    "Desktop/sponsors.xlsx": (workbook(
        [["Charity 10k - sponsors (race day 18/04/2021)"], ["Sponsor", "Address", "Amount"]]
        + [[name, f"{n} Mill Lane, Leeds LS6 2QT", 10] for n, name in enumerate(
            ["Joseph Turner", "Aoife Kelly", "Megan Lloyd", "Hamza Khan", "Owen Price", "Priya Shah"], 1)]),
        "2020-11-02", None),
    # Recent: not due.
    "Downloads/scan0999.pdf": (pdf_lines([
        "Return to work interview", "Employee: Hamza Khan   Staff number: W40211",
        "Absence from 07/10/2026 to 09/10/2026. Fit note seen: no."]), "2026-10-12", None),
}


@pytest.fixture
def laptop(tmp_path):
    root = tmp_path / "home"
    lay_out(root, {rel: (c.encode() if isinstance(c, str) else c, *rest) for rel, (c, *rest) in FILES.items()})
    return root


def test_each_due_record_is_judged_by_whose_it_is(laptop, tmp_path):
    listed, planned = judged(laptop, tmp_path, FILES)
    assert planned == {rel for rel, (_x, _d, c) in FILES.items() if c and c != "unclassified"}
    assert listed["Documents/Governors/register 2018.xlsx"]["action"] == "review"
    # The payments' own date is the clock, moved to the end of its financial year.
    pay = listed["Documents/Finance/PAY_20170228.txt"]
    assert (pay["clock"], pay["clock_from"], pay["expires"]) == ("2017-02-28", "paid", "2023-07-31")
    assert "written as a letter (greeting under a postal address)" in listed["Downloads/doc0311.pdf"]["evidence"]
    assert listed["Documents/Team/Priya Shah - sickness record.xlsx"]["evidence"][0] == \
        "names a person (in its file name) below the personal-data thresholds"


@pytest.mark.skipif(tesseract.program() is None, reason="tesseract with English data is not installed")
def test_a_scanned_letter_is_read_by_ocr_and_judged(tmp_path):
    """A short letter scanned to PDF, TIFF or JPEG is mostly white paper: OCR reads it on the
    retention path as in a scan, though it has fewer edges than a photographed form."""
    fonts = Path("/usr/share/fonts/truetype/dejavu")
    if not (fonts / "DejaVuSans.ttf").exists():
        pytest.skip("DejaVu fonts are not installed (fonts-dejavu-core)")
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(str(fonts / "DejaVuSans.ttf"), 30)
    lines = ["Mrs Aoife Kelly", "14 Mill Lane, Leeds LS6 2QT", "", "3 March 2019", "", "Dear Mrs Kelly,", "",
             "Thank you for your letter about the open day.", "", "Yours sincerely,", "", "Owen Price"]
    for n, line in enumerate(lines):
        draw.text((120, 140 + 50 * n), line, fill="black", font=face)
    root = tmp_path / "home"
    (root / "Downloads").mkdir(parents=True)
    noon = dt.datetime(2019, 3, 4, 12, tzinfo=dt.timezone.utc).timestamp()
    for name in ("scan0001.pdf", "scan0002.tif", "scan0003.jpg"):
        page.save(root / "Downloads" / name)  # one image a page, no text layer: what a scanner makes
        os.utime(root / "Downloads" / name, (noon, noon))
    plan = tmp_path / "plan.json"
    r = run("retention", root, "--now", NOW, "--format", "jsonl", "--jobs", 1, "--plan-out", plan)
    listed = _listed(r, root)
    assert {rel: v["category"] for rel, v in listed.items()} == {
        f"Downloads/scan000{n}.{ext}": "general-correspondence" for n, ext in ((1, "pdf"), (2, "tif"), (3, "jpg"))}, r
    assert sorted(os.path.relpath(e.path, root) for e in read_plan(str(plan)).entries) == sorted(listed)


def test_an_outlook_msg_is_dated_by_its_own_date(tmp_path):
    """A .msg saved long after it was sent, or copied with an older date, is judged from its Date."""
    site = tmp_path / "site.toml"
    site.write_text('[personal_data.detectors]\nemail = { min_count = 1 }\n\n'
                    '[[retention.category]]\nid = "mail"\nname = "Mail"\ndefault = true\nperiod = "6y"\n'
                    'clock = ["modified", "mail_date"]\nreview_only = true\n')
    root = tmp_path / "home"
    root.mkdir()
    msg = root / "message.msg"
    shutil.copyfile(REAL_MSG, msg)
    old = dt.datetime(2012, 1, 1, tzinfo=dt.timezone.utc).timestamp()
    os.utime(msg, (old, old))
    r = run("retention", root, "--now", NOW, "--format", "jsonl", "--jobs", 1, "--policy", site)
    verdict = _listed(r, root)["message.msg"]
    assert (verdict["clock"], verdict["clock_from"]) == ("2017-10-23", "mail_date"), verdict

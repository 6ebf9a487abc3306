"""`pdscan retention` keeps what a fourth blind tree showed it could lose, on files laid out as a staff
laptop holds them, back-dated, with people and places invented here:

- one sign of a transcript (its title, an achievement date column) holds the file for review, though
  the learner record's evidence weighs more: a transcript is review only, and a review-only candidate
  wins; a DBS certificate number is no such sign;
- a keyword in a table's cells is one row's value (a department "Learner Services", an overtime
  claim's reason "Exam invigilation"): a staff sign-up list stays unclassified (review only), and an
  overtime claim is payroll, not an exam record;
- names beside one word ("Staff v students ... sign up") are no deletable record: unclassified;
- a payroll number column makes each row a payee: hourly claims naming courses are payroll;
- "not appointed" refuses a job applicant as "not shortlisted" does;
- a form line's further labels ("Name: ... Post: ...") are labels: a probation review is a staff file;
- a register's "Planned end" column runs its learners' records on to that day;
- a leaving date written in a sentence ("your last day of employment with <college> will be Friday
  <date>") is the clock, though it stands further from its anchor than a form's field does.
"""
from __future__ import annotations

from tests.commands.test_retention_correspondence import letter, lay_out, workbook
from tests.commands.test_retention_judgements import NOW, _retention, table

# relative path → (content, modified day, category, planned, listed at NOW)
FILES = {
    # A transcript printed for a reference: the learner's record too, but a transcript first.
    "Documents/References/Transcript - Imogen Hale.docx": (letter(
        "Westbridge College - Learner Transcript",
        "Name: Imogen Hale     Student ID: WB204417     DOB: 11/03/2000",
        "Programme: Access to HE Diploma (Social Work)    Leaving date: 28/06/2019",
        "Unit\tCredits\tGrade", "Social Policy\t3\tDistinction", "Research Methods\t6\tMerit",
        "Diploma awarded 28/06/2019. Issued for reference purposes."),
        "2019-07-04", "learner-transcript", False, True),
    # An MIS export of aim outcomes with achievement dates, under a name that says nothing.
    "Downloads/export (4).csv": ((
        "LearnerRef,Name,AimTitle,Outcome,OutcomeGrade,AchievementDate\n"
        "WB100231,Tariq Hussain,BTEC L2 Diploma in Sport,1,Merit,28/06/2019\n"
        "WB100232,Megan Lloyd,BTEC L2 Diploma in Sport,1,Pass,12/07/2019\n"
        "WB100233,Oliver Grant,BTEC L2 Diploma in Sport,1,Distinction,28/06/2019\n"
        "WB100234,Sofia Rossi,BTEC L2 Diploma in Sport,1,Merit,12/07/2019\n"
        "WB100235,Ruth Bellamy,BTEC L2 Diploma in Sport,1,Pass,28/06/2019\n").encode(),
        "2019-07-19", "learner-transcript", False, True),
    # HR's DBS log: certificate numbers are the checks', not a learner's certificates.
    "Documents/HR/DBS checks 2014.xlsx": (workbook([
        ["Staff name", "Post", "DBS certificate number", "Issued"],
        ["Imogen Hale", "Lecturer", "001234567890", "2014-02-03"],
        ["Tariq Hussain", "Technician", "001234567891", "2014-02-10"],
        ["Megan Lloyd", "Lecturer", "001234567892", "2014-03-03"],
        ["Oliver Grant", "Assessor", "001234567893", "2014-03-17"],
        ["Ruth Bellamy", "Librarian", "001234567894", "2014-04-07"]]),
        "2014-04-10", "staff-files", True, True),
    # A staff fun-run sign-up: "Learner Services" is a department, not what the list is.
    "Desktop/Book5.xlsx": (workbook([
        ["Name", "Dept", "Extension", "T-shirt", "Paid"],
        ["Imogen Hale", "Learner Services", 4410, "M", "Y"],
        ["Tariq Hussain", "Estates", 4377, "L", "N"],
        ["Megan Lloyd", "Learner Services", 4521, "S", "Y"],
        ["Oliver Grant", "Finance", 4802, "XL", "Y"],
        ["Sofia Rossi", "Learner Services", 4613, "M", "N"],
        ["Ruth Bellamy", "Estates", 4459, "S", "Y"]]),
        "2018-04-20", "unclassified", False, True),
    # A match's sign-up sheet: its title's "students" beside names is no learner record.
    "Documents/Sport/Charity match.docx": (table(
        "Staff v students charity football - sign up",
        ["Name", "Position", "Shirt size"],
        ["Imogen Hale", "Goal", "M"], ["Tariq Hussain", "Defence", "L"], ["Megan Lloyd", "Midfield", "S"],
        ["Oliver Grant", "Attack", "XL"], ["Sofia Rossi", "Defence", "M"]),
        "2019-05-20", "unclassified", False, True),
    # Overtime claims: why each hour was worked is no exam record.
    "Downloads/Book6.xlsx": (workbook([
        ["Name", "Payroll no.", "Date", "Overtime hrs", "Rate", "Amount", "Reason"],
        ["Imogen Hale", "P20411", "2016-10-08", 4, 14.2, 56.8, "Exam invigilation"],
        ["Tariq Hussain", "P20877", "2016-10-15", 6, 14.2, 85.2, "Enrolment"],
        ["Megan Lloyd", "P21239", "2016-10-15", 5, 14.2, 71, "Exam invigilation"],
        ["Oliver Grant", "P21561", "2016-10-22", 3, 14.2, 42.6, "Open day"],
        ["Ruth Bellamy", "P21733", "2016-10-22", 5, 14.2, 71, "Enrolment"]]),
        "2016-11-02", "payroll", True, True),
    # Hourly-paid lecturers' claims by payroll number: pay, whatever course each taught.
    "Documents/Finance/Sessional claims May 2019.xlsx": (workbook([
        ["Payroll no.", "Name", "Claim month", "Course code", "Hours", "Rate", "Amount"],
        ["P40231", "Imogen Hale", "May-2019", "SPT2-19", 12, 31.45, 377.4],
        ["P40877", "Tariq Hussain", "May-2019", "ENG3-19", 20, 31.45, 629],
        ["P41239", "Megan Lloyd", "May-2019", "SPT2-19", 8, 31.45, 251.6],
        ["P41561", "Oliver Grant", "May-2019", "ACC-HE", 16, 31.45, 503.2],
        ["P41733", "Ruth Bellamy", "May-2019", "ENG3-19", 10, 31.45, 314.5]]),
        "2019-05-31", "payroll", True, True),
    # A probation review on one form line after another: its "Post:" is a field label though a name
    # runs up to it, so the review is a staff file, not a learner record for its "learners".
    "Downloads/Document (6).docx": (letter(
        "Probation review - 6 weeks",
        "Name: Megan Lloyd Post: Learning Support Assistant Start date: 02/09/2019 Review date: 14/10/2019",
        "Progress: reliable, good rapport with learners.", "Outcome: continue probation.", "Manager: R Morgan"),
        "2019-10-15", "staff-files", True, True),
    # A job interview's record whose decision is not to appoint: the applicant's, refused (6 months).
    "Downloads/Document (7).docx": (letter(
        "Interview record - Science Technician",
        "Candidate: Megan Lloyd Interview date: 12/01/2024 Panel: R Morgan, I Hale",
        "Decision: not appointed; post offered to another candidate. Candidate informed 15/01/2024."),
        "2024-01-16", "applicants-unsuccessful", True, True),
    # A register saved in the autumn whose learners are planned to end in June: six years from June.
    "Documents/Learners/Register L2 Sport 2020-21.xlsx": (workbook([
        ["Student ID", "Learner", "Planned end", "W1", "W2", "W3", "Attendance %"],
        ["WB100231", "Tariq Hussain", "2021-06-25", "/", "/", "A", 67],
        ["WB100232", "Megan Lloyd", "2021-06-25", "/", "/", "/", 100],
        ["WB100233", "Oliver Grant", "2021-06-25", "O", "/", "/", 67],
        ["WB100234", "Sofia Rossi", "2021-06-25", "/", "A", "/", 67]]),
        "2020-11-02", "learner-records", False, False),
    # Saved in October, confirming a leaving date in January: six years from January, so not yet due.
    "Documents/HR/Resignation acknowledgement - Ruth Bellamy.docx": (letter(
        "Westbridge College, Mill Road, Westbridge WB1 2AA",
        "Mrs Ruth Bellamy 14 Moor Lane, Ilkley LS29 8AB", "14 October 2020", "Dear Holly,",
        "Thank you for your letter of resignation. I confirm that your last day of employment with "
        "Westbridge College will be Friday 29 January 2021, after your contractual notice.",
        "Yours sincerely, Rhys Morgan"),
        "2020-10-14", "staff-files", False, False),
}


def test_review_only_signs_keep_and_table_values_do_not_decide(tmp_path):
    root = tmp_path / "home"
    lay_out(root, FILES)
    listed, planned = _retention(root, NOW, tmp_path / "plan.json")
    assert planned == {rel for rel, (*_x, planned_, _l) in FILES.items() if planned_}
    assert {rel: v["category"] for rel, v in listed.items()} == \
        {rel: cat for rel, (_c, _d, cat, _p, listed_) in FILES.items() if listed_}
    assert all(listed[rel]["action"] == "review" for rel in ("Downloads/export (4).csv", "Desktop/Book5.xlsx"))
    assert "keyword 'transcript'" in listed["Documents/References/Transcript - Imogen Hale.docx"]["evidence"]
    assert "column 'achievement date'" in listed["Downloads/export (4).csv"]["evidence"]
    assert "column 'post'" in listed["Downloads/Document (6).docx"]["evidence"]
    later, _planned = _retention(root, "2060-01-01", tmp_path / "later.json")
    register = later["Documents/Learners/Register L2 Sport 2020-21.xlsx"]
    assert (register["category"], register["clock"], register["clock_from"]) == ("learner-records", "2021-06-25", "leaving")
    resigned = later["Documents/HR/Resignation acknowledgement - Ruth Bellamy.docx"]
    assert (resigned["category"], resigned["clock"], resigned["clock_from"]) == ("staff-files", "2021-01-29", "leaving")

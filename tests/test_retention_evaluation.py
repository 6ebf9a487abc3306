"""Retention on the blind laptop tree (fixtures/blind-retention/): the figure reached, kept.

The tree and its labels were written from the DPO's schedule (category names, periods, clocks)
by someone who never saw pdscan's schedule or code; it is measured, never tuned to. Measured at
the start of this work: 1 of 26 due files planned with the right category (every category then
required a folder name); 16 of 26 after round 2. These floors are what this code measures: 25 of
26 planned right (round 3: letters and mail with outside parties, one named person, pay and mark
columns), 5 of 6 review-only files listed for review, nothing recent or non-personal planned or
listed, no safeguarding record planned. The two left: a probation note and a governors' register
whose names no detector finds, so nothing in them is personal data to the scanner.

fixtures/blind-retention-2/ is a second tree (Calderbrook College), written later by other hands
from the same schedule text and measured once before round 3 and once after it: 18 then 24 of 33
due files planned right; 2 of 6 review-only files listed, 2 planned as deletable categories; one
recent offer letter planned. Round 4 (a refusal is required for an unsuccessful applicant, awards and
achievements make a transcript, resignations and disciplinaries weigh alone, an event date is the
clock of unclassified lists, a greeting under a postal address is a letter's form, a header row the
extractor missed is read): 29 of 33 planned right, none in a wrong category, 4 of 6 review-only files
listed, none planned, nothing recent planned or listed. Left: files in which no detector finds a
person (a BACS text file, a disciplinary letter, a scanned PDF, a results statement, a visitor log,
an RSVP list). Its floors hold these figures.

fixtures/blind-retention-3/ (Ravensmoor College) was written during round 4 by a helper who saw
neither the code nor the other trees, and measured once before round 4 (23 of 27 due files planned
right, one in a wrong category, 3 of 3 review-only files listed, nothing recent planned, one listed)
and once after (25 of 27, none wrong, 3 of 3, nothing recent planned; the one listed is a fun-run
sponsor list judged unclassified and due). That is the fresh figure: two due files (an appraisal
and a scanned letter) are still missed, so the issue's done-when is not met on it.

Round 5 studied the three trees as dev sets for files in which no detector found a person, and
fixed the causes: a labelled name ran on into the next field of a form line; an appraisal names
its subject as "Appraisee"; an outcome letter is addressed to a name over a street address, and a
note titled with a name is about that person; a payment listing's records (sort code, account,
payee) went unread; a results statement printed with "|" between its cells was not read as a
table; a register lists people under "Governor"; a letter under a postal address has no sign-off.
Measured before (the figures above) and after: 26 of 26 due files planned right on the first tree
(6 of 6 review-only files listed), 33 of 33 on the second (4 of 6 listed: a visitor log naming four
people, below the thresholds, and an RSVP list whose addresses and numbers are reserved test
values), 27 of 27 on the third, where the fun-run sponsor list is no longer listed (a date on a
list's title line is when it was used: [retention] title_clock). Nothing recent or non-personal is
planned or listed on any of the three.

fixtures/blind-retention-4/ (Brackenmoor College) was written blind after round 5 and measured once:
16 of 25 due files planned right, 3 in a wrong category, 3 of 6 review-only files listed and 3 planned
(two transcripts, a staff race sign-up list), one file not yet due planned. Round 6 studied it as a dev
set and fixed the causes: a transcript's one sign (its title, an achievement date column) weighed below
the score a category needs, so the learner record's deletable claim won (a review-only category now
claims at 2, a bare certificate weighing 1); a keyword in a table's cells ("Learner Services" as a
department, "Exam invigilation" as an overtime reason) decided a category (it weighs half there, in full
for review-only categories); a leaving date written in a sentence stood beyond the anchor's window; a
form line's further labels ("... Post: ...") went unread; a payroll number column weighed as little as
a course code; a register's week columns (W1, W2...) hid its header from the extractor; "not appointed"
was no refusal. Two more causes, general though no dev count moved: names beside one word are no
deletable record (a sign-up sheet titled "Staff v students"), and a "Planned end" is a leaving clock.
After: 20 of 25 planned right, none wrong, 6 of 6 listed, none planned, nothing recent
planned or listed. Left: three files in which a safeguarding role or course is named ("Deputy Designated
Safeguarding Lead" in a signature, "DSL level 2" as training, "who the DSL is" in interview notes) are
held as safeguarding records (review, 25 years), a bursary list's "Award (GBP)" column is read as an
achievement (review), and a scanned marks sheet names its candidates where no detector finds them.

fixtures/blind-retention-5/ (Harrowby Vale College, a student-services manager's laptop, real-format
contact details) was written blind after round 5 and measured once before round 6 (19 of 23 due files
planned right, 3 of 6 review-only files listed and 3 planned, 3 files not yet due planned) and once
after (18 of 23 right, 6 of 6 listed, none planned; still 3 not yet due planned: two attendance records
judged as correspondence, whose period is shorter, and a free-meals list). Its floors keep that,
including the three not-due files planned: the issue's done-when is not met on it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import bench_module

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "fixtures" / "blind-retention"
SECOND = ROOT / "fixtures" / "blind-retention-2"
THIRD = ROOT / "fixtures" / "blind-retention-3"
FOURTH = ROOT / "fixtures" / "blind-retention-4"
FIFTH = ROOT / "fixtures" / "blind-retention-5"


def _evaluator():
    return bench_module("retention_eval")


# tree: (due files planned right at least, planned in a wrong category at most, review-only files
# listed at least, recent files listed at most, files not yet due planned at most); never a review-only
# or a safeguarding record planned.
FLOORS = {TREE: (26, 0, 6, 0, 0), SECOND: (33, 0, 4, 0, 0), THIRD: (27, 0, 3, 0, 0), FOURTH: (20, 0, 6, 0, 0),
          FIFTH: (18, 0, 6, 0, 3)}


@pytest.mark.parametrize("tree", list(FLOORS), ids=lambda tree: tree.name)
def test_retention_on_each_blind_tree_keeps_its_figures(tree):
    right, wrong, listed, recent_listed, not_due_planned = FLOORS[tree]
    result = _evaluator().evaluate(tree / "tree", tree / "labels.json", tree / "generator" / "manifest.json")
    counts = result["counts"]
    assert counts.get("due_delete_planned_right", 0) >= right, result["wrong"]
    assert counts.get("due_delete_planned_wrong_category", 0) <= wrong, result["wrong"]
    assert counts.get("due_review_listed", 0) >= listed, result["wrong"]
    assert counts.get("not_due_listed", 0) <= recent_listed, result["wrong"]
    assert counts.get("due_review_planned", 0) == 0, result["wrong"]
    assert counts.get("not_due_planned", 0) <= not_due_planned, result["wrong"]
    assert counts.get("safeguarding_planned", 0) == 0, result["wrong"]

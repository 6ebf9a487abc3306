"""The retention schedule: parsing with errors that name the field, classification, the conservative clock."""
from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from pdscan.config import bundled, build
from pdscan.errors import ConfigError
from pdscan.formats.dates import dates_in
from pdscan.model import Finding, ItemResult
from pdscan.policy.retention import (RetentionFacts, age_text, decide, read_header, read_text_facts, read_title,
                                     titled_with_name)
from pdscan.policy.loader import read_toml
from pdscan.policy.retention_schedule import load_schedule, parse_period

D = dt.date
CATS = {"uk.uln": "identifier", "date_of_birth": "date", "person_name": "name", "uk.nino": "identifier",
        "special.other": "special"}


def schedule(*categories, **extra):
    default = read_toml(bundled("policies.toml"))["retention"]  # its window, year end, weights, min score
    table = {key: default[key] for key in ("financial_year_end", "window", "weights", "min_score", "cell_words")}
    table.update({"hold": [],
             "clocks": {"leaving": ["leaving date", "left on"]}, "category": list(categories)})
    table.update(extra)
    return load_schedule({"retention": table}, "test.toml", set(CATS))


def record(path, mtime="2014-01-01T00:00:00Z", detectors=("uk.uln",), member=None):
    return ItemResult(path, member, "text/csv", 10, mtime, False,
                      findings=[Finding(d, 1, "high", []) for d in detectors])


LEARNERS = {"id": "learners", "detectors": ["identifier"], "paths": ["**/Learners/**"], "period": "6y",
            "clock": ["modified", "leaving"]}
SAFEGUARDING = {"id": "safeguarding", "keywords": ["safeguarding"], "weights": {"keywords": 3}, "period": "25y",
                "review_only": True}


def test_the_bundled_schedule_loads_and_every_category_has_a_period():
    sched = build().policy.retention
    ids = {c.id for c in sched.categories}
    assert {"safeguarding", "learner-transcript", "applicants-unsuccessful", "learner-records",
            "staff-files", "payroll"} <= ids
    review = {c.id for c in sched.categories if c.review_only}
    assert review == {"safeguarding", "learner-transcript", "unclassified"}
    assert sched.default.id == "unclassified" and sched.default.period.text == "6y"


@pytest.mark.parametrize("table, message", [
    ({"id": "x", "paths": ["a"], "period": "six years"}, "retention.category[0] (x): field 'period'"),
    ({"id": "x", "paths": ["a"], "period": "6y", "clock": ["birthday"]}, "clock 'birthday'"),
    ({"id": "x", "period": "6y"}, "needs at least one of detectors, headers, keywords, paths, mail"),
    ({"id": "x", "period": "6y", "default": True, "paths": ["a"]}, "the default category"),
    ({"id": "x", "paths": ["a"], "period": "6y", "weights": {"colour": 2}}, "'colour' is neither a kind"),
    ({"id": "x", "paths": ["a"], "period": "6y", "weights": {"paths": -1}}, "field 'weights': paths"),
    ({"id": "x", "paths": ["a"], "period": "6y", "min_score": 0}, "field 'min_score'"),
    ({"id": "x", "headers": ["--"], "period": "6y"}, "field 'headers' needs words"),
    ({"id": "x", "paths": ["a"], "period": "6y", "mail": "yes"}, "field 'mail'"),
    ({"id": "x", "paths": ["a"], "period": "6y", "colour": "red"}, "unknown field 'colour'"),
    ({"id": "x", "detectors": ["uk.bogus"], "period": "6y"}, "'uk.bogus' is neither a detector id"),
    ({"id": "x", "paths": ["a"], "period": "6y", "match": "some"}, "field 'match'"),
    ({"id": "x", "paths": ["a"], "period": "6y", "hold_until": "soon"}, "field 'hold_until'"),
    ({"paths": ["a"], "period": "6y"}, "field 'id' is required"),
])
def test_schedule_errors_name_the_field(table, message):
    with pytest.raises(ConfigError) as err:
        schedule(table)
    assert "test.toml" in str(err.value) and message in str(err.value)


def test_duplicate_category_ids_are_refused():
    with pytest.raises(ConfigError, match="'learners' is defined twice"):
        schedule(LEARNERS, LEARNERS)


@pytest.mark.parametrize("text, start, end", [
    ("6y", D(2015, 7, 31), D(2021, 7, 31)),
    ("6m", D(2025, 8, 31), D(2026, 2, 28)),
    ("1y6m", D(2020, 1, 15), D(2021, 7, 15)),
    ("30d", D(2024, 2, 1), D(2024, 3, 2)),
    ("1y", D(2024, 2, 29), D(2025, 2, 28)),
    ("4y", D(2016, 2, 29), D(2020, 2, 29)),
    ("1m", D(2024, 1, 31), D(2024, 2, 29)),
    ("1m", D(2023, 1, 31), D(2023, 2, 28)),
    ("2w", D(2023, 12, 25), D(2024, 1, 8)),
])
def test_periods(text, start, end):
    assert parse_period(text, "x").after(start) == end


@pytest.mark.parametrize("since, now, text", [
    (D(2016, 2, 29), D(2024, 2, 29), "8y"),             # two leap days between: not "8y 2d"
    (D(2016, 2, 29), D(2024, 3, 1), "8y 1d"),
    (D(2012, 1, 5), D(2024, 12, 28), "12y 11m 23d"),    # 365-day years made this "12y 12m"
    (D(2023, 12, 26), D(2024, 12, 17), "11m 21d"),
    (D(2024, 1, 31), D(2024, 2, 29), "1m"),             # as 31 January + 1m is 29 February
    (D(2024, 5, 1), D(2024, 5, 1), "0d"),
])
def test_ages_are_calendar_years_months_and_days(since, now, text):
    assert age_text(since, now) == text


def _dated(path, day: D):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Letter about National Insurance number JK 98 76 54 B\n")
    noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.timezone.utc).timestamp()
    os.utime(path, (noon, noon))


def test_retention_text_violation_and_plan_give_calendar_ages(cli, tmp_path):
    """The text, the violation detail and the plan's reason, across leap days and month ends."""
    root = tmp_path / "Correspondence"
    _dated(root / "leap.txt", D(2016, 2, 29))
    r = cli("retention", root, "--now", "2024-02-29", "--jobs", "1")
    assert r.code == 1 and "age: 8y since modified 2016-02-29;" in r.out, r
    _dated(root / "leap.txt", D(2012, 1, 5))
    plan = tmp_path / "plan.json"
    r = cli("retention", root, "--now", "2024-12-28", "--jobs", "1", "--format", "jsonl", "--plan-out", plan)
    [item] = [json.loads(line) for line in r.out.splitlines() if '"item"' in line]
    assert "(12y 11m 23d since modified 2012-01-05;" in item["violations"][0]["detail"], item
    assert item["retention"]["age"] == "12y 11m 23d"
    assert "12y 11m 23d since modified" in plan.read_text() and "12y 12m" not in plan.read_text()


def test_dates_in_text_day_first_and_named_months():
    found = [d for _, d in dates_in("on 03/04/2015, 2016-05-06 and 7th August 2017; not 31/02/2018")]
    assert sorted(found) == [D(2015, 4, 3), D(2016, 5, 6), D(2017, 8, 7)]


def test_anchored_dates_keep_the_latest_and_nothing_else():
    sched = schedule(LEARNERS)
    facts = RetentionFacts()
    read_text_facts(facts, sched, "Enrolled 01/09/2010. Leaving date: 31/07/2013. Left on 20 June 2014. "
                                  "Phoned 01/01/2020.")
    assert facts.dates == {"leaving": D(2014, 6, 20)}


def test_a_column_header_anchors_the_dates_under_it():
    sched = schedule(LEARNERS)
    facts = RetentionFacts()
    read_text_facts(facts, sched, "Ann\t31/07/2016", label_at=lambda pos: "leaving date" if pos > 3 else "name")
    assert facts.dates == {"leaving": D(2016, 7, 31)}


def test_the_later_of_modified_and_content_dates_counts():
    sched = schedule(LEARNERS)
    early = RetentionFacts(dates={"leaving": D(2010, 7, 31)})   # earlier than the file's date: ignored
    late = RetentionFacts(dates={"leaving": D(2019, 7, 31)})
    rec = record("/d/Learners/list.csv")
    a = decide(sched, rec, early, CATS, D(2026, 1, 1))
    b = decide(sched, rec, late, CATS, D(2026, 1, 1))
    assert (a.clock_date, a.clock_from, a.expired, a.action) == (D(2014, 1, 1), "modified", True, "delete")
    assert (b.clock_date, b.clock_from, b.expires, b.expired) == (D(2019, 7, 31), "leaving", D(2025, 7, 31), True)
    assert not decide(sched, rec, late, CATS, D(2025, 7, 30)).expired


def test_evidence_adds_up_to_the_minimum_score_and_a_folder_only_adds_weight():
    sched = schedule(LEARNERS, SAFEGUARDING)
    assert decide(sched, record("/d/Other/list.csv"), RetentionFacts(), CATS, D(2026, 1, 1)) is None  # 1 < 3
    in_folder = decide(sched, record("/d/Learners/list.csv"), RetentionFacts(), CATS, D(2026, 1, 1))
    assert (in_folder.category.id, in_folder.score) == ("learners", 3)
    assert decide(sched, record("/d/Learners/x.csv", detectors=("person_name",)), RetentionFacts(), CATS,
                  D(2026, 1, 1)) is None  # a folder alone decides nothing
    hit = decide(sched, record("/d/Other/x.txt"), RetentionFacts(keywords={"safeguarding"}), CATS, D(2060, 1, 1))
    assert hit.category.id == "safeguarding" and hit.evidence == ("keyword 'safeguarding'",)
    assert decide(sched, record("/d/Other/safeguarding-note.txt"), RetentionFacts(), CATS,
                  D(2060, 1, 1)).category.id == "safeguarding"  # the file's own name holds the keyword


def test_content_decides_between_categories_without_folders():
    learners = {"id": "learners", "detectors": ["uk.uln", "date_of_birth", "person_name"], "headers": ["course"],
                "weights": {"uk.uln": 2}, "period": "6y"}
    exams = {"id": "exams", "detectors": ["uk.uln", "person_name", "date_of_birth"],
             "headers": ["candidate number", "grade"], "keywords": ["exam entries"], "period": "6y"}
    payroll = {"id": "payroll", "detectors": ["uk.nino", "financial"], "headers": ["Sort code", "Net pay"],
               "period": "6y"}
    sched = schedule(learners, exams, payroll)
    now = D(2026, 1, 1)
    listing = record("/home/t/Documents/list.csv", detectors=("uk.uln", "date_of_birth", "person_name"))
    plain = decide(sched, listing, RetentionFacts(), CATS, now)
    assert (plain.category.id, plain.score) == ("learners", 4)   # ULN + DOB + name: a learner record
    entries = decide(sched, listing, RetentionFacts(headers={"candidate number", "grade"}), CATS, now)
    assert entries.category.id == "exams" and "column 'candidate number'" in entries.evidence
    pay = decide(sched, record("/home/t/Downloads/export.csv", detectors=("uk.nino",)),
                 RetentionFacts(headers={"sort code", "net pay"}), CATS, now)
    assert pay.category.id == "payroll" and pay.evidence == ("detector uk.nino", "column 'sort code'",
                                                             "column 'net pay'")


def test_match_all_still_requires_every_kind_but_paths():
    strict = dict(LEARNERS, match="all", keywords=["enrolment"])
    sched = schedule(strict)
    assert decide(sched, record("/d/Learners/x.csv"), RetentionFacts(), CATS, D(2026, 1, 1)) is None
    assert decide(sched, record("/d/x.csv"), RetentionFacts(keywords={"enrolment"}), CATS, D(2026, 1, 1))


def test_personal_data_no_category_claims_falls_in_the_default_category():
    default = {"id": "unclassified", "default": True, "period": "6y", "clock": ["modified", "leaving"],
               "review_only": True}
    sched = schedule(LEARNERS, default)
    d = decide(sched, record("/d/Other/x.txt", detectors=("person_name",)),
               RetentionFacts(dates={"leaving": D(2016, 3, 1)}), CATS, D(2022, 2, 28))
    assert (d.category.id, d.action, d.clock_from, d.expired) == ("unclassified", "review", "leaving", False)
    assert d.evidence == ("personal data that no retention category claims",)
    with pytest.raises(ConfigError, match="only one category may be the default"):
        schedule(default, dict(default, id="other"))


def test_review_only_wins_over_any_delete_category():
    sched = schedule(LEARNERS, SAFEGUARDING)
    d = decide(sched, record("/d/Learners/x.csv"), RetentionFacts(keywords={"safeguarding"}), CATS, D(2060, 1, 1))
    assert (d.category.id, d.action, d.expired) == ("safeguarding", "review", True)


def test_the_category_that_keeps_longest_wins():
    short = {"id": "short", "paths": ["**/Learners/**"], "period": "6m"}
    sched = schedule(short, LEARNERS)
    d = decide(sched, record("/d/Learners/x.csv"), RetentionFacts(), CATS, D(2026, 1, 1))
    assert d.category.id == "learners"


def test_financial_year_and_holds_push_expiry_later():
    pay = {"id": "pay", "paths": ["**/Payroll/**"], "period": "6y", "after": "financial-year", "min_score": 2}
    sched = schedule(pay, financial_year_end="07-31",
                     hold=[{"paths": ["**/ESF/**"], "until": "2034-12-31", "reason": "ESF end date"}])
    d = decide(sched, record("/d/Payroll/aug.csv", "2019-08-15T10:00:00Z"), RetentionFacts(), CATS, D(2026, 1, 1))
    assert d.expires == D(2026, 7, 31) and not d.expired
    held = decide(sched, record("/d/ESF/Payroll/a.csv", "2010-01-01T00:00:00Z"), RetentionFacts(), CATS, D(2030, 1, 1))
    assert held.expires == D(2034, 12, 31) and not held.expired and "ESF end date" in held.rule


def test_mail_date_counts_when_later():
    mail = {"id": "mail", "mail": True, "period": "2y", "clock": ["modified", "mail_date"], "min_score": 1}
    sched = schedule(mail)
    d = decide(sched, record("/d/m.eml", "2018-01-01T00:00:00Z"), RetentionFacts(mail=True), CATS, D(2021, 1, 1),
               D(2019, 6, 1))
    assert (d.clock_from, d.expires, d.expired) == ("mail_date", D(2021, 6, 1), False)


def test_an_archive_member_is_for_review_not_deletion():
    sched = schedule(LEARNERS)
    d = decide(sched, record("/d/Learners/old.zip", member="list.csv"), RetentionFacts(), CATS, D(2026, 1, 1))
    assert d.expired and d.action == "review"


# -- letters, outside parties, headers (the bundled schedule's vocabulary) ----------------------

def _facts(text: str, headers_at=()) -> RetentionFacts:
    facts = RetentionFacts()
    read_text_facts(facts, build().policy.retention, text, headers_at=headers_at)
    return facts


@pytest.mark.parametrize("text, letter, outside", [
    ("Mrs J Ahmed\n14 Mill Lane, Leeds LS6 2QT\n\nDear Joanne,\nThank you.\nYours sincerely,\nR Morgan",
     True, "a postal address above the greeting"),
    ("4 December 2017\nDear Parent/Carer of Imran Turner,\nThe trip...\nYours faithfully,\nS. Whitfield",
     True, "addressed by title or role"),
    ("Dear Mr Green,\nThank you for your call.\nKind regards,\nRhys", True, "addressed by title or role"),
    ("Dear Jamal and family,\nThank you for the flowers.\nBest wishes,\nSarah", True, "addressed by title or role"),
    # A colleague greeted by first name, no address: a letter, not one to outside.
    ("Hi Sarah,\nCan you cover period 3?\nThanks again,\nDan", True, ""),
    # A reference opens to whoever reads it, and may close the American way.
    ("To whom it may concern,\nI have known Owen Price for four years.\nSincerely,\nAoife Kelly", True, ""),
    # A greeting without a sign-off (or a sign-off quoted mid-line) is no letter.
    ("Dear Mrs Ahmed,\nPlease see the attached list.", False, ""),
    ("Minutes. Item 4: the chair said kind regards to all.", False, ""),
])
def test_a_letter_and_whom_it_goes_to(text, letter, outside):
    facts = _facts(text)
    assert (facts.letter, facts.outside_why) == (letter, outside)


def test_a_greeting_under_a_postal_address_is_a_letter_without_a_sign_off():
    """A reply signed with a name alone (or scanned without its last lines) is still a letter to one
    person; a note greeting a colleague is not."""
    facts = _facts("Kwame Osei\n12 Station Road, Shipley, BD18 3LQ\n20 January 2022\nDear Kwame,\n"
                   "Thank you for your enquiry.\nRhys Morgan\n")
    assert (facts.letter, facts.record_form, facts.addressed) == (True, True, True)
    assert facts.dates == {"dated": D(2022, 1, 20)}
    assert _facts("Dear Sarah,\nCan you cover period 3?\nDan\n").record_form is False


def test_a_word_naming_another_date_keeps_an_anchor_from_counting():
    """ "Start date:" holds "date:", but a start (a review, a renewal) is no clock."""
    text = "Date: 01/04/2025\nPost: Lecturer\nProposed start date: 26/08/2025\nNext review date: 01/09/2026\n"
    assert _facts(text).dates == {"dated": D(2025, 4, 1)}
    assert _facts("Outcome of hearing. Date: 12/11/2019\n").dates == {"dated": D(2019, 11, 12)}


def test_outside_parties_of_a_message():
    from pdscan.hooks.retention import outside_party
    internal = ("a.b@college.ac.uk", ("c.d@college.ac.uk",))
    assert outside_party(*internal, frozenset()) == ""
    assert outside_party("parent@example.com", ("tutor@college.ac.uk",), frozenset()) == \
        "parties on more than one mail domain"
    # The college's domains, when the policy names them: a subdomain is the college's too.
    assert outside_party("mis@staff.college.ac.uk", ("tutor@college.ac.uk",), frozenset({"college.ac.uk"})) == ""
    assert outside_party("tutor@college.ac.uk", ("a@college.ac.uk", "b@employer.co.uk"),
                         frozenset({"college.ac.uk"})) == "a party outside the organisation's mail domains"


def test_a_header_inside_a_longer_phrase_counts_as_the_longer_phrase_only():
    sched = build().policy.retention
    facts = RetentionFacts()
    for header in ("Emp No", "Employee contrib", "Pensionable pay", "Employee"):
        read_header(facts, sched, header)
    # "Employee contrib" is a pay column; the plain "Employee" column is still a staff column.
    assert {"employee contrib", "pensionable pay", "employee"} <= facts.headers
    alone = RetentionFacts()
    read_header(alone, sched, "Employee contrib")
    assert alone.headers == {"employee contrib"}


def test_header_cells_are_not_counted_again_as_keywords():
    text = "Learner\tULN\tMark\tGrade\nJack Ahmed\t1234567899\t28\tPass\n"
    assert "learner" in _facts(text).keywords
    assert "learner" not in _facts(text, headers_at=[(0, text.index("\n") + 1)]).keywords


def test_a_table_one_cell_per_line_has_its_header_cells_found():
    from pdscan.hooks.retention import cell_headers
    text = ("External moderation sample - Unit 12\nSample submitted: 20/04/2018\n ULN\nLearner\nAssessor grade\n"
            "Moderator\n1865013713\nMegan Griffiths\nM\nAgreed\n")
    assert [text[a:b].strip() for a, b in cell_headers(text)] == ["ULN", "Learner", "Assessor grade", "Moderator"]
    # Short lines that no data row follows (a signature, a list of names) are no header.
    assert cell_headers("Kind regards\nRhys Morgan\nPersonal Tutor\nWestbridge College\n") == []


def test_a_tab_separated_header_row_the_extractor_did_not_take_is_found():
    from pdscan.hooks.retention import row_headers
    text = ("Unit 4 - marksheet\n\nLearner\tULN\tLO1\tGrade\tAssessment date\n"
            "Jack Ahmed\t1234567899\tP\tM\t2018-03-16\nAmy Lee\t6308786135\tM\tD\t2018-03-16\n")
    assert [text[a:b] for a, b in row_headers(text)] == ["Learner", "ULN", "LO1", "Grade", "Assessment date"]
    # A row of names over a line of another width is no header; in a table without a header the
    # first row reads as one (a name there is no policy phrase), the rows under it never do.
    assert row_headers("Name\tRole\tRoom\nSee the list below: 3 rooms\n") == []
    assert row_headers("Ann Lee\tTutor\tB12\nBob Ray\tTutor\tB14\nCal Dunn\tLead\tC2\n") == \
        [(0, 7), (8, 13), (14, 17)]


def test_a_category_that_outranks_another_wins_whenever_both_are_candidates():
    refusal = {"id": "refusals", "keywords": ["unsuccessful"], "weights": {"keywords": 3}, "period": "6m",
               "outranks": ["letters"]}
    letters = {"id": "letters", "letter": True, "outside": True, "period": "2y"}
    sched = schedule(refusal, letters)
    facts = RetentionFacts(keywords={"unsuccessful"}, greeted="addressed by title or role", signed_off=True)
    d = decide(sched, record("/d/x.docx", detectors=()), facts, CATS, D(2026, 1, 1))
    assert (d.category.id, d.score) == ("refusals", 3) and d.evidence[-1] == "outranks letters"
    assert decide(sched, record("/d/x.docx", detectors=()), RetentionFacts(greeted="addressed by title or role",
                  signed_off=True), CATS, D(2026, 1, 1)).category.id == "letters"
    with pytest.raises(ConfigError, match=r"\(refusals\): outranks 'nobody', which is no category"):
        schedule(dict(refusal, outranks=["nobody"]), letters)


def test_a_category_that_requires_a_kind_of_evidence_is_no_candidate_without_it():
    """An applicant column and an admissions folder are an offered applicant's record too: only a
    refusal makes the unsuccessful applicant's."""
    refusals = {"id": "refusals", "keywords": ["not offered"], "headers": ["applicant", "outcome"],
                "paths": ["**/Admissions/**"], "requires": ["keywords"], "period": "6m"}
    learners = {"id": "learners", "detectors": ["date_of_birth"], "keywords": ["offer made"], "period": "6y"}
    sched = schedule(refusals, learners)
    offered = RetentionFacts(keywords={"offer made"}, headers={"applicant", "outcome"})
    d = decide(sched, record("/h/Admissions/offer.docx", detectors=("date_of_birth",)), offered, CATS, D(2026, 1, 1))
    assert d.category.id == "learners"
    refused = RetentionFacts(keywords={"not offered"}, headers={"applicant", "outcome"})
    d = decide(sched, record("/h/Admissions/outcome.docx", detectors=("date_of_birth",)), refused, CATS, D(2026, 1, 1))
    assert d.category.id == "refusals" and "keyword 'not offered'" in d.evidence
    with pytest.raises(ConfigError, match=r"\(refusals\): requires 'letter', which is not evidence this category lists"):
        schedule(dict(refusals, requires=["letter"]), learners)


def test_one_named_person_is_judged_only_when_a_category_claims_the_file_without_the_name():
    default = {"id": "unclassified", "default": True, "period": "6y", "review_only": True}
    names = {"id": "learners", "detectors": ["person_name"], "keywords": ["learner"], "period": "6y"}
    letters = {"id": "letters", "letter": True, "outside": True, "period": "2y"}
    sched = schedule(names, letters, default, one_person=["person_name"])
    named = record("/d/x.docx", detectors=("person_name",))
    # name (1) + keyword (2) would reach 3, but the name that let the file in does not count itself.
    assert decide(sched, named, RetentionFacts(keywords={"learner"}), CATS, D(2026, 1, 1), one_person=True) is None
    assert decide(sched, named, RetentionFacts(), CATS, D(2026, 1, 1), one_person=True) is None   # no default
    facts = RetentionFacts(greeted="a postal address above the greeting", signed_off=True)
    d = decide(sched, named, facts, CATS, D(2026, 1, 1), one_person=True)
    assert d.category.id == "letters" and d.evidence[0] == \
        "names a person (person_name) below the personal-data thresholds"
    with pytest.raises(ConfigError, match="one_person: 'uk.bogus' is not a detector id"):
        schedule(names, one_person=["uk.bogus"])


def test_a_letters_own_date_line_is_its_dated_clock():
    # Saved in January, dated June: the letter's date counts; a date in its text does not.
    text = ("Samir Khan\n22 Park Road, Bradford BD7 1AA\n\n12 June 2023\n\nDear Samir,\n"
            "Thank you for your enquiry of 1 June 2023 about the course starting 4 September 2023.\n"
            "Yours sincerely,\nAdmissions\n")
    assert _facts(text).dates == {"dated": D(2023, 6, 12)}
    assert _facts("Monday, 3 March 2014\nDear Mrs Ahmed,\nYours sincerely,\nR Morgan\n").dates == \
        {"dated": D(2014, 3, 3)}
    # No greeting, no letter: a date on its own line in minutes is not a letter's date.
    assert _facts("Minutes\n3 March 2014\nPresent: all\n").dates == {}
    bundled_letters = read_toml(bundled("policies.toml"))["retention"]["letters"]
    with pytest.raises(ConfigError, match="retention.letters: clock 'posted' is not defined"):
        schedule(LEARNERS, letters=dict(bundled_letters, clock="posted"))


def test_a_title_says_whom_a_record_is_about_and_when_its_list_was_used():
    sched = build().policy.retention
    facts = RetentionFacts()
    read_title(facts, sched, "\nHollinford 10k - sponsors (race day 18/04/2021)\nSponsor\tAmount\n")
    assert (facts.titled, facts.dates) == (False, {"event": D(2021, 4, 18)})
    for title in ("Probation review - Joseph Turner (Technician)", "Joseph Turner - sickness record"):
        facts = RetentionFacts()
        read_title(facts, sched, title + "\nReview date: 04/12/2017\n")
        assert (facts.titled, facts.dates) == (True, {}), title
    # A topic after the dash, or a name the lists do not know, says nothing of whom.
    assert not titled_with_name("Minutes - Open Evening") and not titled_with_name("Outcome - Zqx Vrrp")
    with pytest.raises(ConfigError, match="title_clock 'race' is not defined in"):
        schedule(LEARNERS, title_clock="race")


def test_an_achievement_date_column_is_a_transcripts_clock():
    sched = build().policy.retention
    facts = RetentionFacts()
    read_text_facts(facts, sched, "Ann\t20/08/2020", label_at=lambda pos: "Date achieved" if pos > 3 else "Name")
    assert facts.dates == {"achieved": D(2020, 8, 20)}
    transcript = next(c for c in sched.categories if c.id == "learner-transcript")
    assert "achieved" in transcript.clock


def test_a_subdomain_is_its_parent_domains_organisation():
    from pdscan.hooks.retention import outside_party
    assert outside_party("a.learner@students.college.ac.uk", ("tutor@college.ac.uk",), frozenset()) == ""
    assert outside_party("a.learner@students.college.ac.uk", ("tutor@college.ac.uk", "x@example.com"),
                         frozenset()) == "parties on more than one mail domain"


def test_one_named_person_is_not_claimed_on_words_and_folders_alone():
    """A staff handbook naming its HR contact is written in a staff file's words, and is no staff file."""
    staff = {"id": "staff", "keywords": ["sickness absence", "disciplinary"], "headers": ["employee"],
             "paths": ["**/HR/**"], "period": "6y"}
    sched = schedule(staff, one_person=["person_name"])
    named = record("/d/HR/handbook.docx", detectors=("person_name",))
    words = RetentionFacts(keywords={"sickness absence", "disciplinary"})
    assert decide(sched, named, words, CATS, D(2026, 1, 1), one_person=True) is None
    form = RetentionFacts(keywords={"disciplinary"}, headers={"employee"})
    assert decide(sched, named, form, CATS, D(2026, 1, 1), one_person=True).category.id == "staff"
    # A message or a letter to or about that person is a record's form: its words may claim it.
    mail = RetentionFacts(keywords={"sickness absence", "disciplinary"}, mail=True)
    assert decide(sched, named, mail, CATS, D(2026, 1, 1), one_person=True).category.id == "staff"
    # Personal data by the policy's thresholds is judged on its words as before.
    assert decide(sched, named, words, CATS, D(2026, 1, 1)).category.id == "staff"


def test_a_keyword_only_in_table_cells_weighs_less_but_not_for_a_review_only_category():
    learners = {"id": "learners", "keywords": ["learner"], "detectors": ["name"], "period": "6y"}
    sched = schedule(learners, SAFEGUARDING, cell_words=0.5)
    facts = RetentionFacts()
    read_text_facts(facts, sched, "Ann Lee\tLearner Services\nBo Fry\tsafeguarding team\n", cells=True)
    assert facts.cell_keywords == {"learner", "safeguarding"} and not facts.keywords
    names = record("/d/Book1.xlsx", detectors=("person_name",))
    assert decide(sched, names, RetentionFacts(cell_keywords={"learner"}), CATS, D(2026, 1, 1)) is None
    # The same word in the text (a title, a sentence) says what the file is.
    assert decide(sched, names, RetentionFacts(keywords={"learner"}), CATS, D(2026, 1, 1)).category.id == "learners"
    kept = decide(sched, names, facts, CATS, D(2026, 1, 1))
    assert kept.category.id == "safeguarding" and "keyword 'safeguarding' in table cells" in kept.evidence


def test_names_beside_one_word_are_no_deletable_record_but_beside_a_column_they_are():
    """A sign-up sheet titled "Staff v students charity match" names people and says "students": the
    word and the names together reach the score, but the word alone does not."""
    learners = {"id": "learners", "keywords": ["students", "class list"], "detectors": ["person_name"],
                "headers": ["learner"], "period": "6y"}
    sched = schedule(learners, one_person=["person_name"])
    names = record("/d/charity match.docx", detectors=("person_name",))
    assert decide(sched, names, RetentionFacts(keywords={"students"}), CATS, D(2026, 1, 1)) is None
    # Two words, or a column beside the word, make it a learner record.
    two = RetentionFacts(keywords={"students", "class list"})
    assert decide(sched, names, two, CATS, D(2026, 1, 1)).category.id == "learners"
    column = RetentionFacts(keywords={"students"}, headers={"learner"})
    assert decide(sched, names, column, CATS, D(2026, 1, 1)).category.id == "learners"
    # A review-only category claims on what it finds: keeping is the safe side.
    review = schedule(dict(learners, review_only=True), one_person=["person_name"])
    assert decide(review, names, RetentionFacts(keywords={"students"}), CATS, D(2026, 1, 1)).category.id == "learners"

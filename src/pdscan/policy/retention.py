"""The retention schedule: `[retention]` in policies.toml → categories, clocks, holds.

An item record (findings, path, mtime) plus the facts read from its content
(keywords present, keyword-anchored dates, a mail Date header) is classified
into a category with evidence, and its clock and expiry are computed:

  clock   = the LATEST of every date the category's `clock` names that is known
            (file modified date, mail Date header, a date near "leaving date"...),
            moved to the end of its financial year when `after = "financial-year"`;
  expires = clock + period, or a fixed hold date if that is later.

The category: each category's evidence (detectors found, column headers and
field labels, keywords in the text or the file's name, path globs, being an
e-mail, being written as a letter, being with someone outside the organisation)
adds its weight to the category's score; a category whose score reaches its
`min_score`, with every kind of evidence it `requires` (an unsuccessful applicant:
a refusal's words), is a candidate, and paths only add weight: what the file holds
decides. Personal data no category claims falls in the `default` category, when
the schedule names one. A file below the personal-data thresholds that names one
person (`one_person`) is judged only when a category claims it on other evidence.

Every choice leans towards keeping: the latest date counts, and among candidates
a review-only one wins, else one no other candidate `outranks` with the highest
score, and on a tie the one that keeps the data longest.
The schedule is read and validated by policy/retention_schedule.py.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional

from dateutil.relativedelta import relativedelta

from ..detect.context import normalise_header, words_alternation
from ..formats.dates import dates_in
from ..globs import GlobSet
from ..model import ItemResult

EVIDENCE_KINDS = ("detectors", "headers", "keywords", "paths", "mail", "letter", "outside")
WORDS_ONLY = {"keywords", "paths"}   # evidence that says what a file is about, not whose record it is


@dataclass(frozen=True)
class Period:
    years: int = 0
    months: int = 0
    days: int = 0
    text: str = ""

    def after(self, day: dt.date) -> dt.date:
        # Calendar arithmetic: 29 February + 1y is 28 February, 31 January + 1m the month's last day.
        return day + relativedelta(years=self.years, months=self.months, days=self.days)


def age_text(since: dt.date, now: dt.date) -> str:
    """The calendar time from `since` to `now`: "8y" from 29 Feb 2016 to 29 Feb 2024, "1m 2d", "0d"."""
    if since > now:
        return "-" + age_text(now, since)
    age = relativedelta(now, since)
    parts = [f"{n}{unit}" for n, unit in ((age.years, "y"), (age.months, "m"), (age.days, "d")) if n]
    return " ".join(parts) or "0d"


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    period: Period
    clock: tuple
    detectors: tuple = ()
    paths: GlobSet = GlobSet(())
    keywords: tuple = ()
    match: str = "any"      # "all": every kind listed but paths must be found as well
    after: str = ""
    hold_until: Optional[dt.date] = None
    review_only: bool = False
    headers: tuple = ()     # column header / field label phrases (normalised words)
    mail: bool = False      # being an e-mail message is evidence
    letter: bool = False    # being written as a letter (a salutation and a sign-off) is evidence
    outside: bool = False   # being a letter or mail exchanged with someone outside is evidence
    weights: dict = field(default_factory=dict, compare=False)   # kind or entry → weight
    min_score: float = 0    # set from [retention] min_score when loaded
    default: bool = False   # personal data that no other category claims
    outranks: tuple = ()    # category ids this one wins over whenever both are candidates
    requires: tuple = ()    # kinds of evidence a candidate must have found (an unsuccessful applicant: a refusal)
    cell_words: Optional[float] = None   # its own share for keywords read only in table cells, else the schedule's

    def weight(self, kind: str, entry: str) -> float:
        """An entry's own weight ("uk.uln" = 3), else its kind's."""
        return self.weights.get(entry, self.weights[kind])


@dataclass(frozen=True)
class Hold:
    paths: GlobSet
    until: dt.date
    reason: str


@dataclass(frozen=True)
class Letters:
    """What makes a text a letter, and one to someone outside: `[retention.letters]`."""

    salutations: tuple = ()          # a line opening with one of these greets someone ("dear")
    sign_offs: tuple = ()            # a line opening with one of these signs off ("yours sincerely")
    outside_addressees: tuple = ()   # a word of the greeting that is a title or a role ("mr", "parent")
    clock: str = ""                  # the content clock a letter's own date line gives

    @cached_property
    def salutation_regex(self) -> Optional[re.Pattern]:
        """A greeting at the start of a line, and who it greets (group 1: up to a comma or the line's end)."""
        return _line_opening(self.salutations, "([^,\n]*)")

    @cached_property
    def sign_off_regex(self) -> Optional[re.Pattern]:
        return _line_opening(self.sign_offs)


def _line_opening(words: tuple, then: str = "") -> Optional[re.Pattern]:
    """One of `words` opening a line (a quoted one too), as whole words, over lower-cased text."""
    if not words:
        return None
    either = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"^[ \t>]*(?:{either})\b{then}", re.MULTILINE)


# A postcode's shape at the end of a line: the last line of a postal address. Its shape only:
# this tells a letter's layout, it does not detect the postcode (detectors/contact.toml does).
_ADDRESS_END = re.compile(r"\b[a-z]{1,2}\d[a-z\d]? ?\d[a-z]{2}[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Schedule:
    categories: tuple
    holds: tuple
    clocks: dict                    # content clock name → anchor keywords
    window: int                     # characters after a keyword a date may sit
    financial_year_end: tuple       # (month, day)
    letters: Letters = Letters()
    one_person: tuple = ()          # detectors naming one person: judged when a category claims the file
    other_dates: tuple = ()         # a word right before an anchor that names another date ("start date:")
    title_clock: str = ""           # the content clock a date on the title line gives (a list's event)
    cell_words: float = 1.0         # the share of its weight a keyword read only in a table's cells has

    @property
    def keywords(self) -> set:
        return {k for c in self.categories for k in c.keywords}

    @cached_property
    def keyword_regex(self) -> Optional[re.Pattern]:
        """The keywords as whole words, over lower-cased text."""
        expression = words_alternation(self.keywords)
        return re.compile(expression.decode("utf-8")) if expression else None

    @cached_property
    def headers(self) -> tuple:
        return tuple(sorted({h for c in self.categories for h in c.headers}))

    @property
    def default(self) -> Optional[Category]:
        return next((c for c in self.categories if c.default), None)


@dataclass
class RetentionFacts:
    """What the content says, without any personal value: which policy keywords
    occur, which policy header phrases head a column or label a field (the phrase,
    never the header's own text), whether it is an e-mail, and the latest date found
    beside each clock's anchor words."""

    keywords: set = field(default_factory=set)
    cell_keywords: set = field(default_factory=set)   # read only in a table's data cells: one row's value
    dates: dict = field(default_factory=dict)       # clock name → latest date
    headers: set = field(default_factory=set)
    mail: bool = False
    greeted: str = ""        # how the text greets someone: "" (not at all), "someone", or why outside
    signed_off: bool = False
    addressed: bool = False  # a postal address stands above the greeting
    addressee: bool = False  # a known person's name on the line over a house number and street
    titled: bool = False     # the title line (or the file's name) names a known person: a record about them
    file_named: bool = False  # the file's name names a known person ("Sickness record - <name>.docx")
    outside: str = ""        # why the file is exchanged with someone outside the organisation, or ""

    @property
    def letter(self) -> bool:
        """A greeting and a sign-off, or a greeting under a postal address: a letter signed with a
        name alone, or scanned without its last lines, is a letter all the same."""
        return bool(self.greeted and (self.signed_off or self.addressed))

    @property
    def record_form(self) -> bool:
        """Written to or about one person: a letter, a message, a document addressed to someone by
        name over their postal address (an outcome letter without a greeting) or titled with their
        name ("Probation review - <name>"): the form that makes one name in it that person's record."""
        return self.letter or self.mail or self.addressee or self.titled

    @property
    def outside_why(self) -> str:
        """Why the file is a letter or mail with someone outside, or "" when it is not."""
        if self.outside:
            return self.outside
        return self.greeted if self.letter and self.greeted != "someone" else ""


@dataclass(frozen=True)
class Decision:
    category: Category
    evidence: tuple
    clock_date: dt.date
    clock_from: str
    expires: dt.date
    age_days: int
    expired: bool
    action: str            # "delete" | "review"
    rule: str
    age: str = ""          # calendar age of the clock, as age_text() writes it
    score: float = 0


# -- facts from text ------------------------------------------------------------

def read_text_facts(facts: RetentionFacts, schedule: Schedule, text: str, label_at=None, headers_at=(),
                    cells: bool = False) -> None:
    """Add what `text` shows to `facts`. `label_at(pos)` gives a column header or
    field label for a position (tabular data: "Leaving date" heads the column).
    Keywords do not count inside the (start, end) spans `headers_at`: a table's
    header cells are evidence as headers already (read_header), and one word is
    one piece of evidence. `cells`: the text is a table's rows, whose keywords are
    values of one row each (a department "Learner Services", an overtime claim's
    reason "Exam invigilation"), not what the table is: they go to cell_keywords.

    Only policy keywords, dates and the letter's layout are kept: never the text around them."""
    lower = text.lower()
    if schedule.keyword_regex is not None:
        words = lower
        for start, end in headers_at:
            words = words[:start] + " " * (end - start) + words[end:]
        found = {m.group(0) for m in schedule.keyword_regex.finditer(words)}
        (facts.cell_keywords if cells else facts.keywords).update(found)
    found = sorted(dates_in(text))
    _read_letter(facts, schedule.letters, lower, found)
    facts.addressee = facts.addressee or _addressee(text)
    for clock, anchors in schedule.clocks.items():
        days = [d for d in _anchored(lower, found, anchors, schedule.window, schedule.other_dates)]
        if label_at is not None:
            days += [d for pos, d in found if any(a in (label_at(pos) or "").lower() for a in anchors)]
        if days:
            facts.dates[clock] = max(days + [facts.dates.get(clock, days[0])])


def _read_letter(facts: RetentionFacts, letters: Letters, lower: str, found: list) -> None:
    """A greeting line and a sign-off line make a letter; one greeting a title or a role
    ("Dear Mrs ...", "Dear Parent/Carer"), or a postal address above the greeting, makes
    it a letter to someone outside the organisation. A date alone on its line above the
    greeting is the letter's date: the `clock` of [retention.letters]."""
    if letters.sign_off_regex is not None and letters.sign_off_regex.search(lower):
        facts.signed_off = True
    if letters.salutation_regex is None or facts.greeted not in ("", "someone"):
        return
    greeting = letters.salutation_regex.search(lower)
    if greeting is None:
        return
    facts.addressed = bool(_ADDRESS_END.search(lower, 0, greeting.start()))
    if set(re.findall(r"[a-z]+", greeting.group(1))) & set(letters.outside_addressees):
        facts.greeted = "addressed by title or role"
    elif facts.addressed:
        facts.greeted = "a postal address above the greeting"
    else:
        facts.greeted = "someone"
    if letters.clock:
        lines = [day for pos, day in found if pos < greeting.start() and _alone_on_line(lower, pos)]
        if lines:
            facts.dates[letters.clock] = max(lines + [facts.dates.get(letters.clock, lines[0])])


def _person_name(text: str) -> Optional[bool]:
    """The person_name validator, imported when a letter or title is read: it brings phonenumbers
    and stdnum, which a rescan that reads no file never needs (the policy loads this module)."""
    from ..detect.validators import person_name
    return person_name(text)


# A name alone on its line, over a line that opens with a house number and a street.
_ADDRESSEE = re.compile(r"^[ \t]*([A-Z][A-Za-z'-]+(?:[ ][A-Z][A-Za-z'-]+){1,2})[ \t]*\r?\n"
                        r"[ \t]*(?:(?i:flat)[ ]\d+[A-Za-z]?,?[ ]+)?\d{1,4}[A-Za-z]?,?[ ]+[A-Z][a-z]+[ ]", re.MULTILINE)


def _addressee(text: str) -> bool:
    """Whether `text` is addressed to a person: a name the name lists know (a given name and a
    surname) over a postal address; a company's or a department's name over one is not."""
    return any(_person_name(m.group(1)) is True for m in _ADDRESSEE.finditer(text))


# A title's parts apart by a dash; a name is one part, a role in brackets after it allowed.
_TITLE_PARTS = re.compile(r"[ \t]+[-\u2013][ \t]+")
_NAME_PART = re.compile(r"[A-Z][A-Za-z'-]+(?:[ ][A-Z][A-Za-z'-]+){1,2}")
_LAST_BRACKET = re.compile(r"[ \t]*\([^()\n]*\)$")


def read_title(facts: RetentionFacts, schedule: Schedule, text: str) -> None:
    """What the first line of an item's text says: whom it is about, and (the schedule's
    `title_clock`) when what it lists happened ("Fun run - sponsors (race day 18/04/2021)")."""
    facts.titled = facts.titled or titled_with_name(text)
    first = next((line for line in text.split("\n", 8)[:8] if line.strip()), "")
    days = [day for _pos, day in dates_in(first)]
    if schedule.title_clock and days:
        facts.dates[schedule.title_clock] = max(days + [facts.dates.get(schedule.title_clock, days[0])])


def titled_with_name(text: str) -> bool:
    """Whether the first line of `text` is a title naming a person the name lists know before or
    after a dash ("Probation review - <name> (Lecturer)", "<name> - sickness record"): the record is
    about that person."""
    first = next((line.strip() for line in text.split("\n", 8)[:8] if line.strip()), "")
    parts = _TITLE_PARTS.split(_LAST_BRACKET.sub("", first)) if len(first) <= TITLE_CHARS else []
    return len(parts) >= 2 and any(_NAME_PART.fullmatch(part) and _person_name(part) is True
                                   for part in (parts[0], parts[-1]))


TITLE_CHARS = 100


# What may stand before a letter's date on its line: nothing, or the day of the week.
_BEFORE_DATE = re.compile(r"[ \t]*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?[ \t]*)?")
DATE_LINE_CHARS = 32


def _alone_on_line(lower: str, pos: int) -> bool:
    """Whether the date at `pos` opens a short line of its own (a letter's date line, not "born 1/2/2003")."""
    start = lower.rfind("\n", 0, pos) + 1
    end = lower.find("\n", pos)
    line = lower[start:end if end >= 0 else len(lower)]
    return bool(_BEFORE_DATE.fullmatch(lower[start:pos])) and len(line.strip()) <= DATE_LINE_CHARS


def read_header(facts: RetentionFacts, schedule: Schedule, header: Optional[str]) -> None:
    """Keep the policy header phrases that `header` (a column name, a field label) holds as whole
    words; a phrase inside a longer one found there is not kept: "Employee contribution" is a pay
    column, not the "employee" column of a staff list."""
    if header:
        padded = f" {normalise_header(header)} "
        found = [p for p in schedule.headers if f" {p} " in padded]
        facts.headers.update(p for p in found if not any(q != p and f" {p} " in f" {q} " for q in found))


def read_label_end(facts: RetentionFacts, schedule: Schedule, text: str) -> None:
    """Keep the longest policy header phrase that `text` ends with: the label of a field further along
    a form line ("Name: Kirsty Lumb Post: ..." labels "Post"), whose text runs on from the value before."""
    padded = f" {normalise_header(text)}"
    found = [p for p in schedule.headers if padded.endswith(f" {p}")]
    if found:
        facts.headers.add(max(found, key=len))


def _anchored(lower: str, found: list, anchors, window: int, other_dates=()):
    """The first date within `window` characters after each anchor word, unless a word of
    `other_dates` stands right before the anchor: "Start date:" is no letter's "Date:"."""
    for anchor in anchors:
        start = lower.find(anchor)
        while start >= 0:
            end = start + len(anchor)
            following = [d for pos, d in found if end <= pos <= end + window]
            if following and not _names_other_date(lower, start, other_dates):
                yield following[0]
            start = lower.find(anchor, end)


def _names_other_date(lower: str, start: int, other_dates) -> bool:
    before = lower[max(0, start - 24):start]
    return any(re.search(rf"(?:^|[^a-z]){re.escape(w)}[ \t]+$", before) for w in other_dates)


# -- deciding ----------------------------------------------------------------------

def _evidence(cat: Category, record: ItemResult, facts: RetentionFacts, det_categories: dict,
              cell_words: float = 1.0, names: tuple = ()) -> Optional[tuple]:
    """(score, why, kinds of evidence found) when `record` is a candidate for `cat`, else None.

    A keyword read only in a table's cells weighs `cell_words` of its weight (the category's own share
    when it sets one); in full for a review-only category, as what holds a record for review must never
    weigh less (a CPOMS export's "DSL"). A deletable category's words and folders must reach its
    score without the names found (`names`: anyone's, a sign-up list's too): names beside one word
    ("Learner Services", a title's "student") are no record of that kind, names beside a column, an
    identifier or a letter's form are."""
    found = {f.detector for f in record.findings}
    hits, share = {}, {}
    if cat.detectors:
        hits["detectors"] = [(d if d in cat.detectors else det_categories[d], f"detector {d}") for d in sorted(found)
                             if d in cat.detectors or det_categories.get(d) in cat.detectors]
    if cat.headers:
        hits["headers"] = [(h, f"column {h!r}") for h in cat.headers if h in facts.headers]
    if cat.keywords:
        # The file's own name (a folder's name is for `paths` to weigh).
        name = f" {normalise_header(_display(record).replace(chr(92), '/').rsplit('/', 1)[-1])} "
        hits["keywords"] = [(k, f"keyword {k!r}") for k in cat.keywords
                            if k in facts.keywords or f" {normalise_header(k)} " in name]
        cells = [k for k in cat.keywords if k in facts.cell_keywords and k not in dict(hits["keywords"])]
        hits["keywords"] += [(k, f"keyword {k!r} in table cells") for k in cells]
        if not cat.review_only:
            share.update((k, cell_words if cat.cell_words is None else cat.cell_words) for k in cells)
    if cat.paths:
        display = _display(record)
        hits["paths"] = [(p, f"path matches {p!r}") for p in cat.paths.patterns if GlobSet((p,)).matches(display)]
    if cat.mail:
        hits["mail"] = [("mail", "an e-mail message")] if facts.mail else []
    if cat.letter:
        # A message has its own kind of evidence (`mail`): a greeting does not make it a letter too.
        letter = facts.letter and not facts.mail
        form = "greeting and sign-off" if facts.signed_off else "greeting under a postal address"
        hits["letter"] = [("letter", f"written as a letter ({form})")] if letter else []
    if cat.outside:
        why = facts.outside_why
        hits["outside"] = [("outside", f"with someone outside the organisation ({why})")] if why else []
    if cat.match == "all" and not all(v for kind, v in hits.items() if kind != "paths"):
        return None
    if not all(hits.get(kind) for kind in cat.requires):
        return None
    score = sum(cat.weight(kind, entry) * share.get(entry, 1) for kind, pairs in hits.items() for entry, _ in pairs)
    if not score or score < cat.min_score:
        return None
    named = [entry for entry, _ in hits.get("detectors") or () if entry in names]
    if not cat.review_only and named and len(named) == len(hits["detectors"]) \
            and {kind for kind, v in hits.items() if v} <= WORDS_ONLY | {"detectors"} \
            and score - sum(cat.weight("detectors", entry) for entry in named) < cat.min_score:
        return None
    return score, tuple(text for v in hits.values() for _, text in v), {kind for kind, v in hits.items() if v}


def _display(record: ItemResult) -> str:
    return record.path + (f"!/{record.member}" if record.member else "")


def _clock(cat: Category, mtime: Optional[dt.date], facts: RetentionFacts, mail_date: Optional[dt.date]) -> tuple:
    known = {"modified": mtime, "mail_date": mail_date}
    known.update(facts.dates)
    dated = [(known[name], name) for name in cat.clock if known.get(name)]
    if mtime is not None:
        # The file's own date always counts: content dates may only push the clock later.
        dated.append((mtime, "modified"))
    return max(dated) if dated else (None, "")


def _fy_close(day: dt.date, fy_end: tuple) -> dt.date:
    end = dt.date(day.year, *fy_end)
    return end if day <= end else dt.date(day.year + 1, *fy_end)


def decide_category(cat: Category, schedule: Schedule, record: ItemResult, facts: RetentionFacts,
                    evidence: tuple, now: dt.date, mail_date: Optional[dt.date] = None,
                    score: float = 0) -> Optional[Decision]:
    mtime = _mtime_date(record.mtime)
    clock, source = _clock(cat, mtime, facts, mail_date)
    if clock is None:
        return None  # no date at all: nothing can be judged, so nothing expires
    start = _fy_close(clock, schedule.financial_year_end) if cat.after == "financial-year" else clock
    expires, why = cat.period.after(start), [f"{cat.period.text} after {source}"]
    if cat.after:
        why[0] += " (end of that financial year)"
    for hold_date, reason in _holds_for(cat, schedule, record):
        expires = max(expires, hold_date)
        why.append(f"held until {hold_date.isoformat()}: {reason}")
    action = "review" if cat.review_only or record.member else "delete"
    return Decision(cat, evidence, clock, source, expires, (now - clock).days, now >= expires, action,
                    f"{cat.id}: " + "; ".join(why), age_text(clock, now), score)


def _holds_for(cat: Category, schedule: Schedule, record: ItemResult):
    if cat.hold_until:
        yield cat.hold_until, f"{cat.id} hold_until"
    for hold in schedule.holds:
        if hold.paths.matches(record.path):
            yield hold.until, hold.reason


def decide(schedule: Schedule, record: ItemResult, facts: RetentionFacts, det_categories: dict, now: dt.date,
           mail_date: Optional[dt.date] = None, one_person: bool = False) -> Optional[Decision]:
    """The decision for `record`: its category's, the default category's when no other
    claims it, None when there is neither (or no date at all to judge by).

    `one_person`: the record is below the policy's personal-data thresholds but names a
    person (schedule.one_person): a category must claim it on evidence other than those
    names, and the file must be a record's form, not only words and folders (a staff
    handbook naming its HR contact is no staff file): a letter (or a greeting under a postal
    address), a message, or a candidate's column, label or other detector. The default
    category does not take it.

    Several candidates: a review-only one wins, else the highest score, then the latest expiry."""
    lead = ()
    if one_person:
        named = sorted({f.detector for f in record.findings if f.detector in schedule.one_person}) or ["in its file name"]
        record = dataclasses.replace(record, findings=[f for f in record.findings
                                                       if f.detector not in schedule.one_person])
        lead = (f"names a person ({', '.join(named)}) below the personal-data thresholds",)
    options, kinds = [], set()
    for cat in schedule.categories:
        if cat.default:
            continue
        found = _evidence(cat, record, facts, det_categories, schedule.cell_words, schedule.one_person)
        if found is not None:
            decision = decide_category(cat, schedule, record, facts, lead + found[1], now, mail_date, found[0])
            if decision is not None:
                options.append(decision)
                kinds |= found[2]
    if one_person and kinds <= WORDS_ONLY and not facts.record_form:
        return None
    if options:
        return _choose(options)
    if schedule.default is not None and not one_person:
        why = ("personal data that no retention category claims",)
        return decide_category(schedule.default, schedule, record, facts, why, now, mail_date)
    return None


def _choose(options: list) -> Decision:
    """A review-only candidate wins, else the highest score, then the latest expiry; a candidate
    that another one `outranks` is out of the running first (and the winner says so)."""
    beaten = {o for d in options for o in d.category.outranks}
    running = [d for d in options if d.category.id not in beaten] or options
    best = max(running, key=lambda d: (d.category.review_only, d.score, d.expires))
    passed = [d.category.id for d in options if d.category.id in best.category.outranks]
    if passed:
        best = dataclasses.replace(best, evidence=best.evidence + tuple(f"outranks {i}" for i in passed))
    return best


def _mtime_date(value) -> Optional[dt.date]:
    if not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()

"""The retention schedule: `[retention]` in policies.toml → categories, clocks, holds.

An item record (findings, path, mtime) plus the facts read from its content
(keywords present, keyword-anchored dates, a mail Date header) is classified
into a category with evidence, and its clock and expiry are computed:

  clock   = the LATEST of every date the category's `clock` names that is known
            (file modified date, mail Date header, a date near "leaving date"...),
            moved to the end of its financial year when `after = "financial-year"`;
  expires = clock + period, or a fixed hold date if that is later.

Every choice leans towards keeping: the latest date counts, and when several
categories match, a review-only one wins, else the one that keeps the data longest.
The schedule is read and validated by policy/retention_schedule.py.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Optional

from dateutil.relativedelta import relativedelta

from ..globs import GlobSet
from ..model import ItemResult

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_DATE_PATTERNS = (
    (re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)\d{2})\b"), "dmy"),
    (re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3})[a-z]*\.?,?\s+((?:19|20)\d{2})\b",
                re.IGNORECASE), "dMy"),
)


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
    match: str = "all"
    after: str = ""
    hold_until: Optional[dt.date] = None
    review_only: bool = False


@dataclass(frozen=True)
class Hold:
    paths: GlobSet
    until: dt.date
    reason: str


@dataclass(frozen=True)
class Schedule:
    categories: tuple
    holds: tuple = ()
    clocks: dict = field(default_factory=dict)     # content clock name → anchor keywords
    window: int = 40                                # characters after a keyword a date may sit
    financial_year_end: tuple = (7, 31)             # (month, day)

    @property
    def keywords(self) -> set:
        return {k for c in self.categories for k in c.keywords}


@dataclass
class RetentionFacts:
    """What the content says, without any personal value: which policy keywords
    occur, and the latest date found beside each clock's anchor words."""

    keywords: set = field(default_factory=set)
    dates: dict = field(default_factory=dict)       # clock name → latest date


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


# -- facts from text ------------------------------------------------------------

def dates_in(text: str) -> list:
    """(position, date) for each real calendar date in `text` (numeric dates day first)."""
    found = []
    for pattern, order in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            day = _to_date(m.groups(), order)
            if day is not None:
                found.append((m.start(), day))
    return found


def _to_date(groups, order: str) -> Optional[dt.date]:
    try:
        if order == "dmy":
            return dt.date(int(groups[2]), int(groups[1]), int(groups[0]))
        if order == "ymd":
            return dt.date(int(groups[0]), int(groups[1]), int(groups[2]))
        month = _MONTHS.get(groups[1].lower())
        return dt.date(int(groups[2]), month, int(groups[0])) if month else None
    except ValueError:
        return None


def read_text_facts(facts: RetentionFacts, schedule: Schedule, text: str, label_at=None) -> None:
    """Add what `text` shows to `facts`. `label_at(pos)` gives a column header or
    field label for a position (tabular data: "Leaving date" heads the column).

    Only policy keywords and dates are kept: never the text around them."""
    lower = text.lower()
    facts.keywords.update(k for k in schedule.keywords if k in lower)
    found = sorted(dates_in(text))
    for clock, anchors in schedule.clocks.items():
        days = [d for d in _anchored(lower, found, anchors, schedule.window)]
        if label_at is not None:
            days += [d for pos, d in found if any(a in (label_at(pos) or "").lower() for a in anchors)]
        if days:
            facts.dates[clock] = max(days + [facts.dates.get(clock, days[0])])


def _anchored(lower: str, found: list, anchors, window: int):
    """The first date within `window` characters after each anchor word."""
    for anchor in anchors:
        start = lower.find(anchor)
        while start >= 0:
            end = start + len(anchor)
            following = [d for pos, d in found if end <= pos <= end + window]
            if following:
                yield following[0]
            start = lower.find(anchor, end)


# -- deciding ----------------------------------------------------------------------

def _evidence(cat: Category, record: ItemResult, facts: RetentionFacts, det_categories: dict) -> Optional[tuple]:
    """Why `record` belongs to `cat`, or None when it does not."""
    found = {f.detector for f in record.findings}
    hits = {}
    if cat.detectors:
        dets = sorted(d for d in found if d in cat.detectors or det_categories.get(d) in cat.detectors)
        hits["detectors"] = [f"detector {d}" for d in dets]
    if cat.paths:
        display = record.path + (f"!/{record.member}" if record.member else "")
        hits["paths"] = [f"path matches {p!r}" for p in cat.paths.patterns if GlobSet((p,)).matches(display)]
    if cat.keywords:
        path = record.path.lower() + "/" + (record.member or "").lower()
        words = sorted(k for k in cat.keywords if k in path or k in facts.keywords)
        hits["keywords"] = [f"keyword {k!r}" for k in words]
    test = all if cat.match == "all" else any
    if not test(bool(v) for v in hits.values()):
        return None
    return tuple(e for v in hits.values() for e in v)


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
                    evidence: tuple, now: dt.date, mail_date: Optional[dt.date] = None) -> Optional[Decision]:
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
                    f"{cat.id}: " + "; ".join(why), age_text(clock, now))


def _holds_for(cat: Category, schedule: Schedule, record: ItemResult):
    if cat.hold_until:
        yield cat.hold_until, f"{cat.id} hold_until"
    for hold in schedule.holds:
        if hold.paths.matches(record.path):
            yield hold.until, hold.reason


def decide(schedule: Schedule, record: ItemResult, facts: RetentionFacts, det_categories: dict, now: dt.date,
           mail_date: Optional[dt.date] = None) -> Optional[Decision]:
    """The decision for `record`: None when it belongs to no category.

    Several matches: a review-only category wins, else the latest expiry."""
    options = []
    for cat in schedule.categories:
        evidence = _evidence(cat, record, facts, det_categories)
        if evidence is not None:
            decision = decide_category(cat, schedule, record, facts, evidence, now, mail_date)
            if decision is not None:
                options.append(decision)
    if not options:
        return None
    return max(options, key=lambda d: (d.category.review_only, d.expires))


def _mtime_date(value) -> Optional[dt.date]:
    if not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()

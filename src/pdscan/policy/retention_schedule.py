"""`[retention]` in policies.toml → a validated Schedule (policy/retention.py decides with it).

Two stages like policy/loader.py: plain TOML tables are checked field by
field, and every error names the file, the category and the field.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from ..detect.context import normalise_header
from ..detect.spec import CATEGORIES as _DETECTOR_CATEGORIES
from ..errors import ConfigError
from ..globs import GlobSet
from .keys import check_keys
from .retention import EVIDENCE_KINDS, Category, Hold, Letters, Period, Schedule

BUILTIN_CLOCKS = ("modified", "mail_date")
RETENTION_KEYS = {"financial_year_end", "window", "clocks", "category", "hold", "weights", "min_score", "letters",
                  "one_person", "other_dates", "title_clock", "cell_words"}
LETTER_KEYS = {"salutations", "sign_offs", "outside_addressees", "clock"}
HOLD_KEYS = {"paths", "until", "reason"}
CATEGORY_FIELDS = {"id", "name", "detectors", "paths", "keywords", "match", "period", "clock",
                   "after", "hold_until", "review_only", "note", "headers", "mail", "weights", "min_score",
                   "default", "letter", "outside", "outranks", "requires", "cell_words"}
_PERIOD = re.compile(r"(\d+)\s*([ymwd])", re.IGNORECASE)


def parse_period(text, where: str) -> Period:
    if not isinstance(text, str) or not text.strip() or _PERIOD.sub("", text).strip():
        raise ConfigError(f"{where}: period must look like 6y, 6m, 30d or 1y6m (got {text!r})")
    parts = {"y": 0, "m": 0, "w": 0, "d": 0}
    for number, unit in _PERIOD.findall(text):
        parts[unit.lower()] += int(number)
    return Period(parts["y"], parts["m"], parts["d"] + 7 * parts["w"], text.strip())


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: must be a date YYYY-MM-DD (got {value!r})") from None


def _strings(table: dict, key: str, where: str) -> tuple:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: field {key!r} must be a list of non-empty strings")
    return tuple(value)


def _number(value, where: str, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (positive and not value):
        raise ConfigError(f"{where}: must be a {'positive' if positive else 'non-negative'} number (got {value!r})")
    return value


def _weights(value, where: str, entries: Optional[dict] = None) -> dict:
    """Evidence weights by kind (`keywords = 1`), or, in a category, by one of its entries
    (`"uk.uln" = 3`); `entries` maps each entry as written to the form it is matched in."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: must be a table of weights")
    out = {}
    for key, weight in value.items():
        if key not in EVIDENCE_KINDS and key not in (entries or {}):
            named = "a kind of evidence" + (" nor an entry of the category" if entries is not None else "")
            raise ConfigError(f"{where}: {key!r} is neither {named} ({', '.join(EVIDENCE_KINDS)})")
        out[key if key in EVIDENCE_KINDS else entries[key]] = _number(weight, f"{where}: {key}")
    return out


def _flag(table: dict, key: str, where: str) -> bool:
    """A category's optional true/false field: absent is false."""
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: field {key!r} must be true or false")
    return value


def _text(table: dict, key: str, where: str, absent: str) -> str:
    value = table.get(key, absent)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: field {key!r} must be a string")
    return value


def _category(table, where: str, clocks: dict, known_detectors: Optional[set],
              weights: dict, min_score: float) -> Category:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    unknown = sorted(set(table) - CATEGORY_FIELDS)
    if unknown:
        raise ConfigError(f"{where}: unknown field {unknown[0]!r}")
    ident = table.get("id")
    if not isinstance(ident, str) or not ident:
        raise ConfigError(f"{where}: field 'id' is required")
    where = f"{where} ({ident})"
    clock = _strings(table, "clock", where) or ("modified",)
    for name in clock:
        if name not in BUILTIN_CLOCKS and name not in clocks:
            raise ConfigError(f"{where}: clock {name!r} is neither {' nor '.join(BUILTIN_CLOCKS)} "
                              "nor defined in [retention.clocks]")
    detectors = _strings(table, "detectors", where)
    for d in detectors:
        if known_detectors is not None and d not in known_detectors and d not in _DETECTOR_CATEGORIES:
            raise ConfigError(f"{where}: detectors: {d!r} is neither a detector id nor a detector category")
    paths, keywords = _strings(table, "paths", where), _strings(table, "keywords", where)
    headers = tuple(normalise_header(h) for h in _strings(table, "headers", where))
    if not all(headers):
        raise ConfigError(f"{where}: field 'headers' needs words in each entry")
    mail, default = _flag(table, "mail", where), _flag(table, "default", where)
    letter, outside = _flag(table, "letter", where), _flag(table, "outside", where)
    evidence = detectors or paths or keywords or headers or mail or letter or outside
    if default and evidence:
        raise ConfigError(f"{where}: the default category takes what no other claims: it lists no evidence")
    if not (evidence or default):
        raise ConfigError(f"{where}: needs at least one of {', '.join(EVIDENCE_KINDS)}")
    entries = {**{e: e for e in (*detectors, *paths)}, **{k: k.lower() for k in keywords},
               **dict(zip(_strings(table, "headers", where), headers))}
    own = _weights(table.get("weights", {}), f"{where}: field 'weights'", entries)
    score = _number(table.get("min_score", min_score), f"{where}: field 'min_score'", positive=True)
    match = table.get("match", "any")
    if match not in ("all", "any"):
        raise ConfigError(f"{where}: field 'match' must be one of all, any")
    after = table.get("after", "")
    if after not in ("", "financial-year"):
        raise ConfigError(f"{where}: field 'after' must be \"financial-year\" or absent")
    review = _flag(table, "review_only", where)
    _text(table, "note", where, "")
    hold = table.get("hold_until")
    outranks = _strings(table, "outranks", where)
    requires = _strings(table, "requires", where)
    for kind in requires:
        listed = {"detectors": detectors, "headers": headers, "keywords": keywords, "paths": paths, "mail": mail,
                  "letter": letter, "outside": outside}.get(kind)
        if not listed:
            raise ConfigError(f"{where}: requires {kind!r}, which is not evidence this category lists "
                              f"(one of {', '.join(EVIDENCE_KINDS)})")
    cells = table.get("cell_words")
    cells = None if cells is None else _number(cells, f"{where}: field 'cell_words'", positive=True)
    return Category(ident, _text(table, "name", where, ident), parse_period(table.get("period"), f"{where}: field 'period'"),
                    clock, detectors, GlobSet(paths), tuple(k.lower() for k in keywords), match, after,
                    _date(hold, f"{where}: field 'hold_until'") if hold is not None else None, review,
                    headers, mail, letter, outside, {**(weights or {}), **own}, score, default, outranks, requires,
                    cells)



def _holds(value, where: str) -> tuple:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: [[retention.hold]] must be an array of tables")
    holds = []
    for n, table in enumerate(value):
        here = f"{where}: retention.hold[{n}]"
        if not isinstance(table, dict) or not table.get("paths") or "until" not in table:
            raise ConfigError(f"{here}: needs paths and until")
        check_keys(table, HOLD_KEYS, where, f"retention.hold[{n}]")
        holds.append(Hold(GlobSet(_strings(table, "paths", here)), _date(table["until"], f"{here}: until"),
                          _text(table, "reason", here, "fixed-date hold")))
    return tuple(holds)


def _letters(value, where: str, clocks: dict) -> Letters:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [retention.letters] must be a table")
    check_keys(value, LETTER_KEYS, where, "retention.letters")
    here = f"{where}: retention.letters"
    clock = _text(value, "clock", here, "")
    if clock and clock not in clocks:
        raise ConfigError(f"{here}: clock {clock!r} is not defined in [retention.clocks]")
    words = (tuple(w.lower() for w in _strings(value, key, here)) for key in ("salutations", "sign_offs",
                                                                             "outside_addressees"))
    return Letters(*words, clock)


def _clocks(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [retention.clocks] must be a table")
    out = {}
    for name in value:
        if name in BUILTIN_CLOCKS:
            raise ConfigError(f"{where}: retention.clocks.{name}: {name!r} is built in")
        out[name] = tuple(w.lower() for w in _strings(value, name, f"{where}: retention.clocks"))
    return out


def _fy_end(value, where: str) -> tuple:
    m = re.fullmatch(r"(\d{2})-(\d{2})", str(value))
    try:
        dt.date(2001, int(m.group(1)), int(m.group(2)))
    except (AttributeError, ValueError):
        raise ConfigError(f"{where}: [retention] financial_year_end must be MM-DD (got {value!r})") from None
    return int(m.group(1)), int(m.group(2))


def load_schedule(raw: dict, where: str = "policy", known_detectors: Optional[set] = None) -> Schedule:
    """The merged policy's [retention] → Schedule, validated; errors name the field."""
    table = raw.get("retention", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [retention] must be a table")
    check_keys(table, RETENTION_KEYS, where, "retention")
    for key in ("window", "financial_year_end", "min_score", "weights", "clocks", "category", "hold",
                "cell_words"):  # set in policies.toml
        if key not in table:
            raise ConfigError(f"{where}: [retention] {key} is missing")
    clocks = _clocks(table["clocks"], where)
    cats = table["category"]
    if not isinstance(cats, list):
        raise ConfigError(f"{where}: [[retention.category]] must be an array of tables")
    weights = _weights(table["weights"], f"{where}: retention.weights")
    missing = [kind for kind in EVIDENCE_KINDS if kind not in weights]
    if missing:
        raise ConfigError(f"{where}: [retention.weights] {missing[0]} is missing")
    min_score = _number(table["min_score"], f"{where}: retention.min_score", positive=True)
    categories = tuple(_category(t, f"{where}: retention.category[{n}]", clocks, known_detectors, weights, min_score)
                       for n, t in enumerate(cats))
    ids = [c.id for c in categories]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigError(f"{where}: retention.category: id {dupes[0]!r} is defined twice")
    for cat in categories:
        for other in cat.outranks:
            if other not in ids or other == cat.id:
                raise ConfigError(f"{where}: retention.category ({cat.id}): outranks {other!r}, which is "
                                  + ("itself" if other == cat.id else "no category"))
    defaults = [c.id for c in categories if c.default]
    if len(defaults) > 1:
        raise ConfigError(f"{where}: retention.category: only one category may be the default "
                          f"({defaults[0]!r} and {defaults[1]!r} both are)")
    window = table["window"]
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise ConfigError(f"{where}: [retention] window must be a whole number of characters (got {window!r})")
    one_person = _strings(table, "one_person", f"{where}: [retention]")
    for d in one_person:
        if known_detectors is not None and d not in known_detectors:
            raise ConfigError(f"{where}: [retention] one_person: {d!r} is not a detector id")
    letters = _letters(table.get("letters", {}), where, clocks)
    other_dates = tuple(w.lower() for w in _strings(table, "other_dates", f"{where}: [retention]"))
    title_clock = _text(table, "title_clock", f"{where}: [retention]", "")
    if title_clock and title_clock not in clocks:
        raise ConfigError(f"{where}: [retention] title_clock {title_clock!r} is not defined in [retention.clocks]")
    cell_words = _number(table["cell_words"], f"{where}: [retention] cell_words", positive=True)
    return Schedule(categories, _holds(table["hold"], where), clocks, window,
                    _fy_end(table["financial_year_end"], where), letters, one_person, other_dates, title_clock,
                    cell_words)

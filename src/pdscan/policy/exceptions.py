"""[[exceptions]]: site-wide triage decisions IT has made about whole folders, as policy data.

An exception names path globs (globs.py, as --exclude takes them), the rule it covers (every rule
when absent), why, who approved it and until when. A violation under it is reported as accepted,
like one `pdscan accept` covers, but an exception is about a place, not a file's content: editing
a file under it does not lapse it, its `until` does. An unknown key, a missing reason or approver,
or an `until` already past is a config error: an exception nobody can account for is no exception.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from ..errors import ConfigError
from ..globs import GlobSet
from .keys import check_keys
from .rules import IDS as RULE_IDS

KEYS = {"paths", "rule", "reason", "until", "approved_by"}


def today_utc() -> dt.date:
    """The day triage dates are judged by when no --now is given."""
    return dt.datetime.now(dt.timezone.utc).date()


@dataclass(frozen=True)
class PolicyException:
    paths: GlobSet
    rule: Optional[str]
    reason: str
    approved_by: str
    until: Optional[dt.date]

    def in_force(self, as_of: dt.date) -> bool:
        return self.until is None or as_of <= self.until

    def covers(self, path: str) -> bool:
        return self.paths.matches(path)


def _text(table: dict, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} {key} must be a non-empty string")
    return value.strip()


def _until(value, where: str, today: dt.date) -> Optional[dt.date]:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{where} until must be a date YYYY-MM-DD (got {value!r})") from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ConfigError(f"{where} until must be a date YYYY-MM-DD (got {value!r})")
    if value < today:
        raise ConfigError(f"{where} until {value.isoformat()} has passed: renew the exception with a new "
                          "date, or remove it")
    return value


def load_exceptions(doc: dict, where: str, today: Optional[dt.date] = None) -> tuple:
    """[[exceptions]] of a merged policy → PolicyException, in order (the first that covers an item applies)."""
    tables = doc.get("exceptions", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{where}: exceptions must be written as [[exceptions]] tables")
    today = today or today_utc()
    out = []
    for n, table in enumerate(tables, 1):
        section = f"exceptions #{n}"
        check_keys(table, KEYS, where, section)
        here = f"{where}: [{section}]"
        paths = table.get("paths")
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) and p.strip() for p in paths):
            raise ConfigError(f"{here} paths must be a non-empty list of path globs")
        rule = table.get("rule")
        if rule is not None and rule not in RULE_IDS:
            raise ConfigError(f"{here} rule must be one of {', '.join(RULE_IDS)} (got {rule!r})")
        out.append(PolicyException(GlobSet(tuple(paths)), rule, _text(table, "reason", here),
                                   _text(table, "approved_by", here), _until(table.get("until"), here, today)))
    return tuple(out)

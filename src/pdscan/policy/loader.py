"""policies.toml → Policy: the bundled default, overridden by a site file, validated once.

A site file overrides only what it names (tables merge key by key), then the merged document
is validated once, every section into frozen objects, whichever command reads it: a typo in
[retention] stops `scan` as it stops `retention`. Errors name the file, the table and the key.
Defaults live in policies.toml only: a key the bundled file sets is required here, never
given a second default in code (tests/policy/test_defaults.py).
"""
from __future__ import annotations

import hashlib
import re
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..detect.spec import CATEGORIES as DETECTOR_CATEGORIES
from ..errors import ConfigError
from ..model import CONFIDENCES
from .exceptions import load_exceptions
from .keys import check_keys
from .mail_rules import MailRules, load_mail_rules
from .ocr import OcrPolicy, load_ocr
from .retention import Schedule
from .rules import UNENCRYPTED_PERSONAL_DATA, load_rules
from .retention_schedule import load_schedule

SECTIONS = {"scan", "personal_data", "rules", "publishing", "mail", "retention", "reports", "store", "ocr",
            "exceptions"}
# The keys of the sections read here; [mail], [retention], [rules], [ocr] and [[exceptions]] are checked by their
# own readers.
# [reports] takes no keys yet: anything in it would be silently ignored.
KEYS = {"scan": {"exclude"}, "personal_data": {"min_confidence", "detectors"},
        "publishing": {"folders"}, "reports": set(), "store": {"keep", "central"}}
DETECTOR_KEYS = {"min_confidence", "min_count"}


@dataclass(frozen=True)
class DetectorRule:
    min_confidence: str
    min_count: int


@dataclass(frozen=True)
class Policy:
    exclude: tuple
    detectors: dict                  # detector id → DetectorRule: when it makes an item personal data
    rules: dict                      # rule id → rules.Rule: severity, description, advice
    high_categories: tuple           # detector categories that make unencrypted-personal-data high
    high_count: int                  # or this many distinct values
    publishing_folders: tuple
    retention: Schedule              # [retention]: the schedule `pdscan retention` judges by
    mail: MailRules                  # [mail]: what `pdscan mail` classifies by
    ocr: OcrPolicy                   # [ocr]: whether pixels are read, and OCR's limits
    store_keep_days: int = 180       # [store] keep: how long `pdscan store prune` keeps scan records
    central_store: str = ""          # [store] central: the postgresql:// URL endpoints push to ("": none)
    exceptions: tuple = ()           # [[exceptions]]: exceptions.PolicyException, site-wide triage
    raw: dict = field(default_factory=dict, compare=False)  # the merged document (its fingerprint)
    source: str = ""

    def counts_as_personal(self, detector: str, confidence: str, count: int) -> bool:
        rule = self.detectors.get(detector)
        if rule is None:
            return False
        return count >= rule.min_count and CONFIDENCES.index(confidence) >= CONFIDENCES.index(rule.min_confidence)


def merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read policy: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _table(doc: dict, key: str, where: str, name: Optional[str] = None) -> dict:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{name or key}] must be a table")
    return value


def _required(table: dict, key: str, where: str, section: str):
    """A key policies.toml sets: missing only when the bundled file itself is broken."""
    if key not in table:
        raise ConfigError(f"{where}: [{section}] {key} is missing")
    return table[key]


def _strings(table: dict, key: str, where: str, section: str) -> tuple:
    value = _required(table, key, where, section)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: [{section}] {key} must be a list of strings")
    return tuple(value)


def _choice(value, choices, where: str, section: str, key: str) -> str:
    if value not in choices:
        raise ConfigError(f"{where}: [{section}] {key} must be one of {', '.join(choices)} (got {value!r})")
    return value


def _whole(value, where: str, section: str, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{where}: [{section}] {key} must be a whole number of at least 1 (got {value!r})")
    return value


def _detector_rules(table: dict, known: Optional[set], where: str) -> dict:
    """[personal_data]: a detector's own min_confidence, else the section's; min_count its own."""
    default_conf = _choice(_required(table, "min_confidence", where, "personal_data"), CONFIDENCES, where,
                           "personal_data", "min_confidence")
    rules = {}
    for ident, spec in _table(table, "detectors", where, "personal_data.detectors").items():
        section = f"personal_data.detectors.{ident}"
        if known is not None and ident not in known:
            raise ConfigError(f"{where}: [{section}] no detector has this id")
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: [{section}] must be a table like {{ min_count = 1 }}")
        check_keys(spec, DETECTOR_KEYS, where, section)
        count = _whole(_required(spec, "min_count", where, section), where, section, "min_count")
        conf = _choice(spec.get("min_confidence", default_conf), CONFIDENCES, where, section, "min_confidence")
        rules[ident] = DetectorRule(conf, count)
    return rules


def _high_when(doc: dict, where: str) -> tuple:
    """The thresholds of `unencrypted-personal-data`: (detector categories, count) that make it high."""
    section = f"rules.{UNENCRYPTED_PERSONAL_DATA}"
    rule = doc["rules"][UNENCRYPTED_PERSONAL_DATA]
    categories = _strings(rule, "high_when_categories", where, section)
    for name in categories:
        _choice(name, DETECTOR_CATEGORIES, where, section, "high_when_categories")
    return categories, _whole(_required(rule, "high_when_count", where, section), where, section, "high_when_count")


def keep_days(value, where: str) -> int:
    """"180d" (days) or "26w" (weeks) as a number of days, at least 1."""
    match = re.fullmatch(r"\s*(\d+)\s*([dw])\s*", value) if isinstance(value, str) else None
    if not match or int(match.group(1)) < 1:
        raise ConfigError(f"{where} must be a number of days or weeks like \"180d\" or \"26w\" (got {value!r})")
    return int(match.group(1)) * (7 if match.group(2) == "w" else 1)


def _central(table: dict, where: str) -> str:
    url = _required(table, "central", where, "store")
    if not isinstance(url, str) or url and not url.lower().startswith(("postgresql://", "postgres://")):
        raise ConfigError(f"{where}: [store] central must be a postgresql:// URL or \"\" (got {url!r})")
    return url


def _check_sections(doc: dict, where: str) -> None:
    unknown = sorted(set(doc) - SECTIONS)
    if unknown:
        raise ConfigError(f"{where}: unknown section [{unknown[0]}]")
    for section, known in KEYS.items():
        check_keys(_table(doc, section, where), known, where, section)


def build_policy(doc: dict, where: str, known_detectors: Optional[set] = None) -> Policy:
    """Every section validated here, including those only some commands read, so every
    command gives the same error for the same mistake."""
    _check_sections(doc, where)
    rules = load_rules(doc, where)
    high_categories, high_count = _high_when(doc, where)
    return Policy(
        exclude=_strings(_table(doc, "scan", where), "exclude", where, "scan"),
        detectors=_detector_rules(_table(doc, "personal_data", where), known_detectors, where),
        rules=rules,
        high_categories=high_categories,
        high_count=high_count,
        publishing_folders=_strings(_table(doc, "publishing", where), "folders", where, "publishing"),
        retention=load_schedule(doc, where, known_detectors),
        mail=load_mail_rules(doc, where),
        ocr=load_ocr(doc, where),
        store_keep_days=keep_days(_required(_table(doc, "store", where), "keep", where, "store"), f"{where}: [store] keep"),
        central_store=_central(_table(doc, "store", where), where),
        exceptions=load_exceptions(doc, where),
        raw=doc, source=where,
    )


def load_policy(default: Path, site: Optional[Path] = None, known_detectors: Optional[set] = None) -> Policy:
    doc = read_toml(default)
    where = str(default)
    if site is not None:
        doc = merge(doc, read_toml(site))
        where = f"{site} (over {default})"
    return build_policy(doc, where, known_detectors)


def policy_fingerprint(policy: Policy) -> str:
    """SHA-256 of the merged policy: a changed site policy means stored verdicts are stale. [store] is
    left out: how long results are kept and where they are pushed change no verdict. Exceptions are
    left out too: the store keeps every violation and a scan applies them afresh (policy/triage.py),
    so a new exception needs no rescan."""
    judged = {section: value for section, value in policy.raw.items() if section not in ("store", "exceptions")}
    return hashlib.sha256(json.dumps(judged, sort_keys=True, default=str).encode("utf-8")).hexdigest()

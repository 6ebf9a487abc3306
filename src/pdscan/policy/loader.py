"""policies.toml → Policy: the bundled default, overridden by a site file.

A site file overrides only what it names (tables merge key by key), then
the merged document is validated once, with errors that name the field.
"""
from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import ConfigError
from ..model import CONFIDENCES
from .keys import check_keys
from .mailclass import MailRules
from .ocr import ocr_settings
from .rules import UNENCRYPTED_PERSONAL_DATA, load_rules
from .retention_schedule import load_schedule

SECTIONS = {"scan", "personal_data", "rules", "publishing", "mail", "retention", "reports", "ocr"}
# The keys of the sections read here; [mail], [retention], [rules] and [ocr] are checked by their own readers.
# [reports] takes no keys yet: anything in it would be silently ignored.
KEYS = {"scan": {"exclude"}, "personal_data": {"min_confidence", "detectors"},
        "publishing": {"folders"}, "reports": set()}


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
    raw: dict = field(default_factory=dict, compare=False)  # sections later stages read (mail, retention)
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


def _table(doc: dict, key: str, where: str) -> dict:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value


def _strings(table: dict, key: str, where: str) -> tuple:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def _choice(table: dict, key: str, choices, default: str, where: str) -> str:
    value = table.get(key, default)
    if value not in choices:
        raise ConfigError(f"{where}: {key} must be one of {', '.join(choices)} (got {value!r})")
    return value


def _detector_rules(table: dict, known: Optional[set], where: str) -> dict:
    default_conf = _choice(table, "min_confidence", CONFIDENCES, "medium", where)
    rules = {}
    for ident, spec in _table(table, "detectors", where).items():
        here = f"{where}: personal_data.detectors.{ident}"
        if known is not None and ident not in known:
            raise ConfigError(f"{here}: no detector has this id")
        if not isinstance(spec, dict):
            raise ConfigError(f"{here}: must be a table like {{ min_count = 1 }}")
        count = spec.get("min_count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ConfigError(f"{here}: min_count must be a whole number of at least 1")
        rules[ident] = DetectorRule(_choice(spec, "min_confidence", CONFIDENCES, default_conf, here), count)
    return rules


def _check_sections(doc: dict, where: str, known_detectors: Optional[set]) -> None:
    """Every section, including those only some commands read, so every command gives the same error."""
    unknown = sorted(set(doc) - SECTIONS)
    if unknown:
        raise ConfigError(f"{where}: unknown section [{unknown[0]}]")
    for section, known in KEYS.items():
        check_keys(_table(doc, section, where), known, where, section)
    MailRules.from_policy(doc, where=where)
    load_schedule(doc, where, known_detectors)
    ocr_settings(doc, where)


def build_policy(doc: dict, where: str, known_detectors: Optional[set] = None) -> Policy:
    _check_sections(doc, where, known_detectors)
    scan = _table(doc, "scan", where)
    personal = _table(doc, "personal_data", where)
    rules = load_rules(doc, where)
    rule = doc["rules"][UNENCRYPTED_PERSONAL_DATA]
    count = rule.get("high_when_count", 50)
    if not isinstance(count, int) or count < 1:
        raise ConfigError(f"{where}: rules.{UNENCRYPTED_PERSONAL_DATA}.high_when_count must be a whole number")
    return Policy(
        exclude=_strings(scan, "exclude", where),
        detectors=_detector_rules(personal, known_detectors, where),
        rules=rules,
        high_categories=_strings(rule, "high_when_categories", where),
        high_count=count,
        publishing_folders=_strings(_table(doc, "publishing", where), "folders", where),
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
    """SHA-256 of the merged policy: a changed site policy means stored verdicts are stale."""
    return hashlib.sha256(json.dumps(policy.raw, sort_keys=True, default=str).encode("utf-8")).hexdigest()

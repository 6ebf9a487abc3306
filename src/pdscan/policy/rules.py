"""The policy rules: one constant per rule id; everything else about a rule is data.

Each rule's severity, description (what a violation means) and advice (what
to do) are declared once, as a `[rules.<id>]` table in policies.toml; a site
policy overrides them key by key like any other table. Evaluation reads the
severity from there, reports read the description and advice. The ids below
are the only place code spells a rule id.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..errors import ConfigError
from ..model import SEVERITIES
from .keys import check_keys

UNENCRYPTED_PERSONAL_DATA = "unencrypted-personal-data"
UNENCRYPTED_REMOVABLE_VOLUME = "unencrypted-removable-volume"
RETENTION_EXPIRED = "retention-expired"
PERSONAL_EMAIL_OUTSIDE_FOLDER = "personal-email-outside-folder"
BULK_SOCIAL_EMAIL = "bulk-social-email"
PUBLISHED_PHOTO_NAMED = "published-photo-named"
PERSONAL_DATA_SENT_OUTSIDE = "personal-data-sent-outside"
MAIL_FORWARDING_OUTSIDE = "mail-forwarding-outside"

IDS = (UNENCRYPTED_PERSONAL_DATA, UNENCRYPTED_REMOVABLE_VOLUME, RETENTION_EXPIRED, PERSONAL_EMAIL_OUTSIDE_FOLDER,
       BULK_SOCIAL_EMAIL, PUBLISHED_PHOTO_NAMED, PERSONAL_DATA_SENT_OUTSIDE, MAIL_FORWARDING_OUTSIDE)

DECLARED_KEYS = {"severity", "description", "advice"}
# Keys only some rules take: their own thresholds and second severity.
EXTRA_KEYS = {UNENCRYPTED_PERSONAL_DATA: {"high_when_categories", "high_when_count"},
              RETENTION_EXPIRED: {"review_severity"}, PERSONAL_DATA_SENT_OUTSIDE: {"partner_severity"},
              MAIL_FORWARDING_OUTSIDE: {"partner_severity"}}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    description: str
    advice: str
    # retention-expired: the severity of an item that is listed for review, not deletion
    review_severity: Optional[str] = None
    # personal-data-sent-outside, mail-forwarding-outside: the severity when every destination is a partner
    partner_severity: Optional[str] = None


def _severity(table: dict, key: str, where: str) -> str:
    value = table.get(key)
    if value not in SEVERITIES:
        raise ConfigError(f"{where}: {key} must be one of {', '.join(SEVERITIES)} (got {value!r})")
    return value


def _text(table: dict, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be a non-empty string")
    return value


def load_rules(doc: dict, where: str) -> dict:
    """[rules] of a merged policy → {rule id: Rule}, in declaration order; every rule must be declared."""
    tables = doc.get("rules", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{where}: [rules] must be a table")
    check_keys(tables, IDS, where, "rules")
    missing = [ident for ident in IDS if ident not in tables]
    if missing:
        raise ConfigError(f"{where}: rule {missing[0]} is not declared (a [rules.{missing[0]}] table)")
    rules = {}
    for ident, table in tables.items():
        section = f"rules.{ident}"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: [{section}] must be a table")
        check_keys(table, DECLARED_KEYS | EXTRA_KEYS.get(ident, set()), where, section)
        here = f"{where}: {section}"
        rules[ident] = Rule(ident, _severity(table, "severity", here), _text(table, "description", here),
                            _text(table, "advice", here),
                            _severity(table, "review_severity", here) if ident == RETENTION_EXPIRED else None,
                            _severity(table, "partner_severity", here) if "partner_severity" in
                            EXTRA_KEYS.get(ident, ()) else None)
    return rules

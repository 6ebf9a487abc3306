"""Findings + encryption + where the item sits → Violations (rules and their severities: policy/rules.py)."""
from __future__ import annotations

from typing import Optional

from ..globs import GlobSet
from ..model import SEVERITIES, Violation
from .loader import Policy
from .rules import PUBLISHED_PHOTO_NAMED, RETENTION_EXPIRED, UNENCRYPTED_PERSONAL_DATA, UNENCRYPTED_REMOVABLE_VOLUME

ADVICE = ("encrypt the file (pdscan protect) or keep it only on an encrypted volume "
          "(BitLocker / BitLocker To Go, LUKS, FileVault)")


def personal_findings(findings, policy: Policy) -> list:
    return [f for f in findings if policy.counts_as_personal(f.detector, f.confidence, f.count)]


def _plain_text_rule(personal, categories: dict, policy: Policy) -> Violation:
    total = sum(f.count for f in personal)
    high = total >= policy.high_count or any(categories.get(f.detector) in policy.high_categories for f in personal)
    held = ", ".join(f"{f.detector} ×{f.count}" for f in personal)
    rule = policy.rules[UNENCRYPTED_PERSONAL_DATA]
    return Violation(rule.id, SEVERITIES[-1] if high else rule.severity,
                     f"personal data readable without a key ({held}): {ADVICE}")


def evaluate(findings, encrypted: Optional[bool], mime: str, display_path: str, categories: dict,
             policy: Policy, publishing: GlobSet, volume_encrypted: Optional[bool] = None) -> list:
    violations = []
    personal = personal_findings(findings, policy)
    if personal and encrypted is not True and volume_encrypted is not True:
        violations.append(_plain_text_rule(personal, categories, policy))
    if mime.startswith("image/") and publishing.matches(display_path):
        names = [f for f in findings if f.detector == "person_name"]
        if names:
            violations.append(Violation(
                PUBLISHED_PHOTO_NAMED, policy.rules[PUBLISHED_PHOTO_NAMED].severity,
                "image in a publishing folder carries a person's name in its file name or metadata: "
                "remove the name before publishing"))
    return violations


def volume_violations(removable: bool, encrypted, personal_items: int, rules: dict) -> list:
    """`unencrypted-removable-volume`: a removable volume holding readable personal data."""
    if not removable or encrypted is True or not personal_items:
        return []
    return [Violation(UNENCRYPTED_REMOVABLE_VOLUME, rules[UNENCRYPTED_REMOVABLE_VOLUME].severity,
                      f"{personal_items} item(s) of personal data on a removable volume that is not encrypted: "
                      "encrypt the volume (BitLocker To Go on Windows, LUKS on Linux) or remove the data")]


def volume_verdict(removable: bool, encrypted, mounted: bool, exposed: int, rules: dict) -> tuple:
    """(verdict, violations) of a volume with `exposed` items of readable personal data.

    PASS: encrypted, or nothing personal readable; FAIL: personal data readable on it;
    NOT MOUNTED: not encrypted and its files could not be looked at."""
    if not mounted:
        return ("PASS" if encrypted else "NOT MOUNTED"), []
    violations = volume_violations(removable, encrypted, exposed, rules)
    return ("FAIL" if violations or exposed else "PASS"), violations


def retention_violation(decision, rules: dict) -> Violation:
    """`retention-expired`: a policy/retention.Decision whose expiry has passed."""
    verb = "review it" if decision.action == "review" else "delete it securely (pdscan shred)"
    rule = rules[RETENTION_EXPIRED]
    return Violation(rule.id, rule.severity if decision.action == "delete" else rule.review_severity,
                     f"{decision.category.name}: kept past {decision.expires.isoformat()} "
                     f"({decision.age} since {decision.clock_from} {decision.clock_date.isoformat()}; "
                     f"rule {decision.rule}): {verb}; category from: {', '.join(decision.evidence)}")

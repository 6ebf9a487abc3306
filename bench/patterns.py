"""The unvalidated patterns that the ripgrep and naive-Python baselines search for.

One list, used by both, so the two baselines do the same work. The syntax is
the common subset of Python `re` and ripgrep's Rust regex (no look-around, no
back-references). They approximate pdscan's detectors without any checksum,
context or column-header logic: they show the cost of matching alone.
"""
from __future__ import annotations

PATTERNS = (
    ("email", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    ("uk.nino", r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"),
    ("uk.nhs", r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b"),
    ("uk.uln", r"\b\d{10}\b"),
    ("uk.postcode", r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b"),
    ("uk.phone", r"(?:\+44 ?|\b0)\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}\b"),
    ("uk.bank_account", r"\b\d{2}-\d{2}-\d{2}\b"),
    ("iban", r"\bGB\d{2} ?[A-Z]{4} ?\d{4} ?\d{4} ?\d{4} ?\d{2}\b"),
    ("payment_card", r"\b\d(?:[ -]?\d){12,18}\b"),
    ("date_of_birth", r"\b\d{1,2}/\d{1,2}/\d{4}\b"),
    ("special.health", r"\b(?:diagnosed|asthma|diabetes|epilepsy|inhaler|EHCP|dyslexia)\b"),
    ("special.other", r"\b(?:safeguarding|DSL|young carer)\b"),
)


def combined() -> str:
    """One alternation of every pattern, for engines that take a single regex."""
    return "|".join(f"(?:{regex})" for _, regex in PATTERNS)


def rg_args():
    """`-e PAT` pairs for ripgrep."""
    return [arg for _, regex in PATTERNS for arg in ("-e", regex)]

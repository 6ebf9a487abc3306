"""[mail] of the policy as one frozen object, validated when the policy is loaded.

Every value and its default live in policies.toml [mail]; this module only
knows each key's kind, so a misspelt key or a value of the wrong kind is a
configuration error in every command, naming the file and the key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Optional

from ..errors import ConfigError
from .keys import check_keys
from .mail_vocabulary import Vocabulary, load_vocabulary

# The kind of each [mail] key. Every float is a weight (or the threshold) that scoring reads by name.
KINDS = {
    "personal_folder": str, "scan_personal": bool,
    "owner_domains": list, "webmail_domains": list, "sent_folders": list, "sector_domains": list,
    "school_domains": list, "health_domains": list, "consumer_categories": list, "sector_categories": list,
    "personal_threshold": float, "webmail_weight": float, "to_webmail_weight": float,
    "colleagues_only_weight": float, "owner_to_outside_weight": float, "vocabulary_cap": float,
    "repeat_bonus": float, "no_work_words_weight": float, "newsletter_weight": float,
    "automated_outside_weight": float, "parent_weight": float, "owner_newsletter_weight": float,
    "auto_reply_weight": float, "photo_weight": float, "document_weight": float, "thread_weight": float,
    "correspondent_weight": float,
    "consumer_mailing_weight": float, "private_customer_weight": float, "wordless_customer_weight": float,
    "sector_mailing_weight": float,
    "own_school_weight": float, "own_health_weight": float, "family_name_weight": float,
    "pastime_weight": float, "own_job_weight": float, "own_home_weight": float, "relative_weight": float,
    "pastime_categories": list, "club_name_categories": list, "club_domain_words": list,
    "own_business_categories": list, "learner_subdomains": list, "learner_weight": float,
    "own_birth_date_weight": float,
    "bulk_social_threshold": int, "bulk_social_days": int,
    "owner_addresses": list, "draft_folders": list, "partner_domains": dict,
}
_EXPECTED = {list: "a list of strings", bool: "true or false", float: "a number",
             int: "a whole number of at least 1", str: "a non-empty string",
             dict: "a table of lists of domains, one per kind of partner"}


@dataclass(frozen=True)
class MailRules:
    """[mail] from policy, plus the owner domains a command adds (--owner-domain)."""

    personal_folder: str
    scan_personal: bool
    owner_domains: frozenset
    webmail_domains: frozenset
    sent_folders: frozenset
    weights: dict
    bulk_threshold: int
    bulk_days: int
    vocabulary: Vocabulary
    sector_domains: frozenset = frozenset()   # outside bodies whose mail is work (awarding bodies, government)
    school_domains: frozenset = frozenset()   # schools: one's own children's, when not the organisation
    health_domains: frozenset = frozenset()   # health services: one's own care
    consumer_categories: frozenset = frozenset()  # vocabulary categories that say a business sells to consumers
    owner_addresses: frozenset = frozenset()  # the mailbox owner's own addresses, work and personal
    draft_folders: frozenset = frozenset()    # folder keys of mail never sent (Drafts, Templates)
    partners: tuple = ()                      # (domain, kind of partner): outside bodies data may go to
    sector_categories: frozenset = frozenset()    # vocabulary categories of the organisation's own sector
    pastime_categories: frozenset = frozenset()   # vocabulary of clubs, classes and volunteering
    own_business_categories: frozenset = frozenset()  # work vocabulary any organisation uses of its own business
    learner_subdomains: frozenset = frozenset()   # first labels of learners' mail domains (student.college.ac.uk)
    club_name_categories: frozenset = frozenset()  # vocabulary that, naming the far side, says it is a club
    club_domain_words: frozenset = frozenset()    # ... and words that say so inside its domain's name

    def with_owner_domains(self, extra) -> "MailRules":
        return replace(self, owner_domains=self.owner_domains | _domains(extra))

    def with_owner_addresses(self, extra) -> "MailRules":
        return replace(self, owner_addresses=self.owner_addresses | frozenset(a.strip().lower() for a in extra))

    def is_draft(self, folder: Optional[str]) -> bool:
        return _folder_key((folder or "").rsplit("/", 1)[-1]) in self.draft_folders

    def is_owner_domain(self, domain: str) -> bool:
        return any(domain == d or domain.endswith("." + d) for d in self.owner_domains)

    def partner_of(self, domain: str) -> Optional[str]:
        """The kind of partner (exam board, local authority...) a domain belongs to, or None."""
        return next((kind for d, kind in self.partners if domain == d or domain.endswith("." + d)), None)

    def inside_personal(self, folder: Optional[str]) -> bool:
        """Any ancestor folder (or the folder itself) is the Personal folder, case-insensitively."""
        name = self.personal_folder.casefold()
        return any(part.casefold() == name for part in (folder or "").split("/"))

    def is_sent(self, folder: Optional[str]) -> bool:
        """The folder's own name is a Sent folder's ("Sent Items", "sent_items", "[Gmail]/Sent Mail")."""
        return _folder_key((folder or "").rsplit("/", 1)[-1]) in self.sent_folders


def load_mail_rules(doc: dict, where: str = "policy") -> MailRules:
    """[mail] of a whole policy document (the bundled policies.toml merged with a site file)."""
    table = doc.get("mail")
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [mail] must be a table")
    _check(table, where)
    weights = {k: float(table[k]) for k, kind in KINDS.items() if kind is float}
    return MailRules(table["personal_folder"], table["scan_personal"], _domains(table["owner_domains"]),
                     frozenset(d.lower() for d in table["webmail_domains"]),
                     frozenset(_folder_key(f) for f in table["sent_folders"]), weights,
                     table["bulk_social_threshold"], table["bulk_social_days"],
                     load_vocabulary(table.get("vocabulary"), where), _domains(table["sector_domains"]),
                     _domains(table["school_domains"]), _domains(table["health_domains"]),
                     frozenset(table["consumer_categories"]),
                     frozenset(a.strip().lower() for a in table["owner_addresses"]),
                     frozenset(_folder_key(f) for f in table["draft_folders"]),
                     tuple(sorted((d, kind) for kind, names in table["partner_domains"].items()
                                  for d in _domains(names))),
                     frozenset(table["sector_categories"]), frozenset(table["pastime_categories"]),
                     frozenset(table["own_business_categories"]),
                     frozenset(s.lower() for s in table["learner_subdomains"]),
                     frozenset(table["club_name_categories"]),
                     frozenset(w.lower() for w in table["club_domain_words"]))


def _domains(names) -> frozenset:
    return frozenset(d.lower().lstrip("@") for d in names)


def _folder_key(name: str) -> str:
    """"Sent Items", "sent_items" and "SENT-ITEMS" are one name; letters of any script count."""
    return " ".join(re.findall(r"[^\W_]+", name.casefold()))


def _check(table: dict, where: str) -> None:
    """Each key known and present, each value of its kind; the error names the file and the key."""
    check_keys(table, set(KINDS) | {"vocabulary"}, where, "mail")
    for key, kind in KINDS.items():
        if key not in table:
            raise ConfigError(f"{where}: [mail] {key}: missing (expected {_EXPECTED[kind]})")
        value = table[key]
        if kind is list:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif kind is dict:
            ok = isinstance(value, dict) and all(
                isinstance(v, list) and all(isinstance(d, str) for d in v) for v in value.values())
        elif kind is bool:
            ok = isinstance(value, bool)
        elif kind is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
        else:
            ok = isinstance(value, str) and bool(value.strip())
        if not ok:
            raise ConfigError(f"{where}: [mail] {key}: expected {_EXPECTED[kind]}, got {value!r}")

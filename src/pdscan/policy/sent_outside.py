"""Where the owner's mail took other people's personal data: `personal-data-sent-outside`.

Judged per mailbox, once all its messages are known (policy/mailbox.py), since who the owner is
may have to be learnt from the mailbox itself:
- the owner's addresses are [mail] owner_addresses (and --owner-address), else the From of the
  mail in its Sent folders (every address used for at least a fifth as many as the commonest);
  the owner's names are the display names written with those addresses;
- the organisation's domains are [mail] owner_domains, else those of the owner's own addresses
  that are not personal webmail;
- a message was sent by the owner when it is in a Sent folder (or labelled Sent), was resent by the owner
  (Resent-From: its Resent-To/Cc/Bcc are the recipients), or is from the owner anywhere but a
  Drafts folder (a .msg saved from Outlook, a forward as attachment filed elsewhere);
- it goes outside when a recipient's domain is not the organisation's; each such recipient is
  `own-webmail` (an owner address, the owner's display name, or an address of webmail made of
  the owner's name), `other-webmail` (webmail_domains), `partner` (partner_domains) or `unknown`;
  the message is named by its strongest, and is of `partner_severity` when all are partners;
- and it holds personal data of people other than its correspondents under the policy's
  thresholds (MessageFacts.others, from hooks/mail.py); what a reply quotes counts too when an
  outside recipient was not party to the quoted message (MessageFacts.others_quoted);
- but mail classified personal to outside organisations only (not webmail, not partners),
  with no list of people, is the owner's own business: their dentist, pharmacy, children's school.
Received and internal mail never is. Copies of one sent message (the same Message-ID) count once.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Optional

from ..detect.hash_forms import canonical
from ..model import MessageFacts, MessageResult, Violation
from ..privacy import mask_address
from .mail_rules import MailRules
from .rules import MAIL_FORWARDING_OUTSIDE, PERSONAL_DATA_SENT_OUTSIDE

OWN, OTHER_WEBMAIL, PARTNER, UNKNOWN = "own-webmail", "other-webmail", "partner", "unknown"
DESTINATIONS = (OWN, OTHER_WEBMAIL, UNKNOWN, PARTNER)  # strongest first
OWNER_SHARE = 5  # an address is the owner's when it sent at least 1/OWNER_SHARE of what the commonest did
MAX_LISTED = 5


@dataclass(frozen=True)
class Owner:
    addresses: frozenset
    names: frozenset      # canonical forms ("jane smith") of the owner's display names
    domains: frozenset    # the organisation's
    inferred: bool = False

    def inside(self, domain: str) -> bool:
        return any(domain == d or domain.endswith("." + d) for d in self.domains)


def owner_of(rules: MailRules, mail: Iterable[tuple]) -> Owner:
    """The mailbox's owner from policy, else from its Sent mail; `mail`: (folder, MessageFacts)."""
    mail = [(folder, facts) for folder, facts in mail if facts is not None]
    addresses, inferred = set(rules.owner_addresses), False
    if not addresses:
        senders = Counter(f.sender for folder, f in mail if f.sender and _in_sent(rules, folder, f))
        top = max(senders.values(), default=0)
        addresses = {a for a, n in senders.items() if n * OWNER_SHARE >= top}
        inferred = bool(addresses)
    names = {canonical(name) for _, f in mail for address, name in f.names
             if address in addresses and len(name.split()) >= 2 and "@" not in name}
    domains = set(rules.owner_domains) or {_domain(a) for a in addresses
                                           if _domain(a) not in rules.webmail_domains}
    return Owner(frozenset(addresses), frozenset(names), frozenset(domains - {""}), inferred)


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower().strip(" >.")


def _in_sent(rules: MailRules, folder: Optional[str], facts: MessageFacts) -> bool:
    """In a Sent folder, or labelled Sent (a Gmail export is one mbox, its folders labels)."""
    return rules.is_sent(folder) or facts.sent_label


def how_sent(rules: MailRules, owner: Owner, folder: Optional[str], facts: MessageFacts) -> Optional[tuple]:
    """(how the owner sent it, its recipients), or None for mail the owner did not send."""
    if rules.is_draft(folder):
        return None
    if facts.resent_from and facts.resent_from in owner.addresses and facts.resent_to:
        return "resent by the owner", facts.resent_to
    recipients = tuple(dict.fromkeys(facts.recipients + facts.bcc))
    if _in_sent(rules, folder, facts):
        return "in a Sent folder", recipients
    if facts.sender and facts.sender in owner.addresses:
        return ("forwarded by the owner" if facts.forwarded else "from the owner"), recipients
    return None


def destination(rules: MailRules, owner: Owner, address: str, name: str) -> Optional[tuple]:
    """(kind, why) of one recipient outside the organisation; None when it is inside (or, with no
    organisation domain known, when nothing says it is outside)."""
    domain = _domain(address)
    if address in owner.addresses and not owner.inside(domain):
        return OWN, "an address of the owner's"
    if owner.inside(domain) or not domain:
        return None
    webmail = domain in rules.webmail_domains
    if name and "@" not in name and canonical(name) in owner.names:
        return OWN, "the owner's own name"
    if webmail and _named_after(address, owner.names):
        return OWN, "an address made of the owner's name"
    if webmail:
        return OTHER_WEBMAIL, "personal webmail"
    partner = rules.partner_of(domain)
    if partner:
        return PARTNER, f"partner: {partner.replace('_', ' ')}"
    return (UNKNOWN, "an outside organisation") if owner.domains else None


def _named_after(address: str, names: frozenset) -> bool:
    """"jane.smith77@", "smithjane@" and "jsmith@" are made of the name "jane smith" (both names, or
    the family name with the initial before or after it)."""
    local = "".join(ch for ch in address.partition("@")[0].lower() if ch.isalpha())
    for name in names:
        words = name.split()
        if len(words) < 2 or min(len(words[0]), len(words[-1])) < 2:
            continue
        given, family = words[0], words[-1]
        if (given in local and family in local) or local.startswith((given[0] + family, family + given[0])):
            return True
    return False


def review(rules: MailRules, declared: dict, entries: list) -> Owner:
    """Add personal-data-sent-outside to the messages it applies to; `entries`: (MessageResult,
    MessageFacts or None) of one mailbox. Returns the owner, as learnt."""
    owner = owner_of(rules, ((r.folder, f) for r, f in entries))
    rule = declared[PERSONAL_DATA_SENT_OUTSIDE]
    seen: set = set()
    for record, facts in entries:
        if facts is None or not (facts.others or facts.others_quoted):
            continue
        sent = how_sent(rules, owner, record.folder, facts)
        if sent is None:
            continue
        how, recipients = sent
        names = dict(facts.names)
        outside = {a: kind for a in recipients if (kind := destination(rules, owner, a, names.get(a, "")))}
        others = _taken(facts, outside, names)
        if not outside or not others or _own_business(record, outside, others):
            continue
        identity = facts.message_id or f"#{id(record)}"
        if identity in seen:
            continue
        seen.add(identity)
        record.sent_outside, record.violations = judged(rule, outside, how, others, record.violations)
    return owner


def _taken(facts: MessageFacts, outside: dict, names: dict) -> tuple:
    """Others' data the message took outside: what a reply quotes too, unless every outside
    recipient was party to the quoted message (by address, or by name as "… wrote:" gives it)."""
    if not facts.others_quoted:
        return facts.others
    addresses = {a for a, _ in facts.quote_parties if a}
    named = {canonical(n) for _, n in facts.quote_parties if n}
    party = all(a in addresses or (names.get(a) and canonical(names[a]) in named) for a in outside)
    return facts.others if party else facts.others_quoted


def _own_business(record: MessageResult, outside: dict, others: tuple) -> bool:
    """Mail the classifier calls personal, to outside organisations only (a dentist, a pharmacy, one's
    children's school), holding no list of people: the owner's own or family's business, not the
    organisation's data leaving."""
    return record.classification == "personal" and all(k == UNKNOWN for k, _ in outside.values()) \
        and "person_name" not in dict(others)


def judged(rule, outside: dict, how: str, others: tuple, violations: list) -> tuple:
    """(the record's `sent_outside`, its violations with this rule's) for recipients → (kind, why)."""
    kind = min((k for k, _ in outside.values()), key=DESTINATIONS.index)
    partners_only = all(k == PARTNER for k, _ in outside.values())
    severity = rule.partner_severity if partners_only else rule.severity
    shown = [f"{mask_address(a)} ({why})" for a, (k, why) in sorted(outside.items())]
    held = ", ".join(f"{detector} ×{n}" for detector, n in others)
    more = f" and {len(shown) - MAX_LISTED} more" if len(shown) > MAX_LISTED else ""
    detail = f"{kind}: {how}, to {', '.join(shown[:MAX_LISTED])}{more}, holding others' personal data ({held})"
    sent = {"destination": kind, "how": how,
            "recipients": [{"address": mask_address(a), "domain": _domain(a), "destination": k}
                           for a, (k, _) in sorted(outside.items())],
            "others": dict(others)}
    return sent, [*violations, Violation(rule.id, severity, detail)]


def forwarding_violation(rules: MailRules, declared: dict, owner: Owner, targets: list) -> Optional[Violation]:
    """mail-forwarding-outside for a mailbox's forwarding rules; `targets`: (address, where) pairs."""
    rule = declared[MAIL_FORWARDING_OUTSIDE]
    outside = {}
    for address, where in targets:
        found = destination(rules, owner, address.lower(), "")
        if found:
            outside.setdefault(address.lower(), (found, []))[1].append(where)
    if not outside:
        return None
    kind = min((k for (k, _), _ in outside.values()), key=DESTINATIONS.index)
    severity = rule.partner_severity if all(k == PARTNER for (k, _), _ in outside.values()) else rule.severity
    shown = [f"{mask_address(a)} ({why}) by {', '.join(where)}" for a, ((_, why), where) in sorted(outside.items())]
    return Violation(rule.id, severity, f"{kind}: mail is forwarded to {'; '.join(shown)}")


def counts(records: Iterable[MessageResult]) -> Counter:
    """destination kind → messages that sent others' personal data there."""
    return Counter(r.sent_outside.get("destination") for r in records if r.sent_outside)

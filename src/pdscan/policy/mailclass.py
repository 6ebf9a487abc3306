"""Is a message personal or work? An explainable, additive score of its facts.

Scoring only: the facts (model.MessageFacts) come from the extractor that
parsed the message for the scan (extract/mailfacts.py), the weights from
policy [mail] (mail_rules.py), the words from the vocabulary
(mail_vocabulary.py). Every signal adds or subtracts a weight named in
policy and says so in a reason: who wrote to whom (the organisation's own
domains, personal webmail), automatic replies and the organisation's own
mailings, attachment kinds, the owner's own affairs with an outside party
(a club, a clinic, their child's school, another employer: that party's own
business words are then not counted), and vocabulary by category (family,
travel, shopping... against teaching, assessment, meetings...). A message scoring at
least `personal_threshold` is personal. Calling a work message personal is
the costly mistake, so every default leans to "work" when evidence is thin:
one personal category alone does not reach the threshold. Thread history is
added afterwards, per mailbox (policy/mailbox.py). Nothing here was fitted to
the Enron corpus; the evaluation mailbox in fixtures/mail/ set the weights.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..model import MessageFacts
from .mail_rules import MailRules
from .mail_vocabulary import SIDES

MAX_LISTED_WORDS = 3
DOCUMENTS = re.compile(r"\.(docx?|xlsx?|pptx?|odt|ods|odp|csv)$", re.I)
PHOTOS = re.compile(r"\.(jpe?g|heic|png|gif|mov|mp4)$", re.I)


@dataclass(frozen=True)
class Affairs:
    """What the mailbox's thread history needs of a verdict (never output): the work categories found
    to be an outside party's own business (empty: no such signal), the party, and the weight of each
    work category this message counted, so a reply in that thread can leave that party's words out too."""
    theirs: frozenset = frozenset()
    parties: frozenset = frozenset()
    signal: float = 0.0  # the weight the own-affairs signals gave: the thread's subject, so its replies' too
    work: tuple = ()  # (category name, weight) counted against the message, before the cap


@dataclass(frozen=True)
class Verdict:
    classification: str
    score: Optional[float]
    reasons: tuple
    affairs: Affairs = Affairs()


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower().strip(" >.") if "@" in address else ""


def _is_owner(domain: str, owners) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in owners)


class _Score:
    def __init__(self):
        self.total, self.reasons = 0.0, []

    def add(self, weight: float, reason: str) -> None:
        if weight:
            self.total += weight
            self.reasons.append(f"{reason} ({weight:+.1f})")


def classify(facts: MessageFacts, rules: MailRules) -> Verdict:
    w = rules.weights
    score = _Score()
    automated = _automated_from_outside(facts, rules)
    # The sender's own name counts: "Mum", "Oak & Pine Furniture", "Bowls Club" say who writes. A
    # business's machine has no quoted reply or signature to cut: all its text is its message (the
    # brand name atop an HTML mailing is not a sign-off).
    body = facts.text if automated else facts.own_text
    found = rules.vocabulary.find(facts.sender_name + "\n" + facts.subject + "\n" + body)
    club = _club_named(facts, rules)
    for index, words in club.items():
        found[index] = found.get(index, set()) | words
    _correspondents(facts, rules, score)
    if facts.auto_reply:
        score.add(w["auto_reply_weight"], "automatic reply")
    if facts.newsletter:
        if _is_owner(_domain(facts.sender), rules.owner_domains):
            score.add(w["owner_newsletter_weight"], "the organisation's own mailing")
        else:
            score.add(w["newsletter_weight"], "a mailing from outside")
    if automated:
        score.add(w["automated_outside_weight"], "automated mail from an outside business")
    _business(facts, rules, score, found, automated)
    before = score.total
    theirs = _own_life(facts, rules, score, found, bool(club))
    signal = score.total - before
    if _names_a_relative(facts, rules):
        score.add(w["family_name_weight"], "names someone who shares the owner's family name")
    if _own_birth_date(facts, rules):
        score.add(w["own_birth_date_weight"], "the owner named with their own date of birth, to someone outside")
    if PARENT.search(facts.text) and not _with_schools(facts, rules):  # "Lily's dad" and her own school
        score.add(w["parent_weight"], "written by a learner's parent or carer")
    documents = [n for n in facts.attachments if DOCUMENTS.search(n)]
    photos = [n for n in facts.attachments if PHOTOS.search(n)]
    if documents:
        score.add(w["document_weight"], f"office documents attached ({len(documents)})")
    if photos and not documents:
        score.add(w["photo_weight"], f"photos or videos attached ({len(photos)})")
    work = _words(found, rules, score, theirs)
    total = round(score.total, 2)
    kind = "personal" if total >= w["personal_threshold"] else "work"
    affairs = Affairs(theirs, frozenset(other_side(facts, rules)) if theirs else frozenset(), signal if theirs else 0.0,
                      work)
    return Verdict(kind, total, tuple(score.reasons) or ("no evidence either way: work by default",), affairs)


# "Jake's mum", "(Mum of Jake)": a parent writing about their child, to the child's tutor.
PARENT = re.compile(r"\b[A-Z][\w-]+['\u2019]s\s+(mum|mam|mom|dad|mother|father|step-?mum|step-?dad|carer|nan|gran)\b"
                    r"|\b(mum|dad|mother|father|carer|parent) of [A-Z][\w-]+\b")
NO_REPLY = re.compile(r"^(no-?reply|do-?not-?reply|donotreply|notifications?|alerts?|news(letter)?|info|hello|"
                      r"marketing|offers|deals|updates|service|bookings?|reminders?|auto-?confirm|order-update)\b", re.I)
# Senders of orders, receipts, deliveries and accounts: a business's desk writing to one customer.
TRANSACTIONAL = re.compile(r"^(orders?|receipts?|shipping|shipment|dispatch|deliver(y|ies)|tickets?|sales|store|shop|"
                           r"customer-?(care|service|services)|reservations?|statements?)\b", re.I)
UNSUBSCRIBE = re.compile(r"\bunsubscribe\b|manage your preferences|automated message", re.I)


def _automated_from_outside(facts: MessageFacts, rules: MailRules) -> bool:
    """Sent by a machine of some business (a no-reply sender, an unsubscribe footer, Auto-Submitted:
    auto-generated), not from us or webmail."""
    domain = _domain(facts.sender)
    if not domain or domain in rules.webmail_domains or _is_owner(domain, rules.owner_domains):
        return False
    return bool(facts.newsletter or facts.generated or NO_REPLY.match(facts.sender)
                or UNSUBSCRIBE.search(facts.text[-3000:]))


def _correspondents(facts: MessageFacts, rules: MailRules, score: _Score) -> None:
    w = rules.weights
    sender = _domain(facts.sender)
    domains = {_domain(a) for a in facts.recipients} - {""}
    if any(_learner_account(d, rules) for d in domains | {sender}):
        score.add(w["learner_weight"], "with a learner's own account")
    if sender in rules.webmail_domains:
        score.add(w["webmail_weight"], f"sender uses personal webmail ({sender})")
    elif _is_owner(sender, rules.owner_domains):
        outside = {d for d in domains if not _is_owner(d, rules.owner_domains)}
        if domains and not outside:
            score.add(w["colleagues_only_weight"], "between colleagues only")
        elif outside and outside <= rules.webmail_domains:
            score.add(w["to_webmail_weight"], f"sent to personal webmail ({', '.join(sorted(outside))})")
        elif outside:
            score.add(w["owner_to_outside_weight"], "sent to another organisation")


def _learner_account(domain: str, rules: MailRules) -> bool:
    """student.college.ac.uk: a learners' subdomain of our own or another college's (not student.com)."""
    label, _, rest = domain.partition(".")
    return label in rules.learner_subdomains and (_is_owner(rest, rules.owner_domains)
                                                  or _is_owner(rest, rules.sector_domains))


def _business(facts: MessageFacts, rules: MailRules, score: _Score, found: dict, automated: bool) -> None:
    """The kind of business an outside mailing or automated mail comes from: a sector body (its
    domain, and only work words if any) is work; one selling to consumers (its words: shopping, offers,
    travel, leisure... at least as many categories as work ones, and none of the organisation's own
    sector: teaching, assessment...) is personal, as is an order, booking or account mail to one
    customer with no work words."""
    w = rules.weights
    sender = _domain(facts.sender)
    transactional = bool(TRANSACTIONAL.match(facts.sender))
    if not (facts.newsletter or automated or transactional) or not sender \
            or _is_owner(sender, rules.owner_domains) or sender in rules.webmail_domains:
        return
    cats = [rules.vocabulary.categories[i] for i in found if not rules.vocabulary.categories[i].everyday]
    consumer = sorted({c.name for c in cats if c.side == "personal" and c.name in rules.consumer_categories})
    work = sum(c.side == "work" for c in cats)
    trade = any(c.name in rules.sector_categories for c in cats)
    sector = next((d for d in rules.sector_domains if sender == d or sender.endswith("." + d)), None)
    if sector and work and work == len(cats):  # a public body writes to citizens too: its words say which
        score.add(w["sector_mailing_weight"], f"mail from a sector body ({sector})")
        return
    if not consumer and not work and len(facts.recipients) <= 1:
        # What the organisation buys or is sold comes in its words (an invoice, a course, a conference);
        # a business's machine writing to one person in none of them writes to a private customer.
        score.add(w["wordless_customer_weight"], "automated mail to one person, in no work words")
        return
    if not consumer or trade or work > len(consumer):  # a supplier to the college sells in its sector's words
        return
    if facts.newsletter:
        score.add(w["consumer_mailing_weight"], f"a mailing from a consumer business ({', '.join(consumer)})")
    elif len(facts.recipients) <= 1 and not work:  # what a college buys comes with work words
        score.add(w["private_customer_weight"], f"mail to a private customer ({', '.join(consumer)})")


def _own_life(facts: MessageFacts, rules: MailRules, score: _Score, found: dict, club: bool = False) -> frozenset:
    """From the owner's side: a school that is not the organisation writing about one's children (or
    the owner writing to it alone), a health service about one's own care, a club or class one
    belongs to (an organisation outside, neither webmail nor a public body, in league, hobby or
    volunteering words), another employer about one's own application, an organisation writing about
    one's relative. Returns the work categories that are then the other party's own business, not ours:
    a club's minutes, a care home's review; a school's or another college's teaching words too."""
    w = rules.weights
    others = other_side(facts, rules)
    if not others:
        return frozenset()
    names = {rules.vocabulary.categories[i].name for i in found}
    webmail = bool(others & rules.webmail_domains)
    shared = rules.webmail_domains | rules.sector_domains | rules.school_domains | rules.health_domains
    organisation = not any(_all_in({d}, s) for d in others for s in shared)  # not webmail, a public body...
    # Said to the owner, not by them: HR's own "thank you for your application" to a candidate is work
    # (the owner's replies join their thread, policy/mailbox.py).
    to_owner = others == {_domain(facts.sender)} and not webmail
    own = in_sector = False
    if (names & rules.pastime_categories or club) and organisation:
        # A club's minutes and a class's register are the club's and the class's business, not ours.
        score.add(w["pastime_weight"], "mail with a club or class outside the organisation")
        own = True
    # Said to the owner, or by the owner as the candidate ("my CV"), to a recruiter or employer outside.
    if "own_job_search" in names and to_owner or "own_application" in names and not webmail \
            and _is_owner(_domain(facts.sender), rules.owner_domains):
        # Another college's curriculum and interview are that job's words: an application is the owner's own.
        score.add(w["own_job_weight"], "the owner's application to another employer")
        in_sector = True
    if "home" in names and to_owner and organisation and not names & rules.sector_categories:
        # A builder's invoice and a landlord's agreement are their business: the house is the owner's. Not
        # with the sector's words: a contractor on a college site writes of learners and the curriculum.
        score.add(w["own_home_weight"], "an organisation outside about the owner's home or household")
        own = True
    if "relatives" in names and to_owner:
        score.add(w["relative_weight"], "an outside organisation about the owner's relative")
        own = True
    # A school: by its domain, or (many academies have their own) by writing to the owner as a parent.
    school = next((d for d in rules.school_domains if _all_in(others, d)), None)
    if school is None and "addressed_as_parent" in names and organisation and to_owner:
        school = _domain(facts.sender)
    if school and (names & {"own_children_school", "addressed_as_parent"} or _signed_as_parent(facts, rules)):
        score.add(w["own_school_weight"], f"one's own children's school ({school})")
        in_sector = True
    health = next((d for d in rules.health_domains if _all_in(others, d)), None)
    if health and "health" in names:
        score.add(w["own_health_weight"], f"one's own health care ({health})")
        own = True
    if in_sector:
        return rules.own_business_categories | rules.sector_categories
    return rules.own_business_categories if own else frozenset()


def _club_named(facts: MessageFacts, rules: MailRules) -> dict:
    """The words of a club or class in the far side's own name: its display name ("Ash Vale Community
    Choir", "Harriers Committee") or, writing to the owner, its signature ("Chair, Ash Vale Harriers").
    Like the sender's name, they say who writes; found as vocabulary is, club categories only."""
    others = other_side(facts, rules)
    named = [n for a, n in facts.names if _domain(a) in others]
    if not _is_owner(_domain(facts.sender), rules.owner_domains):
        named.append(facts.signature)
    found = rules.vocabulary.find("\n".join(named)) if others else {}
    club = {i: words for i, words in found.items() if rules.vocabulary.categories[i].name in rules.club_name_categories}
    # A club's domain is its name run together (ashvaleharriers.org.uk, ashvale-netball.org.uk).
    labels = [d.split(".")[0] for d in others if d not in rules.webmail_domains]
    inside = {w for w in rules.club_domain_words if any(w in label for label in labels)}
    pastime = next((i for i, c in enumerate(rules.vocabulary.categories) if c.name in rules.pastime_categories), None)
    if inside and pastime is not None:
        club[pastime] = club.get(pastime, set()) | inside
    return club


def _signed_as_parent(facts: MessageFacts, rules: MailRules) -> bool:
    """"(Maya's mum)" written by the owner, or quoted from the owner in the other side's answer; not a
    learner's parent who works at a school writing to the tutor in their own words."""
    if _is_owner(_domain(facts.sender), rules.owner_domains):
        return PARENT.search(facts.own_text) is not None
    return PARENT.search(facts.own_text) is None and PARENT.search(facts.text) is not None


def other_side(facts: MessageFacts, rules: MailRules) -> set:
    """The domains on the far side from the organisation: an outside sender's, or, when the owner (or
    a colleague) writes out, every recipient's; empty when the organisation is on both sides."""
    sender = _domain(facts.sender)
    if not _is_owner(sender, rules.owner_domains):
        return {sender} - {""}
    others = {_domain(a) for a in facts.recipients} - {""}
    return set() if any(_is_owner(d, rules.owner_domains) for d in others) else others


def _all_in(domains: set, parent: str) -> bool:
    return all(d == parent or d.endswith("." + parent) for d in domains)


# Words before a family name that make it the owner's own (Mrs Okafor) or no person at all.
NOT_FIRST_NAMES = frozenset("mr mrs ms miss mx dr prof sir dame lady lord rev dear hi hello hey from to cc "
                            "sent regards thanks thank and or the".split())


def _names_a_relative(facts: MessageFacts, rules: MailRules) -> bool:
    """The message, between the owner and someone outside, names a person other than the owner who
    has the owner's family name: a child at school, a spouse. The owner's names come from their
    address (first.last@, f.last@); an address of one piece gives none."""
    owner = _owner_address(facts, rules)
    pieces = [p for p in re.split(r"[._-]+", owner.split("@", 1)[0]) if p.isalpha()] if owner else []
    if len(pieces) < 2 or len(pieces[-1]) < 3:
        return False
    first, family = pieces[0], pieces[-1]
    text = "\n".join((facts.sender_name, facts.subject, facts.text))
    if family not in text.lower():
        return False
    for name in re.findall(rf"\b([A-Z][a-z'-]+)\s+(?i:{re.escape(family)})\b", text):
        name = name.lower()
        if name not in NOT_FIRST_NAMES and not (name == first or len(first) == 1 and name.startswith(first)):
            return True
    return False


BIRTH_DATE = r"[\s,;:()\[\]\-\u2013]*(?:dob|d\.o\.b\.?|date of birth)\b"


def _own_birth_date(facts: MessageFacts, rules: MailRules) -> bool:
    """The owner, with someone outside, named with their date of birth ("Dan Okafor (DOB 03/07/1977)"):
    a patient, a policyholder, a customer identifying themselves. A learner's date of birth follows the
    learner's name, not the owner's."""
    owner = _owner_address(facts, rules)
    name = next((n for a, n in facts.names if a == owner and n), "") if owner else ""
    family = name.split()[-1] if name else ""
    if len(family) < 3 or not other_side(facts, rules):
        return False
    written = facts.own_text if _is_owner(_domain(facts.sender), rules.owner_domains) else facts.text
    text = facts.subject + "\n" + written
    return re.search(rf"\b{re.escape(family)}{BIRTH_DATE}", text, re.I) is not None


def _owner_address(facts: MessageFacts, rules: MailRules) -> str:
    """The owner's side of a message with someone outside: the sender writing out, or the one
    recipient in the organisation; "" between colleagues or when it is not one person."""
    inside = {a for a in facts.recipients if _is_owner(_domain(a), rules.owner_domains)}
    if _is_owner(_domain(facts.sender), rules.owner_domains):
        return "" if inside else facts.sender
    return next(iter(inside)) if len(inside) == 1 else ""


def _with_schools(facts: MessageFacts, rules: MailRules) -> bool:
    """The owner and schools only, either way: the parent named is the owner, writing as a parent or
    quoted in the school's answer, not a learner's parent writing to a tutor."""
    others = other_side(facts, rules)
    return bool(others) and any(_all_in(others, d) for d in rules.school_domains)


def _words(found: dict, rules: MailRules, score: _Score, theirs: frozenset = frozenset()) -> tuple:
    """One reason per side: the categories found, a few of their words, and the capped weight. Work
    categories in `theirs` are the other party's own business (_own_life): named, not counted.
    Returns the (category, weight) pairs counted on the work side."""
    w = rules.weights
    counted = {i: words for i, words in found.items()
               if not (rules.vocabulary.categories[i].side == "work" and rules.vocabulary.categories[i].name in theirs)}
    work: list = []
    uncounted = sorted(rules.vocabulary.categories[i].name for i in set(found) - set(counted))
    if uncounted:
        score.reasons.append(f"the other party's own business, not counted: {', '.join(uncounted)}")
    for side in SIDES:
        total, parts = 0.0, []
        for index in sorted(counted):
            cat = rules.vocabulary.categories[index]
            if cat.side != side:
                continue
            words = sorted(counted[index])
            weight = cat.weight * (1 + min(2, len(words) - 1) * w["repeat_bonus"])
            total += weight
            if side == "work":
                work.append((cat.name, weight))
            parts.append(f"{cat.name} ({', '.join(words[:MAX_LISTED_WORDS])})")
        if parts:
            weight = min(total, w["vocabulary_cap"])
            label = "personal-life words" if side == "personal" else "work words"
            score.add(weight if side == "personal" else -weight, f"{label}: {'; '.join(parts)}")
    cats = [rules.vocabulary.categories[index] for index in counted]
    if any(c.side == "personal" for c in cats) and not any(c.side == "work" and not c.everyday for c in cats):
        everyday = any(c.everyday for c in cats)
        score.add(w["no_work_words_weight"], "no work words beyond everyday ones" if everyday else "no work words at all")
    return tuple(work)

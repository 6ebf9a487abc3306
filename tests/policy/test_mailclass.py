"""Personal-or-work classification: explainable, tunable from policy [mail]."""
from __future__ import annotations

import pytest

from pdscan.errors import ConfigError
from pdscan.policy.mailclass import DEFAULTS, MailRules, classify, facts_of, wordlist

RULES = MailRules.from_policy({"mail": {"owner_domains": ["college.ac.uk"]}})


def message(sender="a@college.ac.uk", to="me@college.ac.uk", subject="Hello", body="", extra="") -> bytes:
    return (f"From: {sender}\nTo: {to}\nSubject: {subject}\n{extra}\n{body}\n").encode("utf-8")


def verdict(raw: bytes, rules=RULES):
    return classify(facts_of(raw), rules)


def test_webmail_with_family_words_is_personal_and_says_why():
    v = verdict(message("jo@gmail.com", body="Happy birthday! See you at the party this weekend, love you xx"))
    assert v.classification == "personal" and v.score >= DEFAULTS["personal_threshold"]
    assert any("webmail (gmail.com)" in r for r in v.reasons)
    assert any(r.startswith("personal-life words:") and "birthday" in r for r in v.reasons)


def test_colleague_about_learners_is_work():
    v = verdict(message(subject="Timetable", body="The learners' timetable is on the agenda for the staff meeting."))
    assert v.classification == "work" and any("between colleagues only" in r for r in v.reasons)


def test_work_mail_sent_from_a_phone_with_a_personal_word_stays_work():
    v = verdict(message(body="Running late for the meeting, dentist overran. Sent from my iPhone"))
    assert v.classification == "work"


def test_out_of_office_from_webmail_is_work():
    v = verdict(message("jo@gmail.com", subject="Automatic reply: holiday",
                        body="I am on holiday until Monday."))
    assert v.classification == "work" and "automatic reply (-3.0)" in v.reasons


def test_college_newsletter_is_work_and_a_shop_newsletter_is_personal():
    college = verdict(message("news@college.ac.uk", body="This week at college", extra="List-Id: <news.college.ac.uk>"))
    shop = verdict(message("deals@shop.example", body="Your order has been dispatched. Discount code inside.",
                           extra="List-Unsubscribe: <mailto:u@shop.example>"))
    assert college.classification == "work" and shop.classification == "personal"


def test_no_evidence_is_work():
    assert verdict(message("x@example.org", body="ok")).reasons == ("no evidence either way: work by default",)


def test_policy_tunes_the_threshold_and_the_folder():
    strict = MailRules.from_policy({"mail": {"personal_threshold": 10, "personal_folder": "Private"}})
    assert verdict(message("jo@gmail.com", body="birthday party weekend"), strict).classification == "work"
    assert strict.inside_personal("private/Family") and not strict.inside_personal("Inbox/Personalia")
    assert MailRules.from_policy({}, ["@Example.ORG"]).owner_domains == {"example.org"}


def test_word_lists_are_data():
    assert "birthday" in wordlist("personal") and "ofsted" in wordlist("work")
    assert not set(wordlist("personal")) & set(wordlist("work"))


def test_broken_messages_do_not_raise():
    for raw in (b"", b"\xff\xfe\x00garbage", b"From: =?x-bad?q?=FF?= <a@b>\nSubject: =?utf-8?b?!!!?=\n\nhi"):
        assert verdict(raw).classification in ("personal", "work")


def test_a_wrong_type_in_policy_names_the_field():
    with pytest.raises(ConfigError, match=r"\[mail\] scan_personal"):
        MailRules.from_policy({"mail": {"scan_personal": "no"}})
    with pytest.raises(ConfigError, match=r"\[mail\] webmail_domains"):
        MailRules.from_policy({"mail": {"webmail_domains": "gmail.com"}})

"""Personal-or-work classification: explainable, tunable from policy [mail]."""
from __future__ import annotations

import pytest

from pdscan.errors import ConfigError
from pdscan.policy.mail_vocabulary import normalise
from pdscan.policy.mailclass import classify

from ..mailfacts import facts_of, mail_rules

RULES = mail_rules(owner_domains=["college.ac.uk"])


def message(sender="a@college.ac.uk", to="me@college.ac.uk", subject="Hello", body="", extra="") -> bytes:
    return (f"From: {sender}\nTo: {to}\nSubject: {subject}\n{extra}\n{body}\n").encode("utf-8")


def verdict(raw: bytes, rules=RULES):
    return classify(facts_of(raw), rules)


def test_webmail_with_family_words_is_personal_and_says_why():
    v = verdict(message("jo@gmail.com", body="Happy birthday! See you at the party this weekend, love you xx"))
    assert v.classification == "personal" and v.score >= RULES.weights["personal_threshold"]
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
    assert v.classification == "work" and "automatic reply (-4.0)" in v.reasons


def test_college_newsletter_is_work_and_a_shop_newsletter_is_personal():
    college = verdict(message("news@college.ac.uk", body="This week at college", extra="List-Id: <news.college.ac.uk>"))
    shop = verdict(message("deals@shop.example", body="Your order has been dispatched. Discount code inside.",
                           extra="List-Unsubscribe: <mailto:u@shop.example>"))
    assert college.classification == "work" and shop.classification == "personal"


def test_no_evidence_is_work():
    assert verdict(message("x@example.org", body="ok")).reasons == ("no evidence either way: work by default",)


def test_policy_tunes_the_threshold_and_the_folder():
    strict = mail_rules(personal_threshold=10, personal_folder="Private")
    assert verdict(message("jo@gmail.com", body="birthday party weekend"), strict).classification == "work"
    assert strict.inside_personal("private/Family") and not strict.inside_personal("Inbox/Personalia")
    assert mail_rules().with_owner_domains(["@Example.ORG"]).owner_domains == {"example.org"}


def test_vocabulary_is_data_with_no_word_on_both_sides():
    cats = RULES.vocabulary.categories
    personal = {" ".join(normalise(w)) for c in cats if c.side == "personal" for w in c.words}
    work = {" ".join(normalise(w)) for c in cats if c.side == "work" for w in c.words}
    assert "birthday" in personal and "ofsted" in work
    assert not personal & work


def test_possessives_and_phrases_match_whole_words():
    found = RULES.vocabulary.find("Mum's party is this weekend; Mumbai trip off")
    words = {w for ws in found.values() for w in ws}
    assert {"mum", "this weekend"} <= words and "mumbai" not in words


def test_policy_changes_a_category_and_adds_one():
    rules = mail_rules(owner_domains=["college.ac.uk"], vocabulary={
        "personal": {"leisure": {"extra_words": ["allotment society"]}, "pets": {"weight": 2.0, "words": ["hamster"]}},
        "work": {"courtesy": {"weight": 0}}})
    v = verdict(message("x@example.org", body="The hamster escaped again"), rules)
    assert v.classification == "personal" and any("pets (hamster)" in r for r in v.reasons)
    assert verdict(message("x@example.org", body="kind regards"), rules).reasons == \
        ("no evidence either way: work by default",)
    with pytest.raises(ConfigError, match=r"\[mail.vocabulary.personal.pets\] words"):
        mail_rules(vocabulary={"personal": {"pets": {"words": "hamster"}}})
    with pytest.raises(ConfigError, match=r"\[mail\] unknown key .personal_word_weight."):
        mail_rules(personal_word_weight=1.0)


def test_one_personal_category_alone_stays_work():
    """The costly mistake is calling work personal: a single weak signal never reaches the threshold."""
    assert verdict(message("jo@gmail.com", body="ok thanks")).classification == "work"
    assert verdict(message(body="My dentist appointment clashes with the staff meeting")).classification == "work"
    assert verdict(message("x@example.org", body="Happy birthday to the team!")).score < 2.0


def test_parent_on_webmail_about_a_learner_is_work():
    v = verdict(message("mrs.jones@hotmail.co.uk", subject="Jake - absence",
                        body="My son Jake is on the Level 2 course and is ill, he will miss his assessment."))
    assert v.classification == "work"


def test_owner_writing_to_family_on_webmail_is_personal():
    v = verdict(message("me@college.ac.uk", "sis@icloud.com", "Sunday", "Are you and the kids coming for "
                        "Sunday lunch this weekend? Mum's birthday. xx"))
    assert v.classification == "personal" and any("sent to personal webmail (icloud.com)" in r for r in v.reasons)


def test_attachments_weigh_by_kind():
    def with_attachment(name):
        return ("From: x@example.org\nSubject: s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
                "--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: application/octet-stream\n"
                f"Content-Disposition: attachment; filename=\"{name}\"\n\nAAAA\n--b--\n").encode()
    assert any("office documents attached (1)" in r for r in verdict(with_attachment("minutes.docx")).reasons)
    assert any("photos or videos attached (1)" in r for r in verdict(with_attachment("beach.jpg")).reasons)


def test_broken_messages_do_not_raise():
    for raw in (b"", b"\xff\xfe\x00garbage", b"From: =?x-bad?q?=FF?= <a@b>\nSubject: =?utf-8?b?!!!?=\n\nhi"):
        assert verdict(raw).classification in ("personal", "work")


def test_a_wrong_type_in_policy_names_the_field():
    with pytest.raises(ConfigError, match=r"\[mail\] scan_personal"):
        mail_rules(scan_personal="no")
    with pytest.raises(ConfigError, match=r"\[mail\] webmail_domains"):
        mail_rules(webmail_domains="gmail.com")


def test_a_mistake_in_mail_policy_stops_every_command(tmp_path):
    from pdscan.config import bundled
    from pdscan.policy.loader import load_policy
    site = tmp_path / "site.toml"
    site.write_text('[mail]\npersonal_threshhold = 2.0\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[mail\] unknown key 'personal_threshhold'; did you mean 'personal_threshold'"):
        load_policy(bundled("policies.toml"), site)
    site.write_text('[mail]\nthread_weight = "half"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[mail\] thread_weight: expected a number"):
        load_policy(bundled("policies.toml"), site)
    assert load_policy(bundled("policies.toml")).mail.weights["personal_threshold"] == 1.5

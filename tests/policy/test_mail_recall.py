"""Issue 17: personal mail the correspondents alone do not show, and work look-alikes that stay work.

Every message here was written for this test (none comes from a blind set or from Enron)."""
from __future__ import annotations

from pdscan.policy.mailclass import classify

from ..mailfacts import facts_of, mail_rules

RULES = mail_rules(owner_domains=["northfield.ac.uk"])


def message(sender, subject, body, to="j.smith@northfield.ac.uk", extra="") -> bytes:
    return f"From: {sender}\nTo: {to}\nSubject: {subject}\n{extra}\n{body}\n".encode("utf-8")


def verdict(raw: bytes):
    return classify(facts_of(raw), RULES)


LIST = "List-Unsubscribe: <mailto:leave@list.example>\nPrecedence: bulk"


def test_a_consumer_mailing_is_personal_and_says_what_business_it_is():
    v = verdict(message("deals@sunnyair.example", "Spring flights from £29",
                        "Fly to the beach this spring: flights and hotel deals for your holiday. Book now.", extra=LIST))
    assert v.classification == "personal"
    assert any(r.startswith("a mailing from a consumer business (travel)") for r in v.reasons)


def test_a_sector_bodys_mailing_is_work():
    v = verdict(message("news@awarding.ac.uk", "Centre update", "Moderation deadlines and assessment guidance "
                        "for centres this term.", extra=LIST))
    assert v.classification == "work" and any(r.startswith("mail from a sector body (ac.uk)") for r in v.reasons)


def test_a_public_body_writing_to_a_citizen_is_not_a_sector_mailing():
    v = verdict(message("noreply@vehicles.gov.uk", "Your vehicle tax", "Your vehicle tax is due on 1 March. "
                        "Renew online with your reference."))
    assert not any("sector body" in r for r in v.reasons)


def test_an_order_to_one_private_customer_is_personal():
    v = verdict(message("orders@oakfurniture.example", "Your order is on its way",
                        "Hi Jo, your order has been dispatched. Your delivery is due on Friday. Tracking number below.",
                        extra="X-Mailer: shop"))
    assert v.classification == "personal" and any(r.startswith("mail to a private customer") for r in v.reasons)


def test_a_supplier_order_for_the_college_stays_work():
    v = verdict(message("noreply@stationery.example", "Your order is on its way",
                        "Your order for Northfield College has been dispatched. Purchase order PO-4411; "
                        "the invoice follows."))
    assert v.classification == "work" and not any("private customer" in r for r in v.reasons)


def test_league_vocabulary_is_its_own_category():
    v = verdict(message("dave@northfield.ac.uk", "Week 6", "Free agent bids close tonight and my lineup is set. "
                        "Anyone want my trade proposal? The league table is brutal xx", to="pat@northfield.ac.uk"))
    assert any("hobbies_and_leagues (free agent, league table, lineup)" in r for r in v.reasons)
    assert v.classification == "personal"


def test_own_childrens_school_and_own_health_from_the_owners_side():
    school = verdict(message("office@stmarys.lancs.sch.uk", "Year 4 trip",
                             "Dear parent, the school trip for Year 4 is on Friday; a packed lunch is needed."))
    health = verdict(message("appointments@nhs.net", "Your appointment",
                             "Your appointment at the GP surgery is on Tuesday at 9:10. Bring your prescription."))
    assert school.classification == "personal" and any("own children's school (sch.uk)" in r for r in school.reasons)
    assert health.classification == "personal" and any("own health care (nhs.net)" in r for r in health.reasons)


def test_a_school_writing_about_pupils_joining_the_college_is_not_own_school():
    v = verdict(message("careers@highfield.sch.uk", "Year 11 taster day",
                        "Our Year 11 students would like a taster day at the college; could your course "
                        "tutors fit them in before enrolment?"))
    assert v.classification == "work" and not any("own children's school" in r for r in v.reasons)


def test_words_in_links_are_not_words():
    v = verdict(message("it@northfield.ac.uk", "Files moved", "The files are now at https://files.example/pub/"
                        "holiday-party/ and /srv/pub/birthday/archive.", to="staff@northfield.ac.uk"))
    assert not any("personal-life words" in r for r in v.reasons)


def test_an_ambiguous_short_word_does_not_count_alone():
    alone = verdict(message("reminders@garage.example", "MOT", "MOT reminder for your reference."))
    beside = verdict(message("reminders@garage.example", "MOT", "MOT due: book a car service for the car."))
    assert not any("home (mot" in r for r in alone.reasons)
    assert any(r.startswith("personal-life words: home") and "mot" in r for r in beside.reasons)


def test_work_look_alikes_stay_work():
    own_news = verdict(message("news@northfield.ac.uk", "Staff news", "Staff benefits: cycle to work and the "
                               "summer party this weekend!", extra=LIST))
    forwarded = verdict(message("head@northfield.ac.uk", "Fwd: ESFA funding guidance",
                                "FYI for the team meeting.\n\n---------- Forwarded message ----------\n"
                                "ESFA funding rules and compliance guidance.", to="team@northfield.ac.uk"))
    away = verdict(message("jo@gmail.com", "Automatic reply: Saturday", "I am away until Monday."))
    assert [own_news.classification, forwarded.classification, away.classification] == ["work"] * 3

"""What must not be flagged, in files laid out as colleges keep them: special-category
words in policies, course descriptions and job adverts; a sort code and account counted
twice; couriers taken for people; "SEN" in a web address; US phone numbers as NHS numbers."""
from __future__ import annotations

from tests.extract.test_table_layouts import FORMATS, write
from tests.layouts import ULNS, counts

POLICY = """Riverside College Safeguarding and Child Protection Policy 2024-25

1. Purpose
This policy sets out how all staff keep learners safe. Any safeguarding concern must be reported
to the Designated Safeguarding Lead the same day. If a learner discloses domestic abuse, he or she
should be listened to and the procedure in section 4 followed.

2. Supporting learners with medical conditions
Learners with special educational needs, an EHCP or medical needs are supported by the SENCO.
Staff must not administer medication unless trained. See www.SEN.org.uk and info@SEN-Trust.org.uk.

3. Recruitment
All posts require an enhanced DBS check and a declaration of unspent convictions. We welcome
applications regardless of sexual orientation, religious beliefs or ethnic origin.
"""

COURSE = """Level 3 Extended Diploma in Health and Social Care
Units include: Human Lifespan Development; Meeting Individual Care and Support Needs; Mental health
and wellbeing; Safeguarding adults and children; Supporting people with learning disabilities.
Entry: five GCSEs. Progression: nursing, social work, early years. Contact the Houston partner
office on 713 223 2233 or 713-223-2233 about the exchange programme.
"""

ADVERT = """Job advert: Learning Support Assistant (SEN), 30 hours
The post holder will work with the SENCO to support students with ADHD-friendly resources, EHC plans
and exam access arrangements. Experience of administering medication and of safeguarding training
is desirable. This post is subject to an enhanced DBS check; criminal record checks apply.
"""


def test_policy_course_and_advert_hold_no_special_category_data(tmp_path):
    for name, text in (("policy.txt", POLICY), ("course.txt", COURSE), ("advert.txt", ADVERT)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        got = counts(path)
        assert not {d for d in got if d.startswith("special.") or d == "uk.nhs"}, (name, got)


def test_a_note_about_a_named_learner_is_special_category(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Tutorial note, 6 May 2024. Mrs Okafor rang: her son Chidi has been diagnosed with\n"
                    "epilepsy and he now takes medication at lunchtime.\n", encoding="utf-8")
    assert counts(path).get("special.health", 0) >= 1


def test_sort_code_beside_account_is_one_bank_account(tmp_path):
    """A large export streams as bytes, where the pair "40-47-84,31926819" is also the account
    number alone under its header: still one account a person."""
    path = tmp_path / "payroll.csv"
    people = [("Gareth Pryce", "40-47-84", "31926819"), ("Megan Lloyd", "20-00-00", "12345678"),
              ("Huw Jones", "30-96-26", "00012345")]
    rows = ["Staff Name,Sort Code,Account Number,Notes"]
    rows += [f"{n},{s},{a},{'x' * 300}" for i in range(4000) for n, s, a in [people[i % 3]]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert path.stat().st_size > (1 << 20)
    assert counts(path).get("uk.bank_account") == 3


def test_couriers_in_a_delivery_log_are_not_people(tmp_path):
    path = tmp_path / "deliveries.csv"
    path.write_text("Date,Sender,Carrier,Tracking\n06/05/2024,Royal Mail,Parcelforce Worldwide,PF123456789GB\n"
                    "07/05/2024,Amazon Logistics,DPD,15501234567890\n08/05/2024,Royal Mail,Evri,H00A1234567890\n",
                    encoding="utf-8")
    assert "person_name" not in counts(path)


def test_a_learner_ref_column_of_college_numbers_holds_no_uln(tmp_path):
    """The college's own 10-digit references pass the ULN check about one time in eleven by
    chance; under "Learner Ref" those are no ULNs, while real ULNs under it still are."""
    from pdscan.detect.validators import uln
    refs = [str(2024000000 + n * 7919) for n in range(60)]
    assert any(uln(r) for r in refs)  # some pass by chance: the test means something
    path = tmp_path / "enrolments.csv"
    path.write_text("Learner Ref,Surname,Course\n" + "".join(f"{r},Okafor,Plumbing L2\n" for r in refs),
                    encoding="utf-8")
    assert "uk.uln" not in counts(path)
    path.write_text("Learner Ref,Surname,Course\n" + "".join(f"{u},Okafor,Plumbing L2\n" for u in ULNS * 2),
                    encoding="utf-8")
    assert counts(path).get("uk.uln") == 3


def test_a_timetable_names_rooms_courses_and_teams_not_people(tmp_path):
    from tests.extract.test_table_layouts import write
    rows = [["Riverside College - Timetable wk3"], [],
            ["Day", "Time", "Course", "Room", "Staff"],
            ["Monday", "09:00", "Applied Science", "Ada Lovelace Building B12", "Science Team"],
            ["Monday", "11:00", "Business Studies", "Isaac Newton Suite", "Business Team"],
            ["Tuesday", "09:00", "Creative Media", "Alan Turing Lab", "Microsoft Teams"],
            ["Tuesday", "13:00", "Health and Social Care", "Mary Seacole Centre", "TBC"]]
    got = counts(write(tmp_path, "csv", rows))
    assert "person_name" not in got, got


def test_a_form_label_is_not_outranked_by_the_next_fields_label(tmp_path):
    path = tmp_path / "medical-form.txt"
    path.write_text("Student medical form\nName: Zofia Nowak  DOB: 02/11/2006 Start date: 01/09/2023\n"
                    "NHS no: 487 574 9112 Tel: 0113 243 5678\n", encoding="utf-8")
    got = counts(path)
    assert got.get("date_of_birth") == 1 and got.get("uk.nhs") == 1, got


PRICE_LIST = [["Item", "Price", "Allergens"],
              ["Sir Tenbury's brown sauce (sachet)", 0.3, ""],
              ["Mrs Bramble Country Kitchen jam tart", 1.2, "Contains: gluten"],
              ["Cheese and onion pasty", 2.1, "Contains: milk"]]


def test_products_named_with_a_title_are_no_one(tmp_path):
    # A brand that reads "Sir" + a word no one is named, or a title and a name running on into
    # a Title Case product, in a price list of any format.
    for kind in FORMATS:
        (tmp_path / kind).mkdir()
        assert "person_name" not in counts(write(tmp_path / kind, kind, PRICE_LIST)), kind


def test_a_name_before_the_next_label_on_its_line_is_found(tmp_path):
    note = tmp_path / "referrals.txt"
    note.write_text("Young person: Tegan Marsh DOB: 15/05/2007\n"
                    "Employee: Owen Pritchard Payroll no: E40211\n", encoding="utf-8")
    assert counts(note).get("person_name") == 2


def test_a_shared_mailbox_named_in_one_word_is_no_one(tmp_path):
    mail = tmp_path / "print.eml"
    mail.write_text("From: Canteen <canteen@riverside-college.ac.uk>\n"
                    "To: Aisha Khan <a.khan@riverside-college.ac.uk>\nCc: Sarah <s.jones@riverside-college.ac.uk>\n"
                    "Subject: Your print job\nDate: Mon, 06 May 2024 10:00:00 +0100\n\n"
                    "Your print job is ready to collect.\n", encoding="utf-8")
    assert counts(mail).get("person_name") == 2  # Aisha Khan, and Sarah (a known given name)

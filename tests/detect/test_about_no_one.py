"""Files with nothing personal in them that read as if they had: an organisation's phone
line in a privacy notice, products named with a title on an invoice, a safeguarding
policy's list of categories, a medication policy, a course catalogue whose "Access to HE
Diploma" is no "he". Each is written as the college file it stands for."""
from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import FIXTURES
from tests.layouts import counts

sys.path.insert(0, str(FIXTURES))
from fixturegen.doc import Doc, Heading, Para  # noqa: E402  (the project's own document writers)
from fixturegen.ooxml import docx  # noqa: E402
from fixturegen.pdf import pdf  # noqa: E402

PRIVACY_NOTICE = """Privacy notice - learners
We share data with the Education and Skills Funding Agency through the Individualised Learner Record (ILR),
with the Learning Records Service, and with awarding bodies.

You can ask for a copy of your data by contacting the Data Protection Officer via the website form.
You may complain to the Information Commissioner's Office (0303 123 1113).
Young people can call Childline on 0800 1111, or the Samaritans free on 116 123.
For enrolment questions call Student Services on 0845 600 1234.
"""

SAFEGUARDING_POLICY = """Safeguarding and Child Protection Policy 2024-26
Harwood Vale College. Approved by Corporation: July 2024. Review date: July 2026.
1. Purpose
Staff who are concerned about a learner must record the concern on CPOMS the same day.
Concerns may include neglect, physical, emotional or sexual abuse, child criminal exploitation, radicalisation and self-harm.
Categories include physical abuse, emotional abuse, sexual abuse, neglect, child criminal exploitation, radicalisation (Prevent) and domestic abuse.
"""

MEDICATION_POLICY = ["Administration of Medication Policy",
                     "Mersey Bank College. Approved by Corporation: July 2024. Version 5.4",
                     "1. Purpose",
                     "Learners who need medication during the day should tell Student Services at enrolment.",
                     "Staff will not give paracetamol or any medicine that has not been prescribed to the learner.",
                     "A record of any medication administered is kept on the secure student record system."]


def test_an_organisations_phone_lines_in_a_privacy_notice(tmp_path):
    path = tmp_path / "Privacy notice - learners.txt"
    path.write_text(PRIVACY_NOTICE, encoding="utf-8")
    assert counts(path) == {}


def test_a_persons_phone_beside_a_helpline_still_counts(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text(PRIVACY_NOTICE + "\nMrs Okafor asked to be called back on 07700 100123.\n", encoding="utf-8")
    assert counts(path).get("uk.phone") == 1


@pytest.mark.parametrize("kind", ["txt", "docx"])
def test_a_safeguarding_policys_list_of_categories(tmp_path, kind):
    path = tmp_path / f"Safeguarding Policy 2024-25 FINAL.{kind}"
    if kind == "txt":
        path.write_text(SAFEGUARDING_POLICY, encoding="utf-8")
    else:
        lines = SAFEGUARDING_POLICY.splitlines()
        path.write_bytes(docx(Doc(lines[0], (Heading(lines[0]),) + tuple(Para(x) for x in lines[1:]))))
    assert counts(path) == {}


def test_a_medication_policy_printed_to_pdf(tmp_path):
    path = tmp_path / "Administration of Medication Policy.pdf"
    path.write_bytes(pdf(MEDICATION_POLICY))
    assert counts(path) == {}


def test_a_learners_medication_is_still_health_data(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Chidi told his tutor he is on medication for epilepsy and may need to leave early.\n",
                    encoding="utf-8")
    assert counts(path).get("special.health", 0) >= 1


def test_a_course_catalogue_with_access_to_he(tmp_path):
    path = tmp_path / "catalogue.json"
    courses = [{"title": "Access to HE Diploma (Nursing)", "level": 3, "tags": ["SEN friendly", "evening"],
                "summary": "Units cover anatomy and the safe handling of medication in care settings."},
               {"title": "HE Foundation Degree in Cyber Security", "level": 5, "tags": ["SEN friendly"]}]
    path.write_text(json.dumps({"courses": courses}, indent=2), encoding="utf-8")
    assert counts(path) == {}


def test_products_named_with_a_title_on_an_invoice(tmp_path):
    path = tmp_path / "Invoice 87214282.tsv"
    rows = ["Line\tProduct\tCode\tQty\tUnit\tTotal",
            "1\tMr Muscle oven cleaner 500ml\t50000204\t12\t3.50\t42.00",
            "2\tDr. Oetker food colouring\t62021172\t38\t5.39\t204.82",
            "3\tMr Sheen multi-surface polish\t50000311\t6\t2.10\t12.60",
            "4\tDr Martens work boots size 9\t77712345\t2\t120.00\t240.00"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert counts(path) == {}

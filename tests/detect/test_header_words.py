"""Column headers as UK colleges write them name the right detector, in any case and
punctuation, camelCase (XML, JSON) and snake_case included; near misses do not."""
from __future__ import annotations

import pytest

from pdscan.config import bundled
from pdscan.detect.context import Evidence
from pdscan.detect.loader import load_detectors

EVIDENCE = {spec.id: Evidence(spec) for spec in load_detectors([bundled("detectors")])}

NAMES = {
    "date_of_birth": ["DOB", "D.O.B.", "Date of Birth", "Birth Date", "DoB", "DateOfBirth", "learner_dob",
                      "Date of birth (dd/mm/yyyy)"],
    "uk.uln": ["ULN", "Unique Learner No.", "Learner Ref", "learnerULN", "U.L.N."],
    "uk.nino": ["NI No", "NINO", "N.I. Number", "NINumber", "National Insurance No."],
    "uk.passport": ["Passport No.", "Passport Number", "passportNo"],
    "uk.bank_account": ["Acc No", "Account Number", "A/C No", "Bank Acc"],
    "uk.nhs": ["NHS No.", "NHS Number", "nhsNumber"],
    "uk.phone": ["Mobile No", "Tel.", "Emergency Contact", "Contact No"],
    "person_name": ["Surname", "Forename(s)", "Preferred Name", "Next of Kin", "Emergency Contact", "Name",
                    "FamilyName", "GivenNames", "Learner Name", "Staff Name", "Candidate Name", "Tutor Name"],
    "special.health": ["Medical / Dietary", "Medication", "SEN", "EHCP", "Access Arrangements", "LLDDCat",
                       "LLDDHealthProb"],
}
NOT_NAMES = {
    "person_name": ["Course Name", "Room name", "Build name", "Sheet", "Company Name", "Username"],
    "date_of_birth": ["Start Date", "Date"],
    "uk.uln": ["Learner Count"],
    "special.health": ["Course", "Sender"],
}


@pytest.mark.parametrize("detector,header", [(d, h) for d, hs in NAMES.items() for h in hs])
def test_header_names_its_detector(detector, header):
    assert EVIDENCE[detector].header(header)


@pytest.mark.parametrize("detector,header", [(d, h) for d, hs in NOT_NAMES.items() for h in hs])
def test_near_miss_header_does_not(detector, header):
    assert not EVIDENCE[detector].header(header)

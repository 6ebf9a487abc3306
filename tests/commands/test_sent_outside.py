"""personal-data-sent-outside and mail-forwarding-outside through `pdscan mail` (issue 22), on the
mailboxes of fixtures/mail/sent-outside (make_sent_outside.py; labels.tsv says what each message is)."""
from __future__ import annotations

import csv
import json

import pytest

from tests.conftest import ROOT

FIXTURE = ROOT / "fixtures" / "mail" / "sent-outside"
HOME, THUNDERBIRD, TAKEOUT = FIXTURE / "home" / "Maildir", FIXTURE / "thunderbird", FIXTURE / "takeout"
SENT_OUTSIDE, FORWARDING = "personal-data-sent-outside", "mail-forwarding-outside"


def labels() -> dict:
    with open(FIXTURE / "labels.tsv", encoding="utf-8", newline="") as f:
        return {row["message_id"]: row["destination"] for row in csv.DictReader(f, delimiter="\t")}


@pytest.fixture
def run(cli):
    return lambda *args: cli("mail", *map(str, args), "--no-progress", "--format", "jsonl")


def messages(result) -> dict:
    return {r["message_id"]: r for r in result.records() if r["type"] == "message"}


def summary(result) -> dict:
    return next(r for r in result.records() if r["type"] == "summary")


def destinations(result) -> dict:
    return {mid: (r["sent_outside"] or {}).get("destination", "-") for mid, r in messages(result).items()}


@pytest.mark.parametrize("domain", [(), ("--owner-domain", "westmoor.ac.uk")])
def test_every_flow_is_found_with_its_destination_and_nothing_else(run, domain):
    """Without the organisation's domain the owner and the domain are learnt from the Sent mail."""
    result = run(HOME, THUNDERBIRD, TAKEOUT, *domain)
    assert result.code == 1, result
    assert destinations(result) == labels()
    for r in messages(result).values():
        rules = [v for v in r["violations"] if v["rule"] == SENT_OUTSIDE]
        assert len(rules) == (r["sent_outside"] is not None)
        for v in rules:  # allow-listed partners drop to low, still counted
            assert v["severity"] == ("low" if r["sent_outside"]["destination"] == "partner" else "high")
    assert summary(result)["sent_outside"] == {"own-webmail": 8, "other-webmail": 6, "partner": 1, "unknown": 2}


def test_what_is_named_and_masked(run):
    got = messages(run(HOME))
    sent = got["<so-002@westmoor.example>"]["sent_outside"]
    assert sent == {"destination": "own-webmail", "how": "in a Sent folder",
                    "recipients": [{"address": "j***.*******@gmail.com", "domain": "gmail.com",
                                    "destination": "own-webmail"}],
                    "others": {"date_of_birth": 1, "uk.nino": 1}}
    assert got["<so-010@westmoor.example>"]["sent_outside"]["how"] == "resent by the owner"
    assert got["<so-011@westmoor.example>"]["sent_outside"]["how"] == "forwarded by the owner"
    shown = json.dumps([(r["sent_outside"], r["violations"]) for r in got.values()])
    for local in ("jane.smith84", "jsmith.home", "karen.brown", "dave.p@", "entries@", "hr@acme"):
        assert local not in shown


def test_the_signature_and_the_correspondents_are_not_others_data(run):
    got = messages(run(HOME))
    chat, friends = got["<so-006@westmoor.example>"], got["<so-014@westmoor.example>"]
    assert chat["sent_outside"] is None and friends["sent_outside"] is None
    assert SENT_OUTSIDE not in {v["rule"] for v in chat["violations"] + friends["violations"]}


def test_forwarding_rules_one_finding_per_mailbox(run):
    result = run(HOME, THUNDERBIRD)
    found = [r for r in result.records() if r["type"] == "item" and r["violations"]
             and r["violations"][0]["rule"] == FORWARDING]
    assert [(r["path"], r["member"]) for r in found] == [(str(HOME), "../.dovecot.sieve"),
                                                          (str(THUNDERBIRD), "Mail/Local Folders/msgFilterRules.dat")]
    sieve, filters = (r["violations"][0] for r in found)
    # the commented-out redirect and the internal one are not forwarding outside; nor is a disabled filter
    assert sieve["severity"] == "high" and sieve["detail"].startswith("own-webmail: mail is forwarded to j***.")
    assert "y***" not in sieve["detail"] and "c****@" not in sieve["detail"]
    assert filters["detail"].startswith("other-webmail: ") and "'Copy to home'" in filters["detail"]
    assert "Old forward" not in filters["detail"]
    assert summary(result)["violations"][FORWARDING] == 2


def test_owner_addresses_and_partners_from_policy(run, tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[mail]\nowner_addresses = ["j.smith@westmoor.ac.uk", "jane_s@outlook.com"]\n'
                    '[mail.partner_domains]\nemployer = ["acme-engineering.co.uk"]\n', encoding="utf-8")
    result = run(HOME, THUNDERBIRD, "--policy", site)
    got = destinations(result)
    assert got["<so-021@westmoor.example>"] == "own-webmail"  # now a known address of hers
    assert got["<so-007@westmoor.example>"] == "partner"      # an allow-listed employer
    assert got["<so-003@westmoor.example>"] == "unknown"


def test_mail_filed_in_personal_is_read_for_it_only_with_scan_personal(run, tmp_path):
    """Personal is counted, not read, by default; a policy that reads it judges the owner's mail
    filed there like any other (its classification stays personal)."""
    assert destinations(run(HOME))["<so-018@westmoor.example>"] == "-"
    site = tmp_path / "site.toml"
    site.write_text("[mail]\nscan_personal = true\n", encoding="utf-8")
    got = messages(run(HOME, "--policy", site))["<so-018@westmoor.example>"]
    assert got["sent_outside"]["destination"] == "own-webmail" and got["classification"] == "personal"


def test_owner_address_option_is_the_same_as_policy(run):
    got = destinations(run(THUNDERBIRD, "--owner-address", "J.Smith@westmoor.ac.uk",
                           "--owner-address", "jane_s@outlook.com"))
    assert got["<so-021@westmoor.example>"] == "own-webmail"


def test_the_report_counts_what_the_cli_counted(run, cli, tmp_path):
    db = tmp_path / "store.db"
    result = run(HOME, THUNDERBIRD, "--db", db)
    counted = summary(result)["sent_outside"]
    r = cli("report", "--db", str(db), "--format", "json", "--output", str(tmp_path / "report.json"))
    assert r.code == 0, r
    table = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["tables"]["sent_outside"]
    assert table["title"] == "Personal data sent outside"
    (row,) = table["rows"]
    by_column = dict(zip(table["columns"], row))
    assert {k: by_column[k] for k in counted} == counted
    assert by_column["messages in all"] == sum(counted.values())
    assert by_column["mailboxes forwarding outside"] == 2


def test_text_output_names_the_flows(cli):
    r = cli("mail", str(HOME), "--no-progress")
    assert "Personal data sent outside: 13 message(s): own-webmail 6, other-webmail 4, unknown 2, partner 1." \
        in r.out
    assert "Mail forwarded outside (high)" in r.out and "jane.smith84" not in r.out

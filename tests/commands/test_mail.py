"""`pdscan mail`: the same messages in every layout give the same records."""
from __future__ import annotations

import pytest

from ..conftest import CORPUS, REAL
from ..sources.mailboxes import (
    OWNER,
    expected,
    make_eml_tree,
    make_maildir,
    make_mbox_tree,
)

LAYOUTS = {"maildir": make_maildir, "mbox-tree": make_mbox_tree, "eml-folder": make_eml_tree}
NI_MESSAGE, PERSONAL_FOLDER_MESSAGE = "<m3@test.example>", "<m7@test.example>"


@pytest.fixture
def run(cli):
    """`pdscan mail ...` in-process."""
    return lambda *args: cli("mail", *args, "--no-progress")


def messages(result) -> dict:
    return {r["message_id"]: r for r in result.records() if r["type"] == "message"}


def outcome(record) -> tuple:
    return (record["folder"], record["classification"], sorted(f["detector"] for f in record["findings"]),
            [(v["rule"], v["severity"], v["detail"]) for v in record["violations"]])


@pytest.fixture(scope="module")
def layouts(tmp_path_factory):
    root = tmp_path_factory.mktemp("mailboxes")
    return {name: make(root / name) for name, make in LAYOUTS.items()}


def test_every_layout_gives_the_same_messages(run, layouts):
    seen = {}
    for name, source in layouts.items():
        result = run(source, "--owner-domain", OWNER, "--format", "jsonl")
        assert result.code == 1, result
        got = messages(result)
        assert {mid: (r["folder"], r["classification"]) for mid, r in got.items()} == expected(), name
        seen[name] = {mid: outcome(r) for mid, r in got.items()}
        assert result.records()[-1]["type"] == "summary"
    first = seen.pop("maildir")
    for name, other in seen.items():
        assert other == first, name
    assert "uk.nino" in first[NI_MESSAGE][2]
    assert first[PERSONAL_FOLDER_MESSAGE] == ("Personal/Family", "personal", [], [])
    outside = [mid for mid, o in first.items() if o[3]]
    assert sorted(outside) == ["<m4@test.example>", "<m5@test.example>"]
    assert first["<m4@test.example>"][3] == [("personal-email-outside-folder", "low", "move this message to Personal")]


def test_message_records_follow_the_interface(run, layouts):
    result = run(layouts["maildir"], "--owner-domain", OWNER, "--format", "jsonl")
    record = messages(result)["<m4@test.example>"]
    assert {"path", "folder", "message_id", "date", "from", "classification", "score", "findings",
            "violations"} <= set(record)
    assert record["path"] == str(layouts["maildir"])
    # The display name is the sender's to choose: masked like a sample, the address shown.
    assert record["from"] == "J* S**** <jo.smith@gmail.com>" and record["date"] == "2024-01-04T09:30:00Z"
    assert record["score"] >= 1.5 and any("webmail" in r for r in record["reasons"])
    assert not any(k.startswith("_") for k in record)
    assert "AB123456C" not in result.out and "Are you coming" not in result.out  # reasons name list words only


def test_plain_tree_of_header_only_files(run, tmp_path):
    """Files with no extension whose headers start with Message-ID (libmagic: text/plain), like Enron."""
    result = run(make_eml_tree(tmp_path / "plain", suffix="", first="Message-ID"), "--owner-domain", OWNER,
                 "--format", "jsonl")
    got = messages(result)
    assert {mid: (r["folder"], r["classification"]) for mid, r in got.items()} == expected()
    assert "uk.nino" in [f["detector"] for f in got[NI_MESSAGE]["findings"]]


def test_text_output_groups_by_folder(run, layouts):
    result = run(layouts["mbox-tree"], "--owner-domain", OWNER)
    assert result.code == 1, result
    out = result.out
    assert "Messages: 7 in 3 folder(s); personal outside Personal: 2." in out
    assert "Inbox: 4 message(s): 3 work, 1 personal, 1 holding personal data" in out
    assert "Personal/Family: 1 message(s) in Personal: counted, not read" in out
    assert out.count("move this message to Personal:") == 2
    assert "Scanned 7 messages, " in out
    assert "uk.nino" in out and "AB123456C" not in out
    assert "personal-email-outside-folder ×2" in out


def test_policy_can_scan_the_personal_folder(run, layouts, tmp_path):
    site = tmp_path / "site.toml"
    site.write_text("[mail]\nscan_personal = true\nowner_domains = [\"college.ac.uk\"]\n")
    got = messages(run(layouts["eml-folder"], "--policy", site, "--format", "jsonl"))
    folder, kind, detectors, violations = outcome(got[PERSONAL_FOLDER_MESSAGE])
    assert (folder, kind, violations) == ("Personal/Family", "personal", []) and "uk.nino" in detectors
    assert got["<m4@test.example>"]["classification"] == "personal"


def test_a_personal_folder_of_another_case_counts(run, tmp_path):
    root = make_eml_tree(tmp_path / "box")
    (root / "Personal").rename(root / "PERSONAL")
    got = messages(run(root, "--owner-domain", OWNER, "--format", "jsonl"))
    assert outcome(got[PERSONAL_FOLDER_MESSAGE]) == ("PERSONAL/Family", "personal", [], [])


def test_missing_source_is_a_usage_error(run, tmp_path):
    result = run(tmp_path / "nowhere")
    assert result.code == 2 and "no such mailbox" in result.err


def test_truncated_mbox_gives_an_error_record_and_goes_on(run, layouts, tmp_path):
    whole = (layouts["mbox-tree"] / "Inbox").read_bytes()
    cut = tmp_path / "Inbox"
    cut.write_bytes(whole[:-40].rstrip(b"\n"))
    records = run(cut, "--owner-domain", OWNER, "--format", "jsonl").records()
    assert [r["member"] for r in records if r["type"] == "error"] == ["mbox:4"]
    assert len([r for r in records if r["type"] == "message"]) == 3
    assert records[-1]["errors"] == 1


@pytest.mark.parametrize("source", ["mail/maildir/mu-testdir", "mail/maildir/mu-testdir2",
                                    "mail/mbox/mboxparser-testbox.mbox", "mail/eml"])
def test_real_mailboxes(run, source):
    result = run(REAL / source, "--format", "jsonl")
    assert result.code in (0, 1), result
    records = result.records()
    assert records and records[-1]["type"] == "summary"
    assert not [r for r in records if r["type"] == "error" and "internal error" in r["error"]]
    assert len([r for r in records if r["type"] == "message"]) >= 6


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("user", ["arnold-j", "beck-s", "cuilla-m"])
def test_enron_users(run, user):
    result = run(CORPUS / "enron" / "maildir" / user, "--owner-domain", "enron.com", "--format", "jsonl")
    assert result.code in (0, 1), result
    got = [r for r in result.records() if r["type"] == "message"]
    files = [p for p in (CORPUS / "enron" / "maildir" / user).rglob("*") if p.is_file()]
    assert len(got) == len(files)
    assert not [r for r in result.records() if r["type"] == "error" and "internal error" in r["error"]]
    inside = [r for r in got if r["folder"].split("/")[0] == "personal"]
    assert inside and all(r["classification"] == "personal" and not r["findings"] and not r["violations"]
                          for r in inside)
    assert {r["classification"] for r in got} <= {"personal", "work"}

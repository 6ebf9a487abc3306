"""Mailbox-wide rules through `pdscan mail`: thread history and bulk-social-email."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

OWNER = "college.ac.uk"
START = datetime(2026, 3, 2, 18, 0, tzinfo=timezone.utc)


@pytest.fixture
def run(cli):
    return lambda *args: cli("mail", *args, "--owner-domain", OWNER, "--no-progress", "--format", "jsonl")


def write(root: Path, folder: str, n: int, sender: str, to: str, subject: str, body: str,
          when: datetime, extra: str = "") -> None:
    base = root if folder == "Inbox" else root / ("." + folder)
    for sub in ("cur", "new", "tmp"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    (base / "cur" / f"{1700000000 + n}.M{n}P1.host:2,S").write_text(
        f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: {format_datetime(when)}\n"
        f"Message-ID: <t{n}@test.example>\n{extra}MIME-Version: 1.0\nContent-Type: text/plain\n\n{body}\n",
        encoding="utf-8")


def messages(result) -> dict:
    return {r["message_id"]: r for r in result.records() if r["type"] == "message"}


def test_a_bare_reply_takes_the_leaning_of_its_thread(run, tmp_path):
    family = "Sis <sis@icloud.com>"
    write(tmp_path, "Inbox", 1, family, f"me@{OWNER}", "Mum's 60th",
          "Mum's birthday party is this weekend, can you bring the cake? Love you xx", START)
    write(tmp_path, "Sent", 2, f"me@{OWNER}", family, "Re: Mum's 60th",
          "Yes! I'll bring the cake and the kids. xx", START + timedelta(hours=1), "In-Reply-To: <t1@test.example>\n")
    write(tmp_path, "Inbox", 3, f"Jo Bloggs <jo@{OWNER}>", f"me@{OWNER}", "Re: Mum's 60th",
          "Thanks, see you there", START + timedelta(hours=2),
          "In-Reply-To: <t2@test.example>\nReferences: <t1@test.example> <t2@test.example>\n")
    write(tmp_path, "Inbox", 4, f"Head <hod@{OWNER}>", f"me@{OWNER}", "Level 2 timetable",
          "The learners' timetable is on the agenda for the staff meeting.", START)
    write(tmp_path, "Inbox", 5, f"Jo Bloggs <jo@{OWNER}>", f"me@{OWNER}", "Re: Level 2 timetable",
          "Thanks, see you there", START + timedelta(hours=3), "In-Reply-To: <t4@test.example>\n")
    got = messages(run(tmp_path))
    bare_personal, bare_work = got["<t3@test.example>"], got["<t5@test.example>"]
    assert bare_personal["classification"] == "personal"
    assert "thread of 3 messages leaning personal (+1.0)" in bare_personal["reasons"]
    assert [v["rule"] for v in bare_personal["violations"]] == ["personal-email-outside-folder"]
    assert bare_work["classification"] == "work" and bare_work["violations"] == []
    assert any(r.startswith("thread of 2 messages leaning work") for r in bare_work["reasons"])


def social(root: Path, count: int, days: float, folder: str = "Sent", first: int = 1) -> None:
    """`count` personal messages from the owner to friends on webmail, spread evenly over `days`."""
    step = timedelta(days=days) / max(1, count - 1)
    for i in range(count):
        write(root, folder, first + i, f"Me <me@{OWNER}>", f"friend{i}@gmail.com", f"Party {i}",
              "Are you coming to my birthday party this weekend? Bring the kids. xx", START + i * step)


def bulk(result) -> list:
    return [(r["message_id"], v["detail"]) for r in messages(result).values() for v in r["violations"]
            if v["rule"] == "bulk-social-email"]


def test_more_than_twenty_personal_sent_messages_in_a_week_is_bulk_social(run, tmp_path):
    social(tmp_path, 23, 6.5)
    result = run(tmp_path)
    assert bulk(result) == [("<t21@test.example>",
                             f"me@{OWNER} sent 23 personal messages in 7 days (2026-03-02 to 2026-03-09); "
                             "policy allows 20")]
    assert result.records()[-1]["violations"]["bulk-social-email"] == 1
    assert result.code == 1


@pytest.mark.parametrize("count, days, folder", [(20, 6.5, "Sent"),      # at the threshold, not above it
                                                (21, 8.5, "Sent"),      # 21, but never more than 20 in 7 days
                                                (25, 2, "Archive")])    # not a Sent folder
def test_at_the_threshold_spread_out_or_not_sent_is_not_bulk(run, tmp_path, count, days, folder):
    social(tmp_path, count, days, folder)
    assert bulk(run(tmp_path)) == []


def test_work_mail_and_other_senders_do_not_count(run, tmp_path):
    social(tmp_path, 15, 3)
    for i in range(10):
        write(tmp_path, "Sent", 100 + i, f"me@{OWNER}", f"hod@{OWNER}", f"Register {i}",
              "The learners' attendance register for the course, for the staff meeting agenda.", START)
    for i in range(10):
        write(tmp_path, "Sent", 200 + i, f"other@{OWNER}", f"pal{i}@gmail.com", "Drinks",
              "Drinks at the pub this weekend? Bring the kids. xx", START)
    assert bulk(run(tmp_path)) == []


def test_policy_sets_the_threshold_and_window(run, tmp_path):
    social(tmp_path, 6, 1.5)
    policy = tmp_path.parent / "strict.toml"
    policy.write_text("[mail]\nbulk_social_threshold = 5\nbulk_social_days = 2\n")
    assert len(bulk(run(tmp_path, "--policy", str(policy)))) == 1
    policy.write_text("[mail]\nbulk_social_threshold = 0\n")
    bad = run(tmp_path, "--policy", str(policy))
    assert bad.code == 2 and "bulk_social_threshold" in bad.err


def test_text_output_names_the_bulk_sender(cli, tmp_path):
    social(tmp_path, 22, 3)
    result = cli("mail", tmp_path, "--owner-domain", OWNER, "--no-progress")
    assert result.code == 1
    assert f"Bulk social email: me@{OWNER} sent 22 personal messages in 7 days" in result.out
    assert "move these 22 messages to Personal" in result.out


def test_copies_of_one_message_in_several_folders_are_neither_a_thread_nor_counted_twice(run, tmp_path):
    """Exports such as Enron's file one message under several folders (all_documents, sent, ...)."""
    for folder in ("Sent", "Sent Items", "Archive"):
        base = tmp_path / ("." + folder)
        for sub in ("cur", "new", "tmp"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        for i in range(12):
            (base / "cur" / f"{i}.host:2,S").write_text(
                f"From: me@{OWNER}\nTo: pal@gmail.com\nSubject: Plans for the party\nMessage-ID: <copy{i}@t>\n"
                f"Date: {format_datetime(START + timedelta(hours=i))}\n\nBirthday party this weekend? xx\n")
    got = [r for r in run(tmp_path).records() if r["type"] == "message"]
    assert len(got) == 36
    threads = {reason.split(" leaning")[0] for r in got for reason in r["reasons"] if reason.startswith("thread")}
    assert threads == {"thread of 12 messages"}  # one subject, one correspondent: 12 messages, not 36
    # 12 distinct messages, each in two Sent folders: 12, not 24, so not above 20
    assert not any(v["rule"] == "bulk-social-email" for r in got for v in r["violations"])

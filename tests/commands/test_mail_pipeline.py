"""`pdscan mail` runs through the pipeline: --jobs spreads messages over workers, --exclude skips them."""
from __future__ import annotations

import os
import time

from ..sources.mailboxes import OWNER, expected, make_maildir


def _lines(result) -> list:
    return [r for r in result.records() if r["type"] != "summary"]


def test_jobs_2_classifies_in_two_worker_processes_with_the_same_records(cli, tmp_path, monkeypatch):
    import pdscan.hooks.mail as hook
    box = tmp_path / "box"
    make_maildir(box)
    for n in range(60):  # enough messages that both workers get some
        (box / "cur" / f"extra{n}:2,S").write_text(
            f"From: hod@{OWNER}\nTo: me@{OWNER}\nMessage-ID: <x{n}@t>\nSubject: minutes {n}\n\n"
            "The agenda for the course review meeting.\n", encoding="utf-8")
    pids = tmp_path / "pids"
    classify = hook.classify

    def noting_pid(facts, rules):
        with open(pids, "a") as out:
            out.write(f"{os.getpid()}\n")
        time.sleep(0.01)  # no one worker can drain the queue before the other starts, even on a busy machine
        return classify(facts, rules)

    monkeypatch.setattr(hook, "classify", noting_pid)
    one = cli("mail", box, "--owner-domain", OWNER, "--format", "jsonl", "--no-progress", "--jobs", "1")
    pids.unlink()
    two = cli("mail", box, "--owner-domain", OWNER, "--format", "jsonl", "--no-progress", "--jobs", "2")
    assert (one.code, _lines(one)) == (two.code, _lines(two)) == (1, _lines(one))
    workers = set(pids.read_text().split())
    assert len(workers) == 2 and str(os.getpid()) not in workers


def test_exclude_skips_the_messages_of_a_mail_folder(cli, tmp_path):
    box = make_maildir(tmp_path / "box")
    result = cli("mail", box, "--owner-domain", OWNER, "--format", "jsonl", "--no-progress",
                 "--exclude", ".Projects")
    got = {r["message_id"] for r in result.records() if r["type"] == "message"}
    projects = {mid for mid, (folder, _kind) in expected().items() if folder == "Projects"}
    assert got == set(expected()) - projects and len(projects) == 2
    assert result.records()[-1]["skipped"] == {"excluded by pattern": 2}

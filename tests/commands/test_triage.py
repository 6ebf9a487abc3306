"""Triage (issue 23): `pdscan accept`, not-personal dismissals, policy exceptions, lapses, the audit trail.

The issue's "Done when" is `test_done_when`: three files with violations, one accepted until a date,
one marked not personal; the rescan exits 1 only for the third and the report counts 1 open, 1
accepted, 1 dismissed; editing the accepted file, or `--now` past its date, brings its violation back;
a policy exception for a folder does the same for everything under it.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re

import pytest

from pdscan.model import ACCEPTED, Decision, Finding, ItemResult, Violation
from pdscan.policy.triage import Triage
from pdscan.config import build

# Name, birth date and NI number in a column: personal data, unencrypted-personal-data (high).
CSV = "Name,Date of birth,NI number\n{name},10/12/1985,AB 12 34 56 C\n"
RULE = "unencrypted-personal-data"
TODAY = dt.datetime.now(dt.timezone.utc).date()
UNTIL = (TODAY + dt.timedelta(days=90)).isoformat()
AFTER = (TODAY + dt.timedelta(days=91)).isoformat()


def _files(folder, *names):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(CSV.format(name="Ada Lovelace"), encoding="utf-8")
    return folder


def _scan(cli, db, *args):
    result = cli("scan", *args, "--db", db, "--format", "jsonl", "--no-progress", "--jobs", 1)
    assert result.code in (0, 1), result
    items = {os.path.basename(r["path"]): r for r in result.records() if r["type"] == "item"}
    summary = result.records()[-1]
    return result.code, items, summary


def _open(items) -> dict:
    return {name: [v["rule"] for v in r["violations"]] for name, r in items.items()}


def _report(cli, tmp_path, db, fmt="json"):
    out = tmp_path / f"report.{ {'csv': 'zip'}.get(fmt, fmt)}"
    result = cli("report", "--db", db, "--format", fmt, "--output", out)
    assert result.code == 0, result
    return out


def _figures(cli, tmp_path, db) -> tuple:
    doc = json.loads(_report(cli, tmp_path, db).read_text(encoding="utf-8"))
    summary = {row[0]: row[1] for row in doc["tables"]["summary"]["rows"]}
    return (summary["Violations"], summary["Violations accepted"],
            summary["Violations dismissed (not personal data)"]), doc


def test_done_when(cli, tmp_path):
    folder = _files(tmp_path / "files", "accepted.csv", "test-data.csv", "third.csv")
    db = tmp_path / "store.db"
    code, items, _ = _scan(cli, db, folder)
    assert code == 1 and _open(items) == {n: [RULE] for n in ("accepted.csv", "test-data.csv", "third.csv")}

    accepted = folder / "accepted.csv"
    before = (accepted.read_bytes(), os.stat(accepted).st_mtime_ns, os.stat(accepted).st_ctime_ns)
    result = cli("accept", accepted, "--reason", "HR working file, moving to the encrypted share", "--until", UNTIL,
                 "--db", db)
    assert result.code == 0, result
    assert (accepted.read_bytes(), os.stat(accepted).st_mtime_ns, os.stat(accepted).st_ctime_ns) == before
    assert cli("accept", folder / "test-data.csv", "--not-personal", "--reason", "made-up learners",
               "--db", db).code == 0

    code, items, summary = _scan(cli, db, folder)
    assert code == 1 and _open(items) == {"accepted.csv": [], "test-data.csv": [], "third.csv": [RULE]}
    a, d = items["accepted.csv"]["accepted"], items["test-data.csv"]["accepted"]
    assert (a["status"], a["reason"], a["until"], a["source"], [v["rule"] for v in a["violations"]]) == \
        (ACCEPTED, "HR working file, moving to the encrypted share", UNTIL, "decision", [RULE])
    assert d["status"] == "not_personal" and d["by"] and items["test-data.csv"]["findings"]
    assert items["test-data.csv"]["personal"] is False and "accepted" not in items["third.csv"]
    assert (summary["violations"], summary["accepted"], summary["dismissed"]) == ({RULE: 1}, {RULE: 1}, {RULE: 1})
    assert _figures(cli, tmp_path, db)[0] == (1, 1, 1)
    # Only the third file makes the scan fail: it alone is open, in the CLI's text too.
    text = cli("scan", folder, "--db", db, "--no-progress", "--jobs", 1)
    assert text.code == 1 and "Violations open: 1; accepted: 1; dismissed as not personal data: 1." in text.out

    # --now past its date: back, but only as a what-if (the decision stays in force).
    code, items, _ = _scan(cli, db, folder, "--now", AFTER)
    assert code == 1 and _open(items)["accepted.csv"] == [RULE] and "accepted" not in items["accepted.csv"]
    assert _open(_scan(cli, db, folder)[1])["accepted.csv"] == []

    # Editing the accepted file brings it back, for good: the lapse is in the decision's history.
    with open(accepted, "a", encoding="utf-8") as out:
        out.write("Grace Hopper,09/12/1906,AB 12 34 56 C\n")
    code, items, _ = _scan(cli, db, folder)
    assert code == 1 and _open(items) == {"accepted.csv": [RULE], "test-data.csv": [], "third.csv": [RULE]}
    history = cli("accept", "--history", "--db", db).out
    assert re.search(r"decision 1 +lapsed .*accepted\.csv: the content changed", history), history
    assert _figures(cli, tmp_path, db)[0] == (2, 0, 1)

    # A policy exception for a folder does the same for everything under it.
    share = _files(tmp_path / "hr-share", "contracts.csv", "payroll.csv")
    policy = tmp_path / "site.toml"
    policy.write_text(f'[[exceptions]]\npaths = ["{share}/**"]\nreason = "encrypted at the server"\n'
                      f'approved_by = "J. Smith, DPO"\nuntil = {UNTIL}\n', encoding="utf-8")
    code, items, summary = _scan(cli, db, share, "--policy", policy)
    assert code == 0 and _open(items) == {"contracts.csv": [], "payroll.csv": []}
    assert {(r["accepted"]["source"], r["accepted"]["by"]) for r in items.values()} == {("policy", "J. Smith, DPO")}
    assert summary["accepted"] == {RULE: 2} and summary["violations"] == {}
    code, items, _ = _scan(cli, db, share, "--policy", policy, "--now", AFTER)
    assert code == 1 and _open(items) == {"contracts.csv": [RULE], "payroll.csv": [RULE]}


def test_the_same_counts_in_every_report_format(cli, tmp_path):
    folder = _files(tmp_path / "files", "a.csv", "b.csv", "c.csv")
    db = tmp_path / "store.db"
    _scan(cli, db, folder)
    cli("accept", folder / "a.csv", "--reason", "kept on purpose", "--until", UNTIL, "--db", db)
    cli("accept", folder / "b.csv", "--not-personal", "--reason", "fake", "--db", db)
    jsonl = tmp_path / "scan.jsonl"
    assert cli("scan", folder, "--db", db, "--format", "jsonl", "--output", jsonl, "--no-progress").code == 1
    figures, doc = _figures(cli, tmp_path, db)
    assert figures == (1, 1, 1)
    rows = doc["tables"]["triage"]["rows"]
    assert [(os.path.basename(r[1]), r[3], r[5], r[8], r[9]) for r in rows] == [
        ("a.csv", "accepted", "kept on purpose", UNTIL, "no"), ("b.csv", "not personal data", "fake", None, "no")]
    from_jsonl = cli("report", "--from", jsonl, "--format", "json", "--output", tmp_path / "j.json")
    assert from_jsonl.code == 0
    summary = {r[0]: r[1] for r in json.loads((tmp_path / "j.json").read_text())["tables"]["summary"]["rows"]}
    assert (summary["Violations"], summary["Violations accepted"]) == (1, 1)
    page = _report(cli, tmp_path, db, "html").read_text(encoding="utf-8")
    for figure in ("violations", "violations_accepted", "violations_dismissed_not_personal_data"):
        assert re.search(rf'data-figure="{figure}"><b>1</b>', page), figure
    assert "Accepted and dismissed" in page


def test_soon_lapsing_decisions_are_flagged(cli, tmp_path):
    folder = _files(tmp_path / "files", "a.csv")
    db = tmp_path / "store.db"
    _scan(cli, db, folder)
    soon = (TODAY + dt.timedelta(days=10)).isoformat()
    cli("accept", folder / "a.csv", "--reason", "review due", "--until", soon, "--db", db)
    _scan(cli, db, folder)
    rows = _figures(cli, tmp_path, db)[1]["tables"]["triage"]["rows"]
    assert [(r[8], r[9]) for r in rows] == [(soon, "yes")]
    assert "(lapsing soon)" in cli("accept", "--list", "--db", db).out


def test_incremental_reuse_is_judged_by_todays_decisions(cli, tmp_path):
    folder = _files(tmp_path / "files", "a.csv", "b.csv")
    db = tmp_path / "store.db"
    _scan(cli, db, folder)
    cli("accept", folder / "a.csv", "--reason", "kept", "--db", db)
    code, items, _ = _scan(cli, db, folder, "--incremental")
    assert code == 1 and _open(items) == {"a.csv": [], "b.csv": [RULE]}
    ident = items["a.csv"]["accepted"]["id"]
    assert cli("accept", "--revoke", ident, "--reason", "the share was not encrypted after all", "--db", db).code == 0
    # The stored (accepted) result is reused, and the revoked decision no longer covers it.
    code, items, _ = _scan(cli, db, folder, "--incremental")
    assert code == 1 and _open(items) == {"a.csv": [RULE], "b.csv": [RULE]}
    history = cli("accept", "--history", "--db", db).out
    assert re.search(rf"decision {ident} +revoked .*: the share was not encrypted after all", history), history
    assert cli("accept", "--list", "--db", db).out.strip() == "no decisions in force"
    assert "revoked" in cli("accept", "--list", "--all", "--db", db).out


def test_a_member_is_accepted_by_its_name(cli, tmp_path):
    import zipfile
    folder = tmp_path / "files"
    folder.mkdir()
    with zipfile.ZipFile(folder / "box.zip", "w") as archive:
        archive.writestr("keep.csv", CSV.format(name="Ada Lovelace"))
        archive.writestr("other.csv", CSV.format(name="Grace Hopper"))
    db = tmp_path / "store.db"
    _scan(cli, db, folder)
    assert cli("accept", f"{folder / 'box.zip'}!/keep.csv", "--reason", "archived exam board copy", "--db", db).code == 0
    result = cli("scan", folder, "--db", db, "--format", "jsonl", "--no-progress", "--jobs", 1)
    members = {r["member"]: r for r in result.records() if r["type"] == "item" and r["member"]}
    assert members["keep.csv"]["violations"] == [] and members["keep.csv"]["accepted"]["status"] == ACCEPTED
    assert members["other.csv"]["violations"] and result.code == 1


@pytest.mark.parametrize("args, message", [
    (["--reason", "x", "--until", "2001-01-01"], "--until 2001-01-01 has passed"),
    (["--reason", "x", "--until", "soon"], "--until must be a date"),
    (["--reason", " "], "--reason is required"),
])
def test_accept_refuses_bad_input(cli, tmp_path, args, message):
    folder = _files(tmp_path / "files", "a.csv")
    db = tmp_path / "store.db"
    _scan(cli, db, folder)
    result = cli("accept", folder / "a.csv", *args, "--db", db)
    assert result.code == 2 and message in result.err and len(result.err.splitlines()) == 1


def test_accept_needs_the_item_as_scanned(cli, tmp_path):
    folder = _files(tmp_path / "files", "a.csv", "clean.txt")
    (folder / "clean.txt").write_text("nothing here\n")
    db = tmp_path / "store.db"
    assert cli("accept", folder / "a.csv", "--reason", "x", "--db", db).code == 2  # no store yet
    _scan(cli, db, folder)
    result = cli("accept", folder / "clean.txt", "--reason", "x", "--db", db)
    assert result.code == 2 and "nothing to accept" in result.err
    with open(folder / "a.csv", "a", encoding="utf-8") as out:
        out.write("\n")
    result = cli("accept", folder / "a.csv", "--reason", "x", "--db", db)
    assert result.code == 2 and "changed since its last scan" in result.err
    result = cli("accept", "--revoke", 99, "--db", db)
    assert result.code == 2 and "no decision 99" in result.err


@pytest.mark.parametrize("body, message", [
    ('paths = ["x/**"]\nreason = "r"\napproved_by = "a"\nuntil = 2001-01-01\n', "until 2001-01-01 has passed"),
    ('paths = ["x/**"]\nreason = "r"\napproved_by = "a"\nuntl = 2099-01-01\n', "unknown key 'untl'"),
    ('paths = ["x/**"]\nreason = "r"\n', "approved_by must be a non-empty string"),
    ('paths = []\nreason = "r"\napproved_by = "a"\n', "paths must be a non-empty list"),
    ('paths = ["x/**"]\nreason = "r"\napproved_by = "a"\nrule = "no-such-rule"\n', "rule must be one of"),
])
def test_policy_exceptions_are_checked(cli, tmp_path, body, message):
    policy = tmp_path / "site.toml"
    policy.write_text("[[exceptions]]\n" + body, encoding="utf-8")
    folder = _files(tmp_path / "files", "a.csv")
    result = cli("scan", folder, "--policy", policy, "--no-progress", "--db", tmp_path / "s.db")
    assert result.code == 2 and message in result.err and len(result.err.splitlines()) == 1


def _record(*detectors) -> ItemResult:
    return ItemResult("/data/a.csv", None, "text/csv", 10, None, False,
                      findings=[Finding(d, 1, "high", []) for d in detectors],
                      violations=[Violation(RULE, "high", "")], personal=True)


def test_a_new_kind_of_finding_lapses_a_decision():
    decision = Decision(7, "host", "/data/a.csv", None, "h1", ACCEPTED, None, ("uk.nino",), "kept", "it", "t", None)
    triage = Triage(build().policy, lambda path: "h1", [decision])
    same = triage.apply(_record("uk.nino"))
    assert same.violations == [] and same.accepted.id == 7 and same.lapsed is None
    more = triage.apply(_record("uk.nino", "special.health"))
    assert more.violations and more.accepted is None and more.lapsed == (7, "a new kind of finding: special.health")
    # Applied again (a stored result reused), a record is judged afresh, not twice.
    assert triage.apply(triage.apply(_record("uk.nino"))).accepted.violations == (Violation(RULE, "high", ""),)


def test_an_accepted_retention_verdict_is_never_planned(cli, tmp_path):
    from pdscan.remediate.plan import read_plan
    from tests.commands.college import NOW, PLANNED, make_tree
    college, db, plan = tmp_path / "college", tmp_path / "store.db", tmp_path / "plan.json"
    make_tree(college)
    args = ("retention", college, "--now", NOW, "--jobs", 1, "--db", db, "--no-progress")
    assert cli(*args, "--plan-out", plan).code == 1
    kept = sorted(PLANNED)[0]
    result = cli("accept", college / kept, "--rule", "retention-expired", "--reason", "tribunal pending: keep",
                 "--db", db)
    assert result.code == 0, result
    result = cli(*args, "--plan-out", plan, "--format", "jsonl")
    assert result.code == 1
    item = next(r for r in result.records() if r["type"] == "item" and r["path"] == str(college / kept))
    assert item["violations"] == [] and item["accepted"]["violations"][0]["rule"] == "retention-expired"
    assert result.records()[-1]["accepted"] == {"retention-expired": 1}
    assert {os.path.relpath(e.path, college) for e in read_plan(str(plan)).entries} == PLANNED - {kept}
    report = json.loads(_report(cli, tmp_path, db).read_text(encoding="utf-8"))
    summary = {row[0]: row[1] for row in report["tables"]["summary"]["rows"]}
    assert summary["Violations accepted"] == 1
    assert [os.path.basename(r[1]) for r in report["tables"]["triage"]["rows"]] == [os.path.basename(kept)]


@pytest.mark.parametrize("args", [["--list"], ["--revoke", "1", "--reason", "x"], ["PATH", "--reason", "x"]])
def test_accept_on_a_central_store_says_where_decisions_are_made(cli, tmp_path, args):
    args = [str(tmp_path) if a == "PATH" else a for a in args]
    result = cli("accept", *args, "--db", "postgresql://dpo@127.0.0.1:1/pdscan")
    assert result.code == 2 and "decisions are kept on the endpoint" in result.err, result
    assert len(result.err.splitlines()) == 1

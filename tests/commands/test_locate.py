"""`pdscan locate` (issue 20): three endpoints' files about 20 people, scanned into one store under
three host names; one person's items found by NI number, by email and by name with date of birth,
nothing about the others; the erasure plan shreds exactly their files; and no file pdscan wrote
holds any value that was looked up."""
from __future__ import annotations

import json
import os
import pty
import select
import socket
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_cli

GIVEN = ["Sarah", "James", "Aisha", "Oliver", "Emily", "Mohammed", "Grace", "Daniel", "Chloe", "Thomas",
         "Priya", "Jack", "Hannah", "Samuel", "Zara", "Lucy", "Adam", "Sophie", "Ryan", "Megan"]
FAMILY = ["Jones", "Taylor", "Khan", "Wilson", "Evans", "Ali", "Roberts", "Walker", "Wright", "Hughes",
          "Patel", "Green", "Hall", "Wood", "Hussain", "Clarke", "Lewis", "Turner", "Hill", "Moore"]
PREFIXES = ["AB", "CE", "HJ", "JK", "LM", "NP", "RS", "SW", "WX", "YA"]
DOMAINS = ["gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk"]
HOSTS = ("admissions-pc", "tutor-laptop", "pastoral-pc")
WHO = 3         # the person the requests are about
TWIN = 13       # shares WHO's date of birth: name and birth date must match together


def people() -> list:
    out = []
    for n in range(20):
        day, month, year = 1 + n, 1 + n % 12, 2000 + n % 6
        if n == TWIN:
            day, month, year = 1 + WHO, 1 + WHO % 12, 2000 + WHO % 6
        out.append({
            "name": f"{GIVEN[n]} {FAMILY[n]}",
            "nino": f"{PREFIXES[n % 10]}{37 + n:02d}{48 + n:02d}{61 + n:02d}{'ABCD'[n % 4]}",
            "email": f"{GIVEN[n].lower()}.{FAMILY[n].lower()}{n}@{DOMAINS[n % 4]}",
            "dob": (day, month, year),
        })
    return out


def write_endpoints(root: Path, everyone: list) -> dict:
    """Three hosts' folders; returns {relative path or path!/member: set of people it is about}."""
    about: dict = {}
    for host in HOSTS:
        (root / host).mkdir(parents=True)
    for n, p in enumerate(everyone):
        d, m, y = p["dob"]
        letter = root / HOSTS[0] / f"letter-{n:02d}.txt"
        letter.write_text(f"Dear {p['name']},\n\nYour enrolment is confirmed.\nNI number: {p['nino']}\n"
                          f"Date of birth: {d:02d}/{m:02d}/{y}\n\nAdmissions Office\n", encoding="utf-8")
        about[f"{HOSTS[0]}/letter-{n:02d}.txt"] = {n}
        note = root / HOSTS[2] / f"note-{n:02d}.txt"
        note.write_text(f"Pastoral note\nEmail: {p['email']}\nFollow up next week.\n", encoding="utf-8")
        about[f"{HOSTS[2]}/note-{n:02d}.txt"] = {n}
        # A name alone names no one for certain: never a match on its own.
        (root / HOSTS[1] / f"mention-{n:02d}.txt").write_text(f"Student: {p['name']}\nAttended the trip.\n",
                                                             encoding="utf-8")
    for group in range(4):
        members = range(group * 5, group * 5 + 5)
        rows = "".join(f"{everyone[n]['name']},{_long_date(everyone[n]['dob'])},{everyone[n]['email']}\n"
                       for n in members)
        (root / HOSTS[1] / f"class-{group}.csv").write_text("Name,Date of birth,Email\n" + rows, encoding="utf-8")
        about[f"{HOSTS[1]}/class-{group}.csv"] = set(members)
        referrals = "Name,NI number\n" + "".join(f"{everyone[n]['name']},{everyone[n]['nino']}\n" for n in members)
        with zipfile.ZipFile(root / HOSTS[2] / f"referrals-{group}.zip", "w") as zf:
            zf.writestr("referrals.csv", referrals)
        about[f"{HOSTS[2]}/referrals-{group}.zip!/referrals.csv"] = set(members)
    return about


def _long_date(dob) -> str:
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
    return f"{dob[0]} {months[dob[1] - 1]} {dob[2]}"


@pytest.fixture
def fleet(tmp_path, monkeypatch):
    """Scanned endpoints, each under its own host name, into one store; a data folder of the test's own."""
    monkeypatch.setenv("PDSCAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PDSCAN_KEY_FILE", raising=False)
    monkeypatch.delenv("PDSCAN_HASH_KEY_FILE", raising=False)
    everyone = people()
    about = write_endpoints(tmp_path / "endpoints", everyone)
    out = tmp_path / "written"
    out.mkdir()
    real_hostname = socket.gethostname
    db = out / "store.db"
    for host in HOSTS:
        monkeypatch.setattr(socket, "gethostname", lambda host=host: host)  # the store records the scan's host
        r = run_cli("scan", tmp_path / "endpoints" / host, "--db", db, "--jobs", 1, "--no-progress",
                    "--format", "jsonl", "--output", out / f"scan-{host}.jsonl")
        assert r.code == 1, r
    monkeypatch.setattr(socket, "gethostname", real_hostname)
    return tmp_path, everyone, about, db, out


def request(tmp_path: Path, name: str, fields: dict) -> Path:
    path = tmp_path / "requests" / f"{name}.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in fields.items()), encoding="utf-8")
    return path


def located(root: Path, records: list) -> set:
    names = set()
    for r in records:
        if r["type"] == "located":
            rel = os.path.relpath(r["path"], root)
            names.add(f"{rel}!/{r['member']}" if r["member"] else rel)
    return names


def expected(about: dict, kinds_in: dict, who: int = WHO) -> set:
    return {name for name, whom in about.items() if who in whom and kinds_in(name)}


def test_locate_finds_every_item_about_one_person_and_nothing_about_the_others(fleet):
    tmp_path, everyone, about, db, out = fleet
    root = tmp_path / "endpoints"
    p = everyone[WHO]
    d, m, y = p["dob"]
    letters, notes = {n for n in about if "/letter-" in n}, {n for n in about if "/note-" in n}
    classes, referrals = {n for n in about if "/class-" in n}, {n for n in about if "/referrals-" in n}

    by_nino = run_cli("locate", "--request", request(tmp_path, "nino", {"nino": p["nino"]}), "--db", db,
                      "--format", "jsonl", "--output", out / "by-nino.jsonl")
    assert by_nino.code == 1, by_nino
    records = [json.loads(line) for line in (out / "by-nino.jsonl").read_text().splitlines()]
    assert located(root, records) == expected(about, (letters | referrals).__contains__)
    records = [r for r in records if r["type"] == "located"]
    assert {r["host"] for r in records} == {HOSTS[0], HOSTS[2]}
    assert all(r["matched"] == ["nino"] and r["strength"] == "strong" and r["encrypted"] is False for r in records)
    assert {r["erasure"] for r in records if r["member"]} == {"manual"}

    by_email = run_cli("locate", "--request", request(tmp_path, "email", {"email": p["email"].upper()}),
                       "--db", db, "--format", "jsonl")
    assert located(root, by_email.records()) == expected(about, (notes | classes).__contains__)

    # Written as the person gave it, not as the files spell it (12/03/2005, 12 March 2005).
    by_name = run_cli("locate", "--request", request(tmp_path, "name", {"name": p["name"],
                                                                       "dob": f"{y}-{m:02d}-{d:02d}"}),
                      "--db", db, "--format", "jsonl")
    assert located(root, by_name.records()) == expected(about, (letters | classes).__contains__)
    # The twin shares the date of birth, and the mentions carry the name alone: neither is listed.
    summary = by_name.records()[-1]
    assert summary["type"] == "locate_summary" and summary["items"] == summary["strong"] == 2

    text = run_cli("locate", "--request", request(tmp_path, "name", {"name": p["name"], "dob": f"{d}/{m}/{y}"}),
                   "--db", db)
    assert text.code == 1 and f"{HOSTS[0]}: {root / HOSTS[0] / f'letter-{WHO:02d}.txt'}" in text.out
    assert "matched: name, dob; not encrypted; last seen " in text.out


def test_erasure_plan_shreds_exactly_their_files_and_nothing_written_holds_a_looked_up_value(fleet):
    tmp_path, everyone, about, db, out = fleet
    root = tmp_path / "endpoints"
    p = everyone[WHO]
    d, m, y = p["dob"]
    fields = {"nino": p["nino"], "email": p["email"], "name": p["name"], "dob": f"{d:02d}/{m:02d}/{y}"}
    plan = out / "plan.json"
    r = run_cli("locate", "--request", request(tmp_path, "all", fields), "--db", db, "--plan-out", plan,
                "--format", "jsonl", "--output", out / "erasure.jsonl")
    assert r.code == 1, r
    records = [json.loads(line) for line in (out / "erasure.jsonl").read_text().splitlines()]
    ours = {n for n, whom in about.items() if WHO in whom}
    assert located(root, records) == ours
    whole_files = {n for n in ours if "!/" not in n}
    assert {os.path.relpath(e["path"], root) for e in json.loads(plan.read_text())["entries"]} == whole_files
    manual = [x for x in records if x["type"] == "located" and x["member"]]
    assert manual and all(x["planned"] is False and "by hand" in x["not_planned"] for x in manual)

    before = {f for f in root.rglob("*") if f.is_file()}
    shred = run_cli("shred", "--plan", plan, "--yes", "--audit-log", out / "shred-audit.jsonl")
    assert shred.code == 0, shred
    after = {f for f in root.rglob("*") if f.is_file()}
    assert before - after == {root / n for n in whole_files}

    # Every file pdscan wrote (store and its WAL, outputs, plan, audit log, key folder), in every
    # spelling of the values looked up: none holds one.
    spaced = " ".join((p["nino"][:2], p["nino"][2:4], p["nino"][4:6], p["nino"][6:8], p["nino"][8]))
    values = {p["nino"], spaced, p["email"], p["email"].split("@")[0], p["name"],
              p["name"].replace(" ", ""), fields["dob"], f"{y}-{m:02d}-{d:02d}", _long_date(p["dob"])}
    written = [f for f in list(out.rglob("*")) + list((tmp_path / "data").rglob("*")) if f.is_file()]
    assert len(written) >= 8
    for f in written:
        data = f.read_bytes().lower()
        for v in values:
            assert v.lower().encode() not in data, (f.name, "holds a looked-up value")


def test_hashes_under_another_key_are_refused_until_the_host_is_rescanned(fleet, monkeypatch):
    tmp_path, everyone, about, db, out = fleet
    college = tmp_path / "college.key"
    college.write_bytes(os.urandom(32))
    college.chmod(0o600)
    monkeypatch.setenv("PDSCAN_HASH_KEY_FILE", str(college))   # IT's college-wide key, on one host so far
    monkeypatch.setattr(socket, "gethostname", lambda: HOSTS[1])
    assert run_cli("scan", tmp_path / "endpoints" / HOSTS[1], "--db", db, "--jobs", 1, "--no-progress",
                   "--format", "jsonl").code == 1
    req = request(tmp_path, "email", {"email": everyone[WHO]["email"]})
    r = run_cli("locate", "--request", req, "--db", db)
    assert r.code == 2
    assert "cannot compare" in r.err and f"({HOSTS[0]}: 1 scan(s) hashed under key id" in r.err
    assert HOSTS[1] not in r.err  # rescanned under this key: its older scan is replaced
    for host in (HOSTS[0], HOSTS[2]):  # rotation: the next scan rehashes under the new key
        monkeypatch.setattr(socket, "gethostname", lambda host=host: host)
        assert run_cli("scan", tmp_path / "endpoints" / host, "--db", db, "--jobs", 1, "--no-progress",
                       "--format", "jsonl", "--incremental").code == 1
    r = run_cli("locate", "--request", req, "--db", db, "--format", "jsonl")
    assert r.code == 1, r
    assert located(tmp_path / "endpoints", r.records()) == {f"{HOSTS[1]}/class-0.csv", f"{HOSTS[2]}/note-{WHO:02d}.txt"}
    # The install key alone no longer compares with this store.
    monkeypatch.delenv("PDSCAN_HASH_KEY_FILE")
    assert run_cli("locate", "--request", req, "--db", db).code == 2


def test_an_edited_or_deleted_file_no_longer_holds_the_data(fleet, monkeypatch):
    tmp_path, everyone, about, db, out = fleet
    root = tmp_path / "endpoints"
    (root / HOSTS[2] / f"note-{WHO:02d}.txt").write_text("Pastoral note\nResolved.\n", encoding="utf-8")
    (root / HOSTS[1] / "class-0.csv").unlink()
    for host in HOSTS[1:]:
        monkeypatch.setattr(socket, "gethostname", lambda host=host: host)
        run_cli("scan", root / host, "--db", db, "--jobs", 1, "--no-progress", "--format", "jsonl")
    r = run_cli("locate", "--request", request(tmp_path, "email", {"email": everyone[WHO]["email"]}), "--db", db,
                "--format", "jsonl")
    assert r.code == 0 and located(root, r.records()) == set(), r


def test_a_name_written_surname_first_is_the_name_the_person_gives(tmp_path, monkeypatch):
    """An MIS export writes "WILSON, Oliver" under "Learner"; the request says "Oliver Wilson"."""
    monkeypatch.setenv("PDSCAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PDSCAN_HASH_KEY_FILE", raising=False)
    p = people()[WHO]
    given, family = p["name"].split()
    d, m, y = p["dob"]
    files = tmp_path / "files"
    files.mkdir()
    row = f"{d:02d}/{m:02d}/{y}"
    (files / "mis-export.csv").write_text(f'Learner,Date of birth\n"{family.upper()}, {given}",{row}\n'
                                          f'"JONES, Sarah",05/05/2002\n', encoding="utf-8")
    # Same birth date, same given name, another family: someone else.
    (files / "other.csv").write_text(f'Learner,Date of birth\n"HUGHES, {given}",{row}\n', encoding="utf-8")
    db = tmp_path / "store.db"
    assert run_cli("scan", files, "--db", db, "--jobs", 1, "--no-progress", "--format", "jsonl").code == 1
    r = run_cli("locate", "--request", request(tmp_path, "name", {"name": p["name"], "dob": f"{y}-{m:02d}-{d:02d}"}),
                "--db", db, "--format", "jsonl")
    assert r.code == 1, r
    assert located(files, r.records()) == {"mis-export.csv"}
    # A title and a family name are not a full name: the request is refused, not answered with nothing.
    r = run_cli("locate", "--request", request(tmp_path, "title", {"name": f"Mr {family}", "dob": row}), "--db", db)
    assert r.code == 2 and "must be a full name" in r.err, r


def test_bad_requests_are_refused_without_quoting_a_value(fleet):
    tmp_path, everyone, about, db, out = fleet
    cases = [({"nino": "QQ123456Z"}, "nino (1st value) is not a valid National Insurance number"),
             ({"name": everyone[WHO]["name"]}, "a name or a date of birth alone identifies no one"),
             ({"email": [everyone[WHO]["email"], "not an address"]}, "email (2nd value) is not a valid"),
             ({"nino_number": everyone[WHO]["nino"]}, "1 unknown field(s)")]
    for fields, message in cases:
        r = run_cli("locate", "--request", request(tmp_path, "bad", fields), "--db", db)
        assert r.code == 2 and message in r.err, r
        assert "QQ123456Z" not in r.err and everyone[WHO]["email"] not in r.err and "not an address" not in r.err


def test_the_prompt_does_not_echo_and_finds_the_same_items(fleet):
    """Typed at a terminal (a pseudo-terminal here): nothing typed is shown or lands in argv, and the
    process cannot leave a core file holding it."""
    tmp_path, everyone, about, db, out = fleet
    p = everyone[WHO]
    answers = {"National Insurance number": p["nino"], "email address": f"{p['email']}; {everyone[0]['email']}"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: pdscan on the pseudo-terminal
        os.execve(sys.executable, [sys.executable, "-m", "pdscan", "locate", "--db", str(db), "--format", "jsonl",
                                   "--output", str(out / "prompted.jsonl")], dict(os.environ))
    shown, asked = b"", 0
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        assert ready, f"no prompt within a minute: {shown[-200:]!r}"
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
        while shown.count(b"(Enter to skip") > asked:
            if asked == 0:  # values are about to be in its memory: a crash must not dump them to disk
                limits = Path(f"/proc/{pid}/limits").read_text()
                assert [line.split()[4:6] for line in limits.splitlines() if line.startswith("Max core")] == \
                    [["0", "0"]], limits
            prompt = shown.rsplit(b"\n", 1)[-1].decode(errors="replace")
            os.write(fd, next((v for k, v in answers.items() if prompt.startswith(k)), "").encode() + b"\n")
            asked += 1
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 1, shown
    assert asked == 9
    for value in (p["nino"], p["email"], everyone[0]["email"]):
        assert value.encode() not in shown
    records = [json.loads(line) for line in (out / "prompted.jsonl").read_text().splitlines()]
    found = {os.path.relpath(r["path"], tmp_path / "endpoints") for r in records if r["type"] == "located"}
    assert f"{HOSTS[0]}/letter-{WHO:02d}.txt" in found and f"{HOSTS[2]}/note-00.txt" in found

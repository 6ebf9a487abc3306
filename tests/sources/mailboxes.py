"""One set of messages, written as a Maildir++, a Thunderbird mbox tree, an .eml folder and a plain tree.

Every test that reads them in more than one layout expects the same
folders, classifications and findings from each.
"""
from __future__ import annotations

from pathlib import Path

OWNER = "college.ac.uk"


def _message(n: int, sender: str, to: str, subject: str, body: str, first: str = "From") -> bytes:
    headers = [f"From: {sender}", f"To: {to}", f"Subject: {subject}",
               f"Date: Mon, {n} Jan 2024 09:30:00 +0000", f"Message-ID: <m{n}@test.example>",
               "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    if first != "From":  # the Enron export starts with Message-ID
        headers.insert(0, headers.pop(4))
    return ("\n".join(headers) + "\n\n" + body + "\n").encode("utf-8")


# (folder, sender, to, subject, body, expected classification)
MESSAGES = [
    ("Inbox", "Head of Department <hod@college.ac.uk>", "me@college.ac.uk", "Timetable for next term",
     ("Hi,\nthe timetable for the Level 2 learners is attached to the agenda for Thursday's staff meeting.\n"
      "Please check the assessment deadlines.\nKind regards"), "work"),
    ("Inbox", "Accounts <accounts@stationers.co.uk>", "me@college.ac.uk", "Invoice 4411",
     "Please find attached invoice 4411 for purchase order PO-2231 (exam stationery).\nRegards", "work"),
    ("Inbox", "HR <hr@college.ac.uk>", "me@college.ac.uk", "New starter paperwork",
     ("The new starter's National Insurance number is AB123456C; please add it to the payroll form "
      "before the induction meeting."), "work"),
    ("Inbox", "Jo Smith <jo.smith@gmail.com>", "me@college.ac.uk", "Mum's birthday this weekend",
     "Are you coming to mum's birthday party this weekend? Dad is doing a bbq. Love you xx", "personal"),
    ("Projects", "me@college.ac.uk", "sam.partner@hotmail.co.uk", "dinner tonight?",
     "Shall we book the pub for our anniversary this weekend? Then the dentist on Monday. xx", "personal"),
    ("Projects", "Curriculum <curriculum@college.ac.uk>", "me@college.ac.uk", "Course review",
     ("Minutes of the course review: learners' attendance and achievement, action points for the "
      "scheme of work."), "work"),
    ("Personal/Family", "Dad <dad@btinternet.com>", "me@college.ac.uk", "Holiday photos",
     "Photos from the holiday. My new passport came; NI number AB123456C for the form.", "personal"),
]
FOLDERS = {"Inbox": 4, "Projects": 2, "Personal/Family": 1}


def messages(first: str = "From"):
    for n, (folder, sender, to, subject, body, _kind) in enumerate(MESSAGES, start=1):
        yield n, folder, _message(n, sender, to, subject, body, first)


def make_maildir(root: Path) -> Path:
    """Maildir++: the Inbox in cur/ and new/, subfolders as `.Projects`, `.Personal.Family`."""
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "tmp" / "1700000099.M9P9.host").write_bytes(_message(99, "x@y.com", "z@y.com", "arriving", "not yet"))
    for n, folder, data in messages():
        base = root if folder == "Inbox" else root / ("." + folder.replace("/", "."))
        for sub in ("cur", "new", "tmp"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        where = "new" if n == 2 else "cur"
        (base / where / f"17000000{n:02d}.M{n}P{n}.host:2,S").write_bytes(data)
    return root


def make_mbox_tree(root: Path) -> Path:
    """Thunderbird: an mbox file per folder, subfolders under `Name.sbd/`, index files beside them."""
    root.mkdir(parents=True, exist_ok=True)
    boxes: dict = {}
    for n, folder, data in messages():
        boxes.setdefault(folder, []).append(b"From - Mon Jan  1 09:30:00 2024\n" + data + b"\n")
    for folder, parts in boxes.items():
        path = root / "/".join(p + ".sbd" for p in folder.split("/")[:-1]) / folder.split("/")[-1]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(parts))
        (path.parent / (path.name + ".msf")).write_text("// <!-- <mdb:mork:z v=\"1.4\"/> -->\n")
    (root / "Personal").write_bytes(b"")  # Thunderbird keeps an (empty) mbox beside Personal.sbd
    return root


def make_eml_tree(root: Path, suffix: str = ".eml", first: str = "From") -> Path:
    """A folder per mail folder, a file per message (`.eml`, or no extension like the Enron export)."""
    for n, folder, data in messages(first):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / f"{n}{suffix}").write_bytes(data)
    (root / "Inbox" / "notes.txt").write_text("not a message, just notes\n")
    return root


def expected() -> dict:
    """Message-ID → (folder, classification)."""
    return {f"<m{n}@test.example>": (m[0], m[5]) for n, m in enumerate(MESSAGES, start=1)}

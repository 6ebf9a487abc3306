"""Messages per second of `pdscan mail` on a Maildir of small text mails (target: at least 300/s).

    python bench/mail_speed.py /tmp/pdscan-mail          # 5,000 messages, 5 runs
    python bench/mail_speed.py /tmp/pdscan-mail --runs 3 --jobs 1 2   # each --jobs N in the same run

Writes a Maildir++ of MESSAGES small plain-text mails (Inbox, Sent, Courses;
work and personal wording; about 1 in 40 carries an NI number, phone or
email address in its body), then times RUNS whole-process runs of
`python -m pdscan mail FOLDER --format jsonl --output /dev/null`.
The baseline, timed in the same run on the same machine, is the least any
Python mail tool pays: the standard library's `mailbox.Maildir` walking the
same folders and parsing every message with the `email` package
(`policy.default`), reading each text body. Reports medians and the ratio. With --jobs, pdscan is timed once per N given
(`--jobs N`), the runs interleaved so that load on the machine falls on each alike.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ("The learners' timetable for Level 2 is on the agenda for Thursday's staff meeting.",
        "Please find attached the minutes and the action points from the course review.",
        "Could you check the assessment deadlines for the BTEC unit before moderation?",
        "Invoice 4411 for purchase order PO-2231 is approved; the budget code is below.")
PERSONAL = ("Are you coming to mum's birthday party this weekend? Bring the kids, love you xx",
            "Your order has been dispatched and is out for delivery today.",
            "Dentist moved my appointment to Friday, can you do the school run?",
            "Flights for the holiday are booked! Villa has a pool. xx")
IDENTIFIERS = ("My NI number is AB 12 34 56 C for the form.", "Call me on 07700 900123.",
               "Write to j.bloggs@northfield.ac.uk about it.")
PEOPLE = ("hod@northfield.ac.uk", "exams@northfield.ac.uk", "sis@icloud.com", "pal@gmail.com",
          "orders@shop.example.com")
BASELINE = """
import mailbox, sys
from email import policy
from email.parser import BytesParser
parser = BytesParser(policy=policy.default)
root = mailbox.Maildir(sys.argv[1], factory=None, create=False)
count = 0
for folder in [root] + [root.get_folder(name) for name in root.list_folders()]:
    for key in folder.iterkeys():
        with folder.get_file(key) as f:
            msg = parser.parse(f)
        body = msg.get_body(preferencelist=("plain", "html"))
        if body is not None:
            body.get_content()
        count += 1
print(count)
"""


def make_maildir(root: Path, messages: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
    folders = [root, root / ".Sent", root / ".Courses"]
    for folder in folders:
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
    for n in range(messages):
        base = rng.choice(folders)
        lines = [rng.choice(rng.choice((WORK, PERSONAL))) for _ in range(rng.randint(2, 8))]
        if n % 40 == 0:
            lines.insert(1, rng.choice(IDENTIFIERS))
        when = start + timedelta(minutes=37 * n)
        text = (f"From: {rng.choice(PEOPLE)}\nTo: me@northfield.ac.uk\nSubject: Message {n}\n"
                f"Date: {format_datetime(when)}\nMessage-ID: <bench{n}@northfield.ac.uk>\n"
                "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nHi,\n\n"
                + "\n".join(lines) + "\n\nThanks\n")
        (base / "cur" / f"{1767600000 + n}.M{n}P1.bench:2,S").write_text(text, encoding="utf-8")


def timed(argv: list, env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{argv[:4]} failed: {done.stderr.decode(errors='replace')[-1500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, nargs="+", metavar="N",
                        help="time pdscan with each --jobs N (default: pdscan's own default, all cores)")
    args = parser.parse_args()
    box = args.folder / "maildir"
    if not (box / "cur").is_dir():
        make_maildir(box, args.messages)
    count = sum(1 for _ in box.rglob("cur/*"))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PDSCAN_DATA_DIR": str(args.folder / "data")}
    pdscan = [sys.executable, "-m", "pdscan", "mail", str(box), "--format", "jsonl", "--output", os.devnull,
              "--owner-domain", "northfield.ac.uk", "--no-progress"]
    baseline = [sys.executable, "-c", BASELINE, str(box)]
    runs = {f"pdscan --jobs {n}": pdscan + ["--jobs", str(n)] for n in args.jobs} if args.jobs else {"pdscan": pdscan}
    runs["stdlib parse"] = baseline
    times: dict = {name: [] for name in runs}
    for _ in range(args.runs):
        for name, argv in runs.items():
            times[name].append(timed(argv, env))
    medians = {k: statistics.median(v) for k, v in times.items()}
    first = next(iter(runs))
    result = {"messages": count, "runs": args.runs, "cores": len(os.sched_getaffinity(0)),
              **{f"{k} median s": round(v, 2) for k, v in medians.items()},
              **{f"{k} messages/s": round(count / v) for k, v in medians.items()},
              f"{first} / stdlib time": round(medians[first] / medians["stdlib parse"], 2)}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

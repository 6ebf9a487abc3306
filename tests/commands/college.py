"""A small tree of college documents with back-dated files, and an in-process runner
for the retention and shred commands (not yet in cli.COMMANDS when written)."""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import time

from pdscan.errors import PdscanError

NOW = "2026-11-29"

# relative path → (content, modified date); every file holds personal data but other/notes.txt.
FILES = {
    "Learners/leavers-2015.csv": ("Name,ULN,Date of birth,Leaving date\n"
                                  "Ann Baker,1234567899,01/02/1997,31/07/2015\n", "2016-01-10"),
    # Back-dated file, but its content says the learner left in 2023: kept until 2029.
    "Learners/leavers-2023.csv": ("Name,ULN,Date of birth,Leaving date\n"
                                  "Ben Carter,5554443337,03/04/2005,31/07/2023\n", "2016-01-10"),
    "HR/staff-2012.txt": ("Staff file\nName: Carol White\nNI number: AB 12 34 56 C\n"
                          "Date of birth: 05/06/1970\nLeaving date: 31 August 2012\n", "2013-02-01"),
    "HR/staff-current.txt": ("Staff file\nName: Dan Evans\nNI number: JG103759A\n"
                             "Date of birth: 07/08/1980\n", "2025-03-01"),
    "Admissions/applicant-2025.txt": ("We regret to inform you that your application was unsuccessful.\n"
                                      "ULN: 1234567899\nDate of birth: 09/10/2008\n", "2025-01-15"),
    "Safeguarding/concern-2000.txt": ("Cause for concern\nLearner ULN: 5554443337\n"
                                      "Date of birth: 11/12/1984\n", "2000-03-01"),
    "Payroll/payroll-2018.txt": ("Payroll August 2018\nNI number: ZR 77 66 55 B\n"
                                 "Sort code: 40-47-84, Account number: 31926819\n", "2018-08-15"),
    "Payroll/payroll-2020.txt": ("Payroll August 2020\nNI number: OA 01 23 45 D\n"
                                 "Sort code: 20-00-00, Account number: 12345678\n", "2020-08-15"),
    "ESF/Learners/esf-2012.csv": ("Name,ULN,Date of birth\nEve Fox,1234567899,02/03/1994\n", "2012-09-01"),
    "Correspondence/old.eml": ("From: Ann Baker <ann@example.org>\nTo: admissions@college.ac.uk\n"
                               "Date: Mon, 6 Jan 2020 10:00:00 +0000\nSubject: my details\n\n"
                               "My ULN is 1234567899 and my date of birth is 01/02/1997.\n", "2020-01-06"),
    # Back-dated file, recent Date header: the later date counts.
    "Correspondence/recent.eml": ("From: Ben Carter <ben@example.org>\nTo: admissions@college.ac.uk\n"
                                  "Date: Sun, 1 Jun 2025 10:00:00 +0000\nSubject: my details\n\n"
                                  "My ULN is 5554443337 and my date of birth is 03/04/2005.\n", "2015-01-01"),
    "Other/notes.txt": ("Minutes of the estates meeting. Roof repairs.\n", "2001-01-01"),
}
EXPIRED = {"Learners/leavers-2015.csv": ("learner-records", "delete"),
           "HR/staff-2012.txt": ("staff-files", "delete"),
           "Admissions/applicant-2025.txt": ("applicants-unsuccessful", "delete"),
           "Safeguarding/concern-2000.txt": ("safeguarding", "review"),
           "Payroll/payroll-2018.txt": ("payroll", "delete"),
           "Correspondence/old.eml": ("general-correspondence", "delete")}
PLANNED = {p for p, (_, action) in EXPIRED.items() if action == "delete"}


def make_tree(root) -> None:
    for rel, (text, day) in FILES.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        stamp = time.mktime(time.strptime(day + " 12:00", "%Y-%m-%d %H:%M"))
        os.utime(path, (stamp, stamp))


def tree_state(root) -> dict:
    """Every file's digest and times: a dry run must leave this unchanged."""
    state = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            with open(path, "rb") as f:
                state[os.path.relpath(path, root)] = (hashlib.sha256(f.read()).hexdigest(), st.st_mtime_ns,
                                                      st.st_size, st.st_ino)
    return state


class Result:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    def __repr__(self):
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def run(*argv) -> Result:
    """`pdscan retention|shred ARGS` in-process, with cli.py's mapping of errors to status 2."""
    from pdscan.commands import retention, shred
    parser = argparse.ArgumentParser(prog="pdscan")
    sub = parser.add_subparsers(dest="command", required=True)
    retention.add_parser(sub)
    shred.add_parser(sub)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        args = parser.parse_args([str(a) for a in argv])
        try:
            code = args.run(args)
        except PdscanError as exc:
            print(f"pdscan: {exc}", file=err)
            code = 2
    return Result(code, out.getvalue(), err.getvalue())

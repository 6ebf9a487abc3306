"""A staff laptop's folders (Documents, Desktop, Downloads, OneDrive): college files kept wherever their
owner saved them, back-dated, with the category and due verdict each should get as of NOW."""
from __future__ import annotations

import datetime as dt
import os

from openpyxl import Workbook

NOW = "2026-11-29"

CLASS_LIST = [["Course: Level 3 Business 2016-17"], [],
              ["Learner name", "ULN", "DOB", "Course", "End date"],
              ["Ann Baker", "1234567899", "01/02/1999", "BUS3", "14/07/2017"],
              ["Ben Carter", "5554443337", "03/04/1999", "BUS3", "14/07/2017"]]
EXAM_ENTRIES = [["Candidate number", "Candidate name", "ULN", "Qualification", "Entry code", "Grade"],
                ["4001", "Ann Baker", "1234567899", "A level Law", "H415", "B"],
                ["4002", "Ben Carter", "5554443337", "A level Law", "H415", "C"]]

# relative path → (content: text or rows of a workbook, modified day, category, action when due or None)
FILES = {
    "Documents/Class lists/L3 Business 2016-17.xlsx": (CLASS_LIST, "2017-09-01", "learner-records", "delete"),
    "Desktop/register.csv": ("Name,ULN,Date of birth\nCara Dent,1234567899,05/06/2007\n", "2024-09-10",
                             "learner-records", None),
    # Saved in 2016, but one learner left in 2022: kept until 2028.
    "Downloads/leavers export.csv": ("Learner,ULN,DOB,Leaving Date\nDan Evans,5554443337,07/08/1997,31/07/2015\n"
                                     "Eve Fox,1234567899,02/03/2003,29/07/2022\n", "2016-01-10",
                                     "learner-records", None),
    "Documents/return to work Dan.txt": ("Return to work meeting\nEmployee: Dan Evans\nNI number: JG103759A\n"
                                         "Sickness absence: 3 days; fit note received.\nDate: 14/03/2014\n",
                                         "2014-03-20", "staff-files", "delete"),
    "Documents/new starter Gil.txt": ("Staff file\nEmployee: Gil Hart\nNI number: AB 12 34 56 C\nJob title: "
                                      "Lecturer\nSafeguarding training completed 2012\nDate of leaving: "
                                      "31/08/2013\n", "2013-09-02", "staff-files", "delete"),
    "Downloads/payroll Aug 2018.csv": ("Employee,NI number,Sort code,Account number,Gross pay,Net pay,Pay date\n"
                                       "Ann Baker,ZR 77 66 55 B,40-47-84,31926819,2100.00,1650.00,31/08/2018\n",
                                       "2018-09-01", "payroll", "delete"),
    # End of the 2020-21 financial year (31 July 2021) + 6 years: not due.
    "Desktop/payroll March 2021.csv": ("Employee,NI number,Sort code,Account number,Gross pay,Net pay\n"
                                       "Ben Carter,OA 01 23 45 D,20-00-00,12345678,2000.00,1600.00\n",
                                       "2021-04-01", "payroll", None),
    "Documents/exam entries June 2015.xlsx": (EXAM_ENTRIES, "2015-08-20", "exams-assessment", "delete"),
    "OneDrive - College/concern.txt": ("Record of concern\nLearner: Ann Baker\nDate of birth: 01/02/1984\n"
                                       "Reported to the DSL on 03/02/2001.\n", "2001-02-03", "safeguarding", "review"),
    "Downloads/application outcome.txt": ("Dear Ms Dent,\nWe regret to inform you that your application has been "
                                          "unsuccessful.\nULN: 1234567899\nDate of birth: 09/10/2008\n",
                                          "2025-02-01", "applicants-unsuccessful", "delete"),
    "Documents/Mail/enquiry.eml": ("From: Ann Baker <ann@example.org>\nTo: info@college.ac.uk\n"
                                   "Date: Mon, 6 Jan 2020 10:00:00 +0000\nSubject: course enquiry\n\n"
                                   "My phone is 07700 900123 and my date of birth is 01/02/1997.\n",
                                   "2020-01-06", "general-correspondence", "delete"),
    "Documents/transcript Eve.txt": ("Learner transcript\nLearner: Eve Fox\nULN: 1234567899\n"
                                     "Qualifications achieved: BTEC Level 3\n", "2010-08-01",
                                     "learner-transcript", "review"),
    "Desktop/birthdays.txt": ("Name: Hal Ives\nDate of birth: 04/05/1980\nName: Ivy Jones\n"
                              "Date of birth: 06/07/1982\n", "2015-05-01", "unclassified", "review"),
    "Documents/minutes.txt": ("Minutes of the estates meeting. Roof repairs agreed.\n", "2001-01-01", None, None),
}
PLANNED = {p for p, (_c, _d, _cat, action) in FILES.items() if action == "delete"}


def make_laptop(root) -> None:
    for rel, (content, day, _category, _action) in FILES.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, list):
            book = Workbook()
            for row in content:
                book.active.append(row)
            book.save(path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(content)
        noon = dt.datetime.fromisoformat(day + "T12:00:00+00:00").timestamp()
        os.utime(path, (noon, noon))

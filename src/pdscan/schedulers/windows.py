"""Windows Task Scheduler: a Task Scheduler 1.2 XML definition, installed with schtasks."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from ..errors import PdscanError
from . import HOUR, SPREAD, TASK, checked, note, spread_minute

TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"


def _sub(parent, tag: str, text=None, **attrs):
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _trigger(triggers, every: str) -> None:
    calendar = _sub(triggers, "CalendarTrigger")
    if every == "hourly":
        repetition = _sub(calendar, "Repetition")
        _sub(repetition, "Interval", "PT1H")
        _sub(repetition, "StopAtDurationEnd", "false")
    hour = 0 if every == "hourly" else HOUR
    _sub(calendar, "StartBoundary", f"2024-01-01T{hour:02d}:{spread_minute():02d}:00")
    _sub(calendar, "Enabled", "true")
    _sub(calendar, "RandomDelay", SPREAD[every][1])
    if every == "weekly":
        weekly = _sub(calendar, "ScheduleByWeek")
        _sub(weekly, "WeeksInterval", "1")
        _sub(_sub(weekly, "DaysOfWeek"), "Monday")
    else:
        _sub(_sub(calendar, "ScheduleByDay"), "DaysInterval", "1")


SETTINGS = (("MultipleInstancesPolicy", "IgnoreNew"), ("DisallowStartIfOnBatteries", "true"),
            ("StopIfGoingOnBatteries", "true"), ("AllowHardTerminate", "true"),
            ("StartWhenAvailable", "true"), ("RunOnlyIfNetworkAvailable", "false"))
SETTINGS_AFTER_IDLE = (("AllowStartOnDemand", "true"), ("Enabled", "true"), ("Hidden", "false"),
                       ("RunOnlyIfIdle", "false"), ("WakeToRun", "false"), ("ExecutionTimeLimit", "PT24H"),
                       ("Priority", "7"))


def _settings(task) -> None:
    settings = _sub(task, "Settings")
    for tag, value in SETTINGS:
        _sub(settings, tag, value)
    idle = _sub(settings, "IdleSettings")
    _sub(idle, "StopOnIdleEnd", "false")
    _sub(idle, "RestartOnIdle", "false")
    for tag, value in SETTINGS_AFTER_IDLE:
        _sub(settings, tag, value)


def task_xml(argv, every: str, cwd) -> str:
    """A Task Scheduler 1.2 definition; ElementTree does the XML escaping and
    list2cmdline the Windows command-line quoting of the arguments."""
    task = ET.Element("Task", version="1.2", xmlns=TASK_NS)
    info = _sub(task, "RegistrationInfo")
    _sub(info, "Description", f"pdscan: personal-data scan ({every}, low priority)")
    _sub(info, "URI", f"\\{TASK}")
    _trigger(_sub(task, "Triggers"), every)
    principal = _sub(_sub(task, "Principals"), "Principal", id="Author")
    _sub(principal, "LogonType", "InteractiveToken")
    _sub(principal, "RunLevel", "LeastPrivilege")
    _settings(task)
    action = _sub(_sub(task, "Actions", Context="Author"), "Exec")
    _sub(action, "Command", argv[0])
    _sub(action, "Arguments", subprocess.list2cmdline(argv[1:]))
    if cwd is not None:
        _sub(action, "WorkingDirectory", cwd)
    ET.indent(task)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(task, encoding="unicode")


def install_windows(document: str) -> None:
    if not sys.platform.startswith("win"):
        raise PdscanError("--install windows works on Windows only; save the XML there and run "
                          f"schtasks /Create /XML FILE /TN {TASK}")
    # schtasks reads task XML most reliably as UTF-16 with a byte-order mark.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"{TASK}.xml")
        with open(path, "w", encoding="utf-16") as f:
            f.write(document.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1))
        checked(["schtasks", "/Create", "/XML", path, "/TN", TASK, "/F"])
    note(f"scheduled task {TASK} created")

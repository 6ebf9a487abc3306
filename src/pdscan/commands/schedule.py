"""`pdscan schedule`: the unattended scan as a systemd user timer, a cron line or a Windows task.

pdscan fits the schedulers IT already runs instead of running its own: this
command writes their definitions and, with --install, hands them over. The
scheduled command is this installation's pdscan, `scan`, the given arguments
and --unattended (a run lock, low priority, no progress bar, a log file), at
the lowest CPU and I/O priority each scheduler offers.
"""
from __future__ import annotations

import argparse
import ntpath
import os
import shlex
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

from ..errors import PdscanError
from . import scan
from .common import check_roots

TASK = "pdscan-scan"
CRON_MARK = "# pdscan-scan"
EVERY = ("hourly", "daily", "weekly")
# RandomizedDelaySec / RandomDelay: a college's laptops should not all start scanning at once.
SPREAD = {"hourly": ("15min", "PT15M"), "daily": ("1h", "PT1H"), "weekly": ("4h", "PT4H")}
# Daily and weekly runs at midday: laptops are off at night, and cron does not catch up.
HOUR = 12
TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"
# Printed elsewhere for Windows: the task finds pdscan.exe on the laptop's PATH (pip puts it there).
WINDOWS_EXE = "pdscan.exe"
# Scan options naming files: given for Windows from elsewhere, each must be a full Windows path.
PATH_OPTIONS = ("output", "policy", "detectors", "db", "log_file")


def add_parser(sub) -> None:
    p = sub.add_parser("schedule", help="print or install a systemd timer, cron entry or Windows task",
                       description="Print (or with --install, install for the current user) a scheduled "
                                   "low-priority `pdscan scan` with the arguments given after --. "
                                   "Windows: the task XML can be printed on any system, with the laptops' "
                                   "Windows paths as given (e.g. -- C:\\Users); save it and on each laptop "
                                   f"run `schtasks /Create /XML {TASK}.xml /TN {TASK}`.")
    p.add_argument("--print", dest="target", required=True, choices=("systemd", "cron", "windows"),
                   help="which scheduler to write for")
    p.add_argument("--every", choices=EVERY, default="daily", help="how often to scan (default: daily)")
    p.add_argument("--install", action="store_true", help="also install it for the current user")
    p.add_argument("--pdscan-exe", metavar="PATH",
                   help="the pdscan executable the schedule runs, as the target machine names it, e.g. "
                        "\"C:\\Program Files\\pdscan\\pdscan.exe\" (default: this installation's; "
                        f"for --print windows on another system: {WINDOWS_EXE} found on the laptop's PATH)")
    p.add_argument("scan_args", nargs=argparse.REMAINDER, metavar="-- SCAN ARGS",
                   help="arguments for `pdscan scan` (paths and options; a leading `scan` may be given); "
                        "for Windows from another system, paths are full Windows paths and are not checked here")
    p.set_defaults(run=run_schedule)


def run_schedule(args) -> int:
    elsewhere = args.target == "windows" and not sys.platform.startswith("win")
    default = [WINDOWS_EXE] if elsewhere else pdscan_command()
    argv = ([args.pdscan_exe] if args.pdscan_exe else default) + ["scan"] + scan_arguments(args.scan_args, elsewhere)
    # Relative paths in the scan arguments (--output, --policy, PATH) mean what they meant here;
    # a task printed for another system's paths has no "here".
    cwd = None if elsewhere else os.getcwd()
    if args.target == "systemd":
        units = systemd_units(argv, args.every, cwd)
        print("".join(f"# {name}\n{text}\n" for name, text in units.items()), end="")
        if args.install:
            install_systemd(units)
    elif args.target == "cron":
        line = cron_line(argv, args.every, cwd)
        print(line)
        if args.install:
            install_cron(line)
    else:
        document = task_xml(argv, args.every, cwd)
        print(document)
        if args.install:
            install_windows(document)
    return 0


# -- the command to schedule -----------------------------------------------------------


def pdscan_command() -> list:
    """The `pdscan` script of this installation, else this interpreter with -m pdscan."""
    name = "pdscan.exe" if sys.platform.startswith("win") else "pdscan"
    script = Path(sysconfig.get_path("scripts")) / name
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [os.path.abspath(sys.executable), "-m", "pdscan"]


class _ScanArgsParser(argparse.ArgumentParser):
    def error(self, message):
        raise PdscanError(f"scan arguments after --: {message}")


def scan_arguments(raw, windows_elsewhere: bool = False) -> list:
    """Check the scan arguments now, so a typo fails here and not at 3 a.m.

    `windows_elsewhere`: the paths are a Windows machine's, so they are taken as given
    rather than looked for here, but must be absolute (the task has no working folder)."""
    args = list(raw[1:] if raw[:1] == ["--"] else raw)
    args = args[1:] if args[:1] == ["scan"] else args  # `-- scan PATH`, as the command is typed
    if not args:
        raise PdscanError("give the scan arguments after --, e.g. pdscan schedule --print cron -- ~/Documents")
    parser = _ScanArgsParser(prog="pdscan")
    scan.add_parser(parser.add_subparsers(dest="command"))
    try:
        parsed = parser.parse_args(["scan", *args])
    except SystemExit as exc:  # --help among the scan arguments
        raise PdscanError("scan arguments after --: not a scan to schedule") from exc
    if windows_elsewhere:
        _check_windows_paths(parsed)
    else:
        check_roots(parsed.paths)
    return args if parsed.unattended else args + ["--unattended"]


def _check_windows_paths(parsed) -> None:
    for name in ("paths", *PATH_OPTIONS):
        value = getattr(parsed, name)
        for path in value if isinstance(value, list) else [value] if value else []:
            if not (ntpath.isabs(path) and ntpath.splitdrive(path)[0]):
                raise PdscanError(f"scan arguments after --: {path!r} is not a full Windows path "
                                  "(C:\\... or \\\\server\\share\\...); the task has no working folder to start from")


# -- systemd ------------------------------------------------------------------------------


def systemd_word(arg: str) -> str:
    """Shell quoting, plus systemd's own escapes: it reads backslashes even inside
    single quotes, expands %specifiers and $VARIABLES."""
    return shlex.quote(arg).replace("\\", "\\\\").replace("%", "%%").replace("$", "$$")


def systemd_units(argv, every: str, cwd: str) -> dict:
    service = (
        "[Unit]\n"
        "Description=pdscan: scheduled personal-data scan\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"WorkingDirectory={cwd.replace('%', '%%')}\n"
        f"ExecStart={' '.join(systemd_word(a) for a in argv)}\n"
        "# Exit 1 means violations were found: the scan itself succeeded.\n"
        "SuccessExitStatus=1\n"
        "Nice=19\n"
        "IOSchedulingClass=idle\n"
        "CPUSchedulingPolicy=idle\n"
    )
    timer = (
        "[Unit]\n"
        f"Description=pdscan: run the personal-data scan {every}\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={every}\n"
        "# Catch up on a run missed while the machine was off.\n"
        "Persistent=true\n"
        f"RandomizedDelaySec={SPREAD[every][0]}\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {f"{TASK}.service": service, f"{TASK}.timer": timer}


def systemd_user_folder() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user"


def install_systemd(units: dict) -> None:
    folder = systemd_user_folder()
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in units.items():
        (folder / name).write_text(text, encoding="utf-8")
        note(f"wrote {folder / name}")
    steps = [["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", "--now", f"{TASK}.timer"]]
    if shutil.which("systemctl") is None:
        note("systemctl not found; to start the timer run: " + " && ".join(shlex.join(s) for s in steps))
        return
    for step in steps:
        checked(step)
    note(f"{TASK}.timer enabled; user timers run while you are logged in "
         "(for unattended runs: loginctl enable-linger)")


# -- cron -----------------------------------------------------------------------------------


def spread_minute() -> int:
    """A minute fixed per machine, so a fleet's cron scans do not start together."""
    return zlib.crc32(socket.gethostname().encode("utf-8", "replace")) % 60


def cron_schedule(every: str, minute: int) -> str:
    return {"hourly": f"{minute} * * * *", "daily": f"{minute} {HOUR} * * *",
            "weekly": f"{minute} {HOUR} * * 1"}[every]


def low_priority_prefix() -> list:
    prefix = [shutil.which("nice") or "nice", "-n", "19"]
    ionice = shutil.which("ionice")
    return prefix + [ionice, "-c3"] if ionice else prefix


def cron_line(argv, every: str, cwd: str, minute=None) -> str:
    command = f"cd {shlex.quote(cwd)} && {shlex.join(low_priority_prefix() + list(argv))}"
    # cron turns an unescaped % into a newline, even inside quotes.
    command = command.replace("%", "\\%")
    when = cron_schedule(every, spread_minute() if minute is None else minute)
    return f"{when} {command} {CRON_MARK}"


def install_cron(line: str) -> None:
    """Replace any earlier pdscan-scan line (found by its mark), keep everything else."""
    current = current_crontab()
    kept = [entry for entry in current.splitlines() if not entry.rstrip().endswith(CRON_MARK)]
    checked(["crontab", "-"], stdin="".join(f"{entry}\n" for entry in kept + [line]))
    note("installed in your crontab" + (" (replacing the earlier pdscan-scan entry)"
                                        if len(kept) < len(current.splitlines()) else ""))


def current_crontab() -> str:
    done = run_tool(["crontab", "-l"])
    if done.returncode == 0:
        return done.stdout
    if "no crontab" in done.stderr.lower():  # a user without a crontab yet
        return ""
    raise PdscanError(f"`crontab -l` failed: {done.stderr.strip() or f'exit {done.returncode}'}")


# -- Windows Task Scheduler ------------------------------------------------------------------


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


# -- helpers ---------------------------------------------------------------------------------


def run_tool(cmd, stdin=None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60, check=False)
    except FileNotFoundError as exc:
        raise PdscanError(f"{cmd[0]} not found: cannot install") from exc
    except subprocess.TimeoutExpired as exc:
        raise PdscanError(f"`{shlex.join(cmd)}` did not finish") from exc


def checked(cmd, stdin=None) -> str:
    done = run_tool(cmd, stdin)
    if done.returncode:
        raise PdscanError(f"`{shlex.join(cmd)}` failed: {done.stderr.strip() or f'exit {done.returncode}'}")
    return done.stdout


def note(message: str) -> None:
    print(f"pdscan: {message}", file=sys.stderr)

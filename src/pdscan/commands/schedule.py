"""`pdscan schedule`: the unattended scan as a systemd user timer, a cron line or a Windows task.

pdscan fits the schedulers IT already runs instead of running its own: this
command writes their definitions and, with --install, hands them over. The
scheduled command is this installation's pdscan, `scan`, the given arguments
and --unattended (a run lock, low priority, no progress bar, a log file), at
the lowest CPU and I/O priority each scheduler offers. The schedulers' definitions are
written by src/pdscan/schedulers/ (systemd, cron, windows).
"""
from __future__ import annotations

import argparse
import ntpath
import os
import sys
import sysconfig
from pathlib import Path

from ..errors import PdscanError
from ..options import add_scan_arguments, check_roots
from ..schedulers import EVERY, TASK
from ..schedulers.cron import cron_line, install_cron
from ..schedulers.systemd import install_systemd, systemd_units
from ..schedulers.windows import install_windows, task_xml

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
    parser = _ScanArgsParser(prog="pdscan scan")
    add_scan_arguments(parser)
    try:
        parsed = parser.parse_args(args)
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

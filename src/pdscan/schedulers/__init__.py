"""The schedulers pdscan writes for: systemd user timers, cron, Windows Task Scheduler.

Each back-end turns the scan to run (an argv list), how often (EVERY) and the folder it runs in
into its scheduler's definition, and installs it for the current user. Shared here: the task's
name, how runs are spread over a fleet, and running the scheduler's own tools.
`pdscan schedule` (commands/schedule.py) chooses one; nothing here knows the command line.
"""
from __future__ import annotations

import shlex
import socket
import subprocess
import sys
import zlib

from ..errors import PdscanError

TASK = "pdscan-scan"
EVERY = ("hourly", "daily", "weekly")
# RandomizedDelaySec / RandomDelay: a college's laptops should not all start scanning at once.
SPREAD = {"hourly": ("15min", "PT15M"), "daily": ("1h", "PT1H"), "weekly": ("4h", "PT4H")}
# Daily and weekly runs at midday: laptops are off at night, and cron does not catch up.
HOUR = 12


def spread_minute() -> int:
    """A minute fixed per machine, so a fleet's cron scans do not start together."""
    return zlib.crc32(socket.gethostname().encode("utf-8", "replace")) % 60


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

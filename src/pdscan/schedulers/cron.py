"""cron: one line in the user's crontab, found again by its mark, under nice and ionice."""
from __future__ import annotations

import shlex
import shutil

from ..errors import PdscanError
from . import HOUR, checked, note, run_tool, spread_minute

CRON_MARK = "# pdscan-scan"


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

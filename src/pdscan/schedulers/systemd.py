"""systemd: a user service and timer, at idle CPU and I/O priority."""
from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

from ..safefile import atomic_write
from . import SPREAD, TASK, checked, note


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
        with atomic_write(folder / name) as unit:  # a unit file planted as a link is refused, not followed
            unit.write(text)
        note(f"wrote {folder / name}")
    steps = [["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", "--now", f"{TASK}.timer"]]
    if shutil.which("systemctl") is None:
        note("systemctl not found; to start the timer run: " + " && ".join(shlex.join(s) for s in steps))
        return
    for step in steps:
        checked(step)
    note(f"{TASK}.timer enabled; user timers run while you are logged in "
         "(for unattended runs: loginctl enable-linger)")

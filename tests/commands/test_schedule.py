"""`pdscan schedule`: systemd units that systemd accepts, cron lines that parse, Windows task XML,
and arguments that survive each scheduler's quoting."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from pdscan import cli as cli_module
from pdscan.commands import schedule
from pdscan.schedulers import EVERY
from pdscan.schedulers.cron import CRON_MARK, cron_line
from pdscan.schedulers.systemd import systemd_units
from pdscan.schedulers.windows import TASK_NS

NS = {"t": TASK_NS}
AWKWARD = ["--exclude", "it's a \"draft\" folder", "--exclude", "two  spaces"]
CRON_FIELD = re.compile(r"^(\*|\d+)$")
PYTHON_M = [sys.executable, "-m", "pdscan"]


@pytest.fixture
def run(cli, monkeypatch):
    """`pdscan schedule ...` in-process, with a scheduled command that exists on this machine."""
    if schedule not in cli_module.COMMANDS:
        monkeypatch.setattr(cli_module, "COMMANDS", cli_module.COMMANDS + (schedule,))
    monkeypatch.setattr(schedule, "pdscan_command", lambda: list(PYTHON_M))
    return lambda *args: cli("schedule", *args)


def unit_files(output: str) -> dict:
    """The printed units, split on their `# NAME` header lines."""
    files, name = {}, None
    for line in output.splitlines(keepends=True):
        if re.match(r"^# pdscan-scan\.(service|timer)$", line.strip()):
            name = line.strip()[2:]
            files[name] = ""
        elif name:
            files[name] += line
    return files


def exec_start(service: str) -> str:
    [line] = [x for x in service.splitlines() if x.startswith("ExecStart=")]
    return line[len("ExecStart="):]


def systemd_verify(folder) -> subprocess.CompletedProcess:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed (Debian: apt-get install systemd)")
    units = sorted(str(p) for p in folder.iterdir())
    return subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True,
                          timeout=60, check=False)


# -- systemd --------------------------------------------------------------------------------


@pytest.mark.parametrize("every", EVERY)
def test_systemd_units_pass_systemd_analyze_verify(run, tmp_path, every):
    result = run("--print", "systemd", "--every", every, "--", tmp_path, *AWKWARD)
    assert result.code == 0, result
    files = unit_files(result.out)
    assert set(files) == {"pdscan-scan.service", "pdscan-scan.timer"}
    units = tmp_path / "units"
    units.mkdir()
    for name, text in files.items():
        (units / name).write_text(text)
    checked = systemd_verify(units)
    # verify exits 0 on settings it merely ignores, so any complaint about our units fails the test too.
    assert checked.returncode == 0 and "pdscan-scan" not in checked.stdout + checked.stderr, checked
    service, timer = files["pdscan-scan.service"], files["pdscan-scan.timer"]
    for setting in ("Nice=19", "IOSchedulingClass=idle", "CPUSchedulingPolicy=idle", "Type=oneshot"):
        assert setting in service.splitlines()
    for setting in (f"OnCalendar={every}", "Persistent=true", "WantedBy=timers.target"):
        assert setting in timer.splitlines()
    assert any(line.startswith("RandomizedDelaySec=") for line in timer.splitlines())


def test_exec_start_round_trips_spaces_and_quotes(run, tmp_path):
    result = run("--print", "systemd", "--", tmp_path, *AWKWARD)
    argv = shlex.split(exec_start(unit_files(result.out)["pdscan-scan.service"]))
    assert argv == PYTHON_M + ["scan", str(tmp_path), *AWKWARD, "--unattended"]


def test_an_executable_path_with_spaces_is_quoted_for_systemd(tmp_path):
    tools = tmp_path / "my tools"
    tools.mkdir()
    (tools / "python").symlink_to(sys.executable)
    units = tmp_path / "units"
    units.mkdir()
    argv = [str(tools / "python"), "-m", "pdscan", "scan", str(tmp_path)]
    for name, text in systemd_units(argv, "daily", str(tmp_path)).items():
        (units / name).write_text(text)
    checked = systemd_verify(units)
    assert checked.returncode == 0 and "pdscan-scan" not in checked.stdout + checked.stderr, checked


def test_systemd_specifiers_and_variables_are_escaped():
    service = systemd_units(["/bin/pdscan", "scan", "/srv/100%", "--exclude", "$HOME", "a\\b"],
                                     "daily", "/srv")["pdscan-scan.service"]
    assert exec_start(service) == "/bin/pdscan scan /srv/100%% --exclude '$$HOME' 'a\\\\b'"


def test_unattended_is_added_once(run, tmp_path):
    result = run("--print", "systemd", "--", tmp_path, "--unattended")
    assert exec_start(unit_files(result.out)["pdscan-scan.service"]).count("--unattended") == 1


def test_install_systemd_writes_user_units_and_enables_the_timer(run, tmp_path, monkeypatch):
    bin_dir, calls = tmp_path / "bin", tmp_path / "systemctl-calls"
    bin_dir.mkdir()
    fake = bin_dir / "systemctl"
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    result = run("--print", "systemd", "--install", "--", tmp_path)
    assert result.code == 0, result
    folder = tmp_path / "config" / "systemd" / "user"
    assert sorted(p.name for p in folder.iterdir()) == ["pdscan-scan.service", "pdscan-scan.timer"]
    assert calls.read_text().splitlines() == ["--user daemon-reload", "--user enable --now pdscan-scan.timer"]


# -- cron --------------------------------------------------------------------------------


def cron_command(line: str) -> list:
    fields = line.split(None, 5)
    assert len(fields) == 6 and all(CRON_FIELD.match(f) for f in fields[:5]), line
    return shlex.split(fields[5].replace("\\%", "%"), comments=True)


@pytest.mark.parametrize("every, days", [("hourly", "* * *"), ("daily", "* * *"), ("weekly", "* * 1")])
def test_cron_line_parses_for_each_interval(run, tmp_path, every, days):
    result = run("--print", "cron", "--every", every, "--", tmp_path, *AWKWARD)
    assert result.code == 0, result
    [line] = result.out.splitlines()
    minute, hour = line.split()[:2]
    assert 0 <= int(minute) < 60 and line.split(None, 5)[2:5] == days.split()
    assert (hour == "*") == (every == "hourly")
    words = cron_command(line)
    assert words[:3] == ["cd", os.getcwd(), "&&"]
    assert words[3:6] == [shutil.which("nice"), "-n", "19"]
    if shutil.which("ionice"):
        assert words[6:8] == [shutil.which("ionice"), "-c3"]
    expected = PYTHON_M + ["scan", str(tmp_path), *AWKWARD, "--unattended"]
    assert words[-len(expected):] == expected
    assert line.endswith(CRON_MARK)


def test_cron_escapes_percent_signs():
    line = cron_line(["/bin/pdscan", "scan", "/srv/100%"], "daily", "/srv", minute=5)
    assert "/srv/100\\%" in line and cron_command(line)[-2:] == ["scan", "/srv/100%"]


def test_cron_install_is_idempotent_and_keeps_other_entries(run, tmp_path, monkeypatch):
    bin_dir, table = tmp_path / "bin", tmp_path / "crontab.txt"
    bin_dir.mkdir()
    fake = bin_dir / "crontab"
    fake.write_text(f"""#!/bin/sh
if [ "$1" = "-l" ]; then
  [ -f "{table}" ] || {{ echo "no crontab for tester" >&2; exit 1; }}
  cat "{table}"
elif [ "$1" = "-" ]; then
  cat > "{table}"
fi
""")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    assert run("--print", "cron", "--install", "--", tmp_path).code == 0
    with table.open("a") as f:
        f.write("0 3 * * * /usr/local/bin/backup\n")
    for every in ("daily", "weekly"):
        result = run("--print", "cron", "--every", every, "--install", "--", tmp_path)
        assert result.code == 0, result
    lines = table.read_text().splitlines()
    assert lines[0] == "0 3 * * * /usr/local/bin/backup"
    [ours] = [x for x in lines if x.endswith(CRON_MARK)]
    assert ours.split()[4] == "1"  # the weekly entry replaced the daily one


# -- Windows -------------------------------------------------------------------------------


def windows_argv(command_line: str) -> list:
    """Split a command line as the Microsoft C runtime does (CommandLineToArgvW rules)."""
    args, current, in_arg, quoted, slashes = [], "", False, False, 0
    for ch in command_line:
        if ch == "\\":
            slashes, in_arg = slashes + 1, True
            continue
        if ch == '"':  # 2n backslashes + quote: n backslashes and a toggle; 2n+1: n and a literal quote
            current += "\\" * (slashes // 2) + ('"' if slashes % 2 else "")
            quoted = quoted if slashes % 2 else not quoted
        elif ch in " \t" and not quoted:
            if in_arg:
                args.append(current + "\\" * slashes)
            current, in_arg, slashes = "", False, 0
            continue
        else:
            current += "\\" * slashes + ch
        slashes, in_arg = 0, True
    if in_arg:
        args.append(current + "\\" * slashes)
    return args


WINDOWS_EXE = r"C:\Program Files\pdscan\pdscan.exe"
STAFF = r"C:\Users\Staff Docs"
REPORT = r"\\fileserver\results\a<b>&c.jsonl"


@pytest.mark.parametrize("every", EVERY)
def test_windows_task_xml_parses_with_the_right_trigger_and_command(run, every):
    result = run("--print", "windows", "--every", every, "--pdscan-exe", WINDOWS_EXE, "--", STAFF, *AWKWARD,
                 "--output", REPORT)
    assert result.code == 0, result
    task = ET.fromstring(result.out)
    trigger = task.find("t:Triggers/t:CalendarTrigger", NS)
    interval = trigger.findtext("t:Repetition/t:Interval", namespaces=NS)
    assert interval == ("PT1H" if every == "hourly" else None)
    if every == "weekly":
        assert trigger.find("t:ScheduleByWeek/t:DaysOfWeek/t:Monday", NS) is not None
    else:
        assert trigger.findtext("t:ScheduleByDay/t:DaysInterval", namespaces=NS) == "1"
    assert task.findtext("t:Actions/t:Exec/t:Command", namespaces=NS) == WINDOWS_EXE
    arguments = task.findtext("t:Actions/t:Exec/t:Arguments", namespaces=NS)
    assert windows_argv(arguments) == ["scan", STAFF, *AWKWARD, "--output", REPORT, "--unattended"]
    settings = {child.tag.split("}")[1]: child.text for child in task.find("t:Settings", NS)}
    assert settings["Priority"] == "7" and settings["RunOnlyIfIdle"] == "false"
    assert settings["StopIfGoingOnBatteries"] == "true" and settings["StartWhenAvailable"] == "true"


@pytest.mark.skipif(sys.platform.startswith("win"), reason="prints for another system only elsewhere")
def test_windows_task_printed_on_linux_runs_the_windows_paths_as_given(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing here may leak into the task
    result = run("--print", "windows", "--", "scan", "C:\\Users")
    assert result.code == 0, result
    task = ET.fromstring(result.out)
    exec_ = task.find("t:Actions/t:Exec", NS)
    assert exec_.findtext("t:Command", namespaces=NS) == "pdscan.exe"
    assert windows_argv(exec_.findtext("t:Arguments", namespaces=NS)) == ["scan", "C:\\Users", "--unattended"]
    assert exec_.find("t:WorkingDirectory", NS) is None
    assert str(tmp_path) not in result.out and sys.executable not in result.out


@pytest.mark.skipif(sys.platform.startswith("win"), reason="prints for another system only elsewhere")
@pytest.mark.parametrize("args", [["Users"], ["C:Users"], ["C:\\Users", "--output", "out.jsonl"],
                                  ["C:\\Users", "--policy", "/etc/pdscan/site.toml"]])
def test_windows_paths_printed_elsewhere_must_be_full_windows_paths(run, args):
    result = run("--print", "windows", "--", *args)
    assert result.code == 2 and "is not a full Windows path" in result.err, result


def test_the_windows_argument_splitter_follows_the_crt_rules():
    assert windows_argv(r'a "b c" d\\"e f"\\ g\"h') == ["a", "b c", 'd\\e f\\\\', 'g"h']
    assert windows_argv(subprocess.list2cmdline(["", "x y\\", 'q"'])) == ["", "x y\\", 'q"']


@pytest.mark.skipif(sys.platform.startswith("win"), reason="schtasks exists there")
def test_install_windows_elsewhere_is_an_error(run, tmp_path):
    result = run("--print", "windows", "--install", "--", "C:\\Users")
    assert result.code == 2 and "Windows only" in result.err


# -- usage errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["--print", "cron"], "give the scan arguments after --"),
    (["--print", "cron", "--", "--no-such-option", "."], "unrecognized arguments"),
    (["--print", "cron", "--", "/no/such/folder"], "no such file or folder"),
    (["--print", "launchd", "--", "."], "invalid choice"),
])
def test_usage_errors_exit_2(run, args, message):
    result = run(*args)
    assert result.code == 2 and message in result.err, result

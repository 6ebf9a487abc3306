"""End-to-end through main(argv): exit codes, formats, output files, help for every command."""
from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys

import pytest

from pdscan.cli import COMMANDS, parser


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    (root / "timetable.txt").write_text("Monday: Maths 09:00, room B12\n")
    return root


def test_clean_folder_exits_0(cli, folder):
    result = cli("scan", folder, "--jobs", "1")
    assert result.code == 0, result
    assert "Violations: none." in result.out


def test_personal_data_in_plain_text_exits_1(cli, folder):
    (folder / "list.csv").write_text("Name,NI number,Date of birth\nJo Bloggs,AB 12 34 56 C,01/02/2001\n")
    result = cli("scan", folder, "--jobs", "1")
    assert result.code == 1, result
    assert "unencrypted-personal-data" in result.out
    assert "AB 12 34 56 C" not in result.out and "AB123456C" not in result.out


def test_missing_path_is_a_usage_error(cli, tmp_path):
    result = cli("scan", tmp_path / "nope")
    assert result.code == 2
    assert "no such file or folder" in result.err


def test_bad_policy_names_the_field(cli, folder, tmp_path):
    bad = tmp_path / "site.toml"
    bad.write_text('[personal_data.detectors]\n"uk.nino" = { min_count = 0 }\n')
    result = cli("scan", folder, "--policy", bad)
    assert result.code == 2
    assert str(bad) in result.err and "[personal_data.detectors.uk.nino] min_count" in result.err


def test_site_policy_overrides_only_what_it_names(cli, folder, tmp_path):
    (folder / "contacts.txt").write_text("jo@bloggs-family.co.uk al@smith-home.org.uk\n")
    site = tmp_path / "site.toml"
    site.write_text('[personal_data.detectors]\nemail = { min_count = 2 }\n')
    assert cli("scan", folder, "--jobs", "1").code == 0                   # default: 5 addresses needed
    assert cli("scan", folder, "--jobs", "1", "--policy", site).code == 1


def test_unknown_option_is_status_2(cli, folder):
    assert cli("scan", folder, "--no-such-flag").code == 2


def test_output_file_is_owner_only_and_jsonl(cli, folder, tmp_path):
    out = tmp_path / "results.jsonl"
    result = cli("scan", folder, "--format", "jsonl", "--output", out, "--jobs", "1")
    assert result.code == 0 and result.out == ""
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines[-1]["type"] == "summary" and lines[-1]["files"] == 1


def test_json_format_is_one_document(cli, folder):
    doc = json.loads(cli("scan", folder, "--format", "json", "--jobs", "1").out)
    assert doc["summary"]["files"] == 1 and doc["items"][0]["path"].endswith("timetable.txt")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(cli, command):
    result = cli(command, "--help")
    assert result.code == 0 and "usage: pdscan" in result.out


def test_parser_lists_every_command():
    text = parser().format_help()
    for command in COMMANDS:
        assert command in text


# -- a crash is exit 2, never 1 (which means "violations found") ----------------------------------------------

CRASH_HINT = "pdscan: run with PDSCAN_DEBUG=1 for the traceback\n"


def _boom(*args, **kwargs):
    raise RuntimeError("boom\nsecond line")


def test_a_crash_is_one_line_and_exit_2(cli, folder, monkeypatch):
    monkeypatch.delenv("PDSCAN_DEBUG", raising=False)
    monkeypatch.setattr("pdscan.commands.scan.run", _boom)
    result = cli("scan", folder, "--no-progress", "--jobs", "1")
    assert result.code == 2, result
    assert result.err == "pdscan: internal error: RuntimeError: boom\\x0asecond line\n" + CRASH_HINT


def test_pdscan_debug_prints_the_traceback(cli, folder, monkeypatch):
    monkeypatch.setenv("PDSCAN_DEBUG", "1")
    monkeypatch.setattr("pdscan.commands.retention.Session", _boom)
    result = cli("retention", folder, "--no-progress", "--jobs", "1")
    assert result.code == 2, result
    assert result.err.startswith("pdscan: internal error: RuntimeError: boom")
    assert "Traceback (most recent call last)" in result.err and "_boom" in result.err
    assert CRASH_HINT not in result.err


def test_a_crash_in_a_worker_process_is_exit_2(cli, folder, monkeypatch):
    monkeypatch.delenv("PDSCAN_DEBUG", raising=False)
    for n in range(6):
        (folder / f"n{n}.txt").write_text("Monday: Maths\n")
    monkeypatch.setattr("pdscan.pipeline.Scanner.scan_file", _boom)  # forked workers inherit it
    result = cli("scan", folder, "--no-progress", "--jobs", "2")
    assert result.code == 2, result
    assert result.err.startswith("pdscan: internal error: RuntimeError: boom"), result


def test_a_crash_in_a_child_process_run_of_pdscan_is_exit_2(folder):
    script = ("import sys, pdscan.pipeline as p\n"
              "def boom(self, ref): raise KeyError('no such thing')\n"
              "p.Scanner.scan_file = boom\n"
              "from pdscan.cli import main\n"
              "sys.exit(main(sys.argv[1:]))\n")
    env = {k: v for k, v in os.environ.items() if k != "PDSCAN_DEBUG"}
    done = subprocess.run([sys.executable, "-c", script, "scan", str(folder), "--no-progress", "--jobs", "2"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 2, done
    assert done.stderr == "pdscan: internal error: KeyError: 'no such thing'\n" + CRASH_HINT


# -- mistakes in a site policy: every command stops with the file, section and key ------------------------


@pytest.mark.parametrize("text, message", [
    ('[retention]\nfinancal_year_end = "07-31"\n',
     "[retention] unknown key 'financal_year_end'; did you mean 'financial_year_end'?"),
    ('[mail]\npersonal_threshold = "high"\n', "[mail] personal_threshold: expected a number, got 'high'"),
    ('[mail]\npersonal_treshold = 2.0\n', "[mail] unknown key 'personal_treshold'"),
    ('[scan]\nexclud = ["*.tmp"]\n', "[scan] unknown key 'exclud'; did you mean 'exclude'?"),
    ('[personal_data]\nmin_confidense = "high"\n', "[personal_data] unknown key 'min_confidense'"),
    ('[rules.unencrypted-personal-data]\nseverty = "high"\n',
     "[rules.unencrypted-personal-data] unknown key 'severty'"),
    ('[publishing]\nfolder = ["**/Web/**"]\n', "[publishing] unknown key 'folder'; did you mean 'folders'?"),
    ('[[retention.hold]]\npaths = ["**/x/**"]\nuntil = 2030-01-01\nreasons = "audit"\n',
     "[retention.hold[0]] unknown key 'reasons'"),
    ('[[retention.category]]\nid = "x"\npaths = ["a"]\nperiod = "six years"\n', "field 'period'"),
    # wrong types, not only unknown keys
    ('[retention]\nwindow = "forty"\n', "[retention] window must be a whole number"),
    ('[scan]\nexclude = "*.tmp"\n', "[scan] exclude must be a list of strings"),
    ('[rules.unencrypted-personal-data]\nhigh_when_count = true\n',
     "[rules.unencrypted-personal-data] high_when_count must be a whole number"),
    ('[rules.unencrypted-personal-data]\nhigh_when_categories = ["secret"]\n',
     "[rules.unencrypted-personal-data] high_when_categories must be one of"),
    ('[personal_data.detectors]\n"email" = { min_cuont = 5 }\n',
     "[personal_data.detectors.email] unknown key 'min_cuont'; did you mean 'min_count'?"),
    ('[[retention.hold]]\npaths = ["**/x/**"]\nuntil = 2030-01-01\nreason = 7\n', "field 'reason' must be a string"),
])
@pytest.mark.parametrize("command", ["scan", "retention", "usb", "watch", "mail"])
def test_a_policy_mistake_stops_every_command_naming_file_section_and_key(cli, folder, tmp_path, text,
                                                                         message, command):
    site = tmp_path / "site.toml"
    site.write_text(text)
    where = ["--mountpoint", folder] if command == "usb" else [folder]
    result = cli(command, *where, "--jobs", "1", "--policy", site)
    assert result.code == 2, result
    assert str(site) in result.err and message in result.err, result


# -- --help describes everything -------------------------------------------------------------------------


def _subcommands():
    [sub] = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(sub.choices.items())


@pytest.mark.parametrize("name, command", _subcommands(), ids=[name for name, _ in _subcommands()])
def test_every_argument_and_option_of_every_command_has_help_text(name, command):
    missing = [a.dest for a in command._actions
               if not isinstance(a, argparse._HelpAction) and not (a.help or "").strip()]
    assert not missing, f"pdscan {name}: no help text for {missing}"


@pytest.mark.parametrize("name", [name for name, _ in _subcommands()])
def test_help_of_every_subcommand_exits_0(cli, name):
    result = cli(name, "--help")
    assert result.code == 0 and f"usage: pdscan {name}" in result.out, result


@pytest.mark.parametrize("text, detector, reason", [
    ("QQ 12 34 56 C", "uk.nino", "prefix QQ is never issued"),
    ("Call 07700 900123", "uk.phone", "Ofcom drama range (reserved for fiction)"),
    ("example.com", "email", "documentation domain"),
    ("Write to jo@example.com", "email", "documentation domain"),
])
def test_explain_says_why_a_well_known_example_is_rejected(cli, text, detector, reason):
    result = cli("detectors", "--explain", text)
    assert result.code == 0
    [line] = [line for line in result.out.splitlines() if "rejected:" in line]
    assert line.split()[0] == detector and reason in line
    assert "900123" not in result.out and "jo@" not in result.out  # the value is shown masked


def test_explain_lists_a_real_value_as_matched_and_nothing_as_rejected(cli):
    result = cli("detectors", "--explain", "NI number AB 12 34 56 C")
    assert result.out.startswith("uk.nino") and "validator nino passed" in result.out
    assert "rejected" not in result.out


def test_a_usb_verdict_says_what_each_failing_file_holds_as_scan_does(cli, tmp_path):
    stick = tmp_path / "STICK"
    stick.mkdir()
    (stick / "class-list.csv").write_text("Name,NI number\nJo Bloggs,AB 12 34 56 C\n")
    result = cli("usb", "--mountpoint", stick, "--jobs", "1", "--no-progress")
    listing = result.out.split("verdict: FAIL", 1)[1].splitlines()
    assert listing[1].endswith("class-list.csv")
    held = " ".join(listing[2:4])
    assert "uk.nino" in held and "AB ** ** ** C" in held and "column 'NI number'" in held


def _pdscan(args, tmp_path, engine, hide_core=False):
    """pdscan as a process with PDSCAN_ENGINE set; `hide_core`: pdscan_core cannot be imported."""
    env = dict(os.environ, PDSCAN_ENGINE=engine)
    if hide_core:
        shadow = tmp_path / "shadow"
        shadow.mkdir(exist_ok=True)
        (shadow / "pdscan_core.py").write_text("raise ImportError('hidden by the test')\n")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(shadow), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "pdscan", *args], capture_output=True, text=True, env=env)


def test_version_names_the_detection_engine(tmp_path):
    forced = _pdscan(["--version"], tmp_path, "python")
    assert "detection engine python (PDSCAN_ENGINE=python)" in forced.stdout
    missing = _pdscan(["--version"], tmp_path, "", hide_core=True)
    assert "detection engine python (pdscan_core not installed)" in missing.stdout


def test_asking_for_the_missing_core_is_said_once(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    for i in range(3):
        (folder / f"f{i}.txt").write_text("nothing personal here\n")
    run = _pdscan(["scan", str(folder), "--no-progress", "--jobs", "2"], tmp_path, "compiled", hide_core=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("PDSCAN_ENGINE=compiled, but pdscan_core is not installed") == 1
    quiet = _pdscan(["scan", str(folder), "--no-progress"], tmp_path, "", hide_core=True)
    assert "pdscan_core" not in quiet.stderr


def test_a_command_imports_its_own_module_and_no_reader_before_a_file_needs_one(tmp_path):
    """Start-up is most of a rescan: `scan` of nothing to read loads neither the other commands
    nor the extractors and detectors."""
    script = ("import sys\n"
              "from pdscan.cli import main\n"
              "code = main(sys.argv[1:])\n"
              "print(sorted(m for m in sys.modules if m.startswith(('pdscan.commands.', 'pdscan.extract',"
              " 'pdscan.detect.engine', 'pdscan.pipeline', 'phonenumbers'))))\n")
    (tmp_path / "empty").mkdir()
    env = {**os.environ, "PDSCAN_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", script, "scan", str(tmp_path / "empty"), "--db", str(tmp_path / "s.db"),
                           "--no-progress", "--format", "jsonl", "--output", os.devnull],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done
    assert done.stdout.strip() == "['pdscan.commands.scan']"

"""End-to-end through main(argv): exit codes, formats, output files, help for every command."""
from __future__ import annotations

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
    assert "personal_data.detectors.uk.nino: min_count" in result.err


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


@pytest.mark.parametrize("command", [c.__name__.rsplit(".", 1)[-1] for c in COMMANDS])
def test_every_command_has_help(cli, command):
    result = cli(command, "--help")
    assert result.code == 0 and "usage: pdscan" in result.out


def test_parser_lists_every_command():
    text = parser().format_help()
    for command in COMMANDS:
        assert command.__name__.rsplit(".", 1)[-1] in text


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
    monkeypatch.setattr("pdscan.commands.report.reports.build", _boom)
    result = cli("report", "--from", folder / "timetable.txt", "--format", "json", "--output", folder / "r.json")
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

"""One ScanConfig per command, from its parsed options: --policy, --exclude, --jobs and --db mean the same everywhere."""
from __future__ import annotations

import pytest

from pdscan import config as configuration
from pdscan.cli import parser
from pdscan.config import ScanConfig

from .test_cli import folder  # noqa: F401  (a fixture: a folder with one clean file)

PIPELINE_COMMANDS = ("scan", "usb", "mail", "retention", "watch")


def _where(command: str, folder) -> list:
    return ["--mountpoint", str(folder)] if command == "usb" else [str(folder)]


@pytest.mark.parametrize("command", PIPELINE_COMMANDS)
def test_every_command_reads_the_shared_options_into_its_config_alike(command, folder, tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[scan]\nexclude = ["*.bak"]\n')
    db = str(tmp_path / "results.db")
    args = parser().parse_args([command, *_where(command, folder), "--jobs", "3", "--exclude", "*.tmp",
                                "--db", db, "--policy", str(site)])
    cfg = ScanConfig.from_args(args)
    assert (cfg.jobs, cfg.db) == (3, db)
    assert cfg.walk.exclude.matches("notes.tmp") and cfg.walk.exclude.matches("old.bak")  # option and site policy
    assert not cfg.walk.exclude.matches(".git") and str(site) in cfg.policy.source  # lists are replaced whole


@pytest.mark.parametrize("command", ["scan", "usb", "mail", "retention"])
def test_a_command_builds_its_config_once_even_with_a_store(command, folder, tmp_path, cli, monkeypatch):
    built = []
    build = configuration.build
    monkeypatch.setattr(configuration, "build", lambda *a, **k: built.append(1) or build(*a, **k))
    db = tmp_path / "results.db"
    result = cli(command, *_where(command, folder), "--jobs", "1", "--db", db, "--no-progress")
    assert result.code == 0, result
    assert len(built) == 1 and db.exists()

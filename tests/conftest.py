"""Suite-wide safety: no network, a private HMAC key, helpers to run the CLI in-process, and where
the real third-party test files are."""
from __future__ import annotations

import importlib.util
import io
import json
import os
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
# The shared corpus files the tests read, copied at the corpus's own relative paths: every clone has them.
REAL = FIXTURES / "real"
# The whole shared corpus (the Enron mailboxes, files added later), only when ../shared is beside the
# clone: tests over it are marked `corpus` and skipped without it.
CORPUS = ROOT.parent / "shared" / "corpus" / "real"


def pytest_collection_modifyitems(config, items):
    if CORPUS.is_dir():
        return
    skip = pytest.mark.skip(reason=f"needs the whole shared corpus at {CORPUS} (not beside this clone)")
    for item in items:
        if item.get_closest_marker("corpus"):
            item.add_marker(skip)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current output")


@pytest.fixture(autouse=True, scope="session")
def _private_data_dir(tmp_path_factory):
    """The key file and store go to a temporary folder, never the tester's home."""
    path = tmp_path_factory.mktemp("pdscan-data")
    old = os.environ.get("PDSCAN_DATA_DIR")
    os.environ["PDSCAN_DATA_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("PDSCAN_DATA_DIR", None)
    else:
        os.environ["PDSCAN_DATA_DIR"] = old


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Scanning never talks to the network: any non-loopback connection fails the test."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (host.startswith("127.") or host in ("::1", "localhost")) \
                or self.family == getattr(socket, "AF_UNIX", None):
            return real_connect(self, address)
        raise AssertionError(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def records(self) -> list:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def bench_module(name: str):
    """A script of bench/ as a module: the evaluation tests score with the benchmarks' own code."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_cli(*args) -> CliResult:
    """Run `pdscan ARGS` in-process; returns exit code, stdout and stderr."""
    from pdscan.cli import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:  # its own patcher: the test's patches stay
        mp.setattr(sys, "stdout", out)
        mp.setattr(sys, "stderr", err)
        code = main([str(a) for a in args])
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    """Run `pdscan ARGS` in-process; returns exit code, stdout and stderr."""
    return run_cli

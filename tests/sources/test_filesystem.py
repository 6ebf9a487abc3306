"""The walk: skip rules before opening, symlinks, special files, odd names, unreadable paths."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

from pdscan.globs import GlobSet
from pdscan.model import ErrorRecord
from pdscan.sources.filesystem import FileRef, Skipped, WalkOptions, Walker


def walk(root, **options):
    return list(Walker(WalkOptions(**options)).walk([root]))


def files(events):
    return sorted(os.path.relpath(e.path, e.path.rsplit("/tree/", 1)[0] + "/tree") for e in events
                  if isinstance(e, FileRef))


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    (root / "a" / "node_modules").mkdir(parents=True)
    (root / "a" / "keep.txt").write_text("x")
    (root / "a" / "node_modules" / "dep.js").write_text("x")
    (root / "b.tmp").write_text("x")
    (root / "c.txt").write_text("x")
    return root


def test_excludes_apply_before_anything_is_opened(tree):
    events = walk(tree, exclude=GlobSet(["node_modules", "*.tmp"]))
    assert files(events) == ["a/keep.txt", "c.txt"]
    assert sorted(e.reason for e in events if isinstance(e, Skipped)) == ["excluded by pattern"] * 2


def test_whole_path_globs(tree):
    assert files(walk(tree, exclude=GlobSet(["**/a/**"]))) == ["b.tmp", "c.txt"]


def test_symlinks_not_followed_unless_asked_and_loops_stop(tree):
    os.symlink(tree, tree / "a" / "loop")
    (tree.parent / "outside.txt").write_text("x")
    os.symlink(tree.parent / "outside.txt", tree / "link.txt")
    plain = walk(tree)
    assert "link.txt" not in files(plain)
    assert any(isinstance(e, Skipped) and "symbolic link" in e.reason for e in plain)
    followed = walk(tree, follow_symlinks=True)
    assert "link.txt" in files(followed)
    assert any(isinstance(e, Skipped) and e.reason == "symbolic link loop" for e in followed)


def test_fifo_socket_are_skipped_without_opening(tree):
    os.mkfifo(tree / "pipe")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tree / "sock"))
    try:
        events = walk(tree)
    finally:
        sock.close()
    reasons = {os.path.basename(e.path): e.reason for e in events if isinstance(e, Skipped)}
    assert reasons == {"pipe": "FIFO (not a regular file)", "sock": "socket (not a regular file)"}


def test_non_utf8_file_names_are_walked(tmp_path):
    name = b"caf\xe9-list.txt"
    with open(os.path.join(os.fsencode(tmp_path), name), "w") as f:
        f.write("x")
    [ref] = [e for e in walk(tmp_path) if isinstance(e, FileRef)]
    assert os.fsencode(ref.path).endswith(name)


def test_missing_root_is_an_error_record(tmp_path):
    [event] = walk(tmp_path / "nope")
    assert isinstance(event, ErrorRecord) and "cannot read" in event.error


def test_max_file_size_is_recorded_not_silent(tree):
    (tree / "big.txt").write_bytes(b"x" * 2048)
    events = walk(tree, max_file_size=1024)
    [err] = [e for e in events if isinstance(e, ErrorRecord)]
    assert err.path.endswith("big.txt") and "--max-file-size" in err.error


OTHER_USER = 65534


def _without_read_override():
    """A command prefix under which root obeys file permissions, or None."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv"):
        return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    return None


@pytest.mark.skipif(sys.platform != "linux", reason="Linux permission model")
def test_permission_denied_becomes_error_records_and_scan_goes_on(tmp_path):
    prefix = _without_read_override()
    if prefix is None:
        pytest.skip("running as root without setpriv: root reads every file")
    root = tmp_path / "perm"
    root.mkdir()
    (root / "open.txt").write_text("NI number AB 12 34 56 C\n")
    (root / "secret.txt").write_text("x")
    (root / "closed").mkdir()
    os.chmod(root / "secret.txt", 0o600)
    os.chmod(root / "closed", 0o700)
    if os.geteuid() == 0:  # files of another user, so the owner's rights do not apply
        os.chown(root / "secret.txt", OTHER_USER, OTHER_USER)
        os.chown(root / "closed", OTHER_USER, OTHER_USER)
    else:
        os.chmod(root / "secret.txt", 0)
        os.chmod(root / "closed", 0)
    env = dict(os.environ, PDSCAN_KEY_FILE=str(tmp_path / "key"))
    out = subprocess.run(prefix + [sys.executable, "-m", "pdscan", "scan", str(root), "--format", "jsonl",
                                   "--jobs", "1"], capture_output=True, text=True, env=env, timeout=120)
    records = [json.loads(line) for line in out.stdout.splitlines()]
    errors = {os.path.basename(r["path"]): r["error"] for r in records if r["type"] == "error"}
    assert errors == {"secret.txt": "permission denied", "closed": "cannot list folder: Permission denied"}, out.stderr
    items = [r for r in records if r["type"] == "item"]
    assert [os.path.basename(r["path"]) for r in items] == ["open.txt"]
    assert records[-1]["type"] == "summary" and records[-1]["errors"] == 2

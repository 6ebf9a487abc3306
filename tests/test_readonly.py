"""Scanning changes nothing: bytes, modes, mtimes and access times stay as they were."""
from __future__ import annotations

import hashlib
import os
import stat
import zipfile

import pytest

OLD = 1_000_000_000  # 2001: older than mtime, so a relatime mount would update atime on any read


NOATIME = getattr(os, "O_NOATIME", 0)


def _names(folder):
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | NOATIME)
    try:
        with os.scandir(fd) as it:
            return [e.name for e in it]
    finally:
        os.close(fd)


def _digest(path):
    fd = os.open(path, os.O_RDONLY | NOATIME)
    with os.fdopen(fd, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def snapshot(root):
    """Every path's bytes, mode, size, mtime and atime, read without touching atime itself."""
    state, pending = {}, [str(root)]
    while pending:
        folder = pending.pop()
        for name in [None] + _names(folder):
            path = folder if name is None else os.path.join(folder, name)
            st = os.lstat(path)  # never through a link: resolving one would touch its atime
            digest = None
            if name is not None and stat.S_ISDIR(st.st_mode):
                pending.append(path)
            elif name is not None and stat.S_ISREG(st.st_mode):
                digest = _digest(path)
            state[os.path.relpath(path, root)] = (digest, st.st_mode, st.st_size, st.st_mtime_ns, st.st_atime_ns)
    return state


def age_atimes(root):
    for folder, dirs, names in os.walk(root, topdown=False):
        for name in dirs + names:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            os.utime(path, ns=(OLD * 10**9, st.st_mtime_ns), follow_symlinks=False)
    st = os.stat(root)
    os.utime(root, ns=(OLD * 10**9, st.st_mtime_ns))


@pytest.fixture
def college_tree(tmp_path):
    root = tmp_path / "scanme"
    (root / "hr").mkdir(parents=True)
    (root / "hr" / "staff.csv").write_text("Name,NI number,DOB\nJo Bloggs,AB 12 34 56 C,01/02/1980\n")
    (root / "letter.txt").write_text("Dear Ms Bloggs,\nyour NHS number 943 476 5919 ...\n")
    with zipfile.ZipFile(root / "forms.zip", "w") as z:
        z.writestr("form1.txt", "Email: jo.bloggs@leeds-test.ac.uk\n")
    os.symlink("letter.txt", root / "link.txt")
    age_atimes(root)
    return root


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_scan_leaves_the_tree_byte_and_time_identical(cli, college_tree, jobs):
    before = snapshot(college_tree)
    result = cli("scan", college_tree, "--format", "jsonl", "--jobs", jobs)
    assert result.code in (0, 1), result
    assert any(r["type"] == "item" and r["findings"] for r in result.records())
    after = snapshot(college_tree)
    changed = {k: (before.get(k), after.get(k)) for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert not changed, changed


def test_snapshot_would_notice_an_access_time_change(college_tree):
    """Guard against a test that cannot fail: reading a file the ordinary way is seen."""
    before = snapshot(college_tree)
    with open(college_tree / "letter.txt", "rb") as f:
        f.read()
    after = snapshot(college_tree)
    if before == after:
        pytest.skip("this filesystem does not record access times (noatime mount)")
    assert before["letter.txt"][4] != after["letter.txt"][4]

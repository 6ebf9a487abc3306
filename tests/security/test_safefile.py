"""The two primitives every write and every printed name goes through."""
import os
import stat

import pytest

from pdscan.display import shown
from pdscan.safefile import UnsafePath, atomic_write, open_private, open_private_text, private_dir


def test_open_private_refuses_a_symlink_and_leaves_its_target(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (tmp_path / "out.jsonl").symlink_to(victim)
    with pytest.raises(UnsafePath, match="symbolic link"):
        open_private(tmp_path / "out.jsonl")
    assert victim.read_text() == "keep me"


def test_open_private_refuses_hard_links_and_resets_mode(tmp_path):
    target = tmp_path / "a"
    target.write_text("x")
    os.link(target, tmp_path / "b")
    with pytest.raises(UnsafePath, match="hard links"):
        open_private(tmp_path / "b")
    loose = tmp_path / "loose"
    loose.write_text("old content")
    loose.chmod(0o666)
    with open_private_text(loose) as f:
        f.write("new")
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600
    assert loose.read_text() == "new"


def test_append_keeps_what_is_there(tmp_path):
    log = tmp_path / "log"
    for line in ("one\n", "two\n"):
        with open_private_text(log, "a") as f:
            f.write(line)
    assert log.read_text() == "one\ntwo\n"


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path):
    target = tmp_path / "plan.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as f:
            f.write("half")
            raise RuntimeError("stop")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["plan.json"]
    with atomic_write(target) as f:
        f.write("new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600
    link = tmp_path / "link.json"
    link.symlink_to(target)
    with pytest.raises(UnsafePath, match="symbolic link"):
        with atomic_write(link) as f:
            f.write("x")
    assert target.read_text() == "new"


def test_private_dir_refuses_shared_and_linked_folders(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(UnsafePath, match="writable by group or others"):
        private_dir(shared)
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    with pytest.raises(UnsafePath, match="symbolic link"):
        private_dir(tmp_path / "link")
    made = private_dir(tmp_path / "new" / "data")
    assert stat.S_IMODE(made.stat().st_mode) == 0o700


@pytest.mark.parametrize("name,expected", [
    ("report\x1b[2J.csv", "report\\x1b[2J.csv"),
    ("a\rAll clean\n.txt", "a\\x0dAll clean\\x0a.txt"),
    ("x\x1b]8;;http://evil\x07y", "x\\x1b]8;;http://evil\\x07y"),
    ("invoice\u202etxt.exe", "invoice\\u202etxt.exe"),
    ("café.docx", "café.docx"),
])
def test_shown_makes_control_characters_visible(name, expected):
    assert shown(name) == expected


def test_shown_keeps_undecodable_bytes_visible():
    assert shown(os.fsdecode(b"caf\xe9.txt")) == "caf\\xe9.txt"

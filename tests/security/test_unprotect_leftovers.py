"""A killed unprotect leaves part of the plain text in NAME.pdscan-tmp-*: the next protect or
unprotect of that file removes it (overwritten first) and says so; nothing else is touched.
Names printed by protect/unprotect are inert for the terminal."""
from __future__ import annotations

import argparse
import os

import pytest
from Crypto.PublicKey import RSA

from pdscan.commands import protect as command
from pdscan.remediate.protect import protect_file

PLAIN = b"Name,NI number\nJo Bloggs,AB 12 34 56 C\n"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    key = RSA.generate(2048)
    (folder / "it.pem").write_bytes(key.export_key())
    (folder / "it.pub.pem").write_bytes(key.publickey().export_key())
    return argparse.Namespace(key=key, private=folder / "it.pem", public=folder / "it.pub.pem")


def run(*argv) -> int:
    p = argparse.ArgumentParser(prog="pdscan")
    command.add_parser(p.add_subparsers(dest="command", required=True))
    args = p.parse_args([str(a) for a in argv])
    return args.run(args)


def test_a_stale_plain_text_temp_is_removed_on_the_next_unprotect(tmp_path, keys, capsys):
    path = tmp_path / "staff.csv"
    path.write_bytes(PLAIN)
    protect_file(path, keys.key.publickey())
    stale = tmp_path / "staff.csv.pdscan-tmp-k1ll3d_x"
    stale.write_bytes(PLAIN[:20])  # what a killed unprotect leaves: part of the plain text
    os.chmod(stale, 0o444)
    watcher = os.open(stale, os.O_RDONLY)
    try:
        assert run("unprotect", path, "--private-key", keys.private) == 0
        assert os.fstat(watcher).st_size == 0  # overwritten and truncated before the unlink
    finally:
        os.close(watcher)
    out = capsys.readouterr().out
    assert f"removed {stale}: a temporary file left by an interrupted protect or unprotect" in out
    assert not stale.exists() and path.read_bytes() == PLAIN


def test_only_pdscans_own_temps_of_that_file_are_removed(tmp_path, keys, capsys):
    path = tmp_path / "staff.csv"
    path.write_bytes(PLAIN)
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    (tmp_path / "staff.csv.pdscan-tmp-linktoit").symlink_to(victim)
    (tmp_path / "other.csv.pdscan-tmp-abcdefgh").write_bytes(b"another file's")
    (tmp_path / "staff.csv.pdscan-tmp-toolongname").write_bytes(b"not the pattern")
    os.link(victim, tmp_path / "staff.csv.pdscan-tmp-hardlnk1")
    assert run("protect", path, "--public-key", keys.public) == 0
    assert "removed" not in capsys.readouterr().out
    assert victim.read_bytes() == b"keep me"
    assert (tmp_path / "other.csv.pdscan-tmp-abcdefgh").read_bytes() == b"another file's"
    assert (tmp_path / "staff.csv.pdscan-tmp-toolongname").read_bytes() == b"not the pattern"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="a file of another uid needs root")
def test_a_temp_of_another_user_is_left_alone(tmp_path, keys):
    path = tmp_path / "staff.csv"
    path.write_bytes(PLAIN)
    theirs = tmp_path / "staff.csv.pdscan-tmp-theirs42"
    theirs.write_bytes(b"theirs")
    os.chown(theirs, 4242, 4242)
    assert run("protect", path, "--public-key", keys.public) == 0
    assert theirs.read_bytes() == b"theirs"


def test_protect_prints_names_inert(tmp_path, keys, capsys):
    path = tmp_path / "a\x1b]0;pwned\x07\rprotected all.txt"
    path.write_bytes(PLAIN)
    assert run("protect", path, "--public-key", keys.public) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out
    assert out.endswith("\\x1b]0;pwned\\x07\\x0dprotected all.txt\n")

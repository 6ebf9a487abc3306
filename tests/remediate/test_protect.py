"""protect / unprotect: the file format, the in-place replace procedure, refusals and the commands."""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import stat
import struct
import subprocess
import sys

import pytest
from Crypto.PublicKey import RSA

from pdscan.commands import protect as command
from pdscan.errors import PdscanError
from pdscan.remediate import protect as procedure
from pdscan.remediate.overwrite import Refused, overwrite_and_unlink, overwrite_fd
from pdscan.remediate.protect import protect_file, unprotect_file
from pdscan.remediate.protected_format import (
    CHUNK_SIZE,
    MAGIC,
    TAG,
    DamagedFile,
    WrongKey,
    read_header,
)

MARKER = b"Jane Example, NI number AB 12 34 56 C, DOB 01/02/1990\n"
SMALL_CHUNK = 64
MiB = 1024 * 1024
GiB = 1024 ** 3


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    key, other = RSA.generate(2048), RSA.generate(2048)
    files = {"private": folder / "it.pem", "public": folder / "it.pub.pem", "other": folder / "other.pem",
             "locked": folder / "locked.pem"}
    files["private"].write_bytes(key.export_key())
    files["public"].write_bytes(key.publickey().export_key())
    files["other"].write_bytes(other.export_key())
    files["locked"].write_bytes(key.export_key(passphrase="correct horse", pkcs=8,
                                               protection="PBKDF2WithHMAC-SHA1AndAES256-CBC"))
    return argparse.Namespace(key=key, public=key.publickey(), other=other, files=files)


def plain(size: int) -> bytes:
    return (MARKER * (size // len(MARKER) + 1))[:size]


def protected(path, data: bytes, keys, chunk_size=CHUNK_SIZE):
    path.write_bytes(data)
    protect_file(path, keys.public, chunk_size)
    return path.read_bytes()


def leftovers(folder) -> list:
    return [p.name for p in folder.iterdir() if procedure.TEMP_MARK in p.name]


# --- round trip ---------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [0, 1, len(MARKER), CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 7],
                         ids=["empty", "one-byte", "small", "chunk-minus-one", "one-chunk", "chunk-plus-one", "multi"])
def test_round_trip_is_byte_identical(tmp_path, keys, size):
    path = tmp_path / "staff.csv"
    data = plain(size)
    sealed = protected(path, data, keys)
    assert sealed.startswith(MAGIC + b"\x01")
    unprotect_file(path, keys.key)
    assert path.read_bytes() == data
    assert leftovers(tmp_path) == []


def test_many_small_chunks_round_trip(tmp_path, keys):
    path = tmp_path / "a.txt"
    data = os.urandom(10 * SMALL_CHUNK + 5)
    protected(path, data, keys, SMALL_CHUNK)
    unprotect_file(path, keys.key)
    assert path.read_bytes() == data


def test_plain_text_is_gone_from_the_file(tmp_path, keys):
    path = tmp_path / "list.txt"
    sealed = protected(path, plain(3 * CHUNK_SIZE), keys)
    assert b"AB 12 34 56 C" not in sealed and b"Jane Example" not in sealed


def test_old_inode_is_overwritten_and_truncated(tmp_path, keys):
    path = tmp_path / "list.txt"
    path.write_bytes(plain(100_000))
    watcher = os.open(path, os.O_RDONLY)  # a second descriptor, not a second link
    try:
        protect_file(path, keys.public)
        assert os.fstat(watcher).st_size == 0
        assert os.fstat(watcher).st_ino != os.stat(path).st_ino
    finally:
        os.close(watcher)


def test_mode_and_mtime_are_kept_and_restored(tmp_path, keys):
    path = tmp_path / "grades.xlsx"
    path.write_bytes(plain(5000))
    os.chmod(path, 0o640)
    os.utime(path, ns=(1_600_000_000_000_000_000, 1_500_000_000_123_456_789))
    protect_file(path, keys.public)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    with open(path, "rb") as f:
        header = read_header(f)
    assert (header.size, header.mode, header.mtime_ns) == (5000, 0o640, 1_500_000_000_123_456_789)
    unprotect_file(path, keys.key)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert os.stat(path).st_mtime_ns == 1_500_000_000_123_456_789


def test_temp_file_is_owner_only_and_beside_the_original(tmp_path, keys, monkeypatch):
    seen = []
    real = procedure.write_body

    def spy(src, dst, header, key):
        [temp] = [p for p in tmp_path.iterdir() if procedure.TEMP_MARK in p.name]
        seen.append((temp.name.startswith("x.txt.pdscan-tmp-"), stat.S_IMODE(os.fstat(dst.fileno()).st_mode)))
        return real(src, dst, header, key)

    monkeypatch.setattr(procedure, "write_body", spy)
    path = tmp_path / "x.txt"
    protected(path, plain(10), keys)
    assert seen == [(True, 0o600)]


# --- tampering ----------------------------------------------------------------------------------

def body_offset(sealed: bytes) -> int:
    return 21 + struct.unpack(">I", sealed[17:21])[0]


def tampered_fails(tmp_path, keys, edit, match):
    path = tmp_path / "f.bin"
    data = os.urandom(5 * SMALL_CHUNK + 9)
    sealed = protected(path, data, keys, SMALL_CHUNK)
    path.write_bytes(edit(bytearray(sealed), body_offset(sealed)))
    before = path.read_bytes()
    with pytest.raises(DamagedFile, match=match):
        unprotect_file(path, keys.key)
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def flip_body_byte(b, start):
    b[start + 2 * SMALL_CHUNK + 40] ^= 0x01
    return bytes(b)


def flip_tag_byte(b, start):
    b[start + SMALL_CHUNK + 3] ^= 0x80
    return bytes(b)


def swap_chunks(b, start):
    r = SMALL_CHUNK + TAG
    first, second = b[start:start + r], b[start + r:start + 2 * r]
    return bytes(b[:start] + second + first + b[start + 2 * r:])


def drop_last_chunk(b, start):
    return bytes(b[:-(9 + TAG)])


def cut_mid_chunk(b, start):
    return bytes(b[:start + 2 * (SMALL_CHUNK + TAG) + 30])


def append_bytes(b, start):
    return bytes(b) + b"extra"


def change_header_mtime(b, start):
    b[start - 5] ^= 0x01  # chunk_size is the last 4 header bytes; mtime_ns ends just before it
    return bytes(b)


@pytest.mark.parametrize("edit,match", [
    (flip_body_byte, "chunk 2 failed authentication"),
    (flip_tag_byte, "chunk 0 failed authentication"),
    (swap_chunks, "chunk 0 failed authentication"),
    (drop_last_chunk, "truncated"),
    (cut_mid_chunk, "truncated"),
    (append_bytes, "expected"),
    (change_header_mtime, "chunk 0 failed authentication"),
], ids=lambda v: getattr(v, "__name__", ""))
def test_tampering_is_detected_and_file_left_intact(tmp_path, keys, edit, match):
    tampered_fails(tmp_path, keys, edit, match)


def test_truncation_at_a_chunk_boundary_with_size_fixed_up_is_still_detected(tmp_path, keys):
    # An attacker who drops the last chunk cannot fix the header size: it is bound into every tag.
    path = tmp_path / "f.bin"
    sealed = bytearray(protected(path, os.urandom(3 * SMALL_CHUNK), keys, SMALL_CHUNK))
    start = body_offset(sealed)
    struct.pack_into(">Q", sealed, start - 24, 2 * SMALL_CHUNK)
    path.write_bytes(bytes(sealed[:start + 2 * (SMALL_CHUNK + TAG)]))
    with pytest.raises(DamagedFile):
        unprotect_file(path, keys.key)


def test_wrong_key_is_refused_and_file_left_intact(tmp_path, keys):
    path = tmp_path / "f.txt"
    sealed = protected(path, plain(1000), keys)
    with pytest.raises(WrongKey, match="protected for key"):
        unprotect_file(path, keys.other)
    assert path.read_bytes() == sealed and leftovers(tmp_path) == []


def test_unprotect_refuses_a_plain_file(tmp_path, keys):
    path = tmp_path / "plain.txt"
    path.write_bytes(MARKER)
    with pytest.raises(DamagedFile, match="not a pdscan-protected file"):
        unprotect_file(path, keys.key)
    assert path.read_bytes() == MARKER


# --- refusals -----------------------------------------------------------------------------------

def test_symlink_refused_and_untouched(tmp_path, keys):
    target = tmp_path / "real.txt"
    target.write_bytes(MARKER)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with pytest.raises(Refused, match="symbolic link"):
        protect_file(link, keys.public)
    assert link.is_symlink() and target.read_bytes() == MARKER


def test_hard_linked_file_refused_with_reason(tmp_path, keys):
    one = tmp_path / "one.txt"
    one.write_bytes(MARKER)
    os.link(one, tmp_path / "two.txt")
    with pytest.raises(Refused, match="2 hard links: replacing this name would leave the plain text readable"):
        protect_file(one, keys.public)
    assert one.read_bytes() == MARKER and (tmp_path / "two.txt").read_bytes() == MARKER


def test_directory_refused(tmp_path, keys):
    with pytest.raises(Refused, match="is a folder"):
        protect_file(tmp_path, keys.public)


def test_already_protected_refused_and_untouched(tmp_path, keys):
    path = tmp_path / "f.txt"
    sealed = protected(path, MARKER, keys)
    with pytest.raises(Refused, match="already protected"):
        protect_file(path, keys.public)
    assert path.read_bytes() == sealed


def test_missing_file_refused(tmp_path, keys):
    with pytest.raises(Refused, match="No such file"):
        protect_file(tmp_path / "nope.txt", keys.public)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_folder_without_write_access_refused(tmp_path, keys):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "f.txt").write_bytes(MARKER)
    folder.chmod(0o500)
    try:
        with pytest.raises(Refused, match="cannot create a temporary file"):
            protect_file(folder / "f.txt", keys.public)
    finally:
        folder.chmod(0o700)
    assert (folder / "f.txt").read_bytes() == MARKER


def test_temp_file_refused_folder_reports_reason(tmp_path, keys, monkeypatch):
    def deny(name, dir_fd):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(procedure, "_create_exclusive", deny)
    path = tmp_path / "f.txt"
    path.write_bytes(MARKER)
    with pytest.raises(Refused, match="cannot create a temporary file .*Permission denied"):
        protect_file(path, keys.public)
    assert path.read_bytes() == MARKER


def test_file_changed_while_encrypting_refused(tmp_path, keys, monkeypatch):
    path = tmp_path / "f.txt"
    real = procedure.write_body

    def busy(src, dst, header, key):
        with open(path, "ab") as other_program:
            other_program.write(b"more")
        return real(src, dst, header, key)

    monkeypatch.setattr(procedure, "write_body", busy)
    path.write_bytes(MARKER)
    with pytest.raises(Refused, match="changed while it was being encrypted"):
        protect_file(path, keys.public)
    assert path.read_bytes() == MARKER + b"more" and leftovers(tmp_path) == []


def test_failed_replace_leaves_original_and_no_temp(tmp_path, keys, monkeypatch):
    def refuse(src, dst, **dir_fds):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(procedure.os, "replace", refuse)
    path = tmp_path / "f.txt"
    path.write_bytes(MARKER)
    with pytest.raises(Refused, match="cannot replace it atomically .*left unchanged"):
        protect_file(path, keys.public)
    assert path.read_bytes() == MARKER and leftovers(tmp_path) == []


def test_failed_verification_leaves_original_and_no_temp(tmp_path, keys, monkeypatch):
    real = procedure.write_body

    def corrupt(src, dst, header, key):
        done = real(src, dst, header, key)
        dst.seek(-1, os.SEEK_END)
        last = dst.read(1)[0]
        dst.seek(-1, os.SEEK_END)
        dst.write(bytes([last ^ 0x01]))  # a disk that flipped a bit of the last tag
        return done

    monkeypatch.setattr(procedure, "write_body", corrupt)
    path = tmp_path / "f.txt"
    path.write_bytes(b"\x01" * 100)
    with pytest.raises(Refused, match="failed verification"):
        protect_file(path, keys.public)
    assert path.read_bytes() == b"\x01" * 100 and leftovers(tmp_path) == []


# --- overwrite ----------------------------------------------------------------------------------

def test_overwrite_replaces_every_byte_before_truncating(tmp_path, monkeypatch):
    path = tmp_path / "f.txt"
    path.write_bytes(MARKER * 50_000)
    seen = {}
    real = os.ftruncate

    def spy(fd, length):
        seen["bytes"] = os.pread(fd, len(MARKER) * 50_000 + 10, 0)
        return real(fd, length)

    monkeypatch.setattr(os, "ftruncate", spy)
    fd = os.open(path, os.O_RDWR)
    try:
        overwrite_fd(fd, passes=2)
    finally:
        os.close(fd)
    assert len(seen["bytes"]) == len(MARKER) * 50_000 and b"AB 12 34 56 C" not in seen["bytes"]
    assert path.stat().st_size == 0


def test_overwrite_and_unlink(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(MARKER)
    overwrite_and_unlink(path)
    assert not path.exists()
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    with pytest.raises(Refused):
        overwrite_and_unlink(link)


# --- commands -----------------------------------------------------------------------------------

def run(*argv) -> int:
    """The same dispatch as cli.main, with only these commands registered."""
    p = argparse.ArgumentParser(prog="pdscan")
    command.add_parser(p.add_subparsers(dest="command", required=True))
    try:
        args = p.parse_args([str(a) for a in argv])
        return args.run(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    except PdscanError as exc:
        print(f"pdscan: {exc}", file=sys.stderr)
        return 2


def test_cli_protect_then_unprotect(tmp_path, keys, capsys):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(MARKER)
    b.write_bytes(plain(3 * MiB))
    assert run("protect", a, b, "--public-key", keys.files["public"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"protected {a}", f"protected {b}"]
    assert run("unprotect", a, "--private-key", keys.files["private"]) == 0
    assert a.read_bytes() == MARKER and capsys.readouterr().out == f"restored {a}\n"


def test_cli_refusals_exit_1_with_reasons(tmp_path, keys, capsys):
    good, link = tmp_path / "good.txt", tmp_path / "link.txt"
    good.write_bytes(MARKER)
    link.symlink_to(good)
    assert run("protect", link, good, tmp_path, "--public-key", keys.files["public"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"refused {link}: is a symbolic link")
    assert out[1] == f"protected {good}"
    assert out[2].startswith(f"refused {tmp_path}: is a folder")


def test_cli_wrong_key_exit_1(tmp_path, keys, capsys):
    path = tmp_path / "f.txt"
    sealed = protected(path, MARKER, keys)
    assert run("unprotect", path, "--private-key", keys.files["other"]) == 1
    assert "protected for key" in capsys.readouterr().out and path.read_bytes() == sealed


def test_cli_bad_key_file_exit_2(tmp_path, keys, capsys):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    (tmp_path / "f.txt").write_bytes(MARKER)
    assert run("protect", tmp_path / "f.txt", "--public-key", junk) == 2
    assert run("protect", tmp_path / "f.txt", "--public-key", tmp_path / "missing.pem") == 2
    assert run("unprotect", tmp_path / "f.txt", "--private-key", keys.files["public"]) == 2
    assert "unprotect needs the private key" in capsys.readouterr().err
    assert (tmp_path / "f.txt").read_bytes() == MARKER


def test_cli_usage_error_exit_2(keys):
    assert run("protect", "--public-key", keys.files["public"]) == 2
    assert run("unprotect", "f.txt") == 2


def test_cli_passphrase_from_environment(tmp_path, keys, monkeypatch, capsys):
    path = tmp_path / "f.txt"
    protected(path, MARKER, keys)
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # not a terminal: no prompt
    monkeypatch.delenv(command.PASSPHRASE_ENV, raising=False)
    assert run("unprotect", path, "--private-key", keys.files["locked"]) == 2
    assert "passphrase-protected" in capsys.readouterr().err
    monkeypatch.setenv(command.PASSPHRASE_ENV, "wrong")
    assert run("unprotect", path, "--private-key", keys.files["locked"]) == 2
    assert "wrong passphrase" in capsys.readouterr().err
    monkeypatch.setenv(command.PASSPHRASE_ENV, "correct horse")
    assert run("unprotect", path, "--private-key", keys.files["locked"]) == 0
    assert path.read_bytes() == MARKER


def test_cli_unprotect_to_output_keeps_protected_file(tmp_path, keys, capsys):
    path, out = tmp_path / "f.txt", tmp_path / "copy.txt"
    sealed = protected(path, MARKER, keys)
    assert run("unprotect", path, "--private-key", keys.files["private"], "--output", out) == 0
    assert out.read_bytes() == MARKER and path.read_bytes() == sealed
    assert run("unprotect", path, "--private-key", keys.files["private"], "--output", out) == 1
    assert "exists; will not overwrite it" in capsys.readouterr().out


# --- 1 GiB in bounded memory --------------------------------------------------------------------

# A fresh interpreter whose only child is the work, so RUSAGE_CHILDREN is the work's own peak.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.monotonic()
out = subprocess.run(sys.argv[1:], capture_output=True)
print(json.dumps({"code": out.returncode, "stdout": out.stdout.decode(), "stderr": out.stderr.decode()[-2000:],
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "seconds": time.monotonic() - start}))
"""

WORK = """
import sys, time
from pdscan.remediate.keys import load_private_key, load_public_key
from pdscan.remediate.protect import protect_file, unprotect_file
path, public, private = sys.argv[1:]
t0 = time.monotonic()
protect_file(path, load_public_key(public))
t1 = time.monotonic()
with open(path, "rb") as f:
    assert f.read(16) == b"PDSCAN-PROTECTED"
unprotect_file(path, load_private_key(private, lambda: None))
print(f"protect {t1 - t0:.1f} s, unprotect {time.monotonic() - t1:.1f} s")
"""


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(4 * MiB):
            digest.update(block)
    return digest.hexdigest()


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="ru_maxrss in KiB on Linux")
def test_1gib_round_trip_in_bounded_memory(tmp_path, keys):
    path = tmp_path / "disk.img"
    with open(path, "wb") as f:  # sparse, with marks at the start, the middle and the end
        f.write(MARKER)
        f.seek(GiB // 2)
        f.write(MARKER)
        f.truncate(GiB)
        f.seek(GiB - len(MARKER))
        f.write(MARKER)
    expected = sha256_of(path)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    cmd = [sys.executable, "-c", MEASURE, sys.executable, "-c", WORK, str(path),
           str(keys.files["public"]), str(keys.files["private"])]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300, env=env)
    result = json.loads(done.stdout)
    assert result["code"] == 0, result["stderr"]
    print(f"1 GiB: {result['stdout'].strip()}; total {result['seconds']:.1f} s, "
          f"peak RSS {result['peak_kb'] / 1024:.0f} MB")
    assert result["peak_kb"] / 1024 < 200
    assert os.path.getsize(path) == GiB and sha256_of(path) == expected
    path.unlink()


def test_scanner_recognises_a_protected_file_and_reads_the_restored_one(tmp_path, keys, cli):
    """protect → scan says encrypted "pdscan" and finds nothing; unprotect → scan finds the data again."""
    target = tmp_path / "docs" / "staff.csv"
    target.parent.mkdir()
    target.write_text("Name,NI number\nJo Bloggs,AB 12 34 56 C\n")
    assert cli("protect", target, "--public-key", keys.files["public"]).code == 0
    [item] = [r for r in cli("scan", target.parent, "--format", "jsonl", "--jobs", "1").records()
              if r["type"] == "item"]
    assert (item["encrypted"], item["encryption"], item["findings"]) == (True, "pdscan", [])
    assert cli("unprotect", target, "--private-key", keys.files["private"]).code == 0
    [item] = [r for r in cli("scan", target.parent, "--format", "jsonl", "--jobs", "1").records()
              if r["type"] == "item"]
    assert item["encrypted"] is False and "uk.nino" in [f["detector"] for f in item["findings"]]


def test_cli_protect_refuses_a_private_key_given_as_public_key(tmp_path, keys, capsys):
    path = tmp_path / "f.txt"
    path.write_bytes(MARKER)
    for private in (keys.files["private"], keys.files["locked"]):
        assert run("protect", path, "--public-key", private) == 2
        assert "private key" in capsys.readouterr().err
    assert path.read_bytes() == MARKER

"""Archive members as nested Items: names, nesting, limits, encryption, corruption."""
from __future__ import annotations

import bz2
import gzip
import io
import lzma
import random
import struct
import tarfile
import zipfile
from typing import Optional

import pytest

from pdscan.errors import ItemError, LimitExceeded
from pdscan.extract import Context
from pdscan.extract.archive import extract_archive
from pdscan.limits import Budget, Limits, MiB
from pdscan.model import Item

from ..conftest import REAL
from .drive import drive, file_item, mutations, only_item_errors

# Fixed noise: random flag bits could make a "corrupt" zip look encrypted one run in eight.
NOISE = random.Random(20261129)

ARCHIVES = REAL / "archives"
CSV = b"name,dob\nAda Lovelace,10/12/1815\n"


def make_zip(path, members: dict, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def make_tar(path, members: dict, mode="w"):
    with tarfile.open(path, mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_600_000_000
            tf.addfile(info, io.BytesIO(data))
    return path


def members(item: Item, limits: Optional[Limits] = None) -> list:
    limits = limits or Limits()
    return list(extract_archive(item, Context(limits, Budget(limits))))


def test_zip_members_are_nested_items_with_their_paths(tmp_path):
    path = make_zip(tmp_path / "a.zip", {"staff/list.csv": CSV, "notes.txt": b"hello\n", "empty/": b""})
    run = drive(file_item(path))
    assert set(run.items) == {None, "staff/list.csv", "notes.txt"}
    assert run.items["staff/list.csv"][1] == "text/csv"
    item = run.items["staff/list.csv"][0]
    assert (item.path, item.depth, item.size, item.name) == (str(path), 1, len(CSV), "list.csv")
    assert "Ada Lovelace" in run.text("staff/list.csv")
    assert not run.errors


def test_member_can_be_opened_again_and_independently(tmp_path):
    data = NOISE.randbytes(50_000)
    path = make_zip(tmp_path / "a.zip", {"blob.bin": data})
    small = Limits(max_document_size=4096)  # forces the spool to a temporary file
    (item,) = members(file_item(path), small)
    with item.open() as one, item.open() as two:
        assert one.read(10) == data[:10]
        assert two.read() == data
        assert one.read() == data[10:]


@pytest.mark.parametrize("suffix,mode", [(".tar", "w"), (".tar.gz", "w:gz"), (".tgz", "w:gz"),
                                         (".tar.bz2", "w:bz2"), (".tar.xz", "w:xz")])
def test_tar_members_are_their_paths_in_the_tar_whatever_the_compression(tmp_path, suffix, mode):
    path = make_tar(tmp_path / f"x{suffix}", {"./dir/c.csv": CSV, "d.txt": b"plain\n"}, mode)
    run = drive(file_item(path))
    assert set(run.items) == {None, "dir/c.csv", "d.txt"}
    assert run.items["dir/c.csv"][0].mtime == 1_600_000_000
    assert "Ada Lovelace" in run.text("dir/c.csv")


def test_tar_skips_directories_links_and_devices(tmp_path):
    path = tmp_path / "x.tar"
    with tarfile.open(path, "w") as tf:
        for name, kind in [("d", tarfile.DIRTYPE), ("link", tarfile.SYMTYPE), ("dev", tarfile.CHRTYPE),
                           ("fifo", tarfile.FIFOTYPE)]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, "/etc/passwd"
            tf.addfile(info)
        info = tarfile.TarInfo("real.txt")
        info.size = 3
        tf.addfile(info, io.BytesIO(b"abc"))
    assert [m.member for m in members(file_item(path))] == ["real.txt"]


def test_lone_gzip_is_one_member_named_without_the_suffix(tmp_path):
    path = tmp_path / "report.csv.gz"
    path.write_bytes(gzip.compress(CSV, mtime=1_500_000_000))
    run = drive(file_item(path))
    assert set(run.items) == {None, "report.csv"}
    assert run.items["report.csv"][1] == "text/csv"
    assert run.items["report.csv"][0].mtime == 1_500_000_000
    assert "Ada Lovelace" in run.text("report.csv")


def test_lone_gzip_uses_the_name_stored_in_its_header(tmp_path):
    path = tmp_path / "download.gz"
    with open(path, "wb") as raw, gzip.GzipFile("inner.csv", "wb", fileobj=raw) as gz:
        gz.write(CSV)
    assert [m.member for m in members(file_item(path))] == ["inner.csv"]


@pytest.mark.parametrize("suffix,compress", [(".bz2", bz2.compress), (".xz", lzma.compress)])
def test_lone_bzip2_and_xz(tmp_path, suffix, compress):
    path = tmp_path / f"notes.txt{suffix}"
    path.write_bytes(compress(b"Call Ada on 07700 900123\n"))
    run = drive(file_item(path))
    assert "07700 900123" in run.text("notes.txt")


def test_nested_zip_members_are_joined_with_bang_slash(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("c.csv", CSV)
    inner_tgz = io.BytesIO()
    with tarfile.open(fileobj=inner_tgz, mode="w:gz") as tf:
        info = tarfile.TarInfo("deep.txt")
        info.size = 5
        tf.addfile(info, io.BytesIO(b"deep\n"))
    path = make_zip(tmp_path / "a.zip", {"b.zip": inner.getvalue(), "t.tgz": inner_tgz.getvalue()})
    run = drive(file_item(path))
    assert {"b.zip", "b.zip!/c.csv", "t.tgz", "t.tgz!/deep.txt"} <= set(run.items)
    assert run.items["b.zip!/c.csv"][0].depth == 2
    assert run.items["b.zip!/c.csv"][0].path == str(path)
    assert "Ada Lovelace" in run.text("b.zip!/c.csv")


def test_truncated_zip_is_an_item_error(tmp_path):
    whole = make_zip(tmp_path / "a.zip", {"a.txt": b"x" * 1000, "b.txt": b"y" * 1000}).read_bytes()
    path = tmp_path / "cut.zip"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ItemError):
        members(file_item(path))


def test_corrupt_zip_is_an_item_error(tmp_path):
    path = tmp_path / "bad.zip"
    path.write_bytes(b"PK\x03\x04" + NOISE.randbytes(2000) + b"PK\x05\x06" + b"\xff" * 18)
    with pytest.raises(ItemError):
        members(file_item(path))


def test_corrupt_member_data_refuses_that_member_only(tmp_path):
    path = make_zip(tmp_path / "a.zip", {"good.txt": b"fine\n", "bad.txt": NOISE.randbytes(5000)})
    data = bytearray(path.read_bytes())
    start = data.index(b"bad.txt") + len("bad.txt")
    data[start + 2000:start + 2020] = bytes(20)  # inside the deflate stream of bad.txt
    path.write_bytes(bytes(data))
    run = drive(file_item(path))
    assert "fine" in run.text("good.txt")
    assert [m for m, _, _ in run.errors] == ["bad.txt"]


def test_unsupported_compression_method_refuses_that_member_only(tmp_path):
    path = make_zip(tmp_path / "a.zip", {"odd.bin": b"abc" * 100, "ok.txt": b"ok\n"})
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 10, 97)  # WavPack: zipfile cannot read it
    path.write_bytes(bytes(data))
    found = {m.member: m for m in members(file_item(path))}
    with pytest.raises(ItemError, match="unsupported"):
        found["odd.bin"].open()
    assert found["ok.txt"].open().read() == b"ok\n"


def test_truncated_tar_gz_keeps_members_already_yielded_then_fails(tmp_path):
    big = NOISE.randbytes(300_000)
    whole = make_tar(tmp_path / "x.tar.gz", {"first.txt": b"first\n", "big.bin": big}, "w:gz").read_bytes()
    path = tmp_path / "cut.tar.gz"
    path.write_bytes(whole[:200_000])
    got = []
    with pytest.raises(ItemError):
        for member in extract_archive(file_item(path), Context(Limits(), Budget(Limits()))):
            got.append(member.member)
    assert got == ["first.txt"]


def zeros_zip(path, megabytes: int, name="zeros.bin"):
    block = bytes(MiB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open(name, "w") as out:
            for _ in range(megabytes):
                out.write(block)
    return path


def test_zip_bomb_is_refused_from_the_declared_sizes(tmp_path):
    path = zeros_zip(tmp_path / "bomb.zip", 200)
    assert path.stat().st_size < 1 * MiB
    with pytest.raises(LimitExceeded, match="ratio"):
        members(file_item(path))


def test_zip_bomb_with_lying_sizes_is_refused_while_streaming(tmp_path):
    path = zeros_zip(tmp_path / "liar.zip", 50)
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 20, 50 * MiB)  # claims ratio 1:1
    path.write_bytes(bytes(data))
    with pytest.raises(LimitExceeded, match="ratio"):
        members(file_item(path))


def test_nested_bomb_trips_the_budget_shared_by_all_levels(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("noise.bin", NOISE.randbytes(2 * MiB))
    path = make_zip(tmp_path / "outer.zip", {f"{n}.zip": inner.getvalue() for n in range(4)},
                    zipfile.ZIP_STORED)
    run = drive(file_item(path), Limits(max_expanded=5 * MiB))
    assert any(cls is LimitExceeded for _, _, cls in run.errors)
    assert len([m for m in run.items if m and m.endswith("noise.bin")]) < 4


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_too_many_members(tmp_path, kind):
    entries = {f"m{n}.txt": b"x" for n in range(6)}
    path = make_zip(tmp_path / "a.zip", entries) if kind == "zip" else make_tar(tmp_path / "a.tar", entries)
    with pytest.raises(LimitExceeded, match="members"):
        members(file_item(path), Limits(max_members=5))
    assert len(members(file_item(path), Limits(max_members=6))) == 6


@pytest.mark.parametrize("name,scheme", [("libzip-encrypt-aes128.zip", "zip-aes"),
                                         ("libzip-encrypt-zipcrypto.zip", "zip-zipcrypto"),
                                         ("puren_tonbo/aesop_win_7z.aes256.zip", "zip-aes"),
                                         ("puren_tonbo/aesop_win_7z.old.zip", "zip-zipcrypto")])
def test_encrypted_zip_members_are_not_read_and_carry_their_scheme(name, scheme):
    found = members(file_item(ARCHIVES / name))
    sealed = [m for m in found if m.inherited_encryption]
    assert sealed and {m.inherited_encryption for m in sealed} == {scheme}
    for member in sealed:
        with pytest.raises(ItemError, match="encrypted"):
            member.open()
    run = drive(file_item(ARCHIVES / name))
    assert run.encrypted == {m.member: scheme for m in sealed}
    if "libzip" in name:
        assert run.text("plain").strip() in ("plain", "foo")


def test_partly_encrypted_zip_reads_the_plain_member():
    run = drive(file_item(ARCHIVES / "libarchive/zip_encryption_partially.zip"))
    assert "data of bar.txt" in run.text("bar.txt")
    assert set(run.encrypted) == {"foo.txt"}


def test_zip_with_encrypted_central_directory_hides_names():
    with pytest.raises(ItemError, match="names hidden"):
        members(file_item(ARCHIVES / "libarchive/zip_encryption_header.zip"))


def test_7z_members():
    run = drive(file_item(ARCHIVES / "copy.7z"), extractor=extract_archive)
    assert {"test/test2.txt", "test1.txt"} <= set(run.items)
    assert "located" in run.text("test1.txt")


def test_7z_encrypted_members_and_hidden_names():
    found = {m.member: m.inherited_encryption for m in members(file_item(ARCHIVES / "encrypted_1.7z"))}
    assert found == {"test1.txt": "7z", "test/test2.txt": "7z"}
    partly = {m.member: m for m in members(file_item(ARCHIVES / "libarchive/7zip_encryption_partially.7z"))}
    assert partly["bar_unencrypted.txt"].open().read() == b"foo\n"
    assert partly["bar_encrypted.txt"].inherited_encryption == "7z"
    with pytest.raises(ItemError, match="names hidden"):
        members(file_item(ARCHIVES / "encrypted_3.7z"))


def test_7z_bomb_trips_the_budget(tmp_path):
    py7zr = pytest.importorskip("py7zr")
    path = tmp_path / "zeros.7z"
    with py7zr.SevenZipFile(path, "w") as archive:
        archive.writestr(bytes(20 * MiB), "zeros.bin")
    with pytest.raises(LimitExceeded):
        members(file_item(path))


def test_garbage_is_an_item_error(tmp_path):
    path = tmp_path / "noise.tar"
    path.write_bytes(NOISE.randbytes(4096))
    with pytest.raises(ItemError):
        members(file_item(path))
    path.write_bytes(b"\x1f\x8b\x08\x00" + NOISE.randbytes(4096))
    with pytest.raises(ItemError):
        members(file_item(path))


class _Zeros(io.RawIOBase):
    """n zero bytes, produced as they are read (the test file stays small on disk)."""

    def __init__(self, n: int):
        self.left = n

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


@pytest.mark.parametrize("kind", ["tar.gz", "gz"])
def test_gzip_bombs_are_refused_while_streaming(tmp_path, kind):
    path = tmp_path / f"bomb.{kind}"
    size = 120 * MiB
    if kind == "gz":
        with gzip.open(path, "wb") as out:
            for _ in range(size // MiB):
                out.write(bytes(MiB))
    else:
        with tarfile.open(path, "w:gz") as tf:
            info = tarfile.TarInfo("zeros.bin")
            info.size = size
            tf.addfile(info, io.BufferedReader(_Zeros(size)))
    assert path.stat().st_size < MiB
    with pytest.raises(LimitExceeded, match="ratio"):
        members(file_item(path))


@pytest.mark.parametrize("name", ["libzip-encrypt-aes128.zip", "libarchive/zip_encryption_partially.zip",
                                  "copy.7z", "libarchive/7zip_encryption_partially.7z", "x.tar.gz", "x.csv.gz"])
def test_damaged_archives_fail_only_with_item_error(tmp_path, name):
    if name == "x.tar.gz":
        data = make_tar(tmp_path / name, {"a.txt": b"a" * 500, "b/c.csv": CSV * 20}, "w:gz").read_bytes()
    elif name == "x.csv.gz":
        data = gzip.compress(CSV * 50)
    else:
        data = (ARCHIVES / name).read_bytes()
    for damaged in mutations(data, 60):
        only_item_errors(extract_archive, damaged, name)

"""`pdscan usb`: per-volume verdicts, from a real folder as the mountpoint."""
from __future__ import annotations


import pytest

CLASS_LIST = ("Name,Date of birth,ULN,Postcode\n"
              "Zoe Bronte,14/03/2007,1000000004,LS1 4AP\n"
              "Amir Malik,02/11/2006,1000000012,BD7 1DP\n")


def encrypted_xlsx(path, password="Password1234_"):
    """A real password-protected workbook: written by pyexcel, encrypted by msoffcrypto-tool."""
    pyexcel = pytest.importorskip("pyexcel")
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    rows = [line.split(",") for line in CLASS_LIST.strip().splitlines()]
    plain = path.with_suffix(".plain.xlsx")
    pyexcel.save_as(array=rows, dest_file_name=str(plain))
    with open(plain, "rb") as f:
        office = ooxml.OOXMLFile(f)
        with open(path, "wb") as out:
            office.encrypt(password, out)
    plain.unlink()


def test_plain_class_list_on_a_stick_fails(cli, tmp_path):
    stick = tmp_path / "STICK"
    stick.mkdir()
    (stick / "class-list.csv").write_text(CLASS_LIST)
    (stick / "timetable.txt").write_text("Monday: Maths\n")
    result = cli("usb", "--mountpoint", stick, "--format", "jsonl", "--jobs", "1")
    assert result.code == 1, result
    [volume] = [r for r in result.records() if r["type"] == "volume"]
    assert volume["verdict"] == "FAIL" and volume["mountpoint"] == str(stick)
    assert [v["rule"] for v in volume["violations"]] == ["unencrypted-removable-volume"]
    assert result.records()[-1]["volumes_failed"] == 1


def test_text_verdict_lists_the_files_and_what_to_do(cli, tmp_path):
    stick = tmp_path / "STICK"
    stick.mkdir()
    (stick / "class-list.csv").write_text(CLASS_LIST)
    result = cli("usb", "--mountpoint", stick, "--jobs", "1")
    assert result.code == 1
    assert "verdict: FAIL" in result.out and "class-list.csv" in result.out
    assert "BitLocker To Go" in result.out
    assert "Zoe" not in result.out and "1000000004" not in result.out


def test_class_list_only_inside_a_password_protected_workbook_passes(cli, tmp_path):
    stick = tmp_path / "STICK"
    stick.mkdir()
    encrypted_xlsx(stick / "class-list.xlsx")
    result = cli("usb", "--mountpoint", stick, "--format", "jsonl", "--jobs", "1")
    assert result.code == 0, result
    items = [r for r in result.records() if r["type"] == "item"]
    assert [(i["encrypted"], i["encryption"]) for i in items] == [(True, "ooxml")]
    [volume] = [r for r in result.records() if r["type"] == "volume"]
    assert volume["verdict"] == "PASS" and volume["violations"] == []


def test_list_only_does_not_scan(cli, tmp_path):
    stick = tmp_path / "STICK"
    stick.mkdir()
    (stick / "class-list.csv").write_text(CLASS_LIST)
    result = cli("usb", "--mountpoint", stick, "--list", "--format", "jsonl")
    assert result.code == 0
    kinds = [r["type"] for r in result.records()]
    assert kinds == ["volume", "summary"] and result.records()[0]["verdict"] is None


def test_list_only_leaves_the_stored_verdicts_alone(cli, tmp_path):
    """A listing checks nothing: stored, it would replace the volume's last verdict in the report."""
    import sqlite3
    stick, db = tmp_path / "STICK", tmp_path / "store.db"
    stick.mkdir()
    (stick / "class-list.csv").write_text(CLASS_LIST)
    assert cli("usb", "--mountpoint", stick, "--db", db, "--jobs", "1").code == 1
    assert cli("usb", "--mountpoint", stick, "--list", "--db", db).code == 0
    with sqlite3.connect(db) as conn:
        assert [v for (v,) in conn.execute("SELECT verdict FROM volumes")] == ["FAIL"]


def test_no_removable_volume_is_exit_3(cli, monkeypatch):
    import pdscan.commands.usb as usb
    monkeypatch.setattr(usb, "list_volumes", lambda removable_only=True: [])
    result = cli("usb")
    assert result.code == 3 and "no removable volume found" in result.out


def test_missing_mountpoint_is_a_usage_error(cli, tmp_path):
    result = cli("usb", "--mountpoint", tmp_path / "nope")
    assert result.code == 2 and "not a folder" in result.err


def test_discovered_sticks_from_a_fake_sysfs_get_their_own_verdicts(cli, tmp_path, monkeypatch, fake_host):
    """Discovery through the Linux backend (fake sysfs + mountinfo), each stick's mountpoint a real
    folder: the plain vfat stick fails, the LUKS stick with the same file passes."""
    import dataclasses

    import pdscan.commands.usb as usb
    from pdscan.sources.volumes import linux

    folders = {}
    for name in ("STICK", "SAFE"):
        folders[f"/media/u/{name}"] = tmp_path / "media" / name
        folders[f"/media/u/{name}"].mkdir(parents=True)
        (folders[f"/media/u/{name}"] / "class-list.csv").write_text(CLASS_LIST)

    def discovered(removable_only=True):
        found = linux.list_volumes(removable_only, use_lsblk=False, **fake_host)
        return [dataclasses.replace(v, mountpoint=str(folders[v.mountpoint])) for v in found]

    monkeypatch.setattr(usb, "list_volumes", discovered)
    result = cli("usb", "--format", "jsonl", "--jobs", "1")
    assert result.code == 1, result
    verdicts = {r["device"]: (r["encrypted"], r["encryption"], r["verdict"])
                for r in result.records() if r["type"] == "volume"}
    assert verdicts == {"/dev/sdb1": (False, None, "FAIL"), "/dev/sdc1": (True, "luks", "PASS")}
    items = {r["path"].split("/media/")[1]: r["violations"] for r in result.records() if r["type"] == "item"}
    assert items["SAFE/class-list.csv"] == []                  # on an encrypted volume: no violation
    assert [v["rule"] for v in items["STICK/class-list.csv"]] == ["unencrypted-personal-data"]


def test_list_is_an_aligned_table_without_a_scan_summary(cli, tmp_path, monkeypatch, fake_host):
    import pdscan.commands.usb as usb
    from pdscan.sources.volumes import linux

    monkeypatch.setattr(usb, "list_volumes",
                        lambda removable_only=True: linux.list_volumes(removable_only, use_lsblk=False, **fake_host))
    result = cli("usb", "--list")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert len(lines) == 3, result
    head, stick, safe = lines
    assert head.split() == ["DEVICE", "MOUNTPOINT", "FSTYPE", "SIZE", "LABEL", "ENCRYPTION", "REMOVABLE"]
    assert stick.split()[:5] == ["/dev/sdb1", "/media/u/STICK", "vfat", "14.4", "GiB"]
    assert "not encrypted" in stick and stick.endswith("yes")
    assert safe.startswith("/dev/sdc1") and "encrypted (luks)" in safe and safe.endswith("yes")
    # Aligned: every column starts where its heading does.
    for column in ("MOUNTPOINT", "FSTYPE", "SIZE", "ENCRYPTION"):
        at = head.index(column)
        assert stick[at - 2:at] == "  " and stick[at] != " " and safe[at] != " ", column
    assert "Scanned" not in result.out and "Violations" not in result.out

"""Names other people chose reach the terminal inert: no ESC, CR or extra line from a file,
member or mail folder name can redraw the screen ("All clean") in text output."""
from __future__ import annotations

import os
import subprocess
import sys
import time

NAME = "x\x1b[2J\rAll clean\n.csv"
ESCAPED = "x\\x1b[2J\\x0dAll clean\\x0a.csv"
NI_LIST = "Name,NI number,Date of birth\nJo Bloggs,AB 12 34 56 C,01/02/1970\n"


def assert_inert(out: bytes, escaped: str) -> None:
    assert b"\x1b" not in out and b"\r" not in out
    assert escaped.encode() in out
    # The name is on one line: nothing it holds started a line of its own.
    assert not any(line.startswith(b"All clean") or line.startswith(b".csv") for line in out.split(b"\n"))


def test_scan_text_shows_a_hostile_file_name_escaped(tmp_path):
    (tmp_path / NAME).write_text(NI_LIST)
    done = subprocess.run([sys.executable, "-m", "pdscan", "scan", str(tmp_path), "--jobs", "1", "--no-progress"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert done.returncode == 1, done
    assert_inert(done.stdout, ESCAPED)
    assert b"unencrypted-personal-data" in done.stdout


def test_scan_text_escapes_a_hostile_member_name_and_error(cli, tmp_path):
    import zipfile
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as z:
        z.writestr(NAME, NI_LIST)
        z.writestr("bad\x1b]0;owned\x07.docx", _broken_docx())
    result = cli("scan", tmp_path, "--jobs", "1", "--no-progress")
    out = result.out.encode("utf-8", "surrogateescape")
    assert_inert(out, ESCAPED)
    assert b"\x07" not in out and b"bad\\x1b]0;owned\\x07.docx" in out


def _broken_docx() -> bytes:
    """A Word document whose body is not XML: an error record that quotes the member's name."""
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", "<w:document><not closed")
    return buffer.getvalue()


def test_retention_text_shows_a_hostile_file_name_escaped(cli, tmp_path):
    (tmp_path / "HR").mkdir()
    path = tmp_path / "HR" / NAME
    path.write_text("Staff file\nName: Carol White\nNI number: AB 12 34 56 C\n"
                    "Date of birth: 05/06/1970\nLeaving date: 31 August 2012\n")
    stamp = time.mktime(time.strptime("2013-02-01 12:00", "%Y-%m-%d %H:%M"))
    os.utime(path, (stamp, stamp))
    result = cli("retention", tmp_path, "--now", "2026-11-29", "--jobs", "1", "--no-progress")
    assert result.code == 1, result
    assert_inert(result.out.encode(), ESCAPED)
    assert "retention" not in result.err


def test_mail_text_shows_a_hostile_folder_name_and_headers_escaped(cli, tmp_path):
    box = tmp_path / "Maildir"
    folder = box / ".Evil\x1b[2J\rAll clean"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
        (folder / sub).mkdir(parents=True)
    (folder / "cur" / "1:2,S").write_text(
        "From: jo@bloggs-family.co.uk\nTo: al@college.ac.uk\nSubject: hi\n"
        "Date: Mon, 6 Jan 2020 10:00:00 +0000\nMessage-ID: <a\x1b[2J@b>\n\n"
        "My NI number is AB 12 34 56 C.\n")
    result = cli("mail", box, "--no-progress")
    out = result.out.encode()
    assert b"\x1b" not in out and b"\r" not in out, result
    assert b"Evil\\x1b[2J\\x0dAll clean" in out
    assert not any(line.startswith(b"All clean") for line in out.split(b"\n"))


def test_an_error_quoting_a_hostile_name_is_escaped(cli, tmp_path):
    result = cli("scan", tmp_path / NAME)
    assert result.code == 2
    assert "\x1b" not in result.err and "\r" not in result.err and result.err.count("\n") == 1
    assert ESCAPED in result.err


def test_a_hostile_volume_label_and_mountpoint_are_escaped_in_the_verdict_and_the_list(tmp_path):
    import io

    import dataclasses

    from pdscan.model import Summary, VolumeResult
    from pdscan.sinks.console import ConsoleSink

    volume = VolumeResult("/dev/sdb1", "/media/u/\x1b[2JSTICK", "vfat", True, False, None, None, size=1 << 30,
                          label="\x1b]0;PASS\x07\rAll clean\n")
    for verdict in ("PASS", None):
        out = io.StringIO()
        sink = ConsoleSink(out)
        sink.record(dataclasses.replace(volume, verdict=verdict))
        sink.end(Summary(volumes=1))
        text = out.getvalue()
        assert "\x1b" not in text and "\r" not in text and "\x07" not in text, verdict
        assert "\\x1b]0;PASS\\x07\\x0dAll clean\\x0a" in text and "/media/u/\\x1b[2JSTICK" in text

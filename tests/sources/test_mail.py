"""Mailbox sources: the same messages read from each layout, and the real corpus."""
from __future__ import annotations

import pytest

from pdscan.errors import PdscanError
from pdscan.model import ErrorRecord, Item
from pdscan.sources.mail import open_mailbox
from pdscan.sources.mail.headers import iso_date, sender
from pdscan.sources.mail.maildir import plus_folder
from pdscan.sources.mail.mbox import folder_of

from ..conftest import CORPUS, REAL
from .mailboxes import FOLDERS, expected, make_eml_tree, make_maildir, make_mbox_tree

LAYOUTS = {
    "maildir": make_maildir,
    "mbox-tree": make_mbox_tree,
    "eml-folder": make_eml_tree,
    "plain-tree": lambda root: make_eml_tree(root, suffix="", first="Message-ID"),
}


def read(source) -> tuple:
    events = list(open_mailbox(str(source)))
    return [e for e in events if isinstance(e, Item)], [e for e in events if isinstance(e, ErrorRecord)]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_gives_the_same_folders_and_headers(tmp_path, layout):
    items, errors = read(LAYOUTS[layout](tmp_path / layout))
    assert errors == []
    got = {i.meta["message_id"]: i.meta["folder"] for i in items}
    assert got == {mid: folder for mid, (folder, _) in expected().items()}
    counts = {}
    for i in items:
        counts[i.meta["folder"]] = counts.get(i.meta["folder"], 0) + 1
    assert counts == FOLDERS
    for i in items:
        assert i.name.endswith(".eml")
        assert i.meta["date"].startswith("2024-01-")
        raw = i.open().read()
        assert raw.startswith((b"From: ", b"Message-ID: ")) and raw.rstrip().endswith((b"xx", b"regards",
                                                                                      b"meeting.", b"form.",
                                                                                      b"work.", b"Regards"))
        assert len(raw) == i.size


def test_members_are_stable_ids(tmp_path):
    maildir, _ = read(make_maildir(tmp_path / "md"))
    assert {i.member.split("/")[0] for i in maildir} == {"cur", "new", ".Projects", ".Personal.Family"}
    assert not any("/tmp/" in f"/{i.member}" for i in maildir)
    mbox, _ = read(make_mbox_tree(tmp_path / "tb"))
    assert sorted(i.member for i in mbox if i.path.endswith("Inbox")) == ["mbox:1", "mbox:2", "mbox:3", "mbox:4"]
    assert read(make_mbox_tree(tmp_path / "tb2"))[0][0].member == mbox[0].member


def test_truncated_mbox_reports_the_last_message_and_keeps_the_others(tmp_path):
    whole = (make_mbox_tree(tmp_path / "tb") / "Inbox").read_bytes()
    cut = tmp_path / "cut.mbox"
    cut.write_bytes(whole[:whole.rindex(b"\nSubject:") + 15])
    items, errors = read(cut)
    assert [i.member for i in items] == ["mbox:1", "mbox:2", "mbox:3"]
    assert [(e.member, e.error) for e in errors] == [("mbox:4", "message cut short (truncated mbox)")]
    assert {i.meta["folder"] for i in items} == {"cut"}


def test_unclosed_multipart_at_the_end_is_truncated(tmp_path):
    box = tmp_path / "box"
    box.write_bytes(b"From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b.com\nSubject: one\n\nfine\n\n"
                    b"From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b.com\nSubject: two\n"
                    b"Content-Type: multipart/mixed; boundary=\"XX\"\n\n--XX\nContent-Type: text/plain\n\npart\n")
    items, errors = read(box)
    assert [i.member for i in items] == ["mbox:1"] and [e.member for e in errors] == ["mbox:2"]


def test_a_file_that_is_not_a_mailbox_is_refused(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n")
    with pytest.raises(PdscanError):
        list(open_mailbox(str(junk)))
    with pytest.raises(PdscanError):
        open_mailbox(str(tmp_path / "missing"))


def test_header_decoding_is_tolerant():
    assert iso_date("Mon, 1 Jan 2024 09:30:00 +0100") == "2024-01-01T08:30:00Z"
    assert iso_date("the day after tomorrow") is None
    assert iso_date(None) is None
    assert sender("=?utf-8?q?J=C3=B6rg?= <j@x.de>") == "Jörg <j@x.de>"
    assert sender("=?x-unknown-charset?q?J=F6rg?= <j@x.de>").endswith("<j@x.de>")
    assert plus_folder(".Personal.Family") == "Personal/Family"
    assert folder_of("Personal.sbd/Family") == "Personal/Family"
    assert folder_of("archive.mbox") == "archive"


def test_real_maildirs():
    items, errors = read(REAL / "mail" / "maildir" / "mu-testdir")
    assert not errors and len(items) >= 15
    assert {i.meta["folder"] for i in items} == {"Inbox"}
    assert not any(i.member.startswith("tmp/") for i in items)
    nested, _ = read(REAL / "mail" / "maildir" / "mu-testdir2")
    assert {i.meta["folder"] for i in nested} == {"Foo", "bar", "wom_bat"}


def test_real_mbox_and_eml_folder():
    items, errors = read(REAL / "mail" / "mbox" / "mboxparser-testbox.mbox")
    assert not errors and len(items) == 9
    assert items[0].meta["from"] == "Robin Friedrich <friedrich@pythonpros.com>"
    eml, errors = read(REAL / "mail" / "eml")
    assert not errors and len(eml) == 6 and {i.meta["folder"] for i in eml} == {"eml"}


@pytest.mark.corpus
@pytest.mark.parametrize("user", ["arnold-j", "baughman-d", "griffith-j"])
def test_enron_user_folders_read_as_a_plain_tree(user):
    root = CORPUS / "enron" / "maildir" / user
    items, errors = read(root)
    files = [p for p in root.rglob("*") if p.is_file()]
    assert not errors and len(items) == len(files)
    folders = {i.meta["folder"] for i in items}
    assert any(f.split("/")[0] == "personal" or f.startswith("private_folders/personal") for f in folders)
    assert all(not f.startswith("/") for f in folders)
    if user == "arnold-j":
        assert {"sent_items", "inbox", "_sent_mail"} <= folders
    if user == "baughman-d":
        assert "personal/home_buy" in folders

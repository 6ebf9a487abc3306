"""Outlook mailboxes: .msg files and .pst/.ost data files as message sources, and `pdscan mail` on them."""
from __future__ import annotations

import shutil

import pytest

from pdscan.extract.outlook import msg_to_rfc822
from pdscan.model import ErrorRecord, Item
from pdscan.sources.mail import open_mailbox

from ..conftest import REAL

MSG = REAL / "mail" / "msg"
PST = REAL / "mail" / "pst"
# Messages of the corpus compared as .msg and as the same message in a Maildir.
SAME = ["TxtSampleEmail.msg", "HtmlSampleEmail.msg", "EmailWithAttachments.msg", "EmailWithMsgAttachment.msg",
        "hiraoka-contactUnicode.msg", "hiraoka-attachmentFiles.msg"]
DIST_LIST = [("Calendar/2097348", "Calendar", "Test appointment"),
             ("Contacts/2097188", "Contacts", "test dist list"),
             ("Contacts/2097252", "Contacts", "contact name 1")]
# A cut of dist-list.pst where the Calendar's message is damaged but the Contacts are whole.
CUT_IN_CALENDAR_MESSAGE = 152_000


def read(source) -> tuple:
    events = list(open_mailbox(str(source)))
    return [e for e in events if isinstance(e, Item)], [e for e in events if isinstance(e, ErrorRecord)]


def subject(item: Item) -> str:
    from email import policy
    from email.parser import BytesParser

    return BytesParser(policy=policy.default).parsebytes(item.open().read())["Subject"]


def test_a_folder_of_msg_files():
    items, errors = read(MSG)
    assert errors == []
    assert sorted(i.member for i in items) == sorted(p.name for p in MSG.glob("*.msg"))
    assert {i.meta["folder"] for i in items} == {"msg"} and {i.path for i in items} == {str(MSG)}
    assert all(i.name.endswith(".msg.eml") and i.size == len(i.open().read()) for i in items)
    by_name = {i.member: i for i in items}
    txt = by_name["TxtSampleEmail.msg"]
    assert txt.meta == {"folder": "msg", "from": "Wilson, Chris <Chris.Wilson@leeds.gov.uk>",
                        "date": "2017-10-23T07:31:27Z",
                        "message_id": "<6BA412B7BBD2FD42861293C22F31BF8F1AECAB77@pifmbx04.Leeds.gov.uk>"}
    assert b"To: \"Wilson, Chris\" <Chris.Wilson@leeds.gov.uk>" in txt.open().read()
    assert by_name["strangeDate.msg"].meta["date"] is None
    assert by_name["hiraoka-sent.msg"].meta["date"] == "2021-02-15T08:19:04Z"  # from the MAPI submit time
    assert subject(by_name["hiraoka-contactUnicode.msg"]) == "コム ドット イグザンプル 殿"


def test_msg_files_in_a_tree_are_in_the_folder_they_sit_in(tmp_path):
    for folder, name in (("Inbox", "TxtSampleEmail.msg"), ("Personal/Family", "hiraoka-sent.msg")):
        (tmp_path / folder).mkdir(parents=True)
        shutil.copy(MSG / name, tmp_path / folder / name)
    items, errors = read(tmp_path)
    assert errors == []
    assert sorted((i.member, i.meta["folder"]) for i in items) == [
        ("Inbox/TxtSampleEmail.msg", "Inbox"), ("Personal/Family/hiraoka-sent.msg", "Personal/Family")]
    single, _ = read(tmp_path / "Inbox" / "TxtSampleEmail.msg")
    assert [(i.path, i.member, i.meta["folder"]) for i in single] == [
        (str(tmp_path / "Inbox" / "TxtSampleEmail.msg"), "TxtSampleEmail.msg", "Inbox")]


def test_a_damaged_msg_is_an_error_and_the_others_are_read(tmp_path):
    shutil.copy(MSG / "hiraoka-sent.msg", tmp_path / "good.msg")
    (tmp_path / "cut.msg").write_bytes((MSG / "TxtSampleEmail.msg").read_bytes()[:20000])
    items, errors = read(tmp_path)
    assert [i.member for i in items] == ["good.msg"]
    assert [e.member for e in errors] == ["cut.msg"] and errors[0].error.startswith("not a readable Outlook message")


def test_pst_folders_and_messages():
    items, errors = read(PST / "dist-list.pst")
    assert [(i.member, i.meta["folder"], subject(i)) for i in items] == DIST_LIST
    assert {i.path for i in items} == {str(PST / "dist-list.pst")}
    assert [i.name for i in items] == ["message-2097348.eml", "message-2097188.eml", "message-2097252.eml"]
    assert items[0].meta["date"] == "2016-08-02T00:27:12Z"
    # The appointment's two exceptions are embedded messages, which libpff cannot open.
    assert [(e.member, e.error) for e in errors] == [
        ("Calendar/2097348!/Untitled.eml", "embedded message not read (libpff cannot open it)"),
        ("Calendar/2097348!/Untitled.eml (2)", "embedded message not read (libpff cannot open it)")]


def test_a_pst_password_does_not_stop_reading():
    """passworded.pst has a PST password (PidTagPstPassword, a CRC in the message store). The
    password is checked by Outlook only; the data is not encrypted and libpff reads it all, so
    its messages are scanned like any other PST's."""
    import pypff

    pff = pypff.file()
    pff.open(str(PST / "passworded.pst"))
    try:
        crc = pff.get_message_store().get_record_set(0).get_entry_by_type(0x67FF).get_data_as_integer()
    finally:
        pff.close()
    assert crc != 0
    items, errors = read(PST / "passworded.pst")
    assert errors == []
    assert [(i.member, i.meta["folder"], subject(i)) for i in items] == DIST_LIST[1:]


def test_a_pst_header_alone_is_one_error():
    items, errors = read(PST / "libpff-pst-file_header.bin")  # found by its "!BDN" magic, not its name
    assert items == []
    assert [(e.path, e.member, e.error) for e in errors] == [
        (str(PST / "libpff-pst-file_header.bin"), None, "not a readable Outlook data file (damaged or truncated)")]


def test_a_truncated_pst_reports_what_it_lost_and_keeps_the_rest(tmp_path):
    data = (PST / "dist-list.pst").read_bytes()
    root = tmp_path / "mail"
    root.mkdir()
    (root / "cut.pst").write_bytes(data[:CUT_IN_CALENDAR_MESSAGE])
    (root / "short.pst").write_bytes(data[:100_000])
    shutil.copy(MSG / "hiraoka-sent.msg", root / "sent.msg")
    items, errors = read(root)
    assert [(i.path.rsplit("/", 1)[-1], i.member) for i in items] == [
        ("cut.pst", "Contacts/2097188"), ("cut.pst", "Contacts/2097252"), ("mail", "sent.msg")]
    assert [(e.path.rsplit("/", 1)[-1], e.member, e.error) for e in errors] == [
        ("cut.pst", "Calendar/#1", "message not readable (damaged)"),
        ("short.pst", None, "not a readable Outlook data file (damaged or truncated)")]


# -- pdscan mail ------------------------------------------------------------------


@pytest.fixture
def mail(cli):
    def run(source):
        result = cli("mail", source, "--owner-domain", "leeds.gov.uk", "--format", "jsonl", "--no-progress")
        assert result.code in (0, 1), result
        return result
    return run


def message_records(result) -> dict:
    return {r["member"].rsplit("/", 1)[-1]: r for r in result.records() if r["type"] == "message"}


@pytest.fixture(scope="module")
def outlook_and_maildir(tmp_path_factory):
    """The same corpus messages as .msg files in an Inbox folder and converted into a Maildir's cur/."""
    root = tmp_path_factory.mktemp("same")
    (root / "outlook" / "Inbox").mkdir(parents=True)
    for sub in ("cur", "new", "tmp"):
        (root / "maildir" / sub).mkdir(parents=True)
    for name in SAME:
        data = (MSG / name).read_bytes()
        (root / "outlook" / "Inbox" / name).write_bytes(data)
        (root / "maildir" / "cur" / name).write_bytes(msg_to_rfc822(data)[0])
    return root / "outlook", root / "maildir"


def test_pdscan_mail_reads_msg_files(mail, outlook_and_maildir):
    result = mail(outlook_and_maildir[0])
    got = message_records(result)
    assert sorted(got) == sorted(SAME)
    txt = got["TxtSampleEmail.msg"]
    assert (txt["folder"], txt["from"], txt["date"]) == (
        "Inbox", "W*****, C**** <Chris.Wilson@leeds.gov.uk>", "2017-10-23T07:31:27Z")  # the name masked
    assert txt["classification"] in ("work", "personal") and txt["reasons"] and txt["findings"]
    assert got["hiraoka-contactUnicode.msg"]["folder"] == "Inbox"
    items = [r for r in result.records() if r["type"] == "item"]
    assert {r["member"] for r in items if r["mime"] == "image/jpeg"} >= {
        "Inbox/EmailWithAttachments.msg!/peterpan.jpg", "Inbox/EmailWithAttachments.msg!/tinkerbell.jpg"}
    assert not [r for r in result.records() if r["type"] == "error"]
    assert "Chris.Wilson@leeds.gov.uk" not in "".join(str(f["samples"]) for f in txt["findings"])


def test_the_same_message_as_msg_and_in_a_maildir_gives_the_same_record(mail, outlook_and_maildir):
    outlook, maildir = (message_records(mail(source)) for source in outlook_and_maildir)
    assert sorted(outlook) == sorted(maildir) == sorted(SAME)
    fields = ("folder", "message_id", "date", "from", "classification", "score", "reasons", "findings",
              "violations")
    for name in SAME:
        assert {f: outlook[name][f] for f in fields} == {f: maildir[name][f] for f in fields}, name


def test_pdscan_mail_reads_a_pst(mail):
    result = mail(PST / "dist-list.pst")
    got = [r for r in result.records() if r["type"] == "message"]
    assert [(r["member"], r["folder"]) for r in got] == [(m, f) for m, f, _ in DIST_LIST]
    assert "email" in {f["detector"] for f in got[2]["findings"]}  # the contact's address
    errors = [r for r in result.records() if r["type"] == "error"]
    assert len(errors) == 2 and result.records()[-1]["errors"] == 2

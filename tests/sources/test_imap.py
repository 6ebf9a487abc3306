"""The IMAP source against a real Dovecot on loopback: the same messages as the Maildir it serves, read-only."""
from __future__ import annotations

import getpass
import imaplib
import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pdscan.errors import PdscanError
from pdscan.model import ErrorRecord, Item
from pdscan.sources.mail import open_mailbox
import pdscan.sources.mail.imap.walk as imap_walk
from pdscan.sources.mail.imap.url import check_plaintext, parse_url
from pdscan.sources.mail.imap.walk import folder_name
from pdscan.sources.mail.imap.wire import parse_fetch, parse_list
from pdscan.sources.mail.maildir import decode_mutf7

from . import dovecot
from .dovecot import PASSWORD, Dovecot
from .mailboxes import FOLDERS, OWNER, expected, make_maildir

USERS = ("tester", "faults", "names", "contrast")
JAN_2024 = 1704101400  # 2024-01-01 09:30 UTC: the messages' files get fixed mtimes, so INTERNALDATE is known
VARIABLE = "PDSCAN_IMAP_PASSWORD"


def served_maildir(root: Path) -> Path:
    """The shared fixture Maildir, its messages unread (no S flag) and with fixed mtimes."""
    make_maildir(root)
    for n, path in enumerate(sorted(root.rglob("*:2,S")), start=1):
        os.utime(path, (JAN_2024 + n, JAN_2024 + n))
        path.rename(path.with_name(path.name[:-1]))
    return root


def snapshot(root: Path) -> dict:
    """Every folder and file under root: file bytes and mtimes, so a rename, a move or a write shows."""
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns) if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


def read(source, **kwargs) -> tuple:
    events = list(open_mailbox(str(source), **kwargs))
    return [e for e in events if isinstance(e, Item)], [e for e in events if isinstance(e, ErrorRecord)]


def server_flags(server: Dovecot, user: str) -> dict:
    """(folder, UID) → flags, seen through a separate read-only connection."""
    conn = imaplib.IMAP4("127.0.0.1", server.port)
    conn.login(user, PASSWORD)
    flags = {}
    for folder in ("INBOX", "Projects", '"Personal.Family"'):
        conn.select(folder, readonly=True)
        _, data = conn.uid("FETCH", "1:*", "(FLAGS)")
        for line in data:
            uid, found = re.search(rb"UID (\d+) FLAGS \(([^)]*)\)", line).groups()
            flags[(folder, int(uid))] = found.decode()
    conn.logout()
    return flags


def messages(result) -> dict:
    return {r["message_id"]: r for r in result.records() if r["type"] == "message"}


@pytest.fixture(scope="module")
def server():
    if not dovecot.installed():
        pytest.skip(dovecot.MISSING)
    dc = Dovecot(USERS).start()
    dc.add_maildir("tester", served_maildir)
    dc.before = snapshot(dc.maildir("tester"))  # before anything has talked to the server
    yield dc
    dc.stop()


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv(VARIABLE, PASSWORD)


@pytest.fixture
def mail(cli):
    return lambda *args: cli("mail", *args, "--owner-domain", OWNER, "--format", "jsonl", "--no-progress")


# --- the same mail, read from disk and over IMAP --------------------------------------------

def test_imap_gives_the_same_messages_folders_and_headers_as_the_maildir(server, password):
    direct, errors = read(server.maildir("tester"))
    assert errors == [] and len(direct) == 7
    url = server.url("tester")
    served, errors = read(url)
    assert errors == []
    on_disk = {i.meta["message_id"]: i for i in direct}
    assert {i.meta["message_id"]: i.meta for i in served} == {mid: i.meta for mid, i in on_disk.items()}
    assert {mid: i.meta["folder"] for mid, i in on_disk.items()} == {mid: f for mid, (f, _) in expected().items()}
    assert sorted({i.meta["folder"] for i in served}) == sorted(FOLDERS)
    for item in served:
        same = on_disk[item.meta["message_id"]]
        assert item.path == url
        assert re.fullmatch(re.escape(item.meta["folder"]) + r"/\d+:\d+", item.member), item.member
        assert item.name.endswith(".eml")
        body = item.open().read()
        assert len(body) == item.size and item.open().read() == body  # each open() starts again
        # IMAP sends CRLF line ends (RFC 3501), the files have LF: otherwise the very same bytes.
        assert body.replace(b"\r\n", b"\n") == same.open().read()
        assert item.mtime == same.mtime  # INTERNALDATE of a Maildir message is its file's mtime
    assert [i.member for i in read(url)[0]] == [i.member for i in served]  # members are stable
    assert served[0].meta["folder"] == "Inbox"


def test_pdscan_mail_gives_the_same_records_over_imap(mail, server, password):
    on_disk = mail(server.maildir("tester"))
    over_imap = mail(server.url("tester"))
    assert on_disk.code == over_imap.code == 1, over_imap

    def comparable(result) -> dict:
        return {mid: {k: v for k, v in r.items() if k not in ("path", "member")}
                for mid, r in messages(result).items()}

    assert comparable(over_imap) == comparable(on_disk)
    got = comparable(over_imap)
    assert {mid: (r["folder"], r["classification"]) for mid, r in got.items()} == expected()
    assert "uk.nino" in [f["detector"] for f in got["<m3@test.example>"]["findings"]]
    assert got["<m4@test.example>"]["violations"] and got["<m4@test.example>"]["reasons"]
    assert {r["path"] for r in messages(over_imap).values()} == {server.url("tester")}
    assert [r for r in over_imap.records() if r["type"] == "error"] == []
    assert PASSWORD not in over_imap.out + over_imap.err


def test_a_folder_prefix_reads_that_folder_and_those_below(server, password):
    items, errors = read(server.url("tester", path="/Personal"))
    assert not errors and [i.meta["message_id"] for i in items] == ["<m7@test.example>"]
    inbox, _ = read(server.url("tester", path="/INBOX"))
    assert {i.meta["folder"] for i in inbox} == {"Inbox"} and len(inbox) == 4


# --- read-only ------------------------------------------------------------------------------

def test_the_scan_changes_nothing_on_the_server(mail, server, password):
    maildir = server.maildir("tester")
    assert mail(server.url("tester")).code == 1
    # Every file keeps its name (which holds the flags), bytes and mtime; nothing appears or goes.
    assert snapshot(maildir) == server.before
    # EXAMINE leaves mail that arrived in new/ there (a SELECT moves it to cur/: see below).
    assert [p.name for p in (maildir / "new").iterdir()] == ["1700000002.M2P2.host:2,"]
    flags = server_flags(server, "tester")
    assert len(flags) == 7 and not any("\\Seen" in f for f in flags.values()), flags


def test_an_ordinary_client_would_have_changed_it(server):
    """The checks above can fail: SELECT and BODY[] on a copy move new/ to cur/ and set \\Seen (S)."""
    maildir = server.add_maildir("contrast", served_maildir)
    conn = imaplib.IMAP4("127.0.0.1", server.port)
    conn.login("contrast", PASSWORD)
    conn.select("INBOX")
    conn.uid("FETCH", "1", "(BODY[])")
    conn.logout()
    assert list((maildir / "new").iterdir()) == []
    assert any(p.name.endswith(":2,S") for p in (maildir / "cur").iterdir())
    assert server_flags(server, "contrast")[("INBOX", 1)].count("\\Seen") == 1


def test_the_connection_is_logged_out_when_the_iteration_is_closed(server, password):
    def logouts() -> int:
        return len(re.findall(r"imap\(tester\).*Disconnected: Logged out", server.log.read_text()))

    before = logouts()
    events = open_mailbox(server.url("tester"))
    assert isinstance(next(events), Item)
    events.close()
    deadline = time.monotonic() + 5
    while logouts() == before and time.monotonic() < deadline:
        time.sleep(0.05)  # Dovecot's log process writes the line a moment later
    assert logouts() == before + 1


# --- passwords and transport ----------------------------------------------------------------

def test_a_wrong_password_stops_with_the_server_message(mail, server, monkeypatch):
    monkeypatch.setenv(VARIABLE, "not-the-Secret-77")
    result = mail(server.url("tester"))
    assert result.code == 2
    assert "IMAP login to imap://tester@127.0.0.1" in result.err and "Authentication failed" in result.err
    assert "not-the-Secret-77" not in result.err + result.out
    assert result.out == ""  # stopped before any output


def test_a_password_in_the_url_is_refused(mail, monkeypatch):
    monkeypatch.setenv(VARIABLE, PASSWORD)
    result = mail(f"imap://tester:{PASSWORD}@127.0.0.1:1")  # refused before any connection
    assert result.code == 2 and VARIABLE in result.err and PASSWORD not in result.err
    with pytest.raises(PdscanError, match=VARIABLE):
        parse_url("imaps://tester:hunter2@mail.example.org")


def test_no_password_variable_and_no_terminal_is_a_clear_error(server, monkeypatch):
    monkeypatch.delenv(VARIABLE, raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(PdscanError, match=f"set the environment variable {VARIABLE}"):
        open_mailbox(server.url("tester"))


def test_on_a_terminal_the_password_is_asked_for(server, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    prompts = []
    monkeypatch.delenv(VARIABLE, raising=False)
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr(getpass, "getpass", lambda prompt: prompts.append(prompt) or PASSWORD)
    items, errors = read(server.url("tester"))
    assert len(items) == 7 and not errors
    assert prompts == ["IMAP password for tester@127.0.0.1: "]


def test_plaintext_login_only_to_loopback():
    for host in ("127.0.0.1", "127.3.2.1", "::1", "localhost", "LOCALHOST"):
        check_plaintext(host, tls=False)
    for host in ("mail.college.ac.uk", "192.168.1.5", "10.0.0.1", "2001:db8::1", "localhost.example.com"):
        with pytest.raises(PdscanError, match="unencrypted"):
            check_plaintext(host, tls=False)
        check_plaintext(host, tls=True)


def test_urls():
    t = parse_url("imap://jo.smith%40college.ac.uk@mail.college.ac.uk/Archive/2023/")
    assert (t.scheme, t.user, t.host, t.port, t.prefix) == ("imap", "jo.smith@college.ac.uk",
                                                            "mail.college.ac.uk", 143, "Archive/2023")
    assert t.display == "imap://jo.smith%40college.ac.uk@mail.college.ac.uk/Archive/2023"
    assert parse_url("imaps://u@[::1]").port == 993 and parse_url("imaps://u@[::1]").host == "::1"
    assert parse_url("IMAP://u@h:1143/inbox").prefix == "Inbox"
    for bad in ("imap://mail.example.org", "imap://u@", "imap://u@h:99999"):
        with pytest.raises(PdscanError):
            parse_url(bad)


def test_a_refused_connection_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(VARIABLE, PASSWORD)
    port = dovecot.free_port()
    with pytest.raises(PdscanError, match=f"cannot connect to imap://tester@127.0.0.1:{port}"):
        open_mailbox(f"imap://tester@127.0.0.1:{port}")


# --- folder names ---------------------------------------------------------------------------

def test_modified_utf7_folder_names():
    assert decode_mutf7("&AOk-t&AOk-") == "été"
    assert decode_mutf7("Personal/Famille &- amis") == "Personal/Famille & amis"
    assert decode_mutf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-") == "~peter/mail/台北/日本語"
    assert decode_mutf7("plain") == "plain"
    assert decode_mutf7("&Jjo-!") == "☺!"
    assert decode_mutf7("broken &AOk") == "broken &AOk"  # not modified UTF-7: kept as sent
    assert folder_name("INBOX", ".") == "Inbox"
    assert folder_name("inbox", "/") == "Inbox"
    assert folder_name("Personal.Family", ".") == "Personal/Family"
    assert folder_name("INBOX.Sent", ".", "INBOX.") == "Sent"  # Courier's personal namespace
    assert folder_name("INBOX/Archive", "/") == "Inbox/Archive"


def test_list_and_fetch_replies_in_the_forms_servers_send():
    folders = parse_list([b'(\\HasNoChildren) "/" "Work/Q\\"3\\" report"',
                          (b'(\\Noselect) "." {11}', b"Odd] name ("), b"(\\HasChildren) NIL Archive"])
    assert folders == [(b'Work/Q"3" report', "/", {"\\hasnochildren"}), (b"Odd] name (", ".", {"\\noselect"}),
                       (b"Archive", None, {"\\haschildren"})]
    replies = parse_fetch([(b"1 (BODY[] {3}", b"abc"), b" UID 7)",   # UID after the literal
                           b"2 (UID 8 FLAGS (\\Seen))",             # an unsolicited update
                           b"3 (UID 9 BODY[] NIL)",
                           b'4 (UID 10 RFC822.SIZE 42 INTERNALDATE "01-Jan-2024 09:30:00 +0000")'])
    assert replies == {7: {"body": b"abc"}, 8: {}, 9: {"body": None}, 10: {"size": 42, "date": 1704101400.0}}


def test_non_ascii_folder_names_from_the_server(server, password):
    def build(root: Path) -> None:
        served_maildir(root)
        for n, name in ((1, ".&AOk-t&AOk-"), (3, ".Personal.Famille &- amis")):
            for sub in ("cur", "new", "tmp"):
                (root / name / sub).mkdir(parents=True, exist_ok=True)
            shutil.copy(next(root.glob(f"cur/170000000{n}.*")), root / name / "cur" / f"99{n}.host:2,")

    server.add_maildir("names", build)
    items, errors = read(server.url("names"))
    assert not errors
    folders = {i.meta["folder"] for i in items}
    assert folders == {"Inbox", "Projects", "Personal/Family", "été", "Personal/Famille & amis"}
    direct, _ = read(server.maildir("names"))  # the Maildir read from disk names them the same
    assert {i.meta["folder"] for i in direct} == folders


# --- faults ---------------------------------------------------------------------------------

def test_faults_give_error_records_and_the_scan_goes_on(server, password, monkeypatch, mail):
    def build(root: Path) -> None:
        served_maildir(root)
        (root / ".Gone" / "cur").mkdir(parents=True)
        shutil.copy(next(root.glob("cur/1700000004.*")), root / ".Gone" / "cur" / "1.host:2,")

    maildir = server.add_maildir("faults", build)
    unreadable = next(maildir.glob("cur/1700000003.*"))
    unreadable.chmod(0)  # Dovecot cannot open it: it logs an error and drops the connection
    vanishing = next(maildir.glob("new/1700000002.*"))

    real_list, real_uid = imaplib.IMAP4.list, imaplib.IMAP4.uid

    def list_then_delete(self, *args):
        reply = real_list(self, *args)
        shutil.rmtree(maildir / ".Gone", ignore_errors=True)  # deleted between LIST and EXAMINE
        return reply

    def delete_before_bodies(self, command, *args):
        if command == "FETCH" and "BODY.PEEK[]" in args[-1] and vanishing.exists():
            vanishing.unlink()  # gone between SEARCH and FETCH
        return real_uid(self, command, *args)

    monkeypatch.setattr(imaplib.IMAP4, "list", list_then_delete)
    monkeypatch.setattr(imaplib.IMAP4, "uid", delete_before_bodies)
    monkeypatch.setattr(imap_walk, "MAX_MESSAGE", 350)  # message 1 is 388 bytes as IMAP sends it

    events = list(open_mailbox(server.url("faults")))
    errors = {(e.member.split("/")[0], e.member.rsplit(":", 1)[-1] if ":" in e.member else None): e.error
              for e in events if isinstance(e, ErrorRecord)}
    assert set(errors) == {("Gone", None), ("Inbox", "1"), ("Inbox", "2"), ("Inbox", "3")}, errors
    assert errors[("Gone", None)].startswith("cannot examine folder: Mailbox doesn't exist: Gone")
    assert errors[("Inbox", "1")] == "message too large: 388 bytes, over the 350 bytes limit (not fetched)"
    assert errors[("Inbox", "2")] == "the server returned no body for this message"
    assert errors[("Inbox", "3")].startswith("cannot fetch: server dropped the connection")
    got = sorted(e.meta["message_id"] for e in events if isinstance(e, Item))
    assert got == ["<m4@test.example>", "<m5@test.example>", "<m6@test.example>", "<m7@test.example>"]
    assert all(PASSWORD not in e.error for e in events if isinstance(e, ErrorRecord))

    monkeypatch.undo()
    monkeypatch.setenv(VARIABLE, PASSWORD)
    monkeypatch.setattr(imap_walk, "MAX_MESSAGE", 350)
    result = mail(server.url("faults"))  # the same through the command: records, then it goes on
    assert result.code == 1, result
    assert sorted(r["member"].rsplit(":", 1)[-1] for r in result.records() if r["type"] == "error") == ["1", "3"]
    assert len(messages(result)) == 4 and result.records()[-1]["errors"] == 2


# --- TLS ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    if not dovecot.installed():
        pytest.skip(dovecot.MISSING)
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed: no test certificate")
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    dc = Dovecot(["tester"], tls=(cert, key)).start()
    dc.add_maildir("tester", served_maildir)
    dc.cafile = str(cert)
    yield dc
    dc.stop()


def test_imaps_checks_the_certificate(tls_server, password):
    url = tls_server.url("tester", "imaps")
    with pytest.raises(PdscanError, match="certificate verify failed"):
        open_mailbox(url)  # self-signed: not in the system store
    items, errors = read(url, cafile=tls_server.cafile)
    assert len(items) == 7 and not errors
    with pytest.raises(PdscanError, match="cannot read the CA file"):
        open_mailbox(url, cafile=str(Path(tls_server.cafile).with_name("missing.pem")))


def test_imap_uses_starttls_when_the_server_offers_it(tls_server, password):
    url = tls_server.url("tester")
    # Even on loopback: the handshake fails without the test CA rather than falling back to plain text.
    with pytest.raises(PdscanError, match="STARTTLS with .* certificate verify failed"):
        open_mailbox(url)
    items, errors = read(url, cafile=tls_server.cafile)
    assert len(items) == 7 and not errors
    deadline = time.monotonic() + 5
    while "method=PLAIN" not in tls_server.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    logins = re.findall(r"Login: user=<tester>, method=PLAIN, .*", tls_server.log.read_text())
    assert logins and all(", TLS," in line for line in logins), logins


def test_the_command_trusts_the_ca_file_it_is_given(tls_server, password, mail):
    url = tls_server.url("tester", "imaps")
    refused = mail(url)
    assert refused.code == 2 and "certificate verify failed" in refused.err
    trusted = mail(url, "--imap-cafile", tls_server.cafile)
    assert trusted.code == 1 and len(messages(trusted)) == 7

"""IMAP and IMAPS mailboxes, read strictly read-only.

`imap://user@host[:port][/folder-prefix]` uses STARTTLS whenever the server
offers it and refuses to send a password in clear text to anything but a
loopback address; `imaps://user@host[:port]` is TLS from the first byte.
Certificates are checked against the system store or the `cafile` given.
The password comes from PDSCAN_IMAP_PASSWORD or a terminal prompt, never
from the command line (a URL carrying one is refused), and appears in no
record or error text.

Read-only by construction: folders are opened with EXAMINE (never SELECT)
and bodies fetched with BODY.PEEK[], so no flag changes and nothing moves;
nothing that stores, copies, moves or expunges is ever sent.

Folders use "/" whatever the server's delimiter, the personal namespace
prefix (Courier's "INBOX.") is dropped and INBOX is "Inbox", so a Maildir
read from disk and the same Maildir served over IMAP give the same folder
names. A message's member is `<folder>/<UIDVALIDITY>:<UID>`, stable for as
long as the server keeps the folder's UIDVALIDITY.
"""
from __future__ import annotations

import getpass
import imaplib
import io
import ipaddress
import os
import re
import ssl
import sys
import time
from dataclasses import dataclass
from functools import partial
from typing import Iterator, Optional
from urllib.parse import unquote, urlsplit

from ...errors import PdscanError
from ...limits import Limits, MiB
from ...model import ErrorRecord, Item
from .headers import meta_of
from .maildir import INBOX, decode_mutf7

PASSWORD_VARIABLE = "PDSCAN_IMAP_PASSWORD"
TIMEOUT = 60                                   # seconds for connect and each reply
MAX_MESSAGE = Limits().max_document_size       # a larger message is reported, not fetched
META_BATCH = 500                               # UIDs per size/date FETCH (no bodies: small replies)
BODY_BATCH = 50                                # UIDs per body FETCH...
BATCH_BYTES = 64 * MiB                         # ...and at most this much mail held at once
MAX_RECONNECTS = 10                            # a server dropping us more often than this is not usable
PORTS = {"imap": 143, "imaps": 993}


@dataclass(frozen=True)
class Target:
    scheme: str
    user: str
    host: str
    port: int
    prefix: str   # only folders at or under this one ("" for all), "/"-separated
    display: str  # the URL as given, the Items' path

    @property
    def tls(self) -> bool:
        return self.scheme == "imaps"


def parse_url(url: str) -> Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise PdscanError(f"not an IMAP URL: {url} ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in PORTS or not parts.hostname:
        raise PdscanError(f"not an IMAP URL (imap://user@host[:port][/folder] or imaps://...): {url}")
    if parts.password is not None:
        # Said without echoing the URL back: it holds the password.
        raise PdscanError(f"a password in the {scheme}:// URL is refused: it would be visible to other "
                          f"users and kept in shell history; set {PASSWORD_VARIABLE} instead")
    if not parts.username:
        raise PdscanError(f"no user name in the IMAP URL (imap://user@host): {url}")
    prefix = "/".join(p for p in unquote(parts.path).split("/") if p)
    if prefix.upper() == "INBOX" or prefix.upper().startswith("INBOX/"):
        prefix = INBOX + prefix[5:]
    return Target(scheme, unquote(parts.username), parts.hostname, port or PORTS[scheme], prefix,
                  url.rstrip("/"))


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_plaintext(host: str, tls: bool) -> None:
    """Refuse to log in without TLS anywhere but on this machine."""
    if not tls and not is_loopback(host):
        raise PdscanError(f"{host} offers no STARTTLS: refusing to send the IMAP password unencrypted "
                          f"(use imaps://, or a server that offers STARTTLS)")


def password(target: Target) -> str:
    value = os.environ.get(PASSWORD_VARIABLE)
    if value:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"IMAP password for {target.user}@{target.host}: ")
    raise PdscanError(f"no IMAP password: set the environment variable {PASSWORD_VARIABLE} "
                      f"(passwords are never taken from the command line)")


def folder_name(wire: str, delimiter: Optional[str], namespace: str = "") -> str:
    """The server's folder name as pdscan's: "/" between levels, INBOX as "Inbox"."""
    if wire.upper() == "INBOX":
        return INBOX
    if namespace and wire.startswith(namespace):
        wire = wire[len(namespace):]
    parts = [decode_mutf7(p) for p in (wire.split(delimiter) if delimiter else [wire]) if p]
    if parts and parts[0].upper() == "INBOX":
        parts[0] = INBOX
    return "/".join(parts)


def messages(url: str, *, cafile: Optional[str] = None) -> Iterator:
    """Message Items (and ErrorRecords) of the mailbox at an imap:// or imaps:// URL.

    Connects and logs in now, so a wrong address or password stops the
    command before any output; the connection is logged out when the
    iteration ends or is closed."""
    session = _Session(parse_url(url), cafile)
    session.open()
    return _walk(session)


# --- the wire -----------------------------------------------------------------------------

_LIST = re.compile(rb'\((?P<flags>[^)]*)\)\s+(?P<delim>NIL|"(?:[^"\\]|\\.)*")\s+(?P<name>.*)$', re.I | re.S)
_NAMESPACE = re.compile(rb'\(\("((?:[^"\\]|\\.)*)"')
_UID = re.compile(rb"\bUID\s+(\d+)", re.I)
_SIZE = re.compile(rb"\bRFC822\.SIZE\s+(\d+)", re.I)
_DATE = re.compile(rb'INTERNALDATE\s+"[^"]*"', re.I)
_NIL_BODY = re.compile(rb"\bBODY\[\]\s+NIL", re.I)
_BODY_LITERAL = re.compile(rb"BODY\[\]\s*\{\d+\}\s*$", re.I)


def _text(value) -> str:
    """An imaplib reply or exception as one line of text."""
    if isinstance(value, BaseException):
        value = value.args[0] if len(value.args) == 1 else (str(value) or type(value).__name__)
    if isinstance(value, list):
        value = b" ".join(v for v in value if isinstance(v, bytes))
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())


def _unquote(token: bytes) -> bytes:
    if token.startswith(b'"') and token.endswith(b'"') and len(token) >= 2:
        return re.sub(rb'\\(.)', rb'\1', token[1:-1])
    return token


def _quote(wire: bytes) -> bytes:
    return b'"' + wire.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def parse_list(data: list) -> list:
    """LIST replies as (wire name, delimiter or None, flags in lower case)."""
    folders = []
    for entry in data:
        line, literal = (entry[0], entry[1]) if isinstance(entry, tuple) else (entry, None)
        match = _LIST.match(line or b"")
        if not match:
            continue
        name = literal if literal is not None else _unquote(match.group("name").strip())
        delim = None if match.group("delim").upper() == b"NIL" else _unquote(match.group("delim"))
        flags = {f.lower() for f in match.group("flags").decode("ascii", "replace").split()}
        folders.append((name, delim.decode("utf-8", "replace") if delim else None, flags))
    return folders


def parse_fetch(data: list) -> dict:
    """FETCH replies as UID → {"size", "date", "body"}; "body" only when it was asked for.

    imaplib gives a reply with a literal as (text before it, literal) and the
    rest of the line as the next element."""
    replies, i = {}, 0
    while i < len(data):
        entry = data[i]
        if isinstance(entry, tuple):
            head, literal = entry
            has_tail = i + 1 < len(data) and isinstance(data[i + 1], bytes)
            tail = data[i + 1] if has_tail else b""
            i += 2 if has_tail else 1
        else:
            head, literal, tail = entry, None, b""
            i += 1
        if not head:
            continue
        text = head + b" " + tail
        uid = _UID.search(text)
        if not uid:
            continue  # an unsolicited FLAGS update, not a reply to us
        reply = replies.setdefault(int(uid.group(1)), {})
        size = _SIZE.search(text)
        if size:
            reply["size"] = int(size.group(1))
        date = _DATE.search(text)
        if date:
            stamp = imaplib.Internaldate2tuple(date.group(0))
            reply["date"] = time.mktime(stamp) if stamp else None
        if literal is not None and _BODY_LITERAL.search(head):
            reply["body"] = literal
        elif _NIL_BODY.search(text):
            reply["body"] = None
    return replies


class _Lost(Exception):
    """The server dropped the connection (it has been opened again)."""


class _Refused(Exception):
    """The server said NO or BAD to one command; the connection is fine."""


class _FolderLost(Exception):
    """After a dropped connection the folder could not be opened again as it was."""


class _Session:
    """One logged-in connection that can be opened again where it was when the server drops it."""

    def __init__(self, target: Target, cafile: Optional[str]):
        self.target = target
        self.cafile = cafile
        self.conn: Optional[imaplib.IMAP4] = None
        self._password = ""
        self.folder: Optional[bytes] = None
        self.validity: Optional[str] = None
        self.reconnects = 0

    def _context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=self.cafile)
        except (OSError, ssl.SSLError) as exc:
            raise PdscanError(f"cannot read the CA file {self.cafile}: {exc.strerror or exc}") from None

    def _connect(self) -> imaplib.IMAP4:
        t = self.target
        try:
            if t.tls:
                return imaplib.IMAP4_SSL(t.host, t.port, ssl_context=self._context(), timeout=TIMEOUT)
            conn = imaplib.IMAP4(t.host, t.port, timeout=TIMEOUT)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise PdscanError(f"cannot connect to {t.display}: {_text(exc)}") from None
        try:
            if "STARTTLS" in conn.capabilities:
                conn.starttls(self._context())
            else:
                check_plaintext(t.host, False)
        except (OSError, imaplib.IMAP4.error) as exc:
            _discard(conn)
            raise PdscanError(f"STARTTLS with {t.display} failed: {_text(exc)}") from None
        except PdscanError:
            _discard(conn)
            raise
        return conn

    def open(self, secret: Optional[str] = None) -> None:
        """Connect and log in; the password is asked for only once the connection is known to be safe."""
        conn = self._connect()
        if secret is None:
            try:
                secret = password(self.target)
            except PdscanError:
                _discard(conn)
                raise
        user = self.target.user
        try:
            if (user + secret).isascii():
                conn.login(_quote(user.encode()).decode(), secret)  # imaplib quotes the password only
            else:  # LOGIN is ASCII only; SASL PLAIN carries UTF-8
                conn.authenticate("PLAIN", lambda _: f"\0{user}\0{secret}".encode())
        except (OSError, imaplib.IMAP4.error) as exc:
            _discard(conn)
            reason = _text(exc).replace(secret, "***") if secret else _text(exc)
            raise PdscanError(f"IMAP login to {self.target.display} failed: {reason}") from None
        self.conn, self._password = conn, secret

    def _reopen(self) -> None:
        """Log in again and re-EXAMINE the folder being read; _FolderLost if it is no longer the same."""
        self.reconnects += 1
        if self.reconnects > MAX_RECONNECTS:
            raise PdscanError(f"{self.target.display} dropped the connection {MAX_RECONNECTS} times; giving up")
        folder, validity = self.folder, self.validity
        self._drop()
        self.open(self._password)
        if folder is None:
            return
        try:
            same = self.examine(folder) == validity
        except (_Refused, _Lost) as exc:
            raise _FolderLost(f"cannot examine it again after the connection dropped: {exc}") from None
        if not same:
            raise _FolderLost("it changed while it was read (new UIDVALIDITY)")

    def _drop(self) -> None:
        if self.conn is not None:
            _discard(self.conn)
            self.conn = None

    def call(self, method: str, *args) -> list:
        """One command; its reply data, or _Refused / _Lost."""
        try:
            typ, data = getattr(self.conn, method)(*args)
        except (imaplib.IMAP4.abort, OSError) as exc:
            reason = _text(exc)
            self._reopen()
            raise _Lost(f"server dropped the connection: {reason}") from None
        except imaplib.IMAP4.error as exc:
            raise _Refused(_text(exc)) from None
        if typ != "OK":
            raise _Refused(_text(data))
        return data

    def examine(self, wire: bytes) -> Optional[str]:
        """Open a folder read-only (imaplib's select(readonly=True) sends EXAMINE); its UIDVALIDITY."""
        self.folder = self.validity = None
        self.call("select", _quote(wire), True)
        _, values = self.conn.response("UIDVALIDITY")
        self.folder = wire
        self.validity = _text(values[-1]) if values and values[-1] else None
        return self.validity

    def fetch(self, uids: list, query: str) -> tuple:
        """UID FETCH of a batch: (UID → reply, UID → reason it failed). A failing batch is
        fetched again one message at a time, so one bad message does not hide the others."""
        try:
            return parse_fetch(self.call("uid", "FETCH", ",".join(map(str, uids)), query)), {}
        except (_Refused, _Lost) as exc:
            if len(uids) == 1:
                return {}, {uids[0]: str(exc)}
        got, failed = {}, {}
        for uid in uids:
            one, bad = self.fetch([uid], query)
            got.update(one)
            failed.update(bad)
        return got, failed

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.logout()
            except (OSError, imaplib.IMAP4.error):
                pass
            self.conn = None


def _discard(conn: imaplib.IMAP4) -> None:
    """Close a connection that is broken or refused us, without a LOGOUT."""
    try:
        conn.shutdown()
    except OSError:
        pass


# --- the walk -----------------------------------------------------------------------------

def _walk(session: _Session) -> Iterator:
    try:
        for wire, folder in _folders(session):
            yield from _folder(session, wire, folder)
    finally:
        session.close()


def _folders(session: _Session) -> list:
    """(wire name, pdscan folder name) of every folder that can hold mail, Inbox first."""
    target = session.target
    namespace = ""
    if "NAMESPACE" in session.conn.capabilities:
        try:
            match = _NAMESPACE.match(session.call("namespace")[0] or b"")
            namespace = _unquote(b'"' + match.group(1) + b'"').decode("utf-8", "replace") if match else ""
        except (_Refused, _Lost):
            pass  # folder names keep their prefix: still every folder, just longer names
    try:
        listed = parse_list(session.call("list", '""', "*"))
    except (_Refused, _Lost) as exc:
        raise PdscanError(f"cannot list the folders of {target.display}: {exc}") from None
    folders = []
    for wire, delimiter, flags in listed:
        if flags & {"\\noselect", "\\nonexistent"}:
            continue
        name = folder_name(wire.decode("utf-8", "replace"), delimiter, namespace)
        if target.prefix and name != target.prefix and not name.startswith(target.prefix + "/"):
            continue
        folders.append((wire, name))
    return sorted(folders, key=lambda f: (f[1] != INBOX, f[1]))


def _folder(session: _Session, wire: bytes, folder: str) -> Iterator:
    where = session.target.display
    try:
        validity = session.examine(wire)
        found = session.call("uid", "SEARCH", "ALL")
    except (_Refused, _Lost, _FolderLost) as exc:
        yield ErrorRecord(where, folder, f"cannot examine folder: {exc}")
        return
    uids = [int(u) for u in b" ".join(x for x in found if x).split()]
    try:
        yield from _read(session, where, folder, validity, uids)
    except _FolderLost as exc:
        yield ErrorRecord(where, folder, f"cannot read the rest of the folder: {exc}")


def _read(session: _Session, where: str, folder: str, validity: Optional[str], uids: list) -> Iterator:
    facts, failed = {}, {}
    for batch in _chunks(uids, META_BATCH):
        got, bad = session.fetch(batch, "(UID RFC822.SIZE INTERNALDATE)")
        facts.update(got)
        failed.update(bad)
    wanted = []
    for uid in uids:
        member = f"{folder}/{validity}:{uid}"
        size = facts.get(uid, {}).get("size")
        if uid in failed:
            yield ErrorRecord(where, member, f"cannot fetch: {failed[uid]}")
        elif uid not in facts:
            yield ErrorRecord(where, member, "the server returned nothing for this message")
        elif size is not None and size > MAX_MESSAGE:
            limit = f"{MAX_MESSAGE // MiB} MiB" if MAX_MESSAGE >= MiB else f"{MAX_MESSAGE} bytes"
            yield ErrorRecord(where, member, f"message too large: {size} bytes, over the {limit} limit "
                                             f"(not fetched)")
        else:
            wanted.append((uid, size or 0))
    for batch in _by_bytes(wanted):
        got, bad = session.fetch(batch, "(UID BODY.PEEK[])")
        for uid in batch:
            member = f"{folder}/{validity}:{uid}"
            body = got.get(uid, {}).get("body")
            if uid in bad:
                yield ErrorRecord(where, member, f"cannot fetch: {bad[uid]}")
            elif body is None:
                yield ErrorRecord(where, member, "the server returned no body for this message")
            else:
                yield Item(path=where, open=partial(io.BytesIO, body), size=len(body),
                           mtime=facts[uid].get("date"), member=member, name_hint=f"{uid}.eml",
                           meta=meta_of(body, folder))


def _chunks(values: list, size: int) -> Iterator[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _by_bytes(wanted: list) -> Iterator[list]:
    """UIDs in batches of at most BODY_BATCH messages and BATCH_BYTES (a bigger message goes alone)."""
    batch, total = [], 0
    for uid, size in wanted:
        if batch and (len(batch) >= BODY_BATCH or total + size > BATCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += size
    if batch:
        yield batch

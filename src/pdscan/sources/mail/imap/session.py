"""One logged-in IMAP connection, read-only, that logs in again where it was when the server drops it."""
from __future__ import annotations

import imaplib
import ssl
from typing import Optional

from ....errors import PdscanError
from .url import Target, check_plaintext, password
from .wire import parse_fetch, quote, text

TIMEOUT = 60                                   # seconds for connect and each reply
MAX_RECONNECTS = 10                            # a server dropping us more often than this is not usable


class Lost(Exception):
    """The server dropped the connection (it has been opened again)."""


class Refused(Exception):
    """The server said NO or BAD to one command; the connection is fine."""


class FolderLost(Exception):
    """After a dropped connection the folder could not be opened again as it was."""


class Session:
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
            raise PdscanError(f"cannot connect to {t.display}: {text(exc)}") from None
        try:
            if "STARTTLS" in conn.capabilities:
                conn.starttls(self._context())
            else:
                check_plaintext(t.host, False)
        except (OSError, imaplib.IMAP4.error) as exc:
            discard(conn)
            raise PdscanError(f"STARTTLS with {t.display} failed: {text(exc)}") from None
        except PdscanError:
            discard(conn)
            raise
        return conn

    def open(self, secret: Optional[str] = None) -> None:
        """Connect and log in; the password is asked for only once the connection is known to be safe."""
        conn = self._connect()
        if secret is None:
            try:
                secret = password(self.target)
            except PdscanError:
                discard(conn)
                raise
        user = self.target.user
        try:
            if (user + secret).isascii():
                conn.login(quote(user.encode()).decode(), secret)  # imaplib quotes the password only
            else:  # LOGIN is ASCII only; SASL PLAIN carries UTF-8
                conn.authenticate("PLAIN", lambda _: f"\0{user}\0{secret}".encode())
        except (OSError, imaplib.IMAP4.error) as exc:
            discard(conn)
            reason = text(exc).replace(secret, "***") if secret else text(exc)
            raise PdscanError(f"IMAP login to {self.target.display} failed: {reason}") from None
        self.conn, self._password = conn, secret

    def _reopen(self) -> None:
        """Log in again and re-EXAMINE the folder being read; FolderLost if it is no longer the same."""
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
        except (Refused, Lost) as exc:
            raise FolderLost(f"cannot examine it again after the connection dropped: {exc}") from None
        if not same:
            raise FolderLost("it changed while it was read (new UIDVALIDITY)")

    def _drop(self) -> None:
        if self.conn is not None:
            discard(self.conn)
            self.conn = None

    def call(self, method: str, *args) -> list:
        """One command; its reply data, or Refused / Lost."""
        try:
            typ, data = getattr(self.conn, method)(*args)
        except (imaplib.IMAP4.abort, OSError) as exc:
            reason = text(exc)
            self._reopen()
            raise Lost(f"server dropped the connection: {reason}") from None
        except imaplib.IMAP4.error as exc:
            raise Refused(text(exc)) from None
        if typ != "OK":
            raise Refused(text(data))
        return data

    def examine(self, wire: bytes) -> Optional[str]:
        """Open a folder read-only (imaplib's select(readonly=True) sends EXAMINE); its UIDVALIDITY."""
        self.folder = self.validity = None
        self.call("select", quote(wire), True)
        _, values = self.conn.response("UIDVALIDITY")
        self.folder = wire
        self.validity = text(values[-1]) if values and values[-1] else None
        return self.validity

    def fetch(self, uids: list, query: str) -> tuple:
        """UID FETCH of a batch: (UID → reply, UID → reason it failed). A failing batch is
        fetched again one message at a time, so one bad message does not hide the others."""
        try:
            return parse_fetch(self.call("uid", "FETCH", ",".join(map(str, uids)), query)), {}
        except (Refused, Lost) as exc:
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


def discard(conn: imaplib.IMAP4) -> None:
    """Close a connection that is broken or refused us, without a LOGOUT."""
    try:
        conn.shutdown()
    except OSError:
        pass

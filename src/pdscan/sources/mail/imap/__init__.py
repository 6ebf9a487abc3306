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

The rooms: url.py (the URL and the password), wire.py (parsing the server's replies),
session.py (a logged-in connection that reconnects where it was), walk.py (folders and
messages as Items).
"""
from __future__ import annotations

from typing import Iterator, Optional

from .session import Session
from .url import parse_url
from .walk import read_mailbox


def messages(url: str, *, cafile: Optional[str] = None) -> Iterator:
    """Message Items (and ErrorRecords) of the mailbox at an imap:// or imaps:// URL.

    Connects and logs in now, so a wrong address or password stops the
    command before any output; the connection is logged out when the
    iteration ends or is closed."""
    session = Session(parse_url(url), cafile)
    session.open()
    return read_mailbox(session)

"""An imap:// or imaps:// URL → the Target to connect to, and the password for it (never from the URL)."""
from __future__ import annotations

import getpass
import ipaddress
import os
import sys
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ....errors import PdscanError
from ..maildir import INBOX

PASSWORD_VARIABLE = "PDSCAN_IMAP_PASSWORD"
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

"""The shred audit log: append-only JSONL, one fsynced, sealed line per event, owner-only.

The log is also what an interrupted shred resumes from (the `start` record names the
random temp name and the inode), so a record is believed only if its seal (HMAC under the
install key, `mac`) holds; the log file itself must be the invoking user's, not a symlink,
and writable by nobody else. Records hold no personal data: a path appears only as a keyed
hash, never a name or a byte of content.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import json
import os
import socket
import stat
from typing import Optional

from ..safefile import NOFOLLOW, UnsafePath, check_ours, open_private
from .plan import Entry
from .sealing import genuine, seal

PURPOSE = "shred-audit-record"


class AuditLog:
    def __init__(self, path: str, key: bytes):
        self.path, self.key = path, key
        self.host, self.user = socket.gethostname(), _user()
        self.unsealed: dict = {}   # path_hash → records ignored because their seal failed
        self._check()

    def _check(self) -> None:
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return
        if stat.S_ISLNK(st.st_mode):
            raise UnsafePath(f"{self.path}: the audit log is a symbolic link; refusing to use it")
        check_ours(st, self.path)
        if st.st_mode & 0o022:
            raise UnsafePath(f"{self.path}: the audit log is writable by group or others "
                             f"(mode {stat.S_IMODE(st.st_mode):04o}): its records cannot be trusted; "
                             "move it aside and start a new one")

    def path_hash(self, path: str) -> str:
        return hmac.new(self.key, b"shred-path\0" + os.fsencode(path), hashlib.sha256).hexdigest()[:32]

    def write(self, entry: Entry, action: str, **fields) -> None:
        record = {"time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
                  "host": self.host, "user": self.user, "action": action,
                  "path_hash": self.path_hash(entry.path), "size": entry.size,
                  "sha256_before": entry.sha256, **fields}
        record["mac"] = seal(self.key, PURPOSE, record)
        line = (json.dumps(record, ensure_ascii=True) + "\n").encode("ascii")
        fd = open_private(self.path, "a")
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def unfinished_start(self, entry: Entry) -> Optional[dict]:
        """The sealed `start` record of an interrupted shred of `entry`, if that is its last event."""
        wanted, start = self.path_hash(entry.path), None
        for record in self._records():
            if record.get("path_hash") != wanted:
                continue
            mac = record.pop("mac", None)
            if not genuine(self.key, PURPOSE, record, mac):
                self.unsealed[wanted] = self.unsealed.get(wanted, 0) + 1
                continue
            start = record if record.get("action") == "start" else None
        return start

    def _records(self):
        try:
            fd = os.open(self.path, os.O_RDONLY | NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            return
        with open(fd, encoding="ascii", errors="replace") as f:
            for line in f:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a crash
                if isinstance(record, dict):
                    yield record


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "?"

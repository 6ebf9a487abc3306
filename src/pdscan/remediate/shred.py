"""Secure deletion of what a reviewed plan lists, with an append-only audit log.

For each plan entry, `Shredder.shred(entry)`:

 1. refuses, touching nothing: a path that is not absolute and canonical or runs
    through a symbolic link (it may not lead to the file planned), an archive
    member (only the whole archive can be deleted), a file in a cloud-synced
    folder (the service keeps versions and a recycle bin this machine cannot
    overwrite), a symlink, anything but a regular file, a file with other hard
    links (their names would keep the data), and a file changed since the plan
    (size, modified time, SHA-256);
 2. logs "start" (with the random name chosen for step 3);
 3. renames the file to that random name in the same folder and fsyncs the
    folder, so the original name never holds a half-overwritten file;
 4. overwrites its bytes in place with random data (`passes` times, one by
    default: NIST SP 800-88 Clear for modern media), fsyncs, truncates, fsyncs;
 5. unlinks it, fsyncs the folder, logs "done" with the assurance level.

Killed at any point, the state is one the log describes: no "start" → the file
is intact under its name; "start" without "done" → the name is gone and the
file, partly overwritten, is the random name the "start" record gives (a new
run of the same plan finds it and finishes the job); "done" → gone.

The audit log holds no personal data: paths appear only as a keyed hash
(HMAC with the install key), never a name or a byte of content.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import json
import os
import secrets
import socket
import stat
from dataclasses import dataclass
from typing import Optional

from .assurance import Assurance, assess
from .overwrite import fsync_dir, overwrite_fd
from .plan import Entry, sha256_fd, unchanged

TEMP_PREFIX = ".pdscan-shred-"
CLOUD_FOLDERS = (("onedrive", "OneDrive"), ("dropbox", "Dropbox"), ("google drive", "Google Drive"),
                 ("googledrive", "Google Drive"), ("my drive", "Google Drive"), ("icloud drive", "iCloud Drive"))
CLOUD_MARKERS = ((".dropbox", "Dropbox"), (".dropbox.cache", "Dropbox"))


@dataclass(frozen=True)
class Outcome:
    entry: Entry
    result: str                      # deleted | would-delete | refused | failed
    reason: str = ""
    assurance: Optional[Assurance] = None


class AuditLog:
    """Append-only JSONL: one fsynced line per event, opened O_APPEND, owner-only."""

    def __init__(self, path: str, key: bytes):
        self.path, self.key = path, key
        self.host, self.user = socket.gethostname(), _user()

    def path_hash(self, path: str) -> str:
        return hmac.new(self.key, b"shred-path\0" + os.fsencode(path), hashlib.sha256).hexdigest()[:32]

    def write(self, entry: Entry, action: str, **fields) -> None:
        record = {"time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
                  "host": self.host, "user": self.user, "action": action,
                  "path_hash": self.path_hash(entry.path), "size": entry.size,
                  "sha256_before": entry.sha256, **fields}
        line = (json.dumps(record, ensure_ascii=True) + "\n").encode("ascii")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def unfinished_temp(self, entry: Entry) -> Optional[str]:
        """The random name of an interrupted shred of `entry`, if the log has one."""
        wanted, temp = self.path_hash(entry.path), None
        for record in _records(self.path):
            if record.get("path_hash") == wanted:
                temp = record.get("temp") if record.get("action") == "start" else None
        return temp


def _records(path: str):
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            for line in f:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue  # a line cut short by a crash
    except FileNotFoundError:
        return


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "?"


def _method(passes: int) -> str:
    return f"overwrite-random-{passes}-pass+fsync+rename+truncate+unlink+fsync-dir"


def path_refusal(path: str) -> str:
    """Why the plan's path itself cannot be acted on ('' if it can)."""
    if "!/" in path:
        return ("an archive member cannot be deleted on its own: plan the containing archive "
                "(and keep what else it holds elsewhere)")
    if not os.path.isabs(path) or os.path.normpath(path) != path:
        return "not an absolute, canonical path: the plan may not mean this file"
    if os.path.realpath(os.path.dirname(path)) != os.path.dirname(path):
        return "the path passes through a symbolic link, so it may not lead to the file planned"
    cloud = cloud_service(path)
    if cloud:
        return (f"in a {cloud} folder: {cloud} keeps earlier versions and deleted files in the cloud, "
                "which overwriting here cannot reach; delete it through the service "
                "(including its version history and recycle bin)")
    return ""


def cloud_service(path: str) -> str:
    folder = os.path.dirname(path)
    while True:
        name = os.path.basename(folder).lower()
        for prefix, service in CLOUD_FOLDERS:
            if name == prefix or name.startswith((prefix + " ", prefix + "-")):
                return service
        for marker, service in CLOUD_MARKERS:
            if os.path.lexists(os.path.join(folder, marker)):
                return service
        parent = os.path.dirname(folder)
        if parent == folder:
            return ""
        folder = parent


def file_refusal(st: os.stat_result) -> str:
    if stat.S_ISLNK(st.st_mode):
        return "a symbolic link: only the file it points to could be planned"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file (folder, device, pipe or socket)"
    if st.st_nlink > 1:
        return f"the file has {st.st_nlink} hard links: its data would stay readable through the other names"
    return ""


class Shredder:
    def __init__(self, audit: Optional[AuditLog], passes: int = 1, dry_run: bool = True, assess_fn=assess):
        self.audit, self.passes, self.dry_run, self.assess = audit, max(1, passes), dry_run, assess_fn

    def shred(self, entry: Entry) -> Outcome:
        reason = path_refusal(entry.path)
        if not reason:
            try:
                st = os.lstat(entry.path)
            except FileNotFoundError:
                return self._missing(entry)
            except OSError as exc:
                return self._refuse(entry, f"cannot examine: {exc.strerror or exc}")
            reason = file_refusal(st)
        if reason:
            return self._refuse(entry, reason)
        return self._checked(entry)

    def _checked(self, entry: Entry) -> Outcome:
        flags = (os.O_RDONLY if self.dry_run else os.O_RDWR) | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(entry.path, flags)
        except OSError as exc:
            return self._refuse(entry, f"cannot open: {exc.strerror or exc}")
        try:
            st = os.fstat(fd)
            reason = file_refusal(st) or unchanged(entry, st, lambda: sha256_fd(fd))
            if reason:
                return self._refuse(entry, reason)
            assurance = self.assess(entry.path)
            if self.dry_run:
                return Outcome(entry, "would-delete", "", assurance)
            return self._destroy(entry, fd, assurance)
        finally:
            os.close(fd)

    def _destroy(self, entry: Entry, fd: int, assurance: Assurance) -> Outcome:
        folder = os.path.dirname(entry.path)
        temp = TEMP_PREFIX + secrets.token_hex(8)
        self._log(entry, "start", method=_method(self.passes), assurance=assurance.level, temp=temp)
        try:
            os.rename(entry.path, os.path.join(folder, temp))
            fsync_dir(folder)
            overwrite_fd(fd, self.passes)
            os.unlink(os.path.join(folder, temp))
            fsync_dir(folder)
        except OSError as exc:
            reason = f"failed part-way: {exc.strerror or type(exc).__name__}"
            self._log(entry, "failed", result="failed", reason=reason, temp=temp)
            return Outcome(entry, "failed", reason, assurance)
        self._log(entry, "done", method=_method(self.passes), assurance=assurance.level, result="deleted")
        return Outcome(entry, "deleted", "", assurance)

    def _missing(self, entry: Entry) -> Outcome:
        """The name is gone: finish an interrupted shred of it, or refuse."""
        temp = self.audit.unfinished_temp(entry) if self.audit else None
        leftover = os.path.join(os.path.dirname(entry.path), temp) if temp else None
        if not leftover or not os.path.lexists(leftover):
            return self._refuse(entry, "no longer exists (deleted or moved since the plan)")
        if self.dry_run:
            return Outcome(entry, "would-delete", "finish an interrupted shred", self.assess(leftover))
        return self._finish(entry, leftover)

    def _finish(self, entry: Entry, leftover: str) -> Outcome:
        # Its content is partly overwritten, so the plan's digest cannot match: the log vouches for it.
        assurance = self.assess(leftover)
        try:
            fd = os.open(leftover, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
            try:
                overwrite_fd(fd, self.passes)
            finally:
                os.close(fd)
            os.unlink(leftover)
            fsync_dir(os.path.dirname(leftover))
        except OSError as exc:
            return self._refuse(entry, f"cannot finish the interrupted shred: {exc.strerror or exc}")
        self._log(entry, "done", method=_method(self.passes), assurance=assurance.level,
                  result="deleted", note="finished an interrupted shred")
        return Outcome(entry, "deleted", "finished an interrupted shred", assurance)

    def _refuse(self, entry: Entry, reason: str) -> Outcome:
        self._log(entry, "refused", result="refused", reason=reason)
        return Outcome(entry, "refused", reason)

    def _log(self, entry: Entry, action: str, **fields) -> None:
        if self.audit is not None and not self.dry_run:
            self.audit.write(entry, action, **fields)

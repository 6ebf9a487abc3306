"""Secure deletion of what a reviewed plan lists, with an append-only audit log.

For each plan entry, `Shredder.shred(entry)`:

 1. refuses, touching nothing: a path that is not absolute and canonical or runs
    through a symbolic link (it may not lead to the file planned), an archive
    member (only the whole archive can be deleted), a file in a cloud-synced
    folder (the service keeps versions and a recycle bin this machine cannot
    overwrite), a symlink, anything but a regular file, a file with other hard
    links (their names would keep the data), and a file changed since the plan
    (size, modified time, SHA-256);
 2. logs "start" (with the random name chosen for step 3 and the file's inode);
 3. renames the file to that random name in the same folder and fsyncs the
    folder, so the original name never holds a half-overwritten file;
 4. overwrites its bytes in place with random data (`passes` times, one by
    default: NIST SP 800-88 Clear for modern media), fsyncs, truncates, fsyncs;
 5. unlinks it, fsyncs the folder, logs "done" with the assurance level.

Nothing is done by path after the check. The folder is opened from / one component
at a time without following links (folder.py), the file by name in that descriptor
(O_NOFOLLOW), its size, mtime and SHA-256 are checked on the very descriptor that is
overwritten, and rename/unlink act through the folder descriptor. Before the rename
and before the unlink the name must still be that inode and the folder's path must
still lead to that folder: a folder swapped for a symlink while the file was hashed
(the slow part) gets the entry refused, never a file elsewhere deleted.

Killed at any point, the state is one the log describes: no "start" → the file
is intact under its name; "start" without "done" → the name is gone and the
file, partly overwritten, is the random name the "start" record gives (a new
run of the same plan finds it and finishes the job); "done" → gone. Only a
sealed record is believed, and only a temp of pdscan's own pattern, in the
planned folder, with the inode the record logged, is finished.
"""
from __future__ import annotations

import os
import re
import secrets
import stat
from dataclasses import dataclass
from typing import Optional

from .assurance import Assurance, assess
from .audit import AuditLog
from .folder import ThroughLink, names, open_folder, still_leads_to
from .overwrite import overwrite_fd
from .plan import Entry, sha256_fd, unchanged

__all__ = ["AuditLog", "Outcome", "Shredder", "TEMP_PREFIX"]

TEMP_PREFIX = ".pdscan-shred-"
TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + "[0-9a-f]{16}")
OPEN_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
THROUGH_LINK = "the path passes through a symbolic link, so it may not lead to the file planned"
MOVED = "the file or its folder was moved or replaced while pdscan checked it"
CLOUD_FOLDERS = (("onedrive", "OneDrive"), ("dropbox", "Dropbox"), ("google drive", "Google Drive"),
                 ("googledrive", "Google Drive"), ("my drive", "Google Drive"), ("icloud drive", "iCloud Drive"))
CLOUD_MARKERS = ((".dropbox", "Dropbox"), (".dropbox.cache", "Dropbox"))


@dataclass(frozen=True)
class Outcome:
    entry: Entry
    result: str                      # deleted | would-delete | refused | failed
    reason: str = ""
    assurance: Optional[Assurance] = None


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
        return THROUGH_LINK
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
        if reason:
            return self._refuse(entry, reason)
        folder, name = os.path.split(entry.path)
        try:
            dir_fd = open_folder(folder)
        except ThroughLink:
            return self._refuse(entry, THROUGH_LINK)
        except FileNotFoundError:
            return self._refuse(entry, "no longer exists (its folder is gone)")
        except OSError as exc:
            return self._refuse(entry, f"cannot open its folder: {exc.strerror or exc}")
        try:
            return self._in_folder(entry, dir_fd, name)
        finally:
            os.close(dir_fd)

    def _in_folder(self, entry: Entry, dir_fd: int, name: str) -> Outcome:
        try:
            reason = file_refusal(os.stat(name, dir_fd=dir_fd, follow_symlinks=False))
        except FileNotFoundError:
            return self._missing(entry, dir_fd)
        except OSError as exc:
            return self._refuse(entry, f"cannot examine: {exc.strerror or exc}")
        if reason:
            return self._refuse(entry, reason)
        try:
            fd = os.open(name, (os.O_RDONLY if self.dry_run else os.O_RDWR) | OPEN_FLAGS, dir_fd=dir_fd)
        except OSError as exc:
            return self._refuse(entry, f"cannot open: {exc.strerror or exc}")
        try:
            st = os.fstat(fd)
            reason = file_refusal(st) or unchanged(entry, st, lambda: sha256_fd(fd))
            if not reason and not self._in_place(entry, dir_fd, name, st):
                reason = MOVED
            if reason:
                return self._refuse(entry, reason)
            assurance = self.assess(entry.path)
            if self.dry_run:
                return Outcome(entry, "would-delete", "", assurance)
            return self._destroy(entry, dir_fd, name, fd, st, assurance)
        finally:
            os.close(fd)

    @staticmethod
    def _in_place(entry: Entry, dir_fd: int, name: str, st: os.stat_result) -> bool:
        """The planned path still leads, without links, to this folder, and `name` there to this inode."""
        return names(name, dir_fd, st) and still_leads_to(os.path.dirname(entry.path), dir_fd)

    def _destroy(self, entry: Entry, dir_fd: int, name: str, fd: int, st: os.stat_result,
                 assurance: Assurance) -> Outcome:
        temp = TEMP_PREFIX + secrets.token_hex(8)
        self._log(entry, "start", method=_method(self.passes), assurance=assurance.level, temp=temp,
                  dev=st.st_dev, ino=st.st_ino)
        try:
            os.rename(name, temp, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            os.fsync(dir_fd)
            if not names(temp, dir_fd, st):
                return self._fail(entry, assurance, temp,
                                  "the name was replaced just before the rename; nothing was overwritten")
            return self._overwrite_and_unlink(entry, dir_fd, temp, fd, st, assurance)
        except OSError as exc:
            return self._fail(entry, assurance, temp, f"failed part-way: {exc.strerror or type(exc).__name__}")

    def _overwrite_and_unlink(self, entry: Entry, dir_fd: int, temp: str, fd: int, st: os.stat_result,
                              assurance: Assurance, note: str = "") -> Outcome:
        overwrite_fd(fd, self.passes)
        if not self._in_place(entry, dir_fd, temp, st):
            return self._fail(entry, assurance, temp, f"overwritten, but not unlinked: {MOVED}")
        os.unlink(temp, dir_fd=dir_fd)
        os.fsync(dir_fd)
        extra = {"note": note} if note else {}
        self._log(entry, "done", method=_method(self.passes), assurance=assurance.level, result="deleted", **extra)
        return Outcome(entry, "deleted", note, assurance)

    def _fail(self, entry: Entry, assurance: Assurance, temp: str, reason: str) -> Outcome:
        self._log(entry, "failed", result="failed", reason=reason, temp=temp)
        return Outcome(entry, "failed", reason, assurance)

    def _missing(self, entry: Entry, dir_fd: int) -> Outcome:
        """The name is gone: finish an interrupted shred of it, or refuse."""
        start = self.audit.unfinished_start(entry) if self.audit else None
        if start is None:
            unsealed = self.audit.unsealed.get(self.audit.path_hash(entry.path)) if self.audit else 0
            return self._refuse(entry, "no longer exists (deleted or moved since the plan)" + (
                f"; {unsealed} audit record(s) for it fail their seal (not written by pdscan here) and "
                "were ignored" if unsealed else ""))
        temp, why = self._leftover(start, dir_fd)
        if why:
            return self._refuse(entry, f"no longer exists, and the audit log's interrupted shred cannot be "
                                       f"finished: {why}")
        if self.dry_run:
            return Outcome(entry, "would-delete", "finish an interrupted shred", self.assess(entry.path))
        return self._finish(entry, dir_fd, temp, start)

    @staticmethod
    def _leftover(start: dict, dir_fd: int):
        """(temp name, '') when the start record's temp is pdscan's own leftover, else ('', why not)."""
        temp = start.get("temp")
        if not isinstance(temp, str) or not TEMP_NAME.fullmatch(temp):
            return "", "its temporary name is not one pdscan makes"
        try:
            st = os.stat(temp, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            return "", "the temporary file is gone"
        except OSError as exc:
            return "", f"cannot examine the temporary file: {exc.strerror or exc}"
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
            return "", "the temporary file is not a regular file with one link"
        # Killed after the truncate (the step before the unlink), the size is 0.
        if (st.st_dev, st.st_ino) != (start.get("dev"), start.get("ino")) or st.st_size not in (start.get("size"), 0):
            return "", "the temporary file is not the file the log recorded (inode or size differ)"
        return temp, ""

    def _finish(self, entry: Entry, dir_fd: int, temp: str, start: dict) -> Outcome:
        # Its content is partly overwritten, so the plan's digest cannot match: the sealed log vouches for it.
        assurance = self.assess(entry.path)
        try:
            fd = os.open(temp, os.O_RDWR | OPEN_FLAGS, dir_fd=dir_fd)
        except OSError as exc:
            return self._refuse(entry, f"cannot finish the interrupted shred: {exc.strerror or exc}")
        try:
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != (start["dev"], start["ino"]) or not self._in_place(entry, dir_fd, temp, st):
                return self._refuse(entry, f"cannot finish the interrupted shred: {MOVED}")
            return self._overwrite_and_unlink(entry, dir_fd, temp, fd, st, assurance,
                                              note="finished an interrupted shred")
        except OSError as exc:
            return self._refuse(entry, f"cannot finish the interrupted shred: {exc.strerror or exc}")
        finally:
            os.close(fd)

    def _refuse(self, entry: Entry, reason: str) -> Outcome:
        self._log(entry, "refused", result="refused", reason=reason)
        return Outcome(entry, "refused", reason)

    def _log(self, entry: Entry, action: str, **fields) -> None:
        if self.audit is not None and not self.dry_run:
            self.audit.write(entry, action, **fields)

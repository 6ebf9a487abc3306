"""The deletion plan: versioned JSON that a person reviews and `pdscan shred` acts on.

Format (docs/plan-format.md): {"format": "pdscan-deletion-plan", "version": 2,
"created", "as_of", "host", "policy", "entries": [{"path", "size", "mtime",
"mtime_ns", "sha256", "category", "rule", "reason", "mac"}]}. A reader refuses a
plan of another format or of another version rather than guessing.

Shred runs as root and deletes what the plan says, so the plan is bound to the install
that wrote it: every entry carries `mac`, an HMAC-SHA256 under the install key over the
entry and the plan's header fields. Removing an entry (the reviewer's job) keeps the rest
valid; adding or changing one, or changing the header, does not. A plan file that
someone else owns or could write is refused before it is read.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import stat
from dataclasses import asdict, dataclass
from typing import Optional

from ..errors import ItemError, PdscanError
from ..privacy import install_key, key_path
from ..safefile import atomic_write
from .folder import ThroughLink, open_folder, same_inode
from .sealing import genuine, seal

FORMAT = "pdscan-deletion-plan"
VERSION = 2
PURPOSE = "deletion-plan-entry"
HEADER_FIELDS = ("format", "version", "created", "as_of", "host", "policy")
REPLAN = "re-run `pdscan retention --plan-out` to write a new plan, and review it again"
ENTRY_FIELDS = ("path", "size", "mtime", "mtime_ns", "sha256", "category", "rule", "reason")


class PlanError(PdscanError):
    """The plan file cannot be used at all (exit 2)."""


@dataclass(frozen=True)
class Entry:
    path: str
    size: int
    mtime: str         # ISO 8601 UTC, for people
    mtime_ns: int      # exact, for the unchanged-since-plan check
    sha256: str
    category: str
    rule: str
    reason: str


@dataclass(frozen=True)
class Plan:
    entries: tuple
    created: str
    as_of: str
    host: str = ""
    policy: str = ""


def sha256_fd(fd: int, block: int = 1024 * 1024) -> str:
    digest = hashlib.sha256()
    os.lseek(fd, 0, os.SEEK_SET)
    while chunk := os.read(fd, block):
        digest.update(chunk)
    return digest.hexdigest()


class NotPlanned(ItemError):
    """The file was judged, but cannot go into a plan; the message says why."""


def entry_for(path: str, category: str, rule: str, reason: str) -> Entry:
    """The plan entry for `path` as it is now (size, times and digest read from the file).

    The schedule judged the file by `path` (its categories match paths), so `path` must be
    the file's real path: reached through a symlinked folder, the signed entry would name a
    file the schedule never judged where it really is. Such a file is NotPlanned."""
    path = os.path.abspath(path)
    folder, name = os.path.split(path)
    try:
        dir_fd = open_folder(folder)
    except ThroughLink:
        raise NotPlanned(f"not planned: its folder is reached through a symbolic link, so it was judged by a "
                         f"path that is not its own; run retention on the real folder "
                         f"{os.path.realpath(folder)}") from None
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode):
            raise NotPlanned("not planned: not a regular file (a symbolic link, or replaced since the scan)")
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NOATIME", 0), dir_fd=dir_fd)
        try:
            if not same_inode(os.fstat(fd), st):
                raise NotPlanned("not planned: replaced while it was being read")
            digest = sha256_fd(fd)
        finally:
            os.close(fd)
    finally:
        os.close(dir_fd)
    mtime = dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Entry(path, st.st_size, mtime, st.st_mtime_ns, digest, category, rule, reason)


def write_plan(path: str, entries, as_of: dt.date, policy: str = "", key: Optional[bytes] = None) -> Plan:
    plan = Plan(tuple(entries), dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                as_of.isoformat(), socket.gethostname(), policy)
    doc = {"format": FORMAT, "version": VERSION, "created": plan.created, "as_of": plan.as_of,
           "host": plan.host, "policy": plan.policy}
    key = key or install_key(key_path())
    doc["entries"] = [dict(asdict(e), mac=seal(key, PURPOSE, _sealed(doc, asdict(e)))) for e in plan.entries]
    # The plan names files (names can be personal data): owner-only, written whole then renamed,
    # never through a symlink planted at its name.
    with atomic_write(path) as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
        f.write("\n")
    return plan


def _sealed(doc: dict, entry: dict) -> dict:
    """What an entry's mac covers: the entry and the plan's header (not the other entries)."""
    return {"plan": {name: doc.get(name) for name in HEADER_FIELDS}, "entry": entry}


def read_plan(path: str, key: Optional[bytes] = None) -> Plan:
    doc = _load(path)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise PlanError(f"{path}: not a pdscan deletion plan (format is not {FORMAT!r})")
    if doc.get("version") == 1:
        raise PlanError(f"{path}: a version 1 plan, from an older pdscan, carries no signature and cannot be "
                        f"trusted: {REPLAN}")
    if doc.get("version") != VERSION:
        raise PlanError(f"{path}: plan version {doc.get('version')!r} is not supported (this pdscan reads {VERSION})")
    entries = doc.get("entries")
    if not isinstance(entries, list):
        raise PlanError(f"{path}: field 'entries' must be a list")
    key = key or install_key(key_path())
    return Plan(tuple(_entry(e, f"{path}: entries[{n}]", key, doc) for n, e in enumerate(entries)),
                str(doc.get("created", "")), str(doc.get("as_of", "")), str(doc.get("host", "")),
                str(doc.get("policy", "")))


def _load(path: str):
    """The plan's JSON, read from a file that only the user running pdscan owns and can write."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise PlanError(f"{path}: cannot read plan: {exc.strerror or exc}") from None
    with open(fd, encoding="utf-8") as f:
        st, euid = os.fstat(fd), os.geteuid() if hasattr(os, "geteuid") else -1
        if not stat.S_ISREG(st.st_mode):
            raise PlanError(f"{path}: not a regular file")
        if euid >= 0 and st.st_uid != euid:
            raise PlanError(f"{path}: the plan is owned by uid {st.st_uid}, not by the user running pdscan "
                            f"(uid {euid}): whoever can change it chooses what shred deletes; {REPLAN}")
        if st.st_mode & 0o022:
            raise PlanError(f"{path}: the plan is writable by group or others (mode {stat.S_IMODE(st.st_mode):04o}): "
                            f"anyone could have added entries; {REPLAN}")
        try:
            return json.load(f)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PlanError(f"{path}: not a plan (not valid JSON: {exc})") from None


def _entry(value, where: str, key: bytes, doc: dict) -> Entry:
    if not isinstance(value, dict):
        raise PlanError(f"{where}: must be an object")
    kinds = {"size": int, "mtime_ns": int}
    for name in ENTRY_FIELDS:
        kind = kinds.get(name, str)
        if not isinstance(value.get(name), kind) or isinstance(value.get(name), bool):
            raise PlanError(f"{where}: field {name!r} is missing or not a {kind.__name__}")
    fields = {name: value[name] for name in ENTRY_FIELDS}
    if "mac" not in value:
        raise PlanError(f"{where}: has no signature (field 'mac'): pdscan did not write this entry; {REPLAN}")
    if not genuine(key, PURPOSE, _sealed(doc, fields), value["mac"]):
        raise PlanError(f"{where}: the plan was changed after pdscan wrote it (plan signature does not match, "
                        f"or it was written under another install key); {REPLAN}")
    return Entry(**fields)


def unchanged(entry: Entry, st: os.stat_result, digest_of) -> str:
    """'' when the file matches the plan, else why not. `digest_of()` is called only
    when size and mtime agree (hashing is the slow part)."""
    if st.st_size != entry.size:
        return f"changed since the plan: size is {st.st_size}, the plan says {entry.size}"
    if st.st_mtime_ns != entry.mtime_ns:
        return "changed since the plan: modified time differs"
    if digest_of() != entry.sha256:
        return "changed since the plan: content (SHA-256) differs"
    return ""

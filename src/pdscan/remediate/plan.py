"""The deletion plan: versioned JSON that a person reviews and `pdscan shred` acts on.

Format (docs/plan-format.md): {"format": "pdscan-deletion-plan", "version": 1,
"created", "as_of", "host", "policy", "entries": [{"path", "size", "mtime",
"mtime_ns", "sha256", "category", "rule", "reason"}]}. A reader refuses a
plan of another format or of a newer version rather than guessing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
from dataclasses import asdict, dataclass

from ..errors import PdscanError

FORMAT = "pdscan-deletion-plan"
VERSION = 1
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


def sha256_file(path: str) -> str:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOATIME", 0))
    try:
        return sha256_fd(fd)
    finally:
        os.close(fd)


def entry_for(path: str, category: str, rule: str, reason: str) -> Entry:
    """The plan entry for `path` as it is now (size, times and digest read from the file)."""
    # Folders resolved (shred refuses a path through a symlink), the name itself not.
    path = os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(path))), os.path.basename(path))
    st = os.lstat(path)
    mtime = dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Entry(path, st.st_size, mtime, st.st_mtime_ns, sha256_file(path), category, rule, reason)


def write_plan(path: str, entries, as_of: dt.date, policy: str = "") -> Plan:
    plan = Plan(tuple(entries), dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                as_of.isoformat(), socket.gethostname(), policy)
    doc = {"format": FORMAT, "version": VERSION, "created": plan.created, "as_of": plan.as_of,
           "host": plan.host, "policy": plan.policy, "entries": [asdict(e) for e in plan.entries]}
    # The plan names files (names can be personal data): owner-only, written whole then renamed.
    tmp = f"{path}.tmp-{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8", newline="\n") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
        f.write("\n")
    os.replace(tmp, path)
    return plan


def read_plan(path: str) -> Plan:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as exc:
        raise PlanError(f"{path}: cannot read plan: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path}: not a plan (not valid JSON: {exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise PlanError(f"{path}: not a pdscan deletion plan (format is not {FORMAT!r})")
    if doc.get("version") != VERSION:
        raise PlanError(f"{path}: plan version {doc.get('version')!r} is not supported (this pdscan reads {VERSION})")
    entries = doc.get("entries")
    if not isinstance(entries, list):
        raise PlanError(f"{path}: field 'entries' must be a list")
    return Plan(tuple(_entry(e, f"{path}: entries[{n}]") for n, e in enumerate(entries)),
                str(doc.get("created", "")), str(doc.get("as_of", "")), str(doc.get("host", "")),
                str(doc.get("policy", "")))


def _entry(value, where: str) -> Entry:
    if not isinstance(value, dict):
        raise PlanError(f"{where}: must be an object")
    kinds = {"size": int, "mtime_ns": int}
    for name in ENTRY_FIELDS:
        kind = kinds.get(name, str)
        if not isinstance(value.get(name), kind) or isinstance(value.get(name), bool):
            raise PlanError(f"{where}: field {name!r} is missing or not a {kind.__name__}")
    return Entry(**{name: value[name] for name in ENTRY_FIELDS})


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

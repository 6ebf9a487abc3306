"""An erasure request as a deletion plan for `pdscan shred` (docs/plan-format.md).

Shred deletes whole files: an item inside an archive or a mailbox is listed for action by hand,
never planned. A file is planned only when it is the file the scan saw, here, unchanged (size,
modified time, inode and device as stored): the store holds other machines' paths too, and a
path alone could name some other file on this one. Only strong matches are planned; a reviewer
still reads the plan before shred acts on it.
"""
from __future__ import annotations

import os

from ..remediate.plan import NotPlanned, entry_for

CATEGORY = "erasure-request"
RULE = "erasure request: the file holds the requested person's identifiers"
BY_HAND = "not planned: inside an archive or a mailbox; shred deletes whole files only: remove it by hand"
MEDIUM = "not planned: a medium match (a phone number alone); check it by hand"
NOT_HERE = ("not planned: not on this machine as the scan saw it (another host's file, or changed since the "
            "scan); run locate on its host, or scan again")
UNKNOWN = "not planned: the store does not say which file the scan saw; scan it again"
NOT_UTF8 = "not planned: its name is not valid UTF-8, which a plan cannot hold; delete it by hand"


def plan_entry(found) -> tuple:
    """(plan entry or None, why not planned or None) for one located item."""
    if found.member is not None:
        return None, BY_HAND
    if found.strength != "strong":
        return None, MEDIUM
    if not _utf8(found.path):
        return None, NOT_UTF8
    size, mtime_ns, inode, device = found.stat
    if None in (inode, device, mtime_ns):
        return None, UNKNOWN
    try:
        st = os.lstat(found.path)
        if (st.st_ino, st.st_dev) != (inode, device):
            return None, NOT_HERE
        entry = entry_for(found.path, CATEGORY, RULE, reason(found))
    except NotPlanned as exc:
        return None, str(exc)
    except OSError:
        return None, NOT_HERE
    if (entry.size, entry.mtime_ns) != (size, mtime_ns):
        return None, NOT_HERE
    return entry, None


def _utf8(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def reason(found) -> str:
    """Why, for the plan's reviewer: which kinds of identifier, never their values."""
    return (f"holds the requested person's {', '.join(found.matched)} ({found.strength} match, last seen "
            f"{found.last_seen}): erase under the request (pdscan shred)")


def plan_entries(located: list) -> tuple:
    """([entries], {index in located: why not planned}); a file is planned once."""
    entries: dict = {}
    why: dict = {}
    for n, found in enumerate(located):
        entry, not_planned = plan_entry(found)
        if entry is not None:
            entries.setdefault(entry.path, entry)
        else:
            why[n] = not_planned
    return list(entries.values()), why


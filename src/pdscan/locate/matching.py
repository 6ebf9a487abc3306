"""Which stored items hold a person's data now, and how surely they are about that person.

An item is listed when its latest stored state holds the request's hashes strongly enough
(`strength`): a later scan that stored the item without them (it was edited) or that covered
its folder and did not see it (it was deleted or moved) means it no longer holds them.

Hashes compare only when made under one key and one hash form (detect/hash_forms.py). A store
with scans hashed otherwise that no later scan with this key has replaced is refused whole:
searching the rest would answer "nothing here" for hosts that were never searched.
"""
from __future__ import annotations

from collections import Counter
from typing import Optional

from ..errors import ConfigError
from ..model import Located
from ..sinks.store import covers
from ..sinks.store.queries import Holdings
from .request import KINDS

# A number given to one person, or an address few share: enough alone.
ALONE = frozenset({"nino", "uln", "nhs", "upn", "passport", "email"})
ORDER = {k.name: n for n, k in enumerate(KINDS)}


def strength(kinds) -> Optional[str]:
    """"strong", "medium", or None when the item is not about the person by these alone.

    A name or a birth date alone is anyone's (names count only with another identifier; name
    and date of birth together are strong); a phone number is shared by a household or an
    office (medium alone, strong with anything else)."""
    kinds = set(kinds)
    if kinds & ALONE or {"name", "dob"} <= kinds:
        return "strong"
    if "phone" in kinds:
        return "strong" if len(kinds) > 1 else "medium"
    return None


class KeyMismatch(ConfigError):
    """The store holds hashes made under another key or hash form (exit 2)."""


def _replaced(scan, scans, ours) -> bool:
    """A later complete scan of the same host, hashed our way, covered every root of `scan`
    (any, when `scan` recorded no roots: stores from before roots were kept)."""
    return any(t.id > scan.id and t.host == scan.host and t.complete and t.hashing == ours
               and all(any(covers(r, root) for r in t.roots) for root in scan.roots)
               for t in scans.values())


def check_hashing(scans: dict, ours: tuple) -> None:
    """Refuse a store whose current results were hashed under another key or hash form."""
    others = [s for s in scans.values() if s.hashing != ours and not _replaced(s, scans, ours)]
    if not others:
        return
    counts = Counter((s.host or "unknown host", s.hashing) for s in others)
    lines = []
    for (host, (their_key, form)), n in sorted(counts.items(), key=lambda c: (c[0][0], str(c[0][1]))):
        if their_key is None:
            why = "made before pdscan recorded which key hashed a scan"
        elif their_key != ours[0]:
            why = f"hashed under key id {their_key}"
        else:
            why = f"hashed by an older pdscan (hash form {form}, now {ours[1]})"
        lines.append(f"{host}: {n} scan(s) {why}")
    # One line: the CLI shows a message as one inert line.
    raise KeyMismatch(
        f"cannot compare: this key (key id {ours[0]}, hash form {ours[1]}) did not make every hash in the "
        f"store, and hashes under different keys never match ({'; '.join(lines)}); locate with the key those "
        "scans used (--key-file, PDSCAN_HASH_KEY_FILE), or scan those hosts again with this key "
        "(see docs/locate.md, rotating the key)")


def locate(held: Holdings, sought: list, ours: tuple) -> list:
    """The items that hold the sought identifiers now, strongest and most recently seen first."""
    check_hashing(held.scans, ours)
    kinds_of = {s.hash: s.kind for s in sought}
    latest: dict = {}
    for item in held.items:
        scan = held.scans[item.scan_id]
        if scan.hashing != ours:
            continue
        where = (scan.host, item.path, item.member)
        if where not in latest or latest[where].scan_id < item.scan_id:
            latest[where] = item
    found = []
    for (host, path, member), item in latest.items():
        if _gone_or_changed(held, item, host):
            continue
        kinds = tuple(sorted({kinds_of[h] for h in item.keys if h in kinds_of}, key=ORDER.get))
        level = strength(kinds)
        if level is None:
            continue
        found.append(Located(host, path, member, held.scans[item.scan_id].seen, kinds, level, item.encrypted,
                             item.encryption, stat=(item.size, item.mtime_ns, item.inode, item.device)))
    found.sort(key=lambda x: (x.strength != "strong", x.host or "", x.path, x.member or ""))
    return found


def _gone_or_changed(held: Holdings, item, host) -> bool:
    """A later scan of the host, hashed our way, stored the item without the hashes (changed),
    or covered its folder, read it whole and did not see it (deleted or moved)."""
    for scan in held.scans.values():
        if scan.id <= item.scan_id or scan.host != host or scan.hashing != held.scans[item.scan_id].hashing:
            continue
        if (item.path, item.member) in held.recorded.get(scan.id, ()):
            return True
        if scan.complete and any(covers(r, item.path) for r in scan.roots) \
                and item.path not in held.errored.get(scan.id, ()):
            return True
    return False

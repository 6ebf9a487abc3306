"""A mailbox's folders, then each folder's messages as Items, fetched in bounded batches."""
from __future__ import annotations

import io
from functools import partial
from typing import Iterator, Optional

from ....errors import PdscanError
from ....limits import Limits, MiB
from ....model import ErrorRecord, Item
from ..headers import meta_of
from ..maildir import INBOX, decode_mutf7
from .session import FolderLost, Lost, Refused, Session
from .wire import parse_list, parse_namespace

MAX_MESSAGE = Limits().max_document_size       # a larger message is reported, not fetched
META_BATCH = 500                               # UIDs per size/date FETCH (no bodies: small replies)
BODY_BATCH = 50                                # UIDs per body FETCH...
BATCH_BYTES = 64 * MiB                         # ...and at most this much mail held at once


def read_mailbox(session: Session) -> Iterator:
    try:
        for wire, folder in _folders(session):
            yield from _folder(session, wire, folder)
    finally:
        session.close()


def _folders(session: Session) -> list:
    """(wire name, pdscan folder name) of every folder that can hold mail, Inbox first."""
    target = session.target
    namespace = ""
    if "NAMESPACE" in session.conn.capabilities:
        try:
            namespace = parse_namespace(session.call("namespace"))
        except (Refused, Lost):
            pass  # folder names keep their prefix: still every folder, just longer names
    try:
        listed = parse_list(session.call("list", '""', "*"))
    except (Refused, Lost) as exc:
        raise PdscanError(f"cannot list the folders of {target.display}: {exc}") from None
    folders = []
    for wire, delimiter, flags in listed:
        if flags & {"\\noselect", "\\nonexistent"}:
            continue
        name = folder_name(wire.decode("utf-8", "replace"), delimiter, namespace)
        if target.prefix and name != target.prefix and not name.startswith(target.prefix + "/"):
            continue
        folders.append((wire, name))
    return sorted(folders, key=lambda f: (f[1] != INBOX, f[1]))


def _folder(session: Session, wire: bytes, folder: str) -> Iterator:
    where = session.target.display
    try:
        validity = session.examine(wire)
        found = session.call("uid", "SEARCH", "ALL")
    except (Refused, Lost, FolderLost) as exc:
        yield ErrorRecord(where, folder, f"cannot examine folder: {exc}")
        return
    uids = [int(u) for u in b" ".join(x for x in found if x).split()]
    try:
        yield from _read(session, where, folder, validity, uids)
    except FolderLost as exc:
        yield ErrorRecord(where, folder, f"cannot read the rest of the folder: {exc}")


def _read(session: Session, where: str, folder: str, validity: Optional[str], uids: list) -> Iterator:
    facts, failed = {}, {}
    for batch in _chunks(uids, META_BATCH):
        got, bad = session.fetch(batch, "(UID RFC822.SIZE INTERNALDATE)")
        facts.update(got)
        failed.update(bad)
    wanted = []
    for uid in uids:
        member = f"{folder}/{validity}:{uid}"
        size = facts.get(uid, {}).get("size")
        if uid in failed:
            yield ErrorRecord(where, member, f"cannot fetch: {failed[uid]}")
        elif uid not in facts:
            yield ErrorRecord(where, member, "the server returned nothing for this message")
        elif size is not None and size > MAX_MESSAGE:
            limit = f"{MAX_MESSAGE // MiB} MiB" if MAX_MESSAGE >= MiB else f"{MAX_MESSAGE} bytes"
            yield ErrorRecord(where, member, f"message too large: {size} bytes, over the {limit} limit "
                                             f"(not fetched)")
        else:
            wanted.append((uid, size or 0))
    for batch in _by_bytes(wanted):
        got, bad = session.fetch(batch, "(UID BODY.PEEK[])")
        for uid in batch:
            member = f"{folder}/{validity}:{uid}"
            body = got.get(uid, {}).get("body")
            if uid in bad:
                yield ErrorRecord(where, member, f"cannot fetch: {bad[uid]}")
            elif body is None:
                yield ErrorRecord(where, member, "the server returned no body for this message")
            else:
                yield Item(path=where, open=partial(io.BytesIO, body), size=len(body),
                           mtime=facts[uid].get("date"), member=member, name_hint=f"{uid}.eml",
                           meta=meta_of(body, folder))


def _chunks(values: list, size: int) -> Iterator[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _by_bytes(wanted: list) -> Iterator[list]:
    """UIDs in batches of at most BODY_BATCH messages and BATCH_BYTES (a bigger message goes alone)."""
    batch, total = [], 0
    for uid, size in wanted:
        if batch and (len(batch) >= BODY_BATCH or total + size > BATCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += size
    if batch:
        yield batch


def folder_name(wire: str, delimiter: Optional[str], namespace: str = "") -> str:
    """The server's folder name as pdscan's: "/" between levels, INBOX as "Inbox"."""
    if wire.upper() == "INBOX":
        return INBOX
    if namespace and wire.startswith(namespace):
        wire = wire[len(namespace):]
    parts = [decode_mutf7(p) for p in (wire.split(delimiter) if delimiter else [wire]) if p]
    if parts and parts[0].upper() == "INBOX":
        parts[0] = INBOX
    return "/".join(parts)

"""Per-item hooks: what a command adds to the pipeline, run in the worker.

A hook is an object with `begin(item) -> Watch | None`, called for each
top-level unit (a file, a mail message) before it is read; None means the
hook has nothing to do for it. A Watch has
  read: bool             False: the item is not read at all (its records are only what `end` makes);
  sniffed(mime, head)    the top-level item's type and first bytes (sniff.PREFIX of them, fewer when
                         that is the whole item), so a hook need not open it again;
  chunk(chunk) -> None   each Chunk of the top-level item itself (not of its members), as extracted;
  facts(facts) -> None   a top-level mail message's MessageFacts, from the extractor's own parse;
  end(records) -> list   the item's records (item, error, its members'), returned finished:
                         changed, added to, or left as they were.
Hooks and their watches travel to worker processes, so they hold plain data
(policy objects, schedules), never open files or connections.
"""
from __future__ import annotations

from typing import Optional, Protocol

from ..model import Chunk, Item, MessageFacts
from ..sniff import PREFIX


class Watch(Protocol):
    read: bool

    def sniffed(self, mime: str, head: bytes) -> None: ...

    def chunk(self, chunk: Chunk) -> None: ...

    def facts(self, facts: MessageFacts) -> None: ...

    def end(self, records: list) -> list: ...


class Hook(Protocol):
    def begin(self, item: Item) -> Optional[Watch]: ...


def whole(head: Optional[bytes]) -> bool:
    """Is the sniffed head the entire item? (sniff read fewer bytes than it asked for)"""
    return head is not None and len(head) < PREFIX

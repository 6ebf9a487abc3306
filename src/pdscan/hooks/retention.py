"""Retention facts as a per-item hook: what a file's own text says about its age, read once.

While a top-level file is extracted for detection, its watch keeps the
retention schedule's keywords and keyword-anchored dates from each chunk
(policy/retention.py read_text_facts: never the text around them). A file
with personal data leaves the worker with these facts, and a mail file with
its Date header (`retention_facts`), for the retention judge in the main process.
"""
from __future__ import annotations

import datetime as dt
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from typing import Optional

from ..model import Chunk, Item, ItemResult
from ..policy.retention import RetentionFacts, Schedule, read_text_facts
from . import whole

HEADER_CAP = 256 * 1024


class RetentionHook:
    def __init__(self, schedule: Schedule):
        self.schedule = schedule

    def begin(self, item: Item) -> "RetentionWatch":
        return RetentionWatch(self.schedule, item)


class RetentionWatch:
    read = True

    def __init__(self, schedule: Schedule, item: Item):
        self.schedule, self.item = schedule, item
        self.facts = RetentionFacts()
        self.head: Optional[bytes] = None

    def sniffed(self, mime: str, head: bytes) -> None:
        self.head = head

    def chunk(self, chunk: Chunk) -> None:
        text = chunk.data.decode("utf-8", "replace")

        def label_at(pos: int):
            if chunk.columns is not None:
                return chunk.columns.header_at(chunk.data, len(text[:pos].encode("utf-8")))
            return chunk.header

        read_text_facts(self.facts, self.schedule, text, label_at)

    def end(self, records: list) -> list:
        for record in records:
            if isinstance(record, ItemResult) and record.member is None and record.personal:
                mail_date = _mail_date(self.item, self.head) if record.mime == "message/rfc822" else None
                record.retention_facts = (self.facts, mail_date)
        return records


def retention_facts(record: ItemResult) -> tuple:
    """(RetentionFacts, mail date) a record brought from its worker; members and files without personal
    data bring none."""
    return record.retention_facts or (RetentionFacts(), None)


def _mail_date(item: Item, head: Optional[bytes]) -> Optional[dt.date]:
    """The Date header; from the sniffed head when the header block ends inside it (no reopen)."""
    try:
        if head is not None and (whole(head) or b"\n\n" in head or b"\r\n\r\n" in head):
            headers = BytesHeaderParser().parsebytes(head)
        else:
            with item.open() as stream:
                headers = BytesHeaderParser().parsebytes(stream.read(HEADER_CAP))
        return parsedate_to_datetime(headers["Date"]).astimezone(dt.timezone.utc).date() if headers["Date"] else None
    except (OSError, TypeError, ValueError):
        return None

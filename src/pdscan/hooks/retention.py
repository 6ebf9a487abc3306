"""Retention facts as a per-item hook: what a file's own text says about its age, read once.

While a top-level file is extracted for detection, its watch keeps the
retention schedule's keywords and keyword-anchored dates from each chunk
(policy/retention.py read_text_facts: never the text around them). A file
with personal data leaves the worker with these facts, and a mail file with
its Date header from the extractor's parse (`_retention`), for the retention
judge in the main process.
"""
from __future__ import annotations

from typing import Optional

from ..model import Chunk, Item, MessageFacts
from ..policy.retention import RetentionFacts, Schedule, read_text_facts


class RetentionHook:
    def __init__(self, schedule: Schedule):
        self.schedule = schedule

    def begin(self, item: Item) -> "RetentionWatch":
        return RetentionWatch(self.schedule, item)


class RetentionWatch:
    read = True

    def __init__(self, schedule: Schedule, item: Item):
        self.schedule, self.item = schedule, item
        self.found = RetentionFacts()
        self.message: Optional[MessageFacts] = None

    def sniffed(self, mime: str, head: bytes) -> None:
        pass

    def facts(self, facts: MessageFacts) -> None:
        self.message = facts

    def chunk(self, chunk: Chunk) -> None:
        text = chunk.data.decode("utf-8", "replace")

        def label_at(pos: int):
            if chunk.columns is not None:
                return chunk.columns.header_at(chunk.data, len(text[:pos].encode("utf-8")))
            return chunk.header

        read_text_facts(self.found, self.schedule, text, label_at)

    def end(self, records: list) -> list:
        for record in records:
            if record["type"] == "item" and record["member"] is None and record.get("_personal"):
                date = self.message.date if self.message and record["mime"] == "message/rfc822" else None
                record["_retention"] = (self.found, date.date() if date else None)
        return records


def retention_facts(record: dict) -> tuple:
    """(RetentionFacts, mail date) a record brought from its worker; members and files without personal
    data bring none."""
    return record.get("_retention") or (RetentionFacts(), None)

"""Retention facts as a per-item hook: what a file's own text says about its age, read once.

While a top-level file is extracted for detection, its watch keeps the
retention schedule's keywords and keyword-anchored dates from each chunk
(policy/retention.py read_text_facts: never the text around them), the
schedule's header phrases found in the column headers of the tables it
reads and in field labels ("NI number:"), and whether it is an e-mail. A file
with personal data leaves the worker with these facts, and a mail file with
its Date header from the extractor's parse (`retention_facts`), for the retention
judge in the main process.
"""
from __future__ import annotations

import re
from typing import Optional

from ..formats.magic import MSG_MIME
from ..model import Chunk, Item, ItemResult, MessageFacts
from ..policy.retention import RetentionFacts, Schedule, read_header, read_text_facts

MAIL_TYPES = ("message/rfc822", MSG_MIME)
# "NI number: ..." at the start of a line of plain text labels its value, as a column header does.
_LABEL = re.compile(r"^[ \t]*([A-Za-z][A-Za-z0-9 .'/()&-]{0,39}?)[ \t]*:", re.MULTILINE)


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
        self.tables: set = set()   # header rows already read: a table's chunks repeat its columns

    def sniffed(self, mime: str, head: bytes) -> None:
        self.found.mail = mime in MAIL_TYPES

    def facts(self, facts: MessageFacts) -> None:
        self.message = facts

    def chunk(self, chunk: Chunk) -> None:
        text = chunk.data.decode("utf-8", "replace")
        self._headers(chunk, text)

        def label_at(pos: int):
            if chunk.columns is not None:
                return chunk.columns.header_at(chunk.data, len(text[:pos].encode("utf-8")))
            return chunk.header

        read_text_facts(self.found, self.schedule, text, label_at)

    def _headers(self, chunk: Chunk, text: str) -> None:
        if chunk.columns is not None:
            if chunk.columns.headers not in self.tables:
                self.tables.add(chunk.columns.headers)
                for header in chunk.columns.headers:
                    read_header(self.found, self.schedule, header)
        elif chunk.header is not None:
            if not chunk.where.startswith(("header ", "metadata ")):  # mail headers, image metadata: no labels
                read_header(self.found, self.schedule, chunk.header)
        else:
            for label in _LABEL.findall(text):
                read_header(self.found, self.schedule, label)

    def end(self, records: list) -> list:
        for record in records:
            if isinstance(record, ItemResult) and record.member is None and record.personal:
                date = self.message.date if self.message and record.mime == "message/rfc822" else None
                record.retention_facts = (self.found, date.date() if date else None)
        return records


def retention_facts(record: ItemResult) -> tuple:
    """(RetentionFacts, mail date) a record brought from its worker; members and files without personal
    data bring none."""
    return record.retention_facts or (RetentionFacts(), None)

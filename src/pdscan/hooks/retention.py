"""Retention facts as a per-item hook: what a file's own text says about its age, read once.

While a top-level file is extracted for detection, its watch keeps the
retention schedule's keywords and keyword-anchored dates from each chunk
(policy/retention.py read_text_facts: never the text around them), the
schedule's header phrases found in the column headers of the tables it
reads and in field labels ("NI number:"), whether it is an e-mail and whether
it is written as a letter, and with whom (someone outside the organisation), and
whether its title or its file name names whom it is about. A file with personal
data, naming a person (the schedule's `one_person`) or named after one, leaves the
worker with these facts, and a mail file (.eml, .msg) with its Date header from the
extractor's parse (`retention_facts`), for the retention judge in the main process.
"""
from __future__ import annotations

import re
from typing import Optional

from ..formats.magic import MSG_MIME
from ..model import Chunk, Item, ItemResult, MessageFacts
from ..policy.retention import (RetentionFacts, Schedule, read_header, read_label_end, read_text_facts, read_title,
                                titled_with_name)

MAIL_TYPES = ("message/rfc822", MSG_MIME)
# "NI number: ..." at the start of a line of plain text labels its value, as a column header does.
_LABEL = re.compile(r"^[ \t]*([A-Za-z][A-Za-z0-9 .'/()&-]{0,39}?)[ \t]*:", re.MULTILINE)
# A form line holds more fields after its first ("Name: ... Post: ... Start date: ..."): each further
# label ends where its colon stands, right after the value before it.
_FORM_LINE = re.compile(r"^[ \t]*[A-Za-z][A-Za-z0-9 .'/()&-]{0,39}?[ \t]*:[^\n]*", re.MULTILINE)


# A table that reaches the text one cell per line (PDF tables often do): a run of at least
# CELL_RUN short lines without digits or sentence punctuation, right before a line with a
# digit (the first row's data), is its header row.
_CELL = re.compile(r"[ \t]*[A-Za-z][A-Za-z '/&()-]{0,40}[ \t]*")
CELL_RUN, CELL_WORDS = 3, 4


def cell_headers(text: str) -> list:
    """The spans of header cells of tables written one cell per line in `text`."""
    spans, run, pos = [], [], 0
    for line in text.split("\n"):
        end = pos + len(line)
        if _CELL.fullmatch(line) and len(line.split()) <= CELL_WORDS:
            run.append((pos, end))
        else:
            if len(run) >= CELL_RUN and any(c.isdigit() for c in line):
                spans.extend(run)
            run = []
        pos = end + 1
    return spans


# A table's header row that the extractor did not take for one (a code like "LO1" among its names):
# a tab-separated line of ROW_CELLS or more short names, none opening with a digit, the first row of
# its width, with a row of the same width holding a digit right under it.
_NAME_CELL = re.compile(r"[ ]*[A-Za-z][A-Za-z0-9 '/&().-]{0,40}")
ROW_CELLS = 3


def row_headers(text: str) -> list:
    """The spans of the header cells of tab-separated tables in `text` that came without columns."""
    spans, pos = [], 0
    lines = text.split("\n")
    for n, line in enumerate(lines):
        cells = line.split("\t")
        below = lines[n + 1] if n + 1 < len(lines) else ""
        above = lines[n - 1] if n else ""
        if len(cells) >= ROW_CELLS and below.count("\t") == len(cells) - 1 and any(c.isdigit() for c in below) \
                and above.count("\t") != len(cells) - 1 \
                and all(_NAME_CELL.fullmatch(c) and len(c.split()) <= CELL_WORDS for c in cells):
            start = pos
            for cell in cells:
                spans.append((start, start + len(cell)))
                start += len(cell) + 1
        pos += len(line) + 1
    return spans


def _header_row_end(chunk: Chunk, text: str) -> int:
    """Where the text after a table's header row starts (0: no header row in this chunk)."""
    columns = chunk.columns
    if not chunk.first_line <= columns.header_line:
        return 0
    pos = 0
    for _ in range(columns.header_line - chunk.first_line + 1):
        pos = text.find("\n", pos) + 1
        if not pos:
            return len(text)
    return pos


class RetentionHook:
    def __init__(self, schedule: Schedule, owner_domains=frozenset()):
        self.schedule, self.owner_domains = schedule, owner_domains

    def begin(self, item: Item) -> "RetentionWatch":
        return RetentionWatch(self.schedule, item, self.owner_domains)


def outside_party(sender: str, recipients, owner_domains) -> str:
    """Why a message is with someone outside the organisation, or "": a party on a domain
    that is not the organisation's, or (no owner domains known) parties on several domains."""
    domains = {a.rsplit("@", 1)[-1].strip(" <>.").lower() for a in (sender, *recipients) if "@" in a}
    if owner_domains:
        if any(not _within(d, owner_domains) for d in domains):
            return "a party outside the organisation's mail domains"
    # A subdomain (students.college.ac.uk) is its parent domain's organisation.
    elif len({d for d in domains if not _within(d, domains - {d})}) > 1:
        return "parties on more than one mail domain"
    return ""


def _within(domain: str, domains) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains)


class RetentionWatch:
    read = True

    def __init__(self, schedule: Schedule, item: Item, owner_domains=frozenset()):
        self.schedule, self.item, self.owner_domains = schedule, item, owner_domains
        self.found = RetentionFacts()
        self.message: Optional[MessageFacts] = None
        self.tables: set = set()   # header rows already read: a table's chunks repeat its columns
        self.opened = False        # the item's first text seen (its title line)
        # A file named as a record of someone ("Appraisal 2018 - <name>.docx") names that person,
        # and is titled so.
        stem = item.name.rsplit(".", 1)[0]
        self.found.titled = self.found.file_named = titled_with_name(stem[:1].upper() + stem[1:])

    def sniffed(self, mime: str, head: bytes) -> None:
        self.found.mail = mime in MAIL_TYPES

    def facts(self, facts: MessageFacts) -> None:
        self.message = facts

    def chunk(self, chunk: Chunk) -> None:
        text = chunk.data.decode("utf-8", "replace")
        spans = self._headers(chunk, text)

        def label_at(pos: int):
            if chunk.columns is not None:
                return chunk.columns.header_at(chunk.data, len(text[:pos].encode("utf-8")))
            return chunk.header

        read_text_facts(self.found, self.schedule, text, label_at, spans, cells=chunk.columns is not None)
        if not self.opened and text.strip() and chunk.header is None and chunk.columns is None:
            self.opened = True
            read_title(self.found, self.schedule, text)

    def _headers(self, chunk: Chunk, text: str) -> list:
        """Read the header phrases of the chunk's table, labels or one-cell-per-line table; the
        spans of text that are header cells (their words count as headers, not again as keywords)."""
        if chunk.columns is not None:
            if chunk.columns.headers not in self.tables:
                self.tables.add(chunk.columns.headers)
                for header in chunk.columns.headers:
                    read_header(self.found, self.schedule, header)
            return [(0, _header_row_end(chunk, text))]
        if chunk.header is not None:
            if not chunk.where.startswith(("header ", "metadata ")):  # mail headers, image metadata: no labels
                read_header(self.found, self.schedule, chunk.header)
            return []
        for label in _LABEL.findall(text):
            read_header(self.found, self.schedule, label)
        for line in _FORM_LINE.findall(text):
            for before in line.split(":")[1:-1]:   # a value, then the next field's label
                read_label_end(self.found, self.schedule, before)
        spans = cell_headers(text) + row_headers(text)
        for start, end in spans:
            read_header(self.found, self.schedule, text[start:end])
        return spans

    def end(self, records: list) -> list:
        for record in records:
            if isinstance(record, ItemResult) and record.member is None and (
                    record.personal or self.found.file_named
                    or any(f.detector in self.schedule.one_person for f in record.findings)):
                # An Outlook .msg is read as the message it converts to: its Date and parties count too.
                mail = self.message if self.message and record.mime in MAIL_TYPES else None
                if mail is not None:
                    self.found.outside = outside_party(mail.sender, mail.recipients, self.owner_domains)
                date = mail.date if mail is not None else None
                record.retention_facts = (self.found, date.date() if date else None)
        return records


def retention_facts(record: ItemResult) -> tuple:
    """(RetentionFacts, mail date) a record brought from its worker; members and files without personal
    data bring none."""
    return record.retention_facts or (RetentionFacts(), None)

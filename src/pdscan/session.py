"""Sinks opened once, fed by one or more scans, closed with one summary.

`Session.scan` runs a source through the workers (workers.py); `emit` adds a
record made outside them (a volume verdict, a reviewed message); `close`
writes the summary last. `count` is the one tally of the summary.
"""
from __future__ import annotations

import time
from typing import Iterable

from .config import ScanConfig
from .model import NOT_PERSONAL, ErrorRecord, ItemResult, MessageResult, Summary, VolumeResult
from .workers import scan_events


class Session:
    def __init__(self, sinks):
        self.sinks = sinks
        self.summary = Summary()
        self.started = time.monotonic()
        for sink in sinks:
            sink.begin()

    def emit(self, record) -> None:
        count(self.summary, record)
        for sink in self.sinks:
            sink.record(record)

    def scan(self, config: ScanConfig, events: Iterable, on_record=None, reuse=None, hooks=()) -> None:
        for record in scan_events(config, events, self.summary, reuse, hooks):
            self.emit(record)
            if on_record is not None:
                on_record(record)

    def close(self) -> Summary:
        self.summary.elapsed = time.monotonic() - self.started
        for sink in self.sinks:
            sink.end(self.summary)
        return self.summary


def run(config: ScanConfig, events: Iterable, sinks, reuse=None) -> Summary:
    session = Session(sinks)
    session.scan(config, events, reuse=reuse)
    return session.close()


def count(summary: Summary, record) -> None:
    if isinstance(record, ErrorRecord):
        summary.errors += 1
        return
    for v in record.violations:
        summary.violations[v.rule] = summary.violations.get(v.rule, 0) + 1
    if isinstance(record, VolumeResult):
        summary.volumes += 1
        summary.volumes_failed += record.verdict == "FAIL"
        return
    if isinstance(record, MessageResult):
        summary.messages += 1
        if record.sent_outside:
            kind = record.sent_outside.get("destination")
            summary.sent_outside[kind] = summary.sent_outside.get(kind, 0) + 1
        return
    assert isinstance(record, ItemResult), type(record)
    if record.accepted is not None:
        tally = summary.dismissed if record.accepted.status == NOT_PERSONAL else summary.accepted
        for v in record.accepted.violations:
            tally[v.rule] = tally.get(v.rule, 0) + 1
    summary.items += 1
    if record.member is None:
        summary.files += 1
        summary.bytes += record.size or 0
    if record.encrypted:
        summary.encrypted_items += 1
    if record.unread:
        summary.skip(record.unread)
    summary.ocr_pages += record.ocr_pages
    for reason in record.ocr_skipped:
        summary.skip(reason)
    if record.personal:
        summary.items_with_personal_data += 1
    for f in record.findings:
        summary.findings[f.detector] = summary.findings.get(f.detector, 0) + f.count

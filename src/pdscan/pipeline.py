"""The stage chain of one unit of work: sniff → encryption → extract → detect → evaluate → hooks.

A Scanner takes a unit (a file's FileRef, a mail message's Item) and returns
its typed records (model.py): an ItemResult per item and nested member, and
ErrorRecords. Nested items found by an extractor go back through the same
steps, depth-first. A command's per-item hooks (hooks/) see the top-level
item's chunks as they are extracted and finish its records. Running many
units (workers, source order) is workers.py; the sinks and the summary are
session.py.
"""
from __future__ import annotations

import dataclasses
import os
import re
from typing import Iterator, Optional

from . import sniff
from .config import ScanConfig, triage_of
from .detect.engine import Engine
from .detect.loader import load_detectors
from .encryption import check as encryption_of
from .errors import ItemError, LimitExceeded
from .extract import Context, extractor_for
from .extract.ocr import OcrRun
from .globs import GlobSet
from .limits import Budget
from .model import (Chunk, Encryption, ErrorRecord, FileStat, Finding, Item, ItemResult, MessageFacts, MessageResult,
                    PLAIN, UNKNOWN, confidence_rank)
from .policy.evaluate import evaluate, personal_findings
from .privacy import install_key
from .sources.filesystem import FileRef, item_for, iso_utc
from .sources.volumes import VolumeState

MAX_SAMPLES = 3
MAX_LOCATIONS = 5


class Scanner:
    """Everything one process needs to scan items: built once per worker."""

    def __init__(self, config: ScanConfig, hooks=()):
        self.config = config
        self.hooks = tuple(hooks)
        specs = load_detectors(config.detector_paths)
        self.engine = Engine(specs, install_key(config.key_path))
        for hook in self.hooks:  # a hook that reads text again (hooks/mail.py) uses this process's engine
            if hasattr(hook, "bind"):
                hook.bind(self.engine)
        self.categories = {s.id: s.category for s in specs}
        self.policy = config.policy
        self.publishing = GlobSet(self.policy.publishing_folders)
        self.volumes = VolumeState(config)
        self.triage = triage_of(config)

    def scan(self, unit) -> list:
        """All records of one unit of work: a file on disk or an item a source made (a message)."""
        if isinstance(unit, FileRef):
            return self.scan_file(unit)
        return self.scan_top(unit)

    def scan_file(self, ref: FileRef) -> list:
        item = item_for(ref, self.config.walk.follow_symlinks)
        records = self.scan_top(item, self.volumes.encrypted(ref))
        for record in records:
            if isinstance(record, ItemResult) and record.member is None:
                record.stat = FileStat(ref.mtime_ns, ref.ctime_ns, ref.inode, ref.device)
        return records

    def scan_top(self, item: Item, volume_encrypted: Optional[bool] = None) -> list:
        """A top-level item's records, finished by the hooks that watched its chunks."""
        watches = [w for w in (hook.begin(item) for hook in self.hooks) if w is not None]
        records = list(self.scan_item(item, volume_encrypted, watches)) if all(w.read for w in watches) else []
        for watch in watches:
            records = watch.end(records)
        return [self.triage.apply(self._masked(record)) for record in records]

    def _masked(self, record):
        """Error text quotes what the item holds (a part name, a charset): masked as a location
        is, before it leaves the worker for any output or the store. A message's sender chose
        its From and Message-ID: only addresses may show."""
        if isinstance(record, ErrorRecord):
            return dataclasses.replace(record, error=self.engine.masked(record.error))
        if isinstance(record, MessageResult):
            if record.sender:
                record.sender = self.engine.masked(record.sender, addresses=True)
            if record.message_id:
                record.message_id = self.engine.masked(record.message_id, addresses=True)
        return record

    def scan_item(self, item: Item, volume_encrypted: Optional[bool] = None, watches=()) -> Iterator:
        ctx = Context(self.config.limits, Budget(self.config.limits), OcrRun(self.config.ocr, self.config.limits))
        yield from self._item(item, ctx, volume_encrypted, watches)

    def _item(self, item: Item, ctx: Context, volume: Optional[bool] = None, watches=()) -> Iterator:
        if item.depth > ctx.limits.max_depth:
            yield ErrorRecord(item.path, item.member, f"nested deeper than {ctx.limits.max_depth} levels")
            return
        try:
            mime, head = sniff.sniff_with_head(item)
        except (ItemError, OSError) as exc:
            if not item.inherited_encryption:
                yield ErrorRecord(item.path, item.member, _reason(exc))
                return
            # A sealed member (encrypted zip entry, PGP/MIME part): protect reports its scheme.
            mime, head = "application/octet-stream", b""
        for watch in watches:
            watch.sniffed(mime, head)
        encryption, matches, error, unread = UNKNOWN, [], None, None
        try:
            encryption = encryption_of(item, mime, head) or UNKNOWN
            if not encryption.encrypted:
                extractor = extractor_for(mime)
                if extractor is None:
                    unread = f"content not read: {mime}"
                else:
                    yield from self._extract(item, ctx, extractor, matches, volume, watches)
                    # Read, so not protected; keep what protect noticed ("owner password only").
                    encryption = Encryption(False, None, encryption.note) if encryption.note else PLAIN
            elif encryption.surrounded and (around := extractor_for(mime)):
                # Text around an encrypted block is in the clear: personal data there is not protected.
                yield from self._extract(item, ctx, around, matches, volume, watches)
                if matches:
                    encryption = Encryption(False, None, encryption.note)
        except (ItemError, OSError) as exc:
            error = _reason(exc)
        except Exception as exc:  # one bad item never stops a scan
            error = f"internal error: {type(exc).__name__}"
        # The whole file's OCR, its members' too, goes on the top-level file's record.
        yield self._record(item, mime, encryption, matches, volume, unread, ctx.ocr if item.depth == 0 else None)
        if error:
            yield ErrorRecord(item.path, item.member, error)

    def _extract(self, item: Item, ctx: Context, extractor, matches: list, volume, watches) -> Iterator:
        for out in extractor(item, ctx):
            if isinstance(out, Chunk):
                matches.extend(self.engine.scan(out))
                for watch in watches:  # the top-level item's own chunks only: members are not watched
                    watch.chunk(out)
            elif isinstance(out, MessageFacts):  # a message's facts, from the parse made for its chunks
                for watch in watches:
                    watch.facts(out)
            else:
                yield from self._item(out, ctx, volume)
        if item.depth == 0 and self.publishing.matches(item.path) and item.name:
            matches.extend(self._names_in_file_name(item.name))

    def _names_in_file_name(self, name: str) -> list:
        """Published photos must not name people: "sarah-jones-grad.jpg" names one.

        Words are paired ("Sarah Jones", "Jones Grad") and only pairs the name lists
        confirm count, since file names carry no other evidence ("campus-view" is no one).
        """
        words = [w.title() for w in re.split(r"[\W\d_]+", os.path.splitext(name)[0]) if len(w) > 1]
        pairs = "\n".join(f"{a} {b}" for a, b in zip(words, words[1:]))
        if not pairs:
            return []
        found = self.engine.scan(Chunk(pairs.encode("utf-8", "replace"), "file name", header="file name"))
        return [m for m in found if m.detector == "person_name" and m.confidence == "high"]

    def _record(self, item: Item, mime: str, encryption: Encryption, matches: list, volume, unread,
                ocr: Optional[OcrRun] = None) -> ItemResult:
        """The one place an item's result is built."""
        findings, keys, where = fold(matches)
        display = item.path if not item.member else f"{item.path}!/{item.member}"
        violations = evaluate(findings, encryption.encrypted, mime, display, self.categories,
                              self.policy, self.publishing, volume)
        return ItemResult(item.path, item.member, mime, item.size, iso_utc(item.mtime), encryption.encrypted,
                          encryption.scheme, encryption.note, findings, list(violations),
                          personal=bool(personal_findings(findings, self.policy)), where=where, keys=keys,
                          volume_encrypted=volume, unread=unread, ocr_pages=ocr.pages if ocr else 0,
                          ocr_skipped=tuple(ocr.skipped) if ocr else ())


def fold(matches) -> tuple:
    """Matches → (one Finding per detector, keyed hashes per detector, first locations per
    detector), in one pass: distinct values are counted by keyed hash."""
    keys: dict = {}
    where: dict = {}
    levels: dict = {}
    samples: dict = {}
    for m in matches:
        seen = keys.setdefault(m.detector, set())
        shown = samples.setdefault(m.detector, [])
        if m.key not in seen:
            seen.add(m.key)
            if m.sample and len(shown) < MAX_SAMPLES and m.sample not in shown:
                shown.append(m.sample)
        places = where.setdefault(m.detector, [])
        if m.location and len(places) < MAX_LOCATIONS and m.location not in places:
            places.append(m.location)
        if confidence_rank(m.confidence) > confidence_rank(levels.get(m.detector, "low")):
            levels[m.detector] = m.confidence
    findings = [Finding(d, len(keys[d]), levels.get(d, "low"), samples[d]) for d in sorted(keys)]
    return findings, {d: sorted(k) for d, k in keys.items()}, where


def _reason(exc: BaseException) -> str:
    if isinstance(exc, (ItemError, LimitExceeded)):
        return str(exc)
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, OSError):
        return f"cannot read: {exc.strerror or type(exc).__name__}"
    return type(exc).__name__

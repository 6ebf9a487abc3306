"""The one loop: source → sniff → encryption → extract → detect → evaluate → hooks → sinks.

A source yields units of work (a file's FileRef, a mail message's Item) and
ready records (errors, skips). Workers (one per core) take a unit each and
return plain records; the main process walks, keeps order, and feeds the
sinks. Nested items found by an extractor go back through the same steps,
depth-first. A command's per-item hooks (hooks/) see the top-level item's
chunks as they are extracted and finish its records, in the worker.
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import re
import time
from typing import Iterable, Iterator, Optional

from . import sniff
from .config import ScanConfig
from .detect.engine import Engine
from .detect.loader import load_detectors
from .encryption import check as encryption_of
from .errors import ItemError, LimitExceeded
from .extract import Context, extractor_for, preload
from .extract.ocr import OcrRun
from .globs import GlobSet
from .limits import Budget
from .model import (Chunk, Encryption, ErrorRecord, Finding, Item, PLAIN, Summary, UNKNOWN,
                    confidence_rank)
from .policy.evaluate import evaluate, personal_findings
from .privacy import install_key
from .sources.filesystem import FileRef, Skipped, item_for, iso_utc, restore_read_rate, set_read_rate
from .sources.volumes import volume_for_path

MAX_SAMPLES = 3
MAX_LOCATIONS = 5


class VolumeState:
    """Is the volume a file lives on encrypted? Asked once per device."""

    def __init__(self, config: ScanConfig):
        self.config = config
        self._known: dict = {}

    def encrypted(self, ref: FileRef) -> Optional[bool]:
        if self.config.volume_encrypted is not None or not self.config.check_volumes:
            return self.config.volume_encrypted
        if ref.device not in self._known:
            volume = volume_for_path(ref.path)
            self._known[ref.device] = volume.encrypted if volume else None
        return self._known[ref.device]


class Scanner:
    """Everything one process needs to scan items: built once per worker."""

    def __init__(self, config: ScanConfig, hooks=()):
        self.config = config
        self.hooks = tuple(hooks)
        specs = load_detectors(config.detector_paths)
        self.engine = Engine(specs, install_key(config.key_path))
        self.categories = {s.id: s.category for s in specs}
        self.policy = config.policy
        self.publishing = GlobSet(self.policy.publishing_folders)
        self.volumes = VolumeState(config)

    def scan(self, unit) -> list:
        """All records of one unit of work: a file on disk or an item a source made (a message)."""
        if isinstance(unit, FileRef):
            return self.scan_file(unit)
        return self.scan_top(unit)

    def scan_file(self, ref: FileRef) -> list:
        item = item_for(ref, self.config.walk.follow_symlinks)
        records = self.scan_top(item, self.volumes.encrypted(ref))
        for record in records:
            if record["type"] == "item" and record["member"] is None:
                # What `scan --incremental` compares next time to know the file is unchanged.
                record["_stat"] = {"mtime_ns": ref.mtime_ns, "ctime_ns": ref.ctime_ns, "inode": ref.inode,
                                   "device": ref.device}
        return records

    def scan_top(self, item: Item, volume_encrypted: Optional[bool] = None) -> list:
        """A top-level item's records, finished by the hooks that watched its chunks."""
        watches = [w for w in (hook.begin(item) for hook in self.hooks) if w is not None]
        records = list(self.scan_item(item, volume_encrypted, watches)) if all(w.read for w in watches) else []
        for watch in watches:
            records = watch.end(records)
        for record in records:
            # Error text quotes what the item holds (a part name, a charset): masked as a
            # location is, before it leaves the worker for any output or the store.
            if record["type"] == "error":
                record["error"] = self.engine.masked(record["error"])
            elif record["type"] == "message":  # a sender chose both: only addresses may show
                for field in ("from", "message_id"):
                    if record.get(field):
                        record[field] = self.engine.masked(record[field], addresses=True)
        return records

    def scan_item(self, item: Item, volume_encrypted: Optional[bool] = None, watches=()) -> Iterator[dict]:
        ctx = Context(self.config.limits, Budget(self.config.limits), OcrRun(self.config.ocr, self.config.limits))
        yield from self._item(item, ctx, volume_encrypted, watches)

    def _item(self, item: Item, ctx: Context, volume: Optional[bool] = None, watches=()) -> Iterator[dict]:
        if item.depth > ctx.limits.max_depth:
            yield ErrorRecord(item.path, item.member, f"nested deeper than {ctx.limits.max_depth} levels").to_dict()
            return
        try:
            mime, head = sniff.sniff_with_head(item)
        except (ItemError, OSError) as exc:
            if not item.inherited_encryption:
                yield ErrorRecord(item.path, item.member, _reason(exc)).to_dict()
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
        record = self._record(item, mime, encryption, matches, volume)
        record["_unread"] = unread
        if item.depth == 0 and ctx.ocr is not None:  # the whole file's OCR, its members' too
            record["_ocr_pages"], record["_ocr_skipped"] = ctx.ocr.pages, ctx.ocr.skipped
        yield record
        if error:
            yield ErrorRecord(item.path, item.member, error).to_dict()

    def _extract(self, item: Item, ctx: Context, extractor, matches: list, volume, watches) -> Iterator[dict]:
        for out in extractor(item, ctx):
            if isinstance(out, Chunk):
                matches.extend(self.engine.scan(out))
                for watch in watches:  # the top-level item's own chunks only: members are not watched
                    watch.chunk(out)
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

    def _record(self, item: Item, mime: str, encryption: Encryption, matches: list, volume) -> dict:
        findings, keys, where = fold(matches)
        display = item.path if not item.member else f"{item.path}!/{item.member}"
        violations = evaluate(findings, encryption.encrypted, mime, display, self.categories,
                              self.policy, self.publishing, volume)
        record = {
            "type": "item", "path": item.path, "member": item.member, "mime": mime,
            "size": item.size, "mtime": iso_utc(item.mtime),
            "encrypted": encryption.encrypted, "encryption": encryption.scheme,
            # Why, where it matters: "PDF has only an owner password: anyone can read it",
            # "high-entropy data with no header". Not in interface.md yet: an addition.
            "encryption_note": encryption.note,
            "findings": [f.to_dict() for f in findings],
            "violations": [v.to_dict() for v in violations],
            # Internal fields (leading "_"): for text output and the store, never in JSONL.
            "_personal": bool(personal_findings(findings, self.policy)),
            "_where": where,
            "_keys": keys,
            "_volume": volume,  # the verdict depends on it: a newly encrypted volume means rescan
        }
        return record


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


# -- running over a source ----------------------------------------------------

_WORKER: Optional[Scanner] = None


def _init_worker(config: ScanConfig, scanner: Optional[Scanner], hooks) -> None:
    global _WORKER
    try:
        os.nice(config.nice)
    except (AttributeError, OSError):
        pass
    set_read_rate(config.max_rate / max(1, config.jobs))  # --max-rate is for the scan as a whole
    # Forked workers inherit the parent's compiled scanner; spawned ones build their own.
    _WORKER = scanner or Scanner(config, hooks)


def _scan_in_worker(unit) -> list:
    return _WORKER.scan(unit)


def _is_unit(entry) -> bool:
    """Work for a scanner (a file, a message), as opposed to a record ready to emit."""
    return isinstance(entry, (FileRef, Item))


def scan_events(config: ScanConfig, events: Iterable, summary: Summary, reuse=None, hooks=()) -> Iterator[dict]:
    """Records for every source event, in source order; units scanned in parallel.

    Events are FileRefs and Items to scan, Skipped (counted), and records
    or ErrorRecords to pass on as they are. `reuse` (path → stored result,
    from the store) lets an unchanged file's stored records stand in for a
    scan; the file is then never opened. `hooks` finish each unit's records
    in the worker (hooks/)."""
    plan = _plan(config, events, summary, reuse or {})
    for entry in plan:  # stored results up to the first unit that needs a scan: no workers yet
        if _is_unit(entry):
            break
        yield from _ready(entry)
    else:
        return
    rest = itertools.chain([entry], plan)
    if config.jobs <= 1:
        scanner = Scanner(config, hooks)
        previous = set_read_rate(config.max_rate)
        try:
            for entry in rest:
                yield from scanner.scan(entry) if _is_unit(entry) else _ready(entry)
        finally:
            restore_read_rate(previous)
    else:
        yield from _pooled(config, rest, hooks)


def _plan(config: ScanConfig, events: Iterable, summary: Summary, reuse) -> Iterator:
    """Walk events → FileRefs to scan, stored results (Prior) to reuse, error records.

    Decided here, in the main process, before anything is sent to a worker."""
    volumes = VolumeState(config)
    for event in events:
        if isinstance(event, FileRef):
            prior = reuse.get(event.path)
            yield prior if prior is not None and prior.unchanged(event, volumes.encrypted(event)) else event
        elif isinstance(event, Skipped):
            summary.skip(event.reason)
        elif isinstance(event, (Item, dict)):
            yield event
        else:
            yield event.to_dict()


def _ready(entry) -> list:
    return [entry] if isinstance(entry, dict) else entry.records()


def _pooled(config: ScanConfig, plan: Iterable, hooks) -> Iterator[dict]:
    """Scan the plan's units in worker processes; everything comes out in plan order.

    The pool's feeder thread walks the plan: each unit goes to a worker and
    leaves a `scanned` mark in `order`; reused results and errors go into
    `order` as they are. This thread follows `order`, taking the next worker
    result at each mark."""
    order: queue.SimpleQueue = queue.SimpleQueue()
    done, scanned = object(), object()

    def feed():
        try:
            for entry in plan:
                if _is_unit(entry):
                    order.put(scanned)
                    yield entry
                else:
                    order.put(entry)
        except Exception as exc:  # a failing walk is raised here, in the caller's thread
            order.put(exc)
        finally:
            order.put(done)

    fork = "fork" in multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if fork else "spawn")
    inherited = Scanner(config, hooks) if fork else None
    if fork:
        preload()
    with ctx.Pool(config.jobs, initializer=_init_worker, initargs=(config, inherited, hooks)) as pool:
        results = pool.imap(_scan_in_worker, feed(), chunksize=4)
        while (entry := order.get()) is not done:
            if isinstance(entry, Exception):
                raise entry
            yield from next(results) if entry is scanned else _ready(entry)


class Session:
    """Sinks opened once, fed by one or more scans, closed with one summary.

    `scan` runs the pipeline over a source; `emit` adds a record made outside
    it (a volume verdict); `close` writes the summary line last."""

    def __init__(self, sinks):
        self.sinks = sinks
        self.summary = Summary()
        self.started = time.monotonic()
        for sink in sinks:
            sink.begin()

    def emit(self, record: dict) -> None:
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


def count(summary: Summary, record: dict) -> None:
    if record["type"] == "error":
        summary.errors += 1
        return
    for v in record.get("violations", ()):
        summary.violations[v["rule"]] = summary.violations.get(v["rule"], 0) + 1
    if record["type"] == "volume":
        summary.volumes += 1
        summary.volumes_failed += record["verdict"] == "FAIL"
        return
    if record["type"] == "message":
        summary.messages += 1
        return
    summary.items += 1
    if record["member"] is None:
        summary.files += 1
        summary.bytes += record["size"] or 0
    if record["encrypted"]:
        summary.encrypted_items += 1
    if record.get("_unread"):
        summary.skip(record["_unread"])
    summary.ocr_pages += record.get("_ocr_pages", 0)
    for reason in record.get("_ocr_skipped", ()):
        summary.skip(reason)
    if record.get("_personal"):
        summary.items_with_personal_data += 1
    for f in record["findings"]:
        summary.findings[f["detector"]] = summary.findings.get(f["detector"], 0) + f["count"]

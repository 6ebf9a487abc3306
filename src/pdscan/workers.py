"""Running a source through the stage chain: units scanned in worker processes, records in source order.

A source yields units of work (FileRef, Item) and things that are not work:
Skipped (counted in the summary) and ready records (an ErrorRecord) passed on
as they are. `scan_events` plans them in the main process (a file unchanged
since it was stored is not scanned again), sends the units to `--jobs N`
workers, each with its own Scanner (pipeline.py), and yields every record in
the order the source gave the units.
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from .config import ScanConfig, triage_of
from .model import Item, Summary
from .sources.filesystem import FileRef, Skipped
from .sources.volumes import VolumeState
from .throttle import restore_read_rate, set_read_rate

if TYPE_CHECKING:  # imported for real in _scanner, when a file first needs reading
    from .pipeline import Scanner

LOOKUP_BATCH = 500  # files looked up in the store together (SQLite allows 32,766 parameters a query)

# A worker process's own scanner, made once by the pool's initializer.
_WORKER: Optional[Scanner] = None


def _scanner(config: ScanConfig, hooks) -> Scanner:
    """The stage chain, imported and built (detectors compiled) only once a file needs reading:
    a rescan that reuses every file never pays for it."""
    from .pipeline import Scanner
    return Scanner(config, hooks)


def _init_worker(config: ScanConfig, scanner: Optional[Scanner], hooks) -> None:
    global _WORKER
    try:
        os.nice(config.nice)
    except (AttributeError, OSError):
        pass
    set_read_rate(config.max_rate / max(1, config.jobs))  # --max-rate is for the scan as a whole
    # Forked workers inherit the parent's compiled scanner; spawned ones build their own.
    _WORKER = scanner or _scanner(config, hooks)


def _scan_in_worker(unit) -> list:
    return _WORKER.scan(unit)


def _is_unit(entry) -> bool:
    """Work for a scanner (a file, a message), as opposed to records ready to emit."""
    return isinstance(entry, (FileRef, Item))


def scan_events(config: ScanConfig, events: Iterable, summary: Summary, reuse=None, hooks=()) -> Iterator:
    """Records for every source event, in source order; units scanned in parallel.

    Events are FileRefs and Items to scan, Skipped (counted), and records
    (ErrorRecords) to pass on as they are. `reuse` (the store's Reuse) lets an
    unchanged file's stored records stand in for a scan; the file is then
    never opened. `hooks` finish each unit's records in the worker (hooks/)."""
    plan = _plan(config, events, summary, reuse)
    for entry in plan:  # stored results up to the first unit that needs a scan: no workers yet
        if _is_unit(entry):
            break
        yield from _ready(entry)
    else:
        return
    rest = itertools.chain([entry], plan)
    if config.jobs <= 1:
        scanner = _scanner(config, hooks)
        previous = set_read_rate(config.max_rate)
        try:
            for entry in rest:
                yield from scanner.scan(entry) if _is_unit(entry) else _ready(entry)
        finally:
            restore_read_rate(previous)
    else:
        yield from _pooled(config, rest, hooks)


def _plan(config: ScanConfig, events: Iterable, summary: Summary, reuse) -> Iterator:
    """Walk events → units to scan, lists of stored records to reuse, records to pass on.

    Decided here, in the main process, before anything is sent to a worker. With stored
    results, consecutive files of one folder are looked up together: one batch of queries
    a folder instead of one a file."""
    volumes = VolumeState(config)
    triage = triage_of(config)  # a stored result is judged again by today's decisions
    batch: list = []
    folder = None  # the batch's
    for event in events:
        if reuse and isinstance(event, FileRef):
            here = os.path.dirname(event.path)
            if batch and (len(batch) >= LOOKUP_BATCH or here != folder):
                yield from _reused_or_scanned(batch, reuse, volumes, triage)
                batch = []
            folder = here
            batch.append(event)
            continue
        if batch:
            yield from _reused_or_scanned(batch, reuse, volumes, triage)
            batch = []
        if isinstance(event, Skipped):
            summary.skip(event.reason)
        else:
            yield event
    yield from _reused_or_scanned(batch, reuse, volumes, triage)


def _reused_or_scanned(refs: list, reuse, volumes, triage) -> Iterator:
    """Each file's stored records if it is unchanged since they were stored, else the file to scan."""
    priors = reuse.lookup([ref.path for ref in refs]) if refs else {}
    for ref in refs:
        prior = priors.get(ref.path)
        if prior is not None and prior.unchanged(ref, volumes.encrypted(ref)):
            yield reuse.judged(prior, triage)
        else:
            yield ref


def _ready(entry) -> list:
    return entry if isinstance(entry, list) else [entry]


def _pooled(config: ScanConfig, plan: Iterable, hooks) -> Iterator:
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
    inherited = _scanner(config, hooks) if fork else None
    if fork:
        from .extract import preload
        preload()
    with ctx.Pool(config.jobs, initializer=_init_worker, initargs=(config, inherited, hooks)) as pool:
        results = pool.imap(_scan_in_worker, feed(), chunksize=4)
        while (entry := order.get()) is not done:
            if isinstance(entry, Exception):
                raise entry
            yield from next(results) if entry is scanned else _ready(entry)

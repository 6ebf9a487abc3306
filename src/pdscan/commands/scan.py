"""`pdscan scan PATH...`: the filesystem source into the pipeline."""
from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading

from ..config import ScanConfig, fingerprints, hashing
from ..errors import PdscanError
from ..options import add_scan_arguments, check_roots
from ..outputs import open_sinks, open_store, scan_exit_code
from ..session import run
from ..sinks.central import is_url
from ..sinks.console import noting_skips
from ..sinks.push import push_to
from ..sinks.store import default_path, warn
from ..sources.filesystem import FileRef, Walker
from ..unattended import lower_priority, run_lock, setup_log


def add_parser(sub) -> None:
    p = sub.add_parser("scan", help="scan files, folders and archives for personal data",
                       description="Scan files, folders and archives for personal data and check "
                                   "each file's encryption.")
    add_scan_arguments(p)
    p.set_defaults(run=run_scan)


def lock_path(db):
    """The lock follows a store file: two scans writing different stores may run together (scans
    writing the central store directly share the per-user lock)."""
    return f"{db}.lock" if db and not is_url(db) else None


def run_scan(args) -> int:
    if not (args.unattended or args.log_file):
        return _scan(args, None)
    with setup_log(args.log_file) as log:
        try:
            with run_lock(lock_path(args.db)) if args.unattended else contextlib.nullcontext():
                if args.unattended:
                    args.no_progress = True
                    lower_priority()
                return _scan(args, log)
        except PdscanError as exc:
            log.error("scan not completed: %s", exc)
            raise
        except BaseException as exc:
            log.error("scan not completed: %s", type(exc).__name__)
            raise


def _scan(args, log) -> int:
    check_roots(args.paths)
    cfg = ScanConfig.from_args(args)
    if log is not None:
        log.info("scan started: roots %s, jobs %d, max-rate %s, incremental %s",
                 [os.path.abspath(p) for p in args.paths], cfg.jobs,
                 f"{args.max_rate:g} MB/s" if args.max_rate else "none", args.incremental)
    with open_store(cfg, default=True) as store, open_sinks(args, cfg, store, args.paths) as (sinks, progress):
        reuse = None
        if args.incremental and store is not None:
            reuse = store.previous(args.paths, *fingerprints(cfg), hashing(cfg))
        events = Walker(cfg.walk).walk(args.paths)
        if progress is not None:
            events = _counted(events, progress)
        events = noting_skips(events, sinks[0])
        summary = run(cfg, events, sinks, reuse)
    status = scan_exit_code(summary)
    if log is not None:
        _log_summary(log, summary, status)
    if args.unattended and cfg.policy.central_store and not is_url(args.db):
        _push(cfg.policy.central_store, args.db or default_path(), log)
    return status


def _push(url: str, local, log: logging.Logger) -> None:
    """Offline first: the scan is complete locally whatever happens here; a push that fails is a
    warning, the exit status stays the scan's, and the next run's push catches up."""
    try:
        done = push_to(url, local)
    except PdscanError as exc:
        warn(f"push to the central store not done: {exc}")
        return
    log.info("pushed %d scan(s) to the central store (%d it already held)", done.sent, done.present)


def _log_summary(log: logging.Logger, summary, status: int) -> None:
    log.info("scan finished: exit %d, files %d, items %d, bytes %d, items with personal data %d, "
             "violations %d, errors %d, skipped %d, %.1f s", status, summary.files, summary.items,
             summary.bytes, summary.items_with_personal_data, sum(summary.violations.values()),
             summary.errors, sum(summary.skipped.values()), summary.elapsed)


def _counted(events, progress, ahead: int = 200_000):
    """Walk in a background thread, up to `ahead` entries in front of the scan,
    so the progress bar knows the total (and an ETA) early."""
    found: queue.Queue = queue.Queue(maxsize=ahead)
    done = object()

    def walk():
        try:
            for event in events:
                if isinstance(event, FileRef):
                    progress.discovered(event.path, event.size)
                found.put(event)
        finally:
            found.put(done)

    threading.Thread(target=walk, daemon=True, name="pdscan-walk").start()
    while (event := found.get()) is not done:
        yield event

"""`pdscan scan PATH...`: the filesystem source into the pipeline."""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import os
import queue
import threading

from .. import config as configuration
from ..errors import PdscanError
from ..pipeline import run
from ..sinks.console import noting_skips
from ..sources.filesystem import FileRef, Walker
from ..unattended import lower_priority, run_lock, setup_log
from .common import add_scan_options, check_roots, open_sinks, open_store, scan_exit_code

MB = 1024 * 1024  # binary, like --max-file-size


def add_parser(sub) -> None:
    p = sub.add_parser("scan", help="scan files, folders and archives for personal data",
                       description="Scan files, folders and archives for personal data and check "
                                   "each file's encryption.")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="files and folders to scan (folders recursively, archives inside them too)")
    add_scan_options(p)
    p.add_argument("--one-filesystem", action="store_true", help="do not cross into other filesystems")
    p.add_argument("--follow-symlinks", action="store_true", help="follow symbolic links (loops are detected)")
    p.add_argument("--max-file-size", metavar="SIZE", help="skip files larger than SIZE (e.g. 500M)")
    p.add_argument("--incremental", action="store_true",
                   help="reuse stored results of files unchanged since they were last scanned "
                        "with the same detectors and policy")
    p.add_argument("--unattended", action="store_true",
                   help="for scheduled runs: refuse to start while another scan holds the lock, lowest CPU "
                        "and I/O priority, no progress bar, log to a rotating file")
    p.add_argument("--log-file", metavar="FILE",
                   help="log each scan's start and end (counts, no content) to FILE, rotated; default with "
                        "--unattended: logs/pdscan.log in the per-user data folder")
    p.add_argument("--max-rate", type=_rate, default=0.0, metavar="MB/s",
                   help="read files at most this fast, across all workers (1 MB = 1,048,576 bytes; "
                        "default: no limit)")
    p.set_defaults(run=run_scan)


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a rate in MB/s: {text!r}") from None
    if not rate >= 0 or rate == float("inf"):
        raise argparse.ArgumentTypeError(f"not a rate in MB/s: {text!r}")
    return rate


def lock_path(args):
    """The lock follows the store: two scans writing different stores may run together."""
    return f"{args.db}.lock" if args.db else None


def run_scan(args) -> int:
    if not (args.unattended or args.log_file):
        return _scan(args, None)
    with setup_log(args.log_file) as log:
        try:
            with run_lock(lock_path(args)) if args.unattended else contextlib.nullcontext():
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
    cfg = configuration.build(args.policy, args.detectors, args.exclude, args.jobs, args.follow_symlinks,
                              args.one_filesystem, args.max_file_size, ocr=not args.no_ocr)
    cfg = dataclasses.replace(cfg, max_rate=args.max_rate * MB)
    if log is not None:
        log.info("scan started: roots %s, jobs %d, max-rate %s, incremental %s",
                 [os.path.abspath(p) for p in args.paths], cfg.jobs,
                 f"{args.max_rate:g} MB/s" if args.max_rate else "none", args.incremental)
    with open_store(args, default=True) as store, open_sinks(args, cfg, store, args.paths) as (sinks, progress):
        reuse = None
        if args.incremental and store is not None:
            reuse = store.previous(args.paths, *configuration.fingerprints(cfg))
        events = Walker(cfg.walk).walk(args.paths)
        if progress is not None:
            events = _counted(events, progress)
        events = noting_skips(events, sinks[0])
        summary = run(cfg, events, sinks, reuse)
    status = scan_exit_code(summary)
    if log is not None:
        _log_summary(log, summary, status)
    return status


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

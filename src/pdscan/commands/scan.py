"""`pdscan scan PATH...`: the filesystem source into the pipeline."""
from __future__ import annotations

import queue
import threading

from .. import config as configuration
from ..pipeline import run
from ..sources.filesystem import FileRef, Walker
from .common import add_scan_options, check_roots, open_sinks, open_store, scan_exit_code


def add_parser(sub) -> None:
    p = sub.add_parser("scan", help="scan files, folders and archives for personal data",
                       description="Scan files, folders and archives for personal data and check "
                                   "each file's encryption.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    add_scan_options(p)
    p.add_argument("--one-filesystem", action="store_true", help="do not cross into other filesystems")
    p.add_argument("--follow-symlinks", action="store_true", help="follow symbolic links (loops are detected)")
    p.add_argument("--max-file-size", metavar="SIZE", help="skip files larger than SIZE (e.g. 500M)")
    p.add_argument("--incremental", action="store_true",
                   help="reuse stored results of files unchanged since they were last scanned "
                        "with the same detectors and policy")
    p.set_defaults(run=run_scan)


def run_scan(args) -> int:
    check_roots(args.paths)
    cfg = configuration.build(args.policy, args.detectors, args.exclude, args.jobs, args.follow_symlinks,
                              args.one_filesystem, args.max_file_size)
    with open_store(args, default=True) as store, open_sinks(args, cfg, store, args.paths) as (sinks, progress):
        reuse = None
        if args.incremental and store is not None:
            reuse = store.previous(args.paths, *configuration.fingerprints(cfg))
        events = Walker(cfg.walk).walk(args.paths)
        if progress is not None:
            events = _counted(events, progress)
        summary = run(cfg, events, sinks, reuse)
    return scan_exit_code(summary)


def _counted(events, progress, ahead: int = 200_000):
    """Walk in a background thread, up to `ahead` entries in front of the scan,
    so the progress bar knows the total (and an ETA) early."""
    found: queue.Queue = queue.Queue(maxsize=ahead)
    done = object()

    def walk():
        try:
            for event in events:
                if isinstance(event, FileRef):
                    progress.discovered(event.size)
                found.put(event)
        finally:
            found.put(done)

    threading.Thread(target=walk, daemon=True, name="pdscan-walk").start()
    while (event := found.get()) is not done:
        yield event

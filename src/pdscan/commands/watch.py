"""`pdscan watch PATH...`: options in, the watch engine (pdscan.watch) started."""
from __future__ import annotations

from ..config import ScanConfig
from ..errors import PdscanError
from ..watch import watch
from ..options import add_follow_symlinks, add_max_file_size, add_scan_options, check_roots
from ..outputs import open_sinks


def add_parser(sub) -> None:
    p = sub.add_parser("watch", help="keep scanning new and changed files, and new removable volumes",
                       description="Scan files as they are created or changed (once each has settled) "
                                   "and check removable volumes as they are mounted. Runs until "
                                   "stopped (SIGINT or SIGTERM), then writes the summary.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="folders to watch (recursively)")
    # One process by default: forking workers out of a process with watchdog threads is fragile.
    add_scan_options(p, jobs_default="1")
    p.set_defaults(jobs=1)
    p.add_argument("--debounce", type=float, default=2.0, metavar="SECONDS",
                   help="scan a path once it has been quiet this long (default: 2)")
    p.add_argument("--mount-root", metavar="DIR", action="append", default=[],
                   help="a new folder here is a new volume to check (repeatable; default: "
                        "/media, /media/$USER, /run/media/$USER, /Volumes)")
    add_follow_symlinks(p)
    add_max_file_size(p)
    p.set_defaults(run=run_watch)


def run_watch(args) -> int:
    if args.format == "json":
        raise PdscanError("watch writes each record as it comes: use --format text or jsonl")
    if args.debounce < 0:
        raise PdscanError("--debounce must be 0 or more seconds")
    check_roots(args.paths)
    cfg = ScanConfig.from_args(args)
    args.no_progress = True  # nothing to count towards: a watch has no end
    # No roots for the store: a watch sees only what changed, so it must never count as a
    # complete scan of its folders for `scan --incremental`.
    with open_sinks(args, cfg) as (sinks, _progress):
        watch(cfg, sinks, args.paths, args.mount_root or None, args.debounce)
    return 0

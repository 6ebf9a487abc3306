"""The command-line options that more than one command takes, below the commands.

Every command that runs the pipeline takes `add_scan_options` and builds its configuration
with config.ScanConfig.from_args, so --policy, --detectors, --exclude, --jobs and --db mean the
same everywhere. `add_scan_arguments` is the whole of `pdscan scan`'s command line: `scan` is
built from it and `schedule` checks the scan it schedules with it, without importing a command.
"""
from __future__ import annotations

import argparse
import os

from .errors import PdscanError


def add_scan_options(p, jobs_default: str = "all cores") -> None:
    p.add_argument("--policy", metavar="FILE", help="site policy file (overrides only what it names)")
    p.add_argument("--detectors", metavar="FILE", action="append", default=[],
                   help="extra detector TOML file or folder (repeatable)")
    p.add_argument("--format", choices=("text", "jsonl", "json"), default="text",
                   help="text for people (default), jsonl one record per line (for `pdscan report --from`), "
                        "or json one document")
    p.add_argument("--output", metavar="FILE", help="write results here instead of standard output")
    p.add_argument("--jobs", type=int, metavar="N", help=f"worker processes (default: {jobs_default})")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--no-ocr", action="store_true",
                   help="do not read text from the pixels of images and scanned PDF pages (OCR)")
    p.add_argument("--exclude", metavar="GLOB", action="append", default=[],
                   help="skip paths matching GLOB (repeatable)")
    p.add_argument("--db", metavar="FILE|URL", help="the SQLite store of results (default for scan: pdscan.db "
                                                    "in the per-user data folder), or the central store at a "
                                                    "postgresql:// URL (credentials from a libpq service file, "
                                                    "PGPASSFILE or PG* variables, never in the URL)")
    # What a command without the walk's own options below scans with.
    p.set_defaults(follow_symlinks=False, one_filesystem=False, max_file_size=None, max_rate=0.0)


def add_follow_symlinks(p) -> None:
    p.add_argument("--follow-symlinks", action="store_true", help="follow symbolic links (loops are detected)")


def add_max_file_size(p) -> None:
    p.add_argument("--max-file-size", metavar="SIZE", help="skip files larger than SIZE (e.g. 500M)")


def add_scan_arguments(p) -> None:
    """`pdscan scan`'s paths and options."""
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="files and folders to scan (folders recursively, archives inside them too)")
    add_scan_options(p)
    p.add_argument("--one-filesystem", action="store_true", help="do not cross into other filesystems")
    add_follow_symlinks(p)
    add_max_file_size(p)
    p.add_argument("--incremental", action="store_true",
                   help="reuse stored results of files unchanged since they were last scanned "
                        "with the same detectors and policy")
    p.add_argument("--unattended", action="store_true",
                   help="for scheduled runs: refuse to start while another scan holds the lock, lowest CPU "
                        "and I/O priority, no progress bar, log to a rotating file")
    p.add_argument("--log-file", metavar="FILE",
                   help="log each scan's start and end (counts, no content) to FILE, rotated; default with "
                        "--unattended: logs/pdscan.log in the per-user data folder")
    p.add_argument("--now", metavar="YYYY-MM-DD",
                   help="judge the `until` dates of accepted findings (pdscan accept, [[exceptions]]) as of this "
                        "day (default: today, UTC); a lapse seen only so is reported, not recorded")
    p.add_argument("--max-rate", type=_rate, default=0.0, metavar="MB/s",
                   help="read files at most this fast, across all workers (1 MB = 1,048,576 bytes; "
                        "default: no limit)")


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a rate in MB/s: {text!r}") from None
    if not rate >= 0 or rate == float("inf"):
        raise argparse.ArgumentTypeError(f"not a rate in MB/s: {text!r}")
    return rate


def check_roots(paths) -> None:
    """A root that does not exist is a usage error, found before anything is scanned."""
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise PdscanError(f"no such file or folder: {missing[0]}")

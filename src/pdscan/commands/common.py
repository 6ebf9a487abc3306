"""Options and output plumbing shared by the commands that run the pipeline."""
from __future__ import annotations

import contextlib
import os
import sys

from ..errors import PdscanError
from ..sinks.console import ConsoleSink
from ..sinks.jsonl import JsonlSink, JsonSink


def add_scan_options(p) -> None:
    p.add_argument("--policy", metavar="FILE", help="site policy file (overrides only what it names)")
    p.add_argument("--detectors", metavar="FILE", action="append", default=[],
                   help="extra detector TOML file or folder (repeatable)")
    p.add_argument("--format", choices=("text", "jsonl", "json"), default="text")
    p.add_argument("--output", metavar="FILE", help="write results here instead of standard output")
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--exclude", metavar="GLOB", action="append", default=[],
                   help="skip paths matching GLOB (repeatable)")


def open_output(path):
    if not path or path == "-":
        return contextlib.nullcontext(sys.stdout)
    # Results are personal data too: readable by their owner only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return open(fd, "w", encoding="utf-8", newline="\n")


@contextlib.contextmanager
def open_sinks(args):
    with open_output(args.output) as stream:
        sink = {"text": ConsoleSink, "jsonl": JsonlSink, "json": JsonSink}[args.format](stream)
        sinks, progress = [sink], None
        if not args.no_progress and sys.stderr.isatty():
            from ..sinks.progress import ProgressSink
            progress = ProgressSink()
            sinks.append(progress)
        yield sinks, progress


def check_roots(paths) -> None:
    """A root that does not exist is a usage error, found before anything is scanned."""
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise PdscanError(f"no such file or folder: {missing[0]}")


def scan_exit_code(summary) -> int:
    return 1 if summary.violations else 0

"""Options and output plumbing shared by the commands that run the pipeline."""
from __future__ import annotations

import contextlib
import os
import sys

from .. import config as configuration
from ..display import shown
from ..errors import ConfigError, PdscanError
from ..safefile import open_private_text
from ..sinks.console import ConsoleSink
from ..sinks.jsonl import JsonlSink, JsonSink
from ..sinks.store import Store, StoreSink, default_path, warn


def add_scan_options(p) -> None:
    p.add_argument("--policy", metavar="FILE", help="site policy file (overrides only what it names)")
    p.add_argument("--detectors", metavar="FILE", action="append", default=[],
                   help="extra detector TOML file or folder (repeatable)")
    p.add_argument("--format", choices=("text", "jsonl", "json"), default="text",
                   help="text for people (default), jsonl one record per line (for `pdscan report --from`), "
                        "or json one document")
    p.add_argument("--output", metavar="FILE", help="write results here instead of standard output")
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--no-ocr", action="store_true",
                   help="do not read text from the pixels of images and scanned PDF pages (OCR)")
    p.add_argument("--exclude", metavar="GLOB", action="append", default=[],
                   help="skip paths matching GLOB (repeatable)")
    p.add_argument("--db", metavar="FILE", help="the SQLite store of results (default for scan: pdscan.db "
                                                "in the per-user data folder)")


def open_output(path):
    if not path or path == "-":
        return contextlib.nullcontext(sys.stdout)
    if os.path.abspath(path) == os.devnull:  # discarded on purpose; open_private takes regular files only
        return open(os.devnull, "w", encoding="utf-8")
    # Results are personal data too: readable by their owner only, and never written through a link.
    return open_private_text(path)


@contextlib.contextmanager
def open_store(args, default: bool = False):
    """The store to write: --db FILE (which must open), else when `default` the per-user
    one, which is best effort: a folder we cannot write means no store and a warning."""
    store = None
    if getattr(args, "db", None):
        store = Store(args.db, set_aside_damaged=True)
    elif default:
        try:
            store = Store(default_path(), set_aside_damaged=True)
        except ConfigError as exc:
            print(f"pdscan: warning: {shown(exc)}; results are not stored", file=sys.stderr)
    if store is not None and store.set_aside:
        _warn_set_aside(store)
    try:
        yield store
    finally:
        if store is not None:
            store.close()


def _warn_set_aside(store) -> None:
    kept, reason = store.set_aside
    warn(f"the store {shown(store.path)} is damaged ({reason}); it is kept unchanged as {shown(kept)} "
         "and this scan goes into a new store")


@contextlib.contextmanager
def open_sinks(args, cfg=None, store=None, roots=()):
    """Output sink, the store sink (when a store is given or --db names one), progress bar."""
    with contextlib.ExitStack() as stack:
        stream = stack.enter_context(open_output(args.output))
        sink = {"text": ConsoleSink, "jsonl": JsonlSink, "json": JsonSink}[args.format](stream)
        sinks, progress = [sink], None
        if store is None:
            store = stack.enter_context(open_store(args))
        if store is not None:
            cfg = cfg or configuration.build(args.policy, args.detectors, args.exclude, 1,
                                             ocr=not args.no_ocr)
            sinks.append(StoreSink(store, *configuration.fingerprints(cfg), roots))
        if not args.no_progress and sys.stderr.isatty():
            from ..sinks.progress import ProgressSink
            progress = ProgressSink()
            sinks.append(progress)
            if isinstance(sink, ConsoleSink):
                sink.pause = progress.paused  # results and the bar share the terminal
        yield sinks, progress


def check_roots(paths) -> None:
    """A root that does not exist is a usage error, found before anything is scanned."""
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise PdscanError(f"no such file or folder: {missing[0]}")


def scan_exit_code(summary) -> int:
    return 1 if summary.violations else 0

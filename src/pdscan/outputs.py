"""Where a command's records go: the output stream (--format, --output), the store (--db) and the
progress bar, opened the same way by every command that runs the pipeline."""
from __future__ import annotations

import contextlib
import os
import sys

from .config import ScanConfig, fingerprints, hashing
from .display import shown
from .errors import ConfigError
from .safefile import open_private_text
from .sinks.console import ConsoleSink
from .sinks.jsonl import JsonlSink, JsonSink
from .sinks.store import Store, StoreSink, default_path, open_store_at, run_info, warn


def open_output(path):
    if not path or path == "-":
        return contextlib.nullcontext(sys.stdout)
    if os.path.abspath(path) == os.devnull:  # discarded on purpose; open_private takes regular files only
        return open(os.devnull, "w", encoding="utf-8")
    # Results are personal data too: readable by their owner only, and never written through a link.
    return open_private_text(path)


@contextlib.contextmanager
def open_store(cfg: ScanConfig, default: bool = False):
    """The store to write: --db FILE or URL (which must open), else when `default` the per-user
    one, which is best effort: a folder we cannot write means no store and a warning."""
    store = None
    if cfg.db:
        store = open_store_at(cfg.db, set_aside_damaged=True)
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
def open_sinks(args, cfg: ScanConfig, store=None, roots=(), kind: str = "files", record: bool = True):
    """Output sink, the store sink (the store given, else --db, else the per-user one), progress bar.
    `kind` and `roots` say which check this run is (model.RunInfo): the report's state is the latest
    complete run per host, kind and root. `record=False`: a run that checks nothing (`usb --list`)
    is not stored, so it cannot replace a check's verdicts."""
    run = run_info(kind, roots)
    with contextlib.ExitStack() as stack:
        stream = stack.enter_context(open_output(args.output))
        sink = ConsoleSink(stream) if args.format == "text" else {"jsonl": JsonlSink, "json": JsonSink}[args.format](
            stream, run)
        sinks, progress = [sink], None
        if store is None and record:
            store = stack.enter_context(open_store(cfg, default=True))
        if store is not None and record:
            sinks.append(StoreSink(store, *fingerprints(cfg), roots, run, hashing(cfg)))
        if not args.no_progress and sys.stderr.isatty():
            from .sinks.progress import ProgressSink
            progress = ProgressSink()
            sinks.append(progress)
            if isinstance(sink, ConsoleSink):
                sink.pause = progress.paused  # results and the bar share the terminal
        yield sinks, progress


def scan_exit_code(summary) -> int:
    return 1 if summary.violations else 0

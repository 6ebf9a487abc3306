"""`pdscan report`: a compliance summary from the store and/or JSONL results of many endpoints."""
from __future__ import annotations

import datetime as dt
import os
import sys

from .. import reports
from ..display import shown
from ..errors import ConfigError
from ..reports.readers import jsonl_has_results, store_has_results
from ..sinks.central import is_url
from ..sinks.store import default_path


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="export a compliance summary from stored scan results",
                       description="Merge stored scan results (the SQLite store and/or JSONL files from many "
                                   "endpoints; each endpoint's state is the latest complete result per kind of "
                                   "check and root, older runs make the trend) into one report. Raw personal data never appears in it.")
    p.add_argument("--db", metavar="FILE|URL", action="append", default=[],
                   help="a store to read: a SQLite file, or the central store at a postgresql:// URL (the whole "
                        "fleet, as the login may read it); repeatable; default, when no --from is given: the "
                        "per-user store")
    p.add_argument("--from", dest="jsonl", metavar="FILE", action="append", default=[],
                   help="JSONL results of `pdscan scan --format jsonl` (repeatable)")
    p.add_argument("--format", choices=reports.FORMATS, required=True,
                   help="xlsx or ods (a sheet per table), csv (a .zip of one CSV per table: --output must end "
                        "in .zip), html (one "
                        "self-contained page with charts) or json")
    p.add_argument("--output", metavar="FILE", required=True, help="the report file (written readable by you only)")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="leave out scans before this day")
    p.set_defaults(run=run_report)


def _since(text):
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--since must be a date YYYY-MM-DD (got {text!r})") from None


def _sources(args) -> list:
    sources = [("db", path) for path in args.db] + [("jsonl", path) for path in args.jsonl]
    if not sources and os.path.isfile(default_path()):
        sources.append(("db", str(default_path())))
    if not sources:
        raise ConfigError(f"no scan results: no --db or --from given and no store at {shown(default_path())}")
    for kind, path in sources:
        if not (kind == "db" and is_url(path)) and not os.path.isfile(path):
            raise ConfigError(f"{shown(path)}: no such file")
    return sources


def _with_results(sources) -> list:
    """The sources holding scan results; a source holding none is a warning, all of them an error."""
    kept = [(kind, path) for kind, path in sources
            if (store_has_results if kind == "db" else jsonl_has_results)(path)]
    empty = [shown(path) for kind, path in sources if (kind, path) not in kept]
    if not kept:
        raise ConfigError(f"no scan results in {', '.join(empty)}")
    for path in empty:
        print(f"pdscan: warning: no scan results in {path}", file=sys.stderr)
    return kept


def run_report(args) -> int:
    if args.format == "csv" and not args.output.lower().endswith(".zip"):
        raise ConfigError(f"--format csv writes a zip of one CSV per table: give --output a name ending in .zip "
                          f"(got {shown(args.output)})")
    since = _since(args.since)
    tables = reports.build(_with_results(_sources(args)), since)
    if tables.empty:
        print(f"pdscan: warning: no scan results since {since}; the report says so", file=sys.stderr)
    reports.write(tables, args.format, args.output)
    return 0

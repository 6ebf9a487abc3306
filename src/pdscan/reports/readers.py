"""Readers of stored scan results: runs (a store's scan rows, JSONL files) and their records.

`read_jsonl` and `read_store` give one `Run` per run of a command: which
check it was (kind, roots), where (host, user), when, whether it finished.
`records(run)` streams a run's records again as the typed results of
model.py, from either source alike, so a stored scan and its JSONL are
counted by the same code (reports/state.py). A JSONL line is checked
(`_misfit`) and read by records.py; the store is read by
sinks/store/queries.py, which holds every SQL query. Nothing raw is read
here: records hold masked samples only.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from ..display import shown
from ..errors import ConfigError
from ..model import KINDS_OF_CHECK, ErrorRecord
from ..records import RECORD_TYPES, from_json
from ..sinks.central import is_url
from ..sinks.store.queries import open_reader

UNREADABLE_LINE = "unreadable JSONL line"  # a line of a results file that is not a JSON object
LINE_CAP = 16 * 1024 * 1024  # a line read at a time while checking: a binary file has no newlines

@dataclass
class Run:
    """One run of a command: a scan row of a store, or one JSONL file."""
    host: str
    user: Optional[str]
    kind: str            # model.KINDS_OF_CHECK
    roots: tuple         # empty: a watch (it covers the paths it recorded) or a run that did not say
    when: dt.datetime
    complete: bool
    source: str          # the store or JSONL file, as given
    key: tuple           # ("jsonl", path) or ("db", path, scan id): how `records` finds it again
    skipped: Counter = field(default_factory=Counter)  # reason -> items not read (the run's summary)
    paths: frozenset = frozenset()  # a watch's recorded paths: what it covers


def _date(text) -> Optional[dt.date]:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _when(text) -> Optional[dt.datetime]:
    """An ISO 8601 time as naive UTC, or None."""
    try:
        when = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(dt.timezone.utc).replace(tzinfo=None) if when.tzinfo else when


# ---- JSONL -----------------------------------------------------------------------------------------------

_TEXT, _MAYBE_TEXT, _MAYBE_INT, _MAYBE_BOOL = str, (str, type(None)), (int, type(None)), (bool, type(None))
_SCALAR = (str, int, float, bool, type(None))
# The types report reads in each record's fields (absent fields are fine). A file from any
# endpoint may be crafted: a wrong type is refused here, never met deep in a table or a sheet.
_FIELDS = {
    "item": {"path": _MAYBE_TEXT, "member": _MAYBE_TEXT, "size": _MAYBE_INT, "mtime": _MAYBE_TEXT,
             "encrypted": _MAYBE_BOOL, "encryption": _MAYBE_TEXT, "findings": list, "violations": list,
             "retention": (dict, type(None)), "personal": _MAYBE_BOOL, "host": _SCALAR, "user": _SCALAR},
    "message": {"path": _MAYBE_TEXT, "member": _MAYBE_TEXT, "classification": _MAYBE_TEXT, "findings": list,
                "violations": list, "host": _SCALAR},
    "error": {"path": _MAYBE_TEXT, "member": _MAYBE_TEXT, "error": _SCALAR, "host": _SCALAR},
    "volume": {"device": _SCALAR, "mountpoint": _SCALAR, "fstype": _SCALAR, "removable": _SCALAR,
               "encrypted": _SCALAR, "encryption": _SCALAR, "verdict": _SCALAR, "violations": list, "host": _SCALAR},
    "summary": {"started": _MAYBE_TEXT, "skipped": dict, "host": _SCALAR, "user": _SCALAR, "kind": _MAYBE_TEXT,
                "roots": list},
}
_ENTRIES = {  # the fields of each element of a list (or value of a dict) field
    "findings": {"detector": _MAYBE_TEXT, "count": _MAYBE_INT, "confidence": _MAYBE_TEXT, "samples": list},
    "violations": {"rule": _MAYBE_TEXT, "severity": _MAYBE_TEXT, "detail": _MAYBE_TEXT},
    "retention": {"category": _MAYBE_TEXT},
}


def _misfit(record: dict) -> Optional[str]:
    """Why a record of a known type is not as pdscan writes it, or None."""
    for name, kinds in _FIELDS.get(record.get("type"), {}).items():
        value = record.get(name)
        if name in record and not isinstance(value, kinds):
            return f"field {name!r} is {type(value).__name__}"
        if name == "roots":
            if not all(isinstance(root, str) for root in value or ()):
                return "field 'roots' holds a root that is not text"
            continue
        if name == "skipped":
            if value and not all(isinstance(n, int) for n in value.values()):
                return "field 'skipped' holds a count that is not a number"
            continue
        entries = value if isinstance(value, list) else [value] if isinstance(value, dict) else ()
        for entry in entries:
            if not isinstance(entry, dict):
                return f"field {name!r} holds a {type(entry).__name__}"
            for key, kinds in _ENTRIES.get(name, {}).items():
                if key in entry and not isinstance(entry[key], kinds):
                    return f"field {name!r} has {key!r} of type {type(entry[key]).__name__}"
            if not all(isinstance(sample, str) for sample in entry.get("samples") or ()):
                return f"field {name!r} has a sample that is not text"
    return None


def _lines(path: str) -> Iterator[Optional[dict]]:
    """Records of one JSONL file, one line at a time; None for a line that is not a JSON object.
    A pdscan record with a field of the wrong type is refused (ConfigError naming file and line)."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as stream:
            for number, line in enumerate(stream, 1):
                if line.strip():
                    try:
                        record = json.loads(line)
                    except ValueError:
                        record = None
                    if not isinstance(record, dict):
                        yield None
                        continue
                    why = _misfit(record)
                    if why:
                        raise ConfigError(f"{shown(path)}: line {number} is not as pdscan writes it ({why}); "
                                          "not reporting from it")
                    yield record
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def jsonl_has_results(path: str) -> bool:
    """True when `path` holds a pdscan record, False when it holds no line at all.

    Lines that are all something else (a spreadsheet, the one JSON document of
    --format json, another tool's JSONL) are not scan results: an error naming the
    file and its first such line, rather than a report of nothing."""
    first = None
    try:
        with open(path, "rb") as stream:
            for number, line in enumerate(iter(lambda: stream.readline(LINE_CAP), b""), 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if isinstance(record, dict) and record.get("type") in RECORD_TYPES:
                    return True
                if first is None:
                    first = (number, "a JSON object that is not a pdscan record" if isinstance(record, dict)
                             else "not a JSON object")
    except OSError as exc:
        raise ConfigError(f"{shown(path)}: cannot read: {exc.strerror}") from None
    if first is None:
        return False
    raise ConfigError(f"{shown(path)}: not pdscan JSONL results (line {first[0]} is {first[1]}); --from takes the "
                      "output of `pdscan scan --format jsonl`")


def read_jsonl(path: str) -> Optional[Run]:
    """One file's run, from its summary line (kind, roots, host, user, started), or None for a file
    without a single record. A file from a pdscan before runs were described is one files check of
    everything it holds, on the host its records name (else the file's name), dated by the file."""
    mtime = dt.datetime.fromtimestamp(os.stat(path).st_mtime, dt.timezone.utc).replace(tzinfo=None)
    run = Run(Path(path).stem, None, "files", (), mtime.replace(microsecond=0), False, path, ("jsonl", path))
    lines, paths = 0, set()
    for lines, r in enumerate(_lines(path), 1):
        if r is None:
            continue
        if r.get("host") and run.user is None:
            run.host, run.user = str(r["host"]), r.get("user")
        if r.get("type") == "item":
            paths.add(r.get("path"))
        if r.get("type") == "summary":
            run.complete = True
            run.skipped.update({reason: n for reason, n in (r.get("skipped") or {}).items()})
            run.when = _when(r.get("started")) or run.when
            if r.get("kind") in KINDS_OF_CHECK:
                run.kind = r["kind"]
            run.roots = tuple(str(root) for root in r.get("roots") or () if isinstance(root, str))
    if run.kind == "watch":
        run.paths = frozenset(paths)
    return run if lines else None


def _jsonl_records(run: Run) -> Iterator:
    """The run's records again, typed; a line that is not a JSON object as an ErrorRecord of the report."""
    for r in _lines(run.source):
        record = from_json(r) if r else ErrorRecord(run.source, None, UNREADABLE_LINE)
        if record is not None:
            yield record


def records(run: Run) -> Iterator:
    """A run's records, typed, whichever source holds them."""
    if run.key[0] == "jsonl":
        yield from _jsonl_records(run)
        return
    if run.source in _CONNECTED:
        yield from _CONNECTED[run.source].records(run.key[2])
        return
    with open_reader(run.source) as store:
        yield from store.records(run.key[2])


_CONNECTED: dict = {}  # central store URL → its reader, while `connected()` holds it open


@contextlib.contextmanager
def connected(sources):
    """One connection to each central store among `sources` for the block (a report reads every run of
    every endpoint; a local store is opened per run, as it costs nothing)."""
    try:
        for kind, target in sources:
            if kind == "db" and is_url(target) and target not in _CONNECTED:
                _CONNECTED[target] = open_reader(target)
        yield
    finally:
        while _CONNECTED:
            _CONNECTED.popitem()[1].close()


# ---- the store -------------------------------------------------------------------------------------------

def read_store(path: str) -> list:
    with open_reader(path) as store:
        runs = []
        for row in store.scans():
            kind = row.kind if row.kind in KINDS_OF_CHECK else "files"
            run = Run(row.host or Path(path).stem, row.user, kind, row.roots, _when(row.started) or dt.datetime.min,
                      row.complete, path, ("db", path, row.id), Counter(row.skipped))
            if kind == "watch":
                run.paths = frozenset(store.paths(row.id))
            runs.append(run)
    if path in _CONNECTED:  # the report reads the runs oldest first (state.build_state): so read ahead
        _CONNECTED[path].prefetch([run.key[2] for run in sorted(runs, key=lambda run: run.when)])
    return runs


def store_has_results(path: str) -> bool:
    """True when the store holds at least one scan; an error when it is not a pdscan store."""
    with open_reader(path) as store:
        return store.has_scans()

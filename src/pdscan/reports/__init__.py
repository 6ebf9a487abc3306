"""Compliance reports: `build(sources, since) -> Tables`, then `write(tables, format, path)`.

A batch interface, unlike the streaming sinks: the tables are built from
stored results (the SQLite store and JSONL files collected from endpoints)
after the scans, and every format renders the same tables.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from typing import Iterable, Optional

from ..errors import ConfigError
from ..safefile import atomic_write
from . import html_page, sheets
from .cells import plain
from .readers import connected, read_jsonl, read_store
from .tables import Tables, assemble

FORMATS = ("xlsx", "ods", "csv", "html", "json")


def build(sources: Iterable[tuple], since: Optional[dt.date] = None, now: Optional[dt.datetime] = None) -> Tables:
    """sources: ("db", PATH or postgresql:// URL) and ("jsonl", PATH) pairs, in any number and mix."""
    sources = list(sources)
    with connected(sources):
        runs = []
        for kind, path in sources:
            if kind == "db":
                runs.extend(read_store(path))
            else:
                run = read_jsonl(path)
                if run is not None:
                    runs.append(run)
        generated = (now or dt.datetime.now(dt.timezone.utc)).replace(tzinfo=None, microsecond=0)
        return assemble(runs, since, generated)


def write_json(tables: Tables, path: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        doc = {"report": "pdscan compliance report", "generated": plain(tables.generated),
               "empty": tables.empty, "tables": {}}
        for name, t in tables.tables.items():
            doc["tables"][name] = {"title": t.title, "columns": list(t.columns),
                                   "rows": [[plain(v) for v in row] for row in t.rows]}
        json.dump(doc, out, ensure_ascii=False, indent=1)
        out.write("\n")


def _writer(fmt: str):
    return {"xlsx": sheets.write_xlsx, "ods": sheets.write_book, "csv": sheets.write_csv_zip,
            "html": html_page.write_html, "json": write_json}[fmt]


def write(tables: Tables, fmt: str, path: str) -> None:
    """Write the report readable by its owner only, replacing `path` whole (never half a report)."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown report format {fmt!r}")
    try:
        # The writers take a file name: they get one in a private scratch folder, and the
        # finished report reaches `path` through atomic_write (no link followed, 0600).
        with tempfile.TemporaryDirectory(prefix="pdscan-report-") as scratch:
            draft = os.path.join(scratch, f"report.{fmt}")
            _writer(fmt)(tables, draft)
            with open(draft, "rb") as src, atomic_write(path, binary=True) as out:
                shutil.copyfileobj(src, out)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the report: {exc.strerror or exc}") from None

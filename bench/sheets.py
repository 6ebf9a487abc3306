"""Spreadsheets per second: calamine against pyexcel, on college workbooks, start-up taken off.

    python bench/sheets.py /tmp/pdscan-sheets [--files 800] [--runs 5] [--seed 7]

Writes DIR/books/ once (xlsx, xls and ods in turn, deterministic for a seed): class lists,
registers and contact sheets of 15-60 learners under a title block, typed as people type
them (dates as dates, ULNs and phone numbers as numbers, yes/no as booleans), one book in
four with a second sheet. Then, in turns, `pdscan scan` of DIR/books/ with each reader
(PDSCAN_SHEET_READER=pyexcel, and the default, calamine) and of an empty folder (start-up:
imports, detector database, workers), the whole process each time. files/s is the number
of books over (median scan time - median start-up time). Beside it, the readers alone: the
spreadsheet extractor over every book in this process, CPU time (what the machine's load
changes least), each reader in turn.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "fixtures"))
sys.path.insert(0, str(BENCH.parent / "src"))

import corpus_words as W  # noqa: E402
from fixturegen import ids  # noqa: E402
from run import GNU_TIME, environment, measure  # noqa: E402

KINDS = ("xlsx", "xls", "ods")
LAYOUTS = {
    "class list": ("Learner Ref", "Surname", "Forename", "DOB", "ULN", "Mobile", "Email", "Postcode", "Withdrawn?"),
    "register": ("Learner Ref", "Name", "Present", "Possible", "Att %", "Start Date", "ULN", "Consent"),
    "contacts": ("Student ID", "Name", "Address", "Town", "Postcode", "Mobile", "NOK Name", "NOK Tel",
                 "NI Number", "Date of Birth"),
}


def learner(rng: random.Random) -> dict:
    first, last = rng.choice(W.FIRST), rng.choice(W.LAST)
    return {
        "Learner Ref": rng.randint(22_000_000, 24_999_999), "Student ID": f"S{rng.randint(2_000_000, 2_999_999)}",
        "Surname": last, "Forename": first, "Name": f"{first} {last}", "NOK Name": f"{rng.choice(W.FIRST)} {last}",
        "DOB": datetime.date(rng.randint(2004, 2009), rng.randint(1, 12), rng.randint(1, 28)),
        "Date of Birth": datetime.date(rng.randint(1960, 2008), rng.randint(1, 12), rng.randint(1, 28)),
        "Start Date": datetime.date(2025, 9, rng.randint(1, 12)),
        "ULN": int(ids.make_uln(rng)), "Mobile": 7_000_000_000 + rng.randint(0, 999_999_999),
        "NOK Tel": f"07{rng.randint(100, 999)} {rng.randint(100_000, 999_999)}",
        "Email": f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@{rng.choice(W.DOMAINS)}",
        "Address": f"{rng.randint(1, 220)} {rng.choice(W.STREETS)}", "Town": rng.choice(W.TOWNS),
        "Postcode": f"{rng.choice(W.DISTRICTS)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                    f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
        "NI Number": ids.make_nino(rng), "Withdrawn?": rng.random() < 0.1, "Consent": rng.random() < 0.8,
        "Present": rng.randint(20, 60), "Possible": 60, "Att %": round(rng.uniform(40, 100), 1),
    }


def book(rng: random.Random) -> dict:
    layout = rng.choice(sorted(LAYOUTS))
    header = LAYOUTS[layout]
    title = [[f"Aireside College - {layout.title()}"], [f"Group: {rng.choice('ABCDEFG')}{rng.randint(1, 3)}"], []]
    rows = [[learner_row[h] for h in header] for learner_row in (learner(rng) for _ in range(rng.randint(15, 60)))]
    sheets = {layout.title(): title + [list(header)] + rows}
    if rng.random() < 0.25:
        sheets["Notes"] = [[rng.choice(W.SUBJECTS) + " " + rng.choice(W.VERBS) + " " + rng.choice(W.OBJECTS)]
                           for _ in range(rng.randint(2, 10))]
    return sheets


def generate(folder: Path, files: int, seed: int) -> None:
    import pyexcel

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        kind = KINDS[n % len(KINDS)]
        pyexcel.save_book_as(bookdict=book(rng), dest_file_name=str(folder / f"book-{n:04d}.{kind}"))


def reader_cpu(paths: list, reader: str) -> float:
    """CPU seconds of the spreadsheet extractor (cells to chunks, no detection) over every book."""
    from pdscan.extract import Context
    from pdscan.extract.spreadsheet import READER_VARIABLE, extract_spreadsheet
    from pdscan.limits import Budget, Limits
    from pdscan.model import Item

    os.environ[READER_VARIABLE] = reader
    limits = Limits()
    started = time.process_time()
    for path in paths:
        item = Item(path=str(path), open=lambda p=path: open(p, "rb"), size=path.stat().st_size)
        for _ in extract_spreadsheet(item, Context(limits, Budget(limits))):
            pass
    os.environ.pop(READER_VARIABLE)
    return time.process_time() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--files", type=int, default=800)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    books, empty = args.dir / "books", args.dir / "empty"
    if not books.is_dir():
        generate(books, args.files, args.seed)
    empty.mkdir(exist_ok=True)
    paths = sorted(books.iterdir())
    size = sum(p.stat().st_size for p in paths)
    for path in paths:
        path.read_bytes()  # warm the page cache
    readers = {"start-up": (empty, None), "pyexcel": (books, "pyexcel"), "calamine": (books, "calamine")}
    times = {name: [] for name in readers}
    rss = {name: [] for name in readers}
    for run in range(args.runs):
        for name, (folder, reader) in readers.items():
            env = environment()
            env.pop("PDSCAN_SHEET_READER", None)
            if reader:
                env["PDSCAN_SHEET_READER"] = reader
            with tempfile.TemporaryDirectory() as data:
                env["PDSCAN_DATA_DIR"] = data
                argv = [sys.executable, "-m", "pdscan", "scan", str(folder), "--format", "jsonl", "--no-progress",
                        "--output", os.devnull]
                wall, peak, code, _, stderr = measure(argv, env)
            if code not in (0, 1):
                raise SystemExit(f"{name} exited {code}: {stderr.decode('utf-8', 'replace')[-2000:]}")
            times[name].append(wall)
            rss[name].append(peak)
            print(f"{name} run {run + 1}/{args.runs}: {wall:.2f} s", file=sys.stderr, flush=True)
    start_up = statistics.median(times["start-up"])
    report = {"files": len(paths), "bytes": size, "load_average": os.getloadavg(), "cpus": os.cpu_count(),
              "peak_rss_measured": bool(GNU_TIME), "readers": {}}
    for name in readers:
        median = statistics.median(times[name])
        entry = {"times_s": [round(t, 3) for t in times[name]], "median_s": round(median, 3),
                 "peak_rss_mb": round(max(rss[name]) / 1024, 1)}
        if name != "start-up":
            entry["files_per_s"] = round(len(paths) / max(median - start_up, 1e-9), 1)
        report["readers"][name] = entry
        print(f"{name:9} median {median:7.2f} s  peak RSS {entry['peak_rss_mb']:6.1f} MB"
              + (f"  {entry['files_per_s']:7.1f} files/s after start-up" if "files_per_s" in entry else ""))
    cpu = {"pyexcel": [], "calamine": []}
    for _ in range(args.runs):
        for reader in cpu:
            cpu[reader].append(reader_cpu(paths, reader))
    report["reader_cpu_s"] = {reader: round(statistics.median(t), 3) for reader, t in cpu.items()}
    for reader, t in report["reader_cpu_s"].items():
        print(f"{reader:9} reader alone: {t:6.2f} CPU s, {len(paths) / t:7.1f} files/s per core")
    pyexcel_s = report["readers"]["pyexcel"]["median_s"] - start_up
    calamine_s = report["readers"]["calamine"]["median_s"] - start_up
    print(f"calamine / pyexcel time (start-up off): {calamine_s / pyexcel_s:.2f}; load average {report['load_average']}")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time `scan --incremental` of an unchanged tree against the first, full scan.

    python bench/incremental.py /tmp/pdscan-incr            # 100,000 files, 3 pairs

Creates FILES small text files (a few KB each, about 1 in 50 with a fake
NHS number or email), then RUNS times: a first scan into a fresh store
(`--db`), and a second `--incremental` scan of the same, unchanged tree into
that store. Both are the whole process (`python -m pdscan scan ... --format
jsonl --output /dev/null`, default jobs). After each pair, one more
incremental scan with the default text output (which prints only files with
findings) shows what the JSON encoding of 100,000 records costs. Then the floor:
a bare Python walk of the same tree (os.scandir, an lstat of every entry, as pdscan's
walk does), and pdscan's start-up (a scan of an empty folder), each a whole process
like the scans. Reports the median of each and the ratios (targets: incremental at most
3% of the first scan and at most twice the bare walk), by wall time and, since a shared
machine's load stretches short processes' wall time most, by CPU time (user + system of the
process and its workers).

pdscan runs from a snapshot of src/, detectors/ and policies.toml copied
into FOLDER at the start: an edit to the checkout during the run would
change the fingerprints and turn the incremental scans into full ones. The
snapshot is byte-compiled as `pip install` compiles an installed package, so
no process pays for compiling pdscan's source (PYTHONDONTWRITEBYTECODE would
otherwise make every one of them do it again).
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("invoice timetable room meeting agenda minutes course module assessment library laptop "
         "printer network password policy review report budget student staff parking canteen").split()
IDENTIFIERS = ("NHS number 943 476 5919", "email j.bloggs@college.ac.uk", "NI number QQ 12 34 56 C")


def make_tree(folder: Path, files: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    for n in range(files):
        sub = folder / f"d{n // 1000:03}"
        if n % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        lines = [" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(rng.randint(20, 60))]
        if n % 50 == 0:
            lines.insert(rng.randrange(len(lines)), rng.choice(IDENTIFIERS))
        (sub / f"f{n:06}.txt").write_text("\n".join(lines) + "\n")


def snapshot(folder: Path) -> Path:
    """A frozen copy of the code and its bundled data, laid out as the checkout is."""
    target = folder / "snapshot"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "src", target / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "detectors", target / "detectors")
    shutil.copy(ROOT / "policies.toml", target / "policies.toml")
    compileall.compile_dir(target / "src", quiet=1)
    return target / "src"


BARE_WALK = """
import os, sys
stack, files = [sys.argv[1]], 0
while stack:
    with os.scandir(stack.pop()) as entries:
        for entry in entries:
            st = os.lstat(entry.path)
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            else:
                files += 1
print(files)
"""


CPU: dict = {}  # the argv's label → CPU seconds of each run, beside the wall times run() returns


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # finished children, and the workers they waited for
    return usage.ru_utime + usage.ru_stime


def run(argv: list, env: dict, label: str = "") -> float:
    start, cpu = time.perf_counter(), _cpu()
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    CPU.setdefault(label, []).append(_cpu() - cpu)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"pdscan failed ({proc.returncode}): {proc.stderr}")
    return elapsed


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", type=Path)
    p.add_argument("--files", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--jobs", type=int, help="pdscan --jobs (default: all cores)")
    args = p.parse_args(argv)
    tree = args.folder / "tree"
    if not tree.exists():
        print(f"creating {args.files} files under {tree} ...", file=sys.stderr)
        make_tree(tree, args.files)
    env = {**os.environ, "PYTHONPATH": str(snapshot(args.folder)), "PDSCAN_DATA_DIR": str(args.folder / "data")}
    base = [sys.executable, "-m", "pdscan", "scan", str(tree), "--format", "jsonl", "--no-progress",
            "--output", os.devnull] + (["--jobs", str(args.jobs)] if args.jobs else [])
    firsts, seconds, texts, walks, starts = [], [], [], [], []
    empty = args.folder / "empty"
    empty.mkdir(exist_ok=True)
    for n in range(args.runs):
        db = args.folder / f"run{n}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        firsts.append(run(base + ["--db", str(db)], env, "first"))
        seconds.append(run(base + ["--db", str(db), "--incremental"], env, "incremental"))
        text = [a for a in base if a not in ("--format", "jsonl", "--output", os.devnull)]
        texts.append(run(text + ["--db", str(db), "--incremental"], env, "incremental_text"))
        walks.append(run([sys.executable, "-c", BARE_WALK, str(tree)], env, "bare_walk"))
        starts.append(run([a if a != str(tree) else str(empty) for a in base], env, "start_up"))
        print(f"run {n + 1}: first {firsts[-1]:.2f} s, incremental {seconds[-1]:.2f} s, "
              f"incremental text {texts[-1]:.2f} s, bare walk {walks[-1]:.2f} s, start-up {starts[-1]:.2f} s",
              file=sys.stderr)
    first, second, third, walk, start = (statistics.median(x) for x in (firsts, seconds, texts, walks, starts))
    cpu = {label: statistics.median(x) for label, x in CPU.items()}
    print(json.dumps({"files": args.files, "runs": args.runs, "load_average": os.getloadavg(),
                      "first_s": round(first, 2), "incremental_s": round(second, 2), "ratio": round(second / first, 4),
                      "incremental_text_s": round(third, 2), "ratio_text": round(third / first, 4),
                      "bare_walk_s": round(walk, 2), "incremental_over_walk": round(second / walk, 2),
                      "start_up_s": round(start, 2),
                      "incremental_over_walk_start_up_off": round(max(second - start, 0) / walk, 2),
                      "first_all": [round(x, 2) for x in firsts], "incremental_all": [round(x, 2) for x in seconds],
                      "incremental_text_all": [round(x, 2) for x in texts], "bare_walk_all": [round(x, 2) for x in walks],
                      "start_up_all": [round(x, 2) for x in starts],
                      "cpu_s": {label: round(x, 3) for label, x in cpu.items()},
                      "cpu_ratio": round(cpu["incremental"] / cpu["first"], 4),
                      "cpu_incremental_over_walk": round(cpu["incremental"] / cpu["bare_walk"], 2),
                      "cpu_all": {label: [round(x, 3) for x in xs] for label, xs in CPU.items()}}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time pdscan against ripgrep and a naive Python scan on a generated corpus.

    python bench/make_corpus.py /tmp/pdscan-bench && python bench/run.py /tmp/pdscan-bench

For each set (CORPUS/text, CORPUS/office) and each tool, runs the whole
process --runs times (after one untimed pass that warms the page cache) and
reports median wall time, MB/s, files/s and peak RSS, plus the ratios
pdscan/rg and pdscan/naive. Prints a table and writes bench/results.json.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from patterns import rg_args  # noqa: E402

GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
TOOLS = ("pdscan", "pdscan-j1", "pdscan-python", "rg", "naive")
OK_EXIT = {"pdscan": {0, 1}, "pdscan-j1": {0, 1}, "pdscan-python": {0, 1}, "rg": {0, 1}, "naive": {0}}  # 1 = found / not found
SCANNERS = ("pdscan", "pdscan-j1", "pdscan-python")
# pdscan-python: the same command on the pure-Python engine (without the compiled core).
ENGINE_OF = {"pdscan-python": "python"}


def command(tool: str, folder: Path):
    pdscan = [sys.executable, "-m", "pdscan", "scan", str(folder), "--format", "jsonl", "--no-progress",
              "--output", os.devnull]
    if tool in ("pdscan", "pdscan-python"):
        return pdscan
    if tool == "pdscan-j1":
        return pdscan + ["--jobs", "1"]
    if tool == "rg":
        return [shutil.which("rg") or "/usr/bin/rg", "-c", "--no-config", *rg_args(), str(folder)]
    return [sys.executable, str(BENCH / "naive_scan.py"), str(folder)]


def environment(tool: str = "pdscan"):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env.pop("PDSCAN_ENGINE", None)
    if tool in ENGINE_OF:
        env["PDSCAN_ENGINE"] = ENGINE_OF[tool]
    return env


def measure(argv, env):
    """Run once: wall seconds, peak RSS in KiB, exit code, stdout, stderr.

    Peak RSS comes from GNU time (%M: the largest single process, not the sum
    of pdscan's workers). Python's own rusage cannot be used: a child forked
    from this process inherits its RSS high-water mark before exec.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as rss:
        wrapped = [GNU_TIME, "-f", "%M", "-o", rss.name, *argv] if GNU_TIME else argv
        started = time.perf_counter()
        code = subprocess.run(wrapped, stdout=out, stderr=err, env=env).returncode
        wall = time.perf_counter() - started
        lines = rss.read().split()
        peak = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        out.seek(0)
        err.seek(0)
        return wall, peak, code, out.read().decode("utf-8", "replace"), err.read()


def corpus_stats(folder: Path):
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()]
    for path in files:  # warm the page cache so every tool reads from memory
        path.read_bytes()
    return len(files), sum(p.stat().st_size for p in files)


def matches(tool: str, stdout: str):
    """What the baselines counted: rg matching lines, naive matches (pdscan writes to /dev/null)."""
    if tool == "rg":
        return sum(int(line.rsplit(":", 1)[1]) for line in stdout.splitlines() if ":" in line)
    if tool == "naive" and stdout.split():
        return int(stdout.split()[2])
    return None


def bench_tools(tools, folder, runs, files, size):
    """Every tool `runs` times, in turns (A B C A B C ...): load from elsewhere on the
    machine then falls on all of them alike."""
    raw = {tool: ([], [], [], [None]) for tool in tools}
    for run in range(runs):
        for tool in tools:
            argv = command(tool, folder)
            wall, maxrss, code, stdout, stderr = measure(argv, environment(tool))
            print(f"{folder.name} {tool} run {run + 1}/{runs}: {wall:.2f} s", file=sys.stderr, flush=True)
            if code not in OK_EXIT[tool]:
                tail = stderr.decode("utf-8", "replace")[-2000:]
                raise SystemExit(f"{tool} exited {code}: {' '.join(argv[:6])} ...\n{tail}")
            times, rss, codes, found = raw[tool]
            times.append(wall)
            rss.append(maxrss)
            codes.append(code)
            found[0] = matches(tool, stdout)
    return {tool: summary(tool, folder, *raw[tool], files, size) for tool in tools}


def summary(tool, folder, times, rss, codes, found, files, size):
    argv = command(tool, folder)
    found = found[0]
    median = statistics.median(times)
    return {"command": argv[:4] + ["..."] if tool == "rg" else argv, "times_s": [round(t, 3) for t in times],
            "median_s": round(median, 3), "mb_per_s": round(size / 1e6 / median, 2),
            "files_per_s": round(files / median, 1), "peak_rss_mb": round(max(rss) / 1024, 1) if max(rss) else None,
            "exit_codes": codes, "matches": found}


def engines_agree(folder: Path) -> bool:
    """Both engines' JSONL item and error records, compared whole (the summary line, with its
    times and scan id, is left out)."""
    records = {}
    for tool in ("pdscan", "pdscan-python"):
        with tempfile.NamedTemporaryFile(suffix=".jsonl") as out:
            argv = command(tool, folder)
            argv[argv.index("--output") + 1] = out.name
            subprocess.run(argv, env=environment(tool), check=False, capture_output=True)
            lines = [json.loads(line) for line in Path(out.name).read_text(encoding="utf-8").splitlines()]
        records[tool] = sorted((r for r in lines if r.get("type") in ("item", "error")),
                               key=lambda r: json.dumps(r, sort_keys=True))
    same = records["pdscan"] == records["pdscan-python"]
    print(f"{folder.name}: compiled and Python engines' findings {'identical' if same else 'DIFFER'} "
          f"({len(records['pdscan'])} records)", file=sys.stderr)
    return same


def ratios(results):
    out = {}
    for scanner in SCANNERS:
        for baseline in ("rg", "naive"):
            if scanner in results and baseline in results:
                out[f"{scanner}/{baseline}"] = round(results[scanner]["median_s"] / results[baseline]["median_s"], 2)
    return out


def print_table(report):
    print(f"{'set':7} {'tool':10} {'median s':>9} {'MB/s':>9} {'files/s':>9} {'peak RSS MB':>12} {'runs':>5}")
    for name, entry in report["sets"].items():
        for tool, r in entry["tools"].items():
            print(f"{name:7} {tool:10} {r['median_s']:9.3f} {r['mb_per_s']:9.2f} {r['files_per_s']:9.1f} "
                  f"{r['peak_rss_mb'] or 0:12.1f} {len(r['times_s']):5d}")
        sizes = f"{entry['files']} files, {entry['bytes'] / 1e6:.1f} MB"
        print(f"{name:7} ratios (median time, >1 = pdscan slower): {entry['ratios']}  [{sizes}]")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}")
    parser.add_argument("--sets", default="text,office", help="comma-separated subfolders of CORPUS")
    parser.add_argument("--output", type=Path, default=BENCH / "results.json")
    args = parser.parse_args(argv)
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    engine = subprocess.run([sys.executable, "-m", "pdscan", "--version"], capture_output=True, text=True,
                            env=environment())
    rg_version = subprocess.run([command("rg", args.corpus)[0], "--version"], capture_output=True, text=True)
    report = {"corpus": str(args.corpus.resolve()), "runs": args.runs,
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform(), "rg": rg_version.stdout.split("\n")[0],
                          "pdscan": engine.stdout.strip()},
              "sets": {}}
    for name in args.sets.split(","):
        folder = args.corpus / name
        files, size = corpus_stats(folder)
        results = bench_tools(tools, folder, args.runs, files, size)
        report["sets"][name] = {"files": files, "bytes": size, "tools": results, "ratios": ratios(results)}
        if "pdscan" in tools and "pdscan-python" in tools:
            report["sets"][name]["engines_agree"] = engines_agree(folder)
    print_table(report)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time `pdscan report` over many endpoints' JSONL results (not part of the unit suite).

    python bench/report_scale.py /tmp/pdscan-report     # 500 endpoints, 1,000,000 findings in total

Writes ENDPOINTS JSONL files shaped like `pdscan scan --format jsonl`
output (FINDINGS finding entries in total, two per item with personal data,
plus as many clean items; masked samples only; a few errors and volumes),
then times `pdscan report --from F1 --from F2 ... --format json` as a whole
process, with peak RSS from GNU time (`/usr/bin/time -f %M`) when present.
The command is run through a small launcher that registers `report` with
the CLI when `cli.COMMANDS` does not list it yet.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAUNCH = ("import sys; from pdscan import cli; from pdscan.commands import report; "
          "cli.COMMANDS = cli.COMMANDS if report in cli.COMMANDS else cli.COMMANDS + (report,); "
          "sys.exit(cli.main(sys.argv[1:]))")
DETECTORS = (("uk.nino", "AB ** ** ** C"), ("email", "j***@e******.com"), ("uk.nhs", "*** *** 5919"),
             ("person_name", "J*** S****"), ("uk.postcode", "SW1A ***"))


def _item(rng: random.Random, host: int, n: int, findings: int) -> dict:
    chosen = rng.sample(DETECTORS, findings) if findings else []
    encrypted = rng.random() < 0.2
    violations = ([{"rule": "unencrypted-personal-data", "severity": "high", "detail": "personal data readable"}]
                  if chosen and not encrypted else [])
    if chosen and rng.random() < 0.05:
        violations.append({"rule": "retention-expired", "severity": "medium",
                           "detail": "Pupil records: kept past 2020-01-01 (6y since created 2014-01-01; rule x)"})
    year = rng.randint(2012, 2026)
    return {"type": "item", "path": f"/home/user{host}/docs/{n // 100}/file{n}.csv", "member": None,
            "mime": "text/csv", "size": rng.randint(100, 100_000), "mtime": f"{year}-0{rng.randint(1, 9)}-15T10:00:00Z",
            "encrypted": encrypted, "encryption": "ooxml" if encrypted else None, "encryption_note": None,
            "findings": [{"detector": d, "count": rng.randint(1, 20), "confidence": "high", "samples": [s]}
                         for d, s in chosen],
            "violations": violations}


def generate(folder: Path, endpoints: int, findings: int, seed: int) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    rng, paths = random.Random(seed), []
    per_host = findings // endpoints
    for host in range(endpoints):
        path = folder / f"host{host:04d}.jsonl"
        with open(path, "w", encoding="utf-8") as out:
            n = 0
            for _ in range(per_host // 2):
                for count in (2, 0):
                    out.write(json.dumps(_item(rng, host, n, count)) + "\n")
                    n += 1
            out.write(json.dumps({"type": "error", "path": f"/home/user{host}/locked.xlsx", "member": None,
                                  "error": "permission denied"}) + "\n")
            out.write(json.dumps({"type": "summary", "items": n, "files": n, "bytes": 0, "findings": {},
                                  "violations": {}, "errors": 1, "skipped": {"too large": 2},
                                  "encrypted_items": 0, "items_with_personal_data": per_host // 2,
                                  "elapsed": 1.0}) + "\n")
        paths.append(path)
    return paths


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", type=Path)
    p.add_argument("--endpoints", type=int, default=500)
    p.add_argument("--findings", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    started = time.monotonic()
    paths = generate(args.folder / "jsonl", args.endpoints, args.findings, args.seed)
    size = sum(path.stat().st_size for path in paths)
    print(f"generated {len(paths)} files, {size / 1e6:.0f} MB, in {time.monotonic() - started:.0f} s")
    out = args.folder / "report.json"
    command = [sys.executable, "-c", LAUNCH, "report", *(a for path in paths for a in ("--from", str(path))),
               "--format", "json", "--output", str(out)]
    timer = ["/usr/bin/time", "-f", "%M"] if os.path.exists("/usr/bin/time") else []
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    started = time.monotonic()
    done = subprocess.run(timer + command, env=env, stderr=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return 1
    rss = done.stderr.strip().splitlines()[-1] if timer else "n/a"
    summary = {row[0]: row[1] for row in json.loads(out.read_text())["tables"]["summary"]["rows"]}
    print(json.dumps({"endpoints": summary.get("Endpoints"), "violations": summary.get("Violations"),
                      "elapsed_s": round(elapsed, 1), "peak_rss_kb": rss}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

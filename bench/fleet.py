"""A simulated fleet on a real PostgreSQL server: push 500 endpoints' scans with 50 pushers, then report.

    python bench/fleet.py [--endpoints 500] [--pushers 50] [--files 500] [--work DIR]

1. Starts a throwaway PostgreSQL cluster (tests/pgcluster.py; durable: fsync and synchronous commit
   on, as a real server runs), `pdscan fleet init`, and `pdscan fleet add-endpoint` for each endpoint.
2. Makes one realistic endpoint scan with the real scanner: FILES class lists (CSV: name, e-mail, NHS
   and NI numbers, fake and valid) and as many clean notes; about 4 findings per list, so 500 lists
   give about 2,000 findings. Each endpoint's local store is a copy of it under the endpoint's host
   name and a scan id of its own.
3. Pushes every endpoint's store with PUSHERS processes at once (`sinks/push.push_to`, as `pdscan
   fleet push` does), each as its endpoint's own login; then pushes them all again (nothing is sent).
4. Times `pdscan report --db postgresql://... --format json` as a whole process, as a reporting login:
   first as the fleet's first pushes leave the server, before it has statistics of the tables (the
   cluster runs without autovacuum, so when its first run would come cannot decide the figure), then
   again after `ANALYZE` (what autovacuum does within minutes of the pushes).
Prints the figures as JSON; bench/README.md keeps them.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "fixtures"), str(ROOT / "bench")]

import corpus_words as W  # noqa: E402
from fixturegen import ids  # noqa: E402
from tests.pgcluster import Cluster, binaries  # noqa: E402

DB = "fleet"


def make_tree(root: Path, files: int, seed: int = 19) -> None:
    rng = random.Random(seed)
    root.mkdir(parents=True)
    for n in range(files):
        rows = ["name,email,nhs number,ni number"]
        for _ in range(2):
            first, last = rng.choice(W.FIRST), rng.choice(W.LAST)
            rows.append(f"{first} {last},{first.lower()}.{last.lower()}{rng.randint(1, 999)}@"
                        f"{rng.choice(W.DOMAINS)},{ids.make_nhs(rng, '4')},{ids.make_nino(rng)}")
        (root / f"class-{n:04d}.csv").write_text("\n".join(rows) + "\n")
        (root / f"minutes-{n:04d}.txt").write_text(f"Minutes of meeting {n}: the timetable was agreed.\n")


def pdscan(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pdscan", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def _push(job) -> tuple:
    from pdscan.sinks.push import push_to
    url, store = job
    began = time.monotonic()
    done = push_to(url, store)
    return time.monotonic() - began, done.sent


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--endpoints", type=int, default=500)
    p.add_argument("--pushers", type=int, default=50)
    p.add_argument("--files", type=int, default=500, help="class lists in the endpoint scan (about 4 findings each)")
    p.add_argument("--work", type=Path, help="scratch folder (default: a temporary one, removed)")
    args = p.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="pdscan-fleet-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(binaries(), max_connections=args.pushers + 20, durable=True).start()
    figures: dict = {"endpoints": args.endpoints, "pushers": args.pushers}
    try:
        owner = {"PGPASSFILE": str(cluster.pgpass)}
        url = cluster.create_database(DB)
        cluster.admin("ALTER SYSTEM SET autovacuum = off")
        cluster.admin("SELECT pg_reload_conf()")
        assert pdscan("fleet", "init", "--db", url, env=owner).returncode == 0
        names = [f"pc-{n:03d}" for n in range(args.endpoints)]
        from pdscan.cli import main as cli
        os.environ.update(owner)
        began = time.monotonic()
        for name in names:  # in this process: what is timed is the server's work, not Python's start-up
            with contextlib.redirect_stdout(io.StringIO()):
                assert cli(["fleet", "add-endpoint", name, "--db", url, "--pgpass-out",
                            str(work / f"{name}.pgpass")]) == 0
        figures["add_endpoint_s_each"] = round((time.monotonic() - began) / len(names), 3)
        passfile = work / "all.pgpass"
        passfile.write_text("".join((work / f"{name}.pgpass").read_text() for name in names))
        passfile.chmod(0o600)

        tree, template = work / "tree", work / "template.db"
        make_tree(tree, args.files)
        began = time.monotonic()
        r = pdscan("scan", tree, "--db", template, "--no-progress", "--output", os.devnull)
        assert r.returncode == 1, r.stderr
        figures["template_scan_s"] = round(time.monotonic() - began, 1)
        with sqlite3.connect(template) as conn:
            for table in ("items", "findings", "violations"):
                figures[f"{table}_per_endpoint"] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        jobs = []
        for name in names:
            store = work / f"{name}.db"
            shutil.copy(template, store)
            with sqlite3.connect(store) as conn:
                conn.execute("UPDATE scans SET host = ?, uid = ?", (name, uuid.uuid4().hex))
            jobs.append((cluster.url(name, DB), str(store)))

        os.environ["PGPASSFILE"] = str(passfile)
        for attempt in ("push_s", "push_again_s"):
            began = time.monotonic()
            with multiprocessing.get_context("fork").Pool(args.pushers) as pool:
                each = pool.map(_push, jobs, chunksize=1)
            figures[attempt] = round(time.monotonic() - began, 1)
            figures[attempt.replace("_s", "_slowest_endpoint_s")] = round(max(t for t, _ in each), 2)
            assert sum(sent for _, sent in each) == (len(jobs) if attempt == "push_s" else 0)
        rows = cluster.admin("SELECT (SELECT count(*) FROM scans), (SELECT count(*) FROM items),"
                             " (SELECT count(*) FROM findings)", dbname=DB)[0]
        figures["central_scans"], figures["central_items"], figures["central_findings"] = rows
        figures["central_size_mb"] = round(cluster.admin(f"SELECT pg_database_size('{DB}')")[0][0] / 2**20)

        secret = uuid.uuid4().hex
        cluster.admin(f"CREATE ROLE dpo LOGIN PASSWORD '{secret}' IN ROLE pdscan_reporting")
        dpo = work / "dpo.pgpass"
        dpo.write_text(f"127.0.0.1:{cluster.port}:{DB}:dpo:{secret}\n")
        dpo.chmod(0o600)
        for figure in ("report_before_statistics_s", "report_s"):
            if figure == "report_s":
                cluster.admin("ANALYZE", dbname=DB)
            began = time.monotonic()
            r = pdscan("report", "--db", cluster.url("dpo", DB), "--format", "json", "--output",
                       work / "fleet.json", env={"PGPASSFILE": str(dpo)})
            figures[figure] = round(time.monotonic() - began, 1)
            assert r.returncode == 0, r.stderr
        report = json.loads((work / "fleet.json").read_text())
        figures["report_endpoints"] = len(report["tables"]["endpoints"]["rows"])
        figures["report_violations_total"] = sum(row[2] for row in report["tables"]["rules"]["rows"])
    finally:
        cluster.stop()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

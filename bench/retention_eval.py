"""How well `pdscan retention` judges a labelled tree, through the command itself.

    python bench/retention_eval.py TREE LABELS [--manifest MANIFEST] [--now YYYY-MM-DD] [--json]

LABELS is a list of {"path", "category", "personal", "clock", "due", "review_only"}
(fixtures/blind-retention/ has the generator of a laptop tree and its labels,
written from the DPO's schedule by someone who never saw pdscan's). pdscan runs as a
user would (`pdscan retention TREE --now D --format jsonl --plan-out plan.json`).

Git does not keep modification times, and retention is judged by them: with
--manifest (the generator's list of planted mtimes, UTC) the tree is copied to a
temporary folder and each file's mtime set from it before the run.

Counted per labelled file:
- a due file of a deletable category must be in the plan, with the labelled category;
- a due file of a review-only category must be listed for review and never planned;
- a file not due (recent, on hold, not personal) must be neither planned nor listed.
"""
from __future__ import annotations

import argparse
import calendar
import collections
import json
import os
import shutil
import time
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(tree: Path, now: str) -> tuple[dict, set]:
    """({relative path: retention object}, {planned relative paths}) from one retention run."""
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan.json"
        env = {**os.environ, "PDSCAN_DATA_DIR": tmp, "PYTHONPATH": str(ROOT / "src")}
        out = subprocess.run([sys.executable, "-m", "pdscan", "retention", str(tree), "--now", now,
                              "--format", "jsonl", "--no-progress", "--plan-out", str(plan)],
                             capture_output=True, env=env, check=False)
        if out.returncode not in (0, 1):
            sys.exit(f"pdscan retention failed ({out.returncode}): {out.stderr.decode(errors='replace')[-2000:]}")
        listed = {}
        for line in out.stdout.splitlines():
            record = json.loads(line)
            if record.get("type") == "item" and record.get("retention") and not record.get("member"):
                listed[os.path.relpath(record["path"], tree)] = record["retention"]
        planned = set()
        if plan.exists():
            planned = {os.path.relpath(e["path"], tree) for e in json.loads(plan.read_text())["entries"]}
    return listed, planned


def with_mtimes(tree: Path, manifest: Path, into: Path) -> Path:
    """A copy of `tree` whose files carry the manifest's planted modification times."""
    copy = into / "tree"
    shutil.copytree(tree, copy)
    for entry in json.loads(manifest.read_text(encoding="utf-8")):
        when = calendar.timegm(time.strptime(entry["mtime"], "%Y-%m-%dT%H:%M:%S"))
        os.utime(copy / entry["path"], (when, when))
    return copy


def evaluate(tree: Path, labels: Path, manifest: Path = None, now: str = "2026-12-07") -> dict:
    entries = json.loads(labels.read_text(encoding="utf-8"))
    if manifest is None:
        return score(entries, *run(tree, now))
    with tempfile.TemporaryDirectory() as tmp:
        return score(entries, *run(with_mtimes(tree, manifest, Path(tmp)), now))


def score(labels: list, listed: dict, planned: set) -> dict:
    counts = collections.Counter()
    wrong = []
    for entry in labels:
        path, cat = entry["path"], entry["category"]
        got = listed.get(path)
        if entry["due"] and not entry["review_only"]:
            counts["due_delete"] += 1
            if path in planned and got and got["category"] == cat:
                counts["due_delete_planned_right"] += 1
            elif path in planned:
                counts["due_delete_planned_wrong_category"] += 1
                wrong.append((path, f"planned as {got and got['category']}, labelled {cat}"))
            else:
                counts["due_delete_missed"] += 1
                wrong.append((path, f"not planned ({'listed as ' + got['category'] if got else 'not listed'}), labelled {cat}"))
        elif entry["due"]:
            counts["due_review"] += 1
            if path in planned:
                counts["due_review_planned"] += 1
                wrong.append((path, f"planned, but {cat} is review-only"))
            elif got and got["action"] == "review":
                counts["due_review_listed"] += 1
            else:
                counts["due_review_missed"] += 1
                wrong.append((path, f"not listed for review, labelled {cat}"))
        else:
            counts["not_due"] += 1
            if path in planned:
                counts["not_due_planned"] += 1
                wrong.append((path, f"planned, but not due (labelled {cat})"))
            elif got:
                counts["not_due_listed"] += 1
                wrong.append((path, f"listed as {got['category']}, but not due (labelled {cat})"))
        if cat == "safeguarding" and path in planned:
            counts["safeguarding_planned"] += 1
    unlabelled = sorted(set(listed) - {e["path"] for e in labels})
    return {"counts": dict(sorted(counts.items())), "wrong": wrong, "listed_unlabelled": unlabelled}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("labels", type=Path)
    parser.add_argument("--manifest", type=Path, help="planted modification times to set on a copy of TREE")
    parser.add_argument("--now", default="2026-12-07")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = evaluate(args.tree, args.labels, args.manifest, args.now)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    for key, value in result["counts"].items():
        print(f"{key:36} {value}")
    for path, why in result["wrong"]:
        print(f"  {path}: {why}")
    for path in result["listed_unlabelled"]:
        print(f"  listed but not labelled: {path}")


if __name__ == "__main__":
    main()

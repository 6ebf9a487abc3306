"""Precision, recall and F1 of detection, through `pdscan scan` itself, on a labelled corpus.

    python bench/detect_eval.py CORPUS [--json OUT]

CORPUS holds files and `labels.json`: a list of {"path", "format", "layout",
"hard_negative", "expected": {detector: distinct values}}. pdscan scans the
folder as a user would (`pdscan scan CORPUS --db STORE`); distinct values per
file and detector are counted from the store's keyed hashes over the file and
all its members, so a value seen in a mail body and its attachment counts once.

Scoring, per file and detector: identifiers and contact details count values
(tp = min(found, expected), fp = found - tp, fn = expected - tp); the special
categories are a yes/no about the file (found at all, labelled at all).
"strict" is the checksum-bearing and structured detectors only.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRESENCE = {"special.health", "special.other"}
STRICT = {"email", "uk.phone", "uk.postcode", "uk.nino", "uk.nhs", "uk.uln", "uk.upn", "uk.passport",
          "uk.driving_licence", "uk.bank_account", "iban", "payment_card"}


def scan(corpus: Path) -> dict:
    """{relative path: {detector: distinct keyed hashes}} from one `pdscan scan` of the corpus."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "eval.db"
        env = {**os.environ, "PDSCAN_DATA_DIR": tmp, "PYTHONPATH": str(ROOT / "src")}
        out = subprocess.run([sys.executable, "-m", "pdscan", "scan", str(corpus), "--format", "jsonl",
                              "--no-progress", "--db", str(store)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
        if out.returncode not in (0, 1):
            sys.exit(f"pdscan scan failed ({out.returncode}): {out.stderr.decode(errors='replace')[-2000:]}")
        found: dict = collections.defaultdict(lambda: collections.defaultdict(set))
        conn = sqlite3.connect(store)
        scan_id = conn.execute("SELECT max(id) FROM scans").fetchone()[0]
        for path, detector, keys in conn.execute(
                "SELECT i.path, f.detector, f.keys FROM findings f JOIN items i ON i.id = f.item_id "
                "WHERE i.scan_id = ?", (scan_id,)):
            rel = os.path.relpath(path, corpus)
            found[rel][detector].update(json.loads(keys) or [f"{path}:{detector}"])
        conn.close()
    return found


def score(labels: list, found: dict) -> dict:
    counts = collections.defaultdict(lambda: [0, 0, 0])      # key -> tp, fp, fn
    flagged_negatives = []
    for entry in labels:
        expected, got = entry.get("expected") or {}, found.get(entry["path"], {})
        # A hard negative is flagged by anything found beyond its labels (a notice's role mailboxes may be labelled).
        over = sorted(d for d in got if _beyond(d, len(got[d]), int(expected.get(d, 0))))
        if entry.get("hard_negative") and over:
            flagged_negatives.append({"path": entry["path"], "detectors": over})
        for detector in set(expected) | set(got):
            want, have = int(expected.get(detector, 0)), len(got.get(detector, ()))
            if detector in PRESENCE:
                want, have = min(want, 1), min(have, 1)
            tp = min(want, have)
            cell = (tp, have - tp, want - tp)
            for key in ("all", f"detector:{detector}", f"layout:{entry.get('layout')}",
                        f"format:{entry.get('format')}", f"layout-format:{entry.get('layout')}/{entry.get('format')}"):
                _add(counts[key], cell)
            if detector in STRICT:
                _add(counts["strict"], cell)
    table = {key: _prf(*value) for key, value in sorted(counts.items())}
    return {"files": len(labels), "hard_negatives": sum(1 for e in labels if e.get("hard_negative")),
            "hard_negatives_flagged": flagged_negatives, "scores": table}


def _beyond(detector: str, have: int, want: int) -> bool:
    return (min(have, 1) > min(want, 1)) if detector in PRESENCE else have > want


def _add(total: list, cell: tuple) -> None:
    for n, value in enumerate(cell):
        total[n] += value


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(f1, 4)}


def render(result: dict) -> str:
    lines = [f"{result['files']} files, {result['hard_negatives']} hard negatives, "
             f"{len(result['hard_negatives_flagged'])} of them flagged", "",
             f"{'set':<44}{'tp':>7}{'fp':>6}{'fn':>6}{'P':>8}{'R':>8}{'F1':>8}"]
    for key, s in result["scores"].items():
        if key.startswith("layout-format:"):
            continue
        lines.append(f"{key:<44}{s['tp']:>7}{s['fp']:>6}{s['fn']:>6}"
                     f"{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}")
    missed = [k.split(":", 1)[1] for k, s in result["scores"].items()
              if k.startswith("layout-format:") and s["tp"] == 0 and s["fn"]]
    lines += ["", "layout/format pairs with nothing found: " + (", ".join(missed) or "none")]
    for negative in result["hard_negatives_flagged"]:
        lines.append(f"hard negative flagged: {negative['path']} ({', '.join(negative['detectors'])})")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("corpus", type=Path)
    p.add_argument("--json", type=Path, help="write the full result here")
    args = p.parse_args(argv)
    labels = json.loads((args.corpus / "labels.json").read_text(encoding="utf-8"))
    if isinstance(labels, dict):
        labels = labels.get("files", labels)
    result = score(labels, scan(args.corpus.resolve()))
    print(render(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

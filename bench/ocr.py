"""OCR: detection on phone photos of documents, silence on ordinary photos, pages per second.

    python bench/ocr.py /tmp/pdscan-ocr [--documents 50] [--photos 50] [--jobs 2]

Generates the images (fixtures/ocrgen/make_images.py: passports, consent forms and payslips
photographed at phone quality, and procedurally drawn photos of scenes and people), scans the
folder once with `pdscan scan --format jsonl` (the whole process, OCR on) and prints:

- passports whose MRZ was validated (a `passport.mrz` finding) of all passports;
- planted identifiers found on the other documents (a finding of the planted detector id);
- photos with any finding (must be none) and photos that were OCR'd;
- pages OCR'd and pages per second over the scan's wall time (photos are not OCR'd, so
  their cheap test is inside that time too).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "fixtures" / "ocrgen"))

from make_images import make  # noqa: E402


def scan(folder: Path, jobs: int) -> tuple:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    db = Path(tempfile.mkdtemp()) / "pdscan.db"  # a fresh store outside the folder scanned
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "pdscan", "scan", str(folder), "--format", "jsonl", "--no-progress",
                          "--jobs", str(jobs), "--db", str(db)],
                         capture_output=True, text=True, env=env)
    elapsed = time.monotonic() - started
    if out.returncode not in (0, 1):
        raise SystemExit(f"scan failed ({out.returncode}): {out.stderr}")
    return [json.loads(line) for line in out.stdout.splitlines()], elapsed


def evaluate(manifest: dict, records: list) -> dict:
    items = {Path(r["path"]).name: r for r in records if r["type"] == "item" and r["member"] is None}
    summary = records[-1]
    passports = [n for n, m in manifest.items() if m["kind"] == "passport"]
    found = lambda name, ident: any(f["detector"] == ident for f in items[name]["findings"])  # noqa: E731
    planted = [(n, ident) for n, m in manifest.items() if m["kind"] not in ("passport", "photo")
               for ident in m["planted"]]
    photos = [n for n, m in manifest.items() if m["kind"] == "photo"]
    missed = [f"{n}: {ident}" for n, ident in planted if not found(n, ident)]
    return {
        "passports": len(passports),
        "passports_mrz_validated": sum(found(n, "passport.mrz") for n in passports),
        "passports_with_birth_date": sum(found(n, "date_of_birth") for n in passports),
        "planted": len(planted), "planted_found": len(planted) - len(missed), "missed": missed,
        "photos": len(photos), "photos_with_findings": sum(bool(items[n]["findings"]) for n in photos),
        "ocr_pages": summary.get("ocr_pages", 0), "skipped": summary["skipped"],
        "errors": [r["error"] for r in records if r["type"] == "error"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    manifest = make(args.folder, args.documents, args.photos)
    records, elapsed = scan(args.folder, args.jobs)
    result = evaluate(manifest, records)
    result.update(seconds=round(elapsed, 1), jobs=args.jobs,
                  pages_per_second=round(result["ocr_pages"] / elapsed, 2) if elapsed else None)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

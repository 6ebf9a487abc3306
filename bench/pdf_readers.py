"""pypdf against pypdfium2 on PDF text: CPU time per file, and whether the words are the same.

    pip install pypdfium2 && python bench/pdf_readers.py FILE.pdf ...

Each file is opened with the empty password by both; per page, pypdf's extract_text() (what
pdscan reads first) and pdfium's whole-page text. Words are compared with runs of white space
made one space. Files either library cannot open (user passwords) are counted as failed.
"""
from __future__ import annotations

import io
import json
import logging
import re
import statistics
import sys
import time
from pathlib import Path

import pypdf
import pypdfium2 as pdfium

logging.getLogger("pypdf").setLevel(logging.ERROR)



def words(s):
    return re.sub(r"\s+", " ", s).strip()


def by_pypdf(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    return [page.extract_text() or "" for page in reader.pages]


def by_pdfium(data):
    doc = pdfium.PdfDocument(data, password="")
    out = []
    for i in range(len(doc)):
        page = doc[i]
        text = page.get_textpage()
        out.append(text.get_text_range())
        text.close()
        page.close()
    doc.close()
    return out


def main(paths: list) -> int:
    cpu = {"pypdf": [], "pdfium": []}
    same = differ = failed = 0
    for path in paths:
        data = path.read_bytes()
        try:
            t0 = time.process_time()
            a = by_pypdf(data)
            t1 = time.process_time()
            b = by_pdfium(data)
            t2 = time.process_time()
        except Exception as exc:  # a password either library refuses
            failed += 1
            print(f"not opened: {path} ({type(exc).__name__})", file=sys.stderr)
            continue
        cpu["pypdf"].append(t1 - t0)
        cpu["pdfium"].append(t2 - t1)
        if words(" ".join(a)) == words(" ".join(b)):
            same += 1
        else:
            differ += 1
            print(f"different words: {path}", file=sys.stderr)
    print(json.dumps({"files": len(paths), "same_text": same, "different_text": differ, "failed": failed,
                      "pypdf_cpu_s": round(sum(cpu["pypdf"]), 3), "pdfium_cpu_s": round(sum(cpu["pdfium"]), 3),
                      "pypdf_median_ms": round(1000 * statistics.median(cpu["pypdf"]), 2),
                      "pdfium_median_ms": round(1000 * statistics.median(cpu["pdfium"]), 2)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main([Path(p) for p in sys.argv[1:]]))

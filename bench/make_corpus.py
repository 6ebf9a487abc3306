"""Generate the benchmark corpus: plain text, CSV and logs, plus a set of office documents.

    python bench/make_corpus.py DIR [--size-mb 200] [--office-files 200] [--seed 7]

DIR/text/ gets files of 1-8 MB (prose .txt, application .log, orders .csv)
with about one fake identifier per 2 KB (valid checksums, from
fixtures/fixturegen/ids.py) among look-alikes (ISBNs, order numbers, dates);
DIR/office/ gets small docx/xlsx/pdf/odt files. Same seed, same bytes.
The corpus is generated, never committed.
"""
from __future__ import annotations

import argparse
import random
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "fixtures"))
sys.path.insert(0, str(ROOT / "bench"))

import corpus_words as W  # noqa: E402
from fixturegen import ids, ooxml, odf, pdf, sheets  # noqa: E402
from fixturegen.doc import Doc, Heading, Para, Table  # noqa: E402

ID_EVERY = 2048  # bytes of filler per identifier
POOL = 4000  # distinct lines per pool; files sample from the pools


def fake_person(rng: random.Random) -> dict:
    first, last = rng.choice(W.FIRST), rng.choice(W.LAST)
    sort_code = f"{rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    account = f"{rng.randint(10**7, 10**8 - 1)}"
    return {
        "name": f"{first} {last}",
        "email": f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@{rng.choice(W.DOMAINS)}",
        "nhs": ids.make_nhs(rng, rng.choice("46")),
        "nino": ids.make_nino(rng),
        "uln": ids.make_uln(rng),
        "phone": "".join(rng.choice(string.digits) if c == "#" else c for c in rng.choice(W.PHONE_TEMPLATES)),
        "dob": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1960, 2009)}",
        "house": rng.randint(1, 220), "street": rng.choice(W.STREETS), "town": rng.choice(W.TOWNS),
        "postcode": f"{rng.choice(W.DISTRICTS)} {rng.randint(1, 9)}"
                    f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
        "sort_code": sort_code, "account": account,
        "iban": ids.iban_gb(rng.choice(W.BANKS), sort_code, account),
        "card": ids.make_card(rng, rng.choice(("4", "51", "52", "53", "54", "55"))),
    }


def isbn13(rng: random.Random) -> str:
    body = "978" + "".join(rng.choice(string.digits) for _ in range(9))
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return f"{body[:3]}-{body[3]}-{body[4:8]}-{body[8:12]}-{check}"


def lookalike(rng: random.Random) -> dict:
    return {"isbn": isbn13(rng), "order": ids.make_uln_lookalike(rng),
            "date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2015, 2024)}",
            "version": f"{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(1000, 9999)}"}


def log_fill(rng: random.Random) -> dict:
    return {"n": rng.randint(1, 99999), "small": rng.randint(1, 12), "hex": f"{rng.getrandbits(48):012x}"}


def timestamp(rng: random.Random) -> str:
    return (f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
            f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}Z")


class Pools:
    """Pre-rendered lines: files are sampled from these, which keeps generation fast."""

    def __init__(self, rng: random.Random):
        self.prose = [" ".join(self._sentence(rng) for _ in range(rng.randint(2, 5))) + "\n" for _ in range(POOL)]
        self.ids = [rng.choice(W.ID_SENTENCES)[1].format(**fake_person(rng)) + "\n" for _ in range(POOL)]
        self.lookalikes = [rng.choice(W.LOOKALIKE_SENTENCES).format(**lookalike(rng)) + "\n" for _ in range(POOL)]
        self.logs = [self._log(rng, rng.choice(W.LOG_MESSAGES).format(**log_fill(rng))) for _ in range(POOL)]
        self.log_ids = [self._log(rng, rng.choice(W.LOG_ID_MESSAGES)[1].format(**fake_person(rng)))
                        for _ in range(POOL)]
        self.csv_rows = [self._order_row(rng, "") for _ in range(POOL)]
        self.csv_ids = [self._order_row(rng, rng.choice(W.ID_SENTENCES)[1].format(**fake_person(rng)))
                        for _ in range(POOL)]

    @staticmethod
    def _sentence(rng):
        return f"{rng.choice(W.SUBJECTS)} {rng.choice(W.VERBS)} {rng.choice(W.OBJECTS)} {rng.choice(W.TAILS)}"

    @staticmethod
    def _log(rng, message):
        return (f"{timestamp(rng)} {rng.choice(W.LOG_LEVELS):5s} [worker-{rng.randint(1, 8)}] "
                f"{rng.choice(W.LOG_COMPONENTS)}: {message}\n")

    @staticmethod
    def _order_row(rng, note):
        note = '"' + note.replace('"', '""') + '"' if note else ""
        return (f"{ids.make_uln_lookalike(rng)},{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2024,"
                f"SKU-{rng.randint(1000, 9999)},{rng.randint(1, 40)},{rng.randint(1, 9999) / 100:.2f},"
                f"{rng.choice(('web', 'phone', 'counter', 'invoice'))},{note}\n")


def text_file(rng: random.Random, pools: Pools, kind: str, size: int) -> bytes:
    filler, with_id = {"txt": (pools.prose, pools.ids), "log": (pools.logs, pools.log_ids),
                       "csv": (pools.csv_rows, pools.csv_ids)}[kind]
    per_block = max(1, ID_EVERY // (sum(map(len, filler[:200])) // 200))
    parts = ["order_id,order_date,sku,qty,unit_price,channel,customer_note\n"] if kind == "csv" else []
    total = 0
    while total < size:
        block = rng.choices(filler, k=per_block)
        block[rng.randrange(per_block)] = rng.choice(with_id)
        if kind == "txt" and rng.random() < 0.3:
            block.append(rng.choice(pools.lookalikes))
        total += sum(map(len, block))
        parts.extend(block)
    return "".join(parts).encode("utf-8")


def office_doc(rng: random.Random, pools: Pools):
    lines = [line.rstrip("\n") for line in rng.choices(pools.prose, k=rng.randint(20, 80))]
    for _ in range(rng.randint(3, 12)):
        lines.insert(rng.randrange(len(lines)), rng.choice(pools.ids).rstrip("\n"))
    lines.insert(rng.randrange(len(lines)), rng.choice(pools.lookalikes).rstrip("\n"))
    people = [fake_person(rng) for _ in range(rng.randint(3, 15))]
    header = ("Name", "Date of birth", "Email", "NHS number", "Postcode")
    rows = tuple((p["name"], p["dob"], p["email"], p["nhs"], p["postcode"]) for p in people)
    return lines, header, rows


def office_file(rng: random.Random, pools: Pools, kind: str) -> bytes:
    lines, header, rows = office_doc(rng, pools)
    doc = Doc("Meeting notes", (Heading("Notes"),) + tuple(Para(x) for x in lines) + (Table(header, rows),))
    if kind == "docx":
        return ooxml.docx(doc)
    if kind == "odt":
        return odf.odt(doc)
    if kind == "pdf":
        return pdf.pdf(lines + ["  ".join(r) for r in rows], title="Meeting notes")
    return sheets.spreadsheet([("Sheet1", (header,) + rows), ("Notes", tuple((x,) for x in lines))], "xlsx")


def generate(root: Path, size_mb: int, office_files: int, seed: int) -> dict:
    rng = random.Random(seed)
    pools = Pools(rng)
    (root / "text").mkdir(parents=True, exist_ok=True)
    (root / "office").mkdir(parents=True, exist_ok=True)
    written, n = 0, 0
    while written < size_mb * 1_000_000:
        kind = ("txt", "log", "csv")[n % 3]
        data = text_file(rng, pools, kind, rng.randint(1_000_000, 8_000_000))
        (root / "text" / f"{kind}-{n:04d}.{kind}").write_bytes(data)
        written, n = written + len(data), n + 1
    office_bytes = 0
    for i in range(office_files):
        kind = ("docx", "xlsx", "pdf", "odt")[i % 4]
        data = office_file(rng, pools, kind)
        (root / "office" / f"doc-{i:04d}.{kind}").write_bytes(data)
        office_bytes += len(data)
    return {"text_files": n, "text_bytes": written, "office_files": office_files, "office_bytes": office_bytes}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--size-mb", type=int, default=200, help="plain-text set size (default 200)")
    parser.add_argument("--office-files", type=int, default=200, help="number of office documents (default 200)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    stats = generate(args.dir, args.size_mb, args.office_files, args.seed)
    print(f"{stats['text_files']} text files ({stats['text_bytes'] / 1e6:.1f} MB), "
          f"{stats['office_files']} office files ({stats['office_bytes'] / 1e6:.1f} MB) "
          f"in {args.dir} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

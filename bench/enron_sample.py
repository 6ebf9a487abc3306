"""A blind-labelling sample of the Enron slice: distinct messages, drawn at random, folders removed.

    python bench/enron_sample.py OUT [--size N] [--seed S]

Writes OUT/NNNN.txt (each message's headers and text without X-Folder, X-Origin
and X-FileName, so a labeller cannot read the owner's filing) and
OUT/sample.tsv (NNNN, Message-ID). Every distinct Message-ID of the slice has the
same chance of being drawn, so a figure on the labelled sample is a figure on
the slice. The labels (fixtures/mail/enron-blind-labels.tsv) were made by a
person reading these files who never saw pdscan's answer.
"""
from __future__ import annotations

import argparse
import email
import email.policy
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENRON = ROOT.parent / "shared" / "corpus" / "real" / "enron" / "maildir"
HIDDEN = ("X-Folder", "X-Origin", "X-FileName")


def distinct_messages(root: Path) -> dict:
    """Message-ID → the first file holding it, in sorted path order."""
    found: dict = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        with path.open("rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.compat32)
        key = (msg.get("Message-ID") or str(path.relative_to(root))).strip()
        found.setdefault(key, path)
    return found


def blind_text(path: Path) -> str:
    with path.open("rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.compat32)
    for name in HIDDEN:
        del msg[name]
    return msg.as_bytes().decode("utf-8", errors="replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", type=int, default=400)
    parser.add_argument("--seed", type=int, default=20261207)
    args = parser.parse_args()
    messages = distinct_messages(ENRON)
    chosen = random.Random(args.seed).sample(sorted(messages), min(args.size, len(messages)))
    args.out.mkdir(parents=True, exist_ok=True)
    rows = ["n\tmessage_id"]
    for n, key in enumerate(chosen, 1):
        (args.out / f"{n:04d}.txt").write_text(blind_text(messages[key]), encoding="utf-8")
        rows.append(f"{n:04d}\t{key}")
    (args.out / "sample.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(chosen)} of {len(messages)} distinct messages written to {args.out}")


if __name__ == "__main__":
    main()

"""Precision and recall of the personal-or-work mail classifier, through `pdscan mail` itself.

    python bench/mail_eval.py evaluation   # the labelled college mailbox in fixtures/mail/
    python bench/mail_eval.py recall       # the kinds issue 17 says are missed, and their look-alikes (not blind)
    python bench/mail_eval.py enron        # the real Enron folders in ../shared/corpus/real/enron/
    python bench/mail_eval.py enron-blind  # the same slice, a random sample labelled blind by a reader
    python bench/mail_eval.py blind-westbridge   # college mailboxes written blind (fixtures/mail/blind-*)
    python bench/mail_eval.py blind-eastfield
    python bench/mail_eval.py blind-ashcombe
    python bench/mail_eval.py blind-hollins      # an MIS manager's mailbox; "unclear" labels are left out
    python bench/mail_eval.py blind-castlebrook  # an estates manager's mailbox

Each set is scanned by the installed code exactly as a user would run it
(`pdscan mail --format jsonl`), with a site policy whose only change is a
Personal folder name no mailbox uses, so that every message is classified.
"Personal" is the positive class. Figures: at the policy's threshold, and a
sweep of the threshold over the recorded scores (what tuning could reach).

Enron labels come from the users' own folder names only (LABEL_FOLDERS
below, written from the issue's list before any message was read). The
export files one message under several folders (all_documents,
discussion_threads, ...), so messages are counted once by Message-ID and a
message is personal when any of its copies sits in a personal folder.
"enron-blind" scores the 400 messages drawn at random from the slice by
bench/enron_sample.py and labelled by a person reading each one (folder
headers removed) who never saw pdscan's answer (fixtures/mail/enron-blind-labels.tsv;
"unclear" rows are left out). Every distinct message had the same chance of
being drawn, so the figure stands for the slice.
Nothing here prints a subject or body: the Enron figure must stay a
measurement, never a source of word-list entries.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENRON = ROOT.parent / "shared" / "corpus" / "real" / "enron" / "maildir"
EVALUATION = ROOT / "fixtures" / "mail" / "evaluation"
EVALUATION_LABELS = ROOT / "fixtures" / "mail" / "evaluation-labels.tsv"
RECALL = ROOT / "fixtures" / "mail" / "recall"
RECALL_LABELS = ROOT / "fixtures" / "mail" / "recall-labels.tsv"
# Mailboxes written blind from the brief by helpers who never saw the classifier:
# set name -> (folder under fixtures/mail/, the owner's domain).
BLIND = {"blind-westbridge": ("blind-westbridge", "westbridge.ac.uk"),
         "blind-eastfield": ("blind-eastfield", "eastfield.ac.uk"),
         "blind-ashcombe": ("blind-ashcombe", "ashcombevale.ac.uk"),
         "blind-hollins": ("blind-hollins", "hollinsvale.ac.uk"),
         "blind-castlebrook": ("blind-castlebrook", "castlebrook.ac.uk")}
ENRON_BLIND_LABELS = ROOT / "fixtures" / "mail" / "enron-blind-labels.tsv"
# A folder component that marks its mail personal: the examples, their obvious
# spellings ("personnal", "funny" beside "jokes") and nothing chosen by reading mail.
LABEL_FOLDERS = re.compile(r"^(personal|personnal|personal_contacts|private_folders|golf|jokes|funny|home_buy"
                           r"|.*_fantasy|vacations?(_.*)?)$")
NO_SUCH_FOLDER = "no folder is called this in an evaluation set"


def scan(source: Path, owner_domain: str) -> list:
    """Message records of `pdscan mail` over `source`, every message classified."""
    with tempfile.TemporaryDirectory() as tmp:
        policy = Path(tmp) / "evaluation.toml"
        policy.write_text(f'[mail]\npersonal_folder = "{NO_SUCH_FOLDER}"\n', encoding="utf-8")
        env = {**os.environ, "PDSCAN_DATA_DIR": tmp, "PYTHONPATH": str(ROOT / "src")}
        out = subprocess.run([sys.executable, "-m", "pdscan", "mail", str(source), "--format", "jsonl",
                              "--policy", str(policy), "--owner-domain", owner_domain],
                             capture_output=True, env=env, check=False)
        if out.returncode not in (0, 1):
            sys.exit(f"pdscan mail failed ({out.returncode}): {out.stderr.decode(errors='replace')[-2000:]}")
    records = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    return [r for r in records if r["type"] == "message"]


def enron_truth(records: list) -> dict:
    """Message-ID → (is personal, score, predicted personal), one entry per distinct message."""
    truth: dict = {}
    for r in records:
        folders = (r["folder"] or "").split("/")[1:]  # the first component is the user
        personal = any(LABEL_FOLDERS.match(f.lower()) for f in folders)
        key = r["message_id"] or f"{r['path']}!{r['member']}"
        was = truth.get(key)
        truth[key] = (personal or (was[0] if was else False), r["score"], r["classification"] == "personal")
    return truth


def labelled_truth(records: list, labels: Path, sample: bool = False) -> tuple:
    """Truth for labelled messages; with `sample`, the labels cover a sample and other messages are left out."""
    with labels.open(encoding="utf-8", newline="") as f:
        every = list(csv.DictReader(f, delimiter="\t"))
    rows = {row["message_id"]: row for row in every if row["label"] != "unclear"}
    unclear = {row["message_id"] for row in every if row["label"] == "unclear"}
    truth, cases = {}, {}
    for r in records:
        row = rows.get(r["message_id"])
        if row is None and (sample or r["message_id"] in unclear):
            continue
        if row is None:
            sys.exit(f"message without a label: {r['member']}")
        truth[r["message_id"]] = (row["label"] == "personal", r["score"], r["classification"] == "personal")
        cases[r["message_id"]] = row.get("case") or row["kind"]
    missing = set(rows) - set(truth)
    if missing:
        sys.exit(f"{len(missing)} labelled messages were not reported by pdscan mail")
    return truth, cases


def figures(truth: dict) -> dict:
    tp = sum(1 for t, _, p in truth.values() if t and p)
    fp = sum(1 for t, _, p in truth.values() if p and not t)
    fn = sum(1 for t, _, p in truth.values() if t and not p)
    return {"messages": len(truth), "personal": tp + fn, "tp": tp, "fp": fp, "fn": fn,
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None}


def sweep(truth: dict) -> dict:
    """Best precision with recall ≥ 0.75, and best recall with precision ≥ 0.9, over all thresholds."""
    positives = sum(1 for t, _, _ in truth.values() if t)
    best_p, best_r = None, None
    for threshold in sorted({s for _, s, _ in truth.values() if s is not None}):
        chosen = [t for t, s, _ in truth.values() if s is not None and s >= threshold]
        tp = sum(chosen)
        if not chosen or not positives:
            continue
        p, r = tp / len(chosen), tp / positives
        if r >= 0.75 and (best_p is None or p > best_p[1]):
            best_p = (threshold, round(p, 3), round(r, 3))
        if p >= 0.9 and (best_r is None or r > best_r[2]):
            best_r = (threshold, round(p, 3), round(r, 3))
    return {"best_precision_at_recall_0.75": best_p, "best_recall_at_precision_0.9": best_r}


def per_case(truth: dict, cases: dict) -> dict:
    out: dict = {}
    for key, (t, _, p) in truth.items():
        row = out.setdefault((cases[key], "personal" if t else "work"), {"n": 0, "wrong": 0})
        row["n"] += 1
        row["wrong"] += t != p
    return {f"{case} ({label})": row for (case, label), row in sorted(out.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", choices=("evaluation", "recall", "enron", "enron-blind", *BLIND))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.set.startswith("enron") and not ENRON.is_dir():
        sys.exit(f"the Enron corpus is not at {ENRON}")
    if args.set == "enron":
        truth, cases = enron_truth(scan(ENRON, "enron.com")), None
    elif args.set == "enron-blind":
        truth, cases = labelled_truth(scan(ENRON, "enron.com"), ENRON_BLIND_LABELS, sample=True)
    elif args.set in BLIND:
        folder, domain = BLIND[args.set]
        base = ROOT / "fixtures" / "mail" / folder
        truth, cases = labelled_truth(scan(base / "mailbox", domain), base / "labels.tsv")
    elif args.set == "recall":
        truth, cases = labelled_truth(scan(RECALL, "northfield.ac.uk"), RECALL_LABELS)
    else:
        truth, cases = labelled_truth(scan(EVALUATION, "northfield.ac.uk"), EVALUATION_LABELS)
    result = {"set": args.set, **figures(truth), **sweep(truth)}
    if cases:
        result["cases"] = per_case(truth, cases)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    for key, value in result.items():
        if key != "cases":
            print(f"{key:32} {value}")
    for case, row in (result.get("cases") or {}).items():
        print(f"  {case:48} {row['wrong']:3} wrong of {row['n']}")


if __name__ == "__main__":
    main()

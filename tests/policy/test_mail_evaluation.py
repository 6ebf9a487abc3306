"""The classifier on the labelled mailboxes of fixtures/mail/: the issues' targets, kept.

On the evaluation mailbox, precision at least 0.97 with recall at least 0.9
for "personal" (issue 17's target: 0.95 and 0.8); on the recall set (issue
17's missed kinds beside their work look-alikes), the target. Both through `pdscan mail` as a user runs it. A change
to the vocabulary or the weights that costs either shows here, with the cases
it got wrong.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mail"


# The evaluation mailbox's floor is what round 5 measured (precision 0.972, recall 0.942); the recall
# set keeps the target.
@pytest.mark.parametrize("mailbox, precision, recall", [("evaluation", 0.97, 0.94), ("recall", 0.95, 0.8)])
def test_precision_and_recall_on_a_labelled_mailbox(cli, tmp_path, mailbox, precision, recall):
    policy = tmp_path / "every-message-classified.toml"
    policy.write_text('[mail]\npersonal_folder = "no such folder"\n')
    result = cli("mail", FIXTURES / mailbox, "--owner-domain", "northfield.ac.uk", "--policy", policy,
                 "--format", "jsonl", "--no-progress")
    with (FIXTURES / f"{mailbox}-labels.tsv").open(encoding="utf-8", newline="") as f:
        labels = {row["message_id"]: row for row in csv.DictReader(f, delimiter="\t")}
    got = {r["message_id"]: r for r in result.records() if r["type"] == "message"}
    assert set(got) == set(labels)
    tp = sum(1 for m, r in got.items() if r["classification"] == "personal" and labels[m]["label"] == "personal")
    flagged = sum(1 for r in got.values() if r["classification"] == "personal")
    personal = sum(1 for row in labels.values() if row["label"] == "personal")
    wrong_work = sorted(labels[m]["case"] for m, r in got.items()
                        if r["classification"] == "personal" and labels[m]["label"] == "work")
    assert tp / flagged >= precision, f"precision {tp / flagged:.3f}; work called personal: {wrong_work}"
    assert tp / personal >= recall, f"recall {tp / personal:.3f}"
    # Every verdict explains itself, and none quotes the body: reasons name signals and listed words only.
    assert all(r["reasons"] for r in got.values())


# Mailboxes written blind from a brief by helpers who never saw the classifier (fixtures/mail/blind-*);
# their misses were grouped by kind to find general signals (rounds 3 and 4), never a set's own names,
# words or senders. blind-ashcombe was written during round 3 by a helper who saw neither the classifier
# nor the other sets (precision 0.981, recall 0.426 before round 3; 0.981, 0.667 after); in round 4 it
# became a development set like the others. blind-hollins (an MIS manager's mailbox) was written blind
# during round 4 (precision 0.965, recall 0.725 before it; 0.968, 0.775 after) and became a development
# set in round 5; its "unclear" labels are left out. Floors: what round 5's code measured (westbridge
# precision 0.977, recall 0.896; eastfield 0.990, 0.901; ashcombe 0.986, 0.911; hollins 0.994, 0.934),
# issue 17's target of recall 0.8 at precision 0.95 met on all four. blind-castlebrook (an estates
# manager's mailbox) was written blind during round 5 and measured once before it (precision 0.963,
# recall 0.667) and once after (0.955, 0.740): the target is not met on it, and its floor keeps that.
@pytest.mark.parametrize("mailbox, domain, precision, recall", [("blind-westbridge", "westbridge.ac.uk", 0.97, 0.89),
                                                                 ("blind-eastfield", "eastfield.ac.uk", 0.98, 0.90),
                                                                 ("blind-ashcombe", "ashcombevale.ac.uk", 0.98, 0.91),
                                                                 ("blind-hollins", "hollinsvale.ac.uk", 0.99, 0.93),
                                                                 ("blind-castlebrook", "castlebrook.ac.uk", 0.95, 0.74)])
def test_blind_college_mailboxes_keep_their_figures(cli, tmp_path, mailbox, domain, precision, recall):
    policy = tmp_path / "every-message-classified.toml"
    policy.write_text('[mail]\npersonal_folder = "no such folder"\n')
    base = FIXTURES / mailbox
    result = cli("mail", base / "mailbox", "--owner-domain", domain, "--policy", policy,
                 "--format", "jsonl", "--no-progress")
    with (base / "labels.tsv").open(encoding="utf-8", newline="") as f:
        rows = {row["message_id"]: row["label"] for row in csv.DictReader(f, delimiter="\t")}
    labels = {m: label for m, label in rows.items() if label != "unclear"}
    got = {r["message_id"]: r["classification"] for r in result.records()
           if r["type"] == "message" and rows.get(r["message_id"]) != "unclear"}
    assert set(got) == set(labels)
    tp = sum(1 for m, c in got.items() if c == "personal" and labels[m] == "personal")
    flagged = sum(1 for c in got.values() if c == "personal")
    personal = sum(1 for label in labels.values() if label == "personal")
    assert tp / flagged >= precision, f"precision {tp / flagged:.3f}"
    assert tp / personal >= recall, f"recall {tp / personal:.3f}"

"""Detection on the blind evaluation corpus (fixtures/blind-detection/): the figure reached, kept.

Each corpus was written from a brief by a helper who never saw the detectors; each is
measured, never tuned to. blind-detection/ was the first (measured many times since, so no
longer a fresh test); blind-detection-2/ and -3/ were written later by other hands, -3 after
the last round of changes had been chosen. The floors are what this code measured on each:
a change that costs detection anywhere shows here. The issue's targets (F1 0.95, strict 0.97,
precision 0.98, no hard negative) are met on all three (detection round 3; none of the three is
a fresh test any more: each was read to find what kind of thing failed).

blind-detection-4/ (Exe Valley and Moorland College) was written during round 3 by a helper who
saw neither the code nor the other corpora, and measured once before round 3 (F1 0.954, precision
0.954, strict 0.991, 8 hard negatives flagged) and once after (F1 0.974, precision 0.986, strict
0.993, 7 flagged: SQL dumps of rooms and schemas, two notices, a delivery log, all person_name).
Round 4 read it as a dev set: F1 0.993, precision 0.999, strict 0.997, no hard negative flagged
(bench/README.md, "Detection round 4"); the fresh figure is now blind-detection-5's.

blind-detection-5/ (Irwell Vale College) was written blind during round 4 and measured F1 0.965,
precision 0.988, 26 hard negatives flagged before round 4 and 25 after (dish names read as people,
counts by ethnicity and policy words as special-category data, a schema, mailboxes). Round 5 read
it as a dev set: F1 0.979, precision 0.994, no hard negative flagged; its recall is the work left.

blind-detection-6/ (Broadland Valley College, real-format contact details) was written blind during
round 5 and measured F1 0.937, precision 0.991, strict 0.976, 13 hard negatives flagged before it, and
F1 0.952, precision 0.993, strict 0.980, the same 13 flagged after (a refectory menu and a goods-in log
in each table format: person_name). It is the fresh figure: F1, strict and precision meet the issue's
targets on it, its hard negatives do not.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import bench_module

ROOT = Path(__file__).resolve().parents[1]


def _evaluator():
    return bench_module("detect_eval")


# corpus: (F1, precision, strict F1, strict precision, hard negatives flagged at most)
FLOORS = {"blind-detection": (0.997, 0.999, 0.999, 0.999, 0),
          "blind-detection-2": (0.992, 0.996, 0.997, 0.999, 0),
          "blind-detection-3": (0.991, 0.997, 0.998, 0.999, 0),
          "blind-detection-4": (0.994, 0.999, 0.998, 0.999, 0),
          "blind-detection-5": (0.979, 0.993, 0.995, 0.998, 0),
          "blind-detection-6": (0.951, 0.992, 0.979, 0.999, 13)}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_detection_on_the_blind_corpus_keeps_its_figures(name):
    corpus = ROOT / "fixtures" / name / "corpus"
    f1, precision, strict_f1, strict_precision, flagged = FLOORS[name]
    evaluate = _evaluator()
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    result = evaluate.score(labels, evaluate.scan(corpus))
    scores = result["scores"]
    assert scores["all"]["f1"] >= f1, scores["all"]
    assert scores["all"]["precision"] >= precision, scores["all"]
    assert scores["strict"]["f1"] >= strict_f1, scores["strict"]
    assert scores["strict"]["precision"] >= strict_precision, scores["strict"]
    assert len(result["hard_negatives_flagged"]) <= flagged, result["hard_negatives_flagged"]
    missed = [k for k, s in scores.items() if k.startswith("layout-format:") and s["tp"] == 0 and s["fn"]]
    assert not missed, f"layouts found in none of their files: {missed}"

"""Detection on the blind evaluation corpus (fixtures/blind-detection/): the figure reached, kept.

The corpus was written from a brief by someone who never saw the detectors; it is
measured, never tuned to. These floors are what this code measured on it (micro-F1
0.930, strict 0.989, precision 0.935, 8 of 93 hard negatives flagged): a change that
costs detection anywhere shows here. The issue's targets (F1 0.95, strict 0.97,
precision 0.98, no hard negative) are higher; raise the floors as they are met.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "fixtures" / "blind-detection" / "corpus"


def _evaluator():
    spec = importlib.util.spec_from_file_location("detect_eval", ROOT / "bench" / "detect_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_detection_on_the_blind_corpus_keeps_its_figures():
    evaluate = _evaluator()
    labels = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    result = evaluate.score(labels, evaluate.scan(CORPUS))
    scores = result["scores"]
    assert scores["all"]["f1"] >= 0.925, scores["all"]
    assert scores["strict"]["f1"] >= 0.985, scores["strict"]
    assert scores["strict"]["precision"] >= 0.999, scores["strict"]
    assert scores["all"]["precision"] >= 0.93, scores["all"]
    assert len(result["hard_negatives_flagged"]) <= 8, result["hard_negatives_flagged"]
    missed = [k for k, s in scores.items() if k.startswith("layout-format:") and s["tp"] == 0 and s["fn"]]
    assert not missed, f"layouts found in none of their files: {missed}"

"""Every example of every detector is a test (ids like uk.nhs/match/0), on both engines:
the pure-Python path and, when pdscan_core is installed, the compiled one."""
from __future__ import annotations

import pytest

from pdscan.config import bundled
from pdscan.detect.engine import Engine
from pdscan.detect.examples import run_examples
from pdscan.detect.loader import load_detectors
from pdscan.native import core

SPECS = load_detectors([bundled("detectors")])
KEY = b"k" * 32
ENGINE = Engine(SPECS, KEY, use_compiled=False)
ENGINES = {"python": ENGINE}
if core is not None:
    ENGINES["compiled"] = Engine(SPECS, KEY)
RESULTS = [(name, r) for name, engine in ENGINES.items() for r in run_examples(SPECS, engine)]


@pytest.mark.parametrize("result", [r for _, r in RESULTS], ids=[f"{name}:{r.id}" for name, r in RESULTS])
def test_example(result):
    assert result.ok, f"{result.id}: found {result.found or 'nothing'}"


def _positive_examples():
    for spec in SPECS:
        for i, text in enumerate(spec.match_examples):
            yield pytest.param(spec, text, id=f"{spec.id}/match/{i}")


@pytest.mark.skipif(ENGINE.db is None, reason="Hyperscan is not installed on this platform")
@pytest.mark.parametrize("spec,text", list(_positive_examples()))
def test_prefilter_admits_every_positive_example(spec, text):
    """The fast first pass must report a candidate wherever the full check matches;
    column-scoped and slow-path patterns never go through it, and say so."""
    data = text.encode("utf-8")
    hits = ENGINE.prefilter_hits(data)
    ours = {n for n, c in enumerate(ENGINE.text_patterns) if ENGINE.specs[c.detector].id == spec.id}
    exact = {n for n in ours if ENGINE.text_patterns[n].regex.search(data)}
    slow = {n for n in ours if ENGINE.text_patterns[n] in ENGINE.unfiltered}
    assert exact - slow <= set(hits), f"prefilter missed patterns {sorted(exact - slow - set(hits))}"

"""Run every detector's own examples: each `match` must find that detector,
each `no_match` must not. Used by the test suite and `pdscan detectors --test`."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExampleResult:
    detector: str
    kind: str      # "match" or "no_match"
    index: int
    ok: bool
    found: tuple   # detector ids found in the example (never the values)

    @property
    def id(self) -> str:
        return f"{self.detector}/{self.kind}/{self.index}"


def run_examples(specs, engine) -> list:
    results = []
    for spec in specs:
        for kind, examples in (("match", spec.match_examples), ("no_match", spec.no_match_examples)):
            for i, text in enumerate(examples):
                found = tuple(sorted({m.detector for m in engine.scan_text(text)}))
                hit = spec.id in found
                results.append(ExampleResult(spec.id, kind, i, hit if kind == "match" else not hit, found))
    return results

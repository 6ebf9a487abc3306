"""`pdscan detectors`: list detectors, test a detector file, explain a match."""
from __future__ import annotations

from pathlib import Path

from .. import config as configuration
from ..detect.engine import Engine
from ..detect.examples import run_examples
from ..detect.loader import load_detectors
from ..display import shown
from ..privacy import install_key, key_path


def _say(line: str) -> None:
    print(shown(line))  # ids, names and samples come from detector files and the text given


def add_parser(sub) -> None:
    p = sub.add_parser("detectors", help="list the loaded detectors and test them",
                       description="List the loaded detectors; run a detector file's examples; "
                                   "explain which detectors match a sample text.")
    p.add_argument("--detectors", metavar="FILE", action="append", default=[],
                   help="extra detector TOML file or folder to load (repeatable)")
    p.add_argument("--test", metavar="FILE", help="run the examples of this detector file")
    p.add_argument("--explain", metavar="TEXT", help="show which detectors match TEXT and why")
    p.set_defaults(run=run_detectors)


def run_detectors(args) -> int:
    # A bundled file is loaded already: testing it must not define its detectors twice.
    extra = [args.test] if args.test and not _bundled(args.test) else []
    paths = configuration.detector_paths(args.detectors + extra)
    specs = load_detectors(paths)
    engine = Engine(specs, install_key(key_path()))
    if args.test:
        tested = {s.id for s in load_detectors([args.test])}
        results = run_examples([s for s in specs if s.id in tested], engine)
        for r in results:
            _say(f"{'ok  ' if r.ok else 'FAIL'} {r.id}" + ("" if r.ok else f"  (found: {', '.join(r.found) or 'nothing'})"))
        failed = sum(not r.ok for r in results)
        _say(f"{len(results) - failed} passed, {failed} failed")
        return 1 if failed else 0
    if args.explain is not None:
        matches, rejected = engine.explain_text(args.explain)
        for m in matches:
            _say(f"{m.detector:<20} {m.confidence:<6} {m.sample:<24} {'; '.join(m.evidence)}")
        if not matches:
            _say("no detector matched")
        for detector, sample, reason in rejected:
            _say(f"{detector:<20} {'no':<6} {sample:<24} rejected: {reason}")
        return 0
    for s in specs:
        checks = s.validator or "-"
        _say(f"{s.id:<20} {s.category:<10} validator {checks:<18} {s.name}")
    return 0


def _bundled(path: str) -> bool:
    bundled = Path(configuration.bundled("detectors")).resolve()
    return Path(path).resolve().parent == bundled

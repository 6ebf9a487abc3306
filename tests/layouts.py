"""Scan one file as `pdscan scan` does and say what it found, for the layout tests.

The values below are made up for these tests and pass their checks (ULN and NHS
check digits, NINO prefixes; computed with fixtures/fixturegen/ids.py, seed 7).
"""
from __future__ import annotations

import os
from functools import lru_cache

from pdscan.config import build
from pdscan.model import Item, ItemResult
from pdscan.pipeline import Scanner

ULNS = ["1830166130", "2860913903", "7030824627"]
NHS = ["454 323 1945", "487 574 9112", "486 252 7604"]
NINOS = ["YT 11 47 10 C", "YT 46 50 75 B", "ZE 70 34 23 D"]
PASSPORTS = ["925076473", "533380006", "612447891"]
DOBS = ["14/03/2007", "02/11/2006", "30/06/2005"]
NAMES = [("Okafor", "Chidi"), ("Nowak", "Zofia"), ("Hughes", "Bethan")]
MEDIUM = ("medium", "high")


@lru_cache(maxsize=1)
def scanner() -> Scanner:
    return Scanner(build(jobs=1))


def found(path, name=None) -> dict:
    """detector -> (distinct values, best confidence) over the file and everything in it;
    only findings of medium confidence or more, the level a policy counts."""
    path = str(path)
    item = Item(path=path, open=lambda: open(path, "rb"), size=os.path.getsize(path),
                name_hint=name or os.path.basename(path))
    out: dict = {}
    for record in scanner().scan_item(item):
        if not isinstance(record, ItemResult):
            continue
        for f in record.findings:
            if f.confidence not in MEDIUM:
                continue
            count, _ = out.get(f.detector, (0, None))
            out[f.detector] = (count + f.count, f.confidence)
    return out


def counts(path, name=None) -> dict:
    return {d: n for d, (n, _) in found(path, name).items()}

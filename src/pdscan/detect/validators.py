"""Named validators: pure functions from a matched value to True, False or None.

True: the value passes its check (checksum, numbering plan, known area);
False: it fails and the match is dropped; None: no verdict either way.
A detector names its validator in TOML; an unknown name is a load error.
"""
from __future__ import annotations

from typing import Callable, Optional

Validator = Callable[[str], Optional[bool]]
REGISTRY: dict = {}


def validator(name: str):
    def register(fn: Validator) -> Validator:
        if name in REGISTRY:
            raise ValueError(f"validator {name!r} registered twice")
        REGISTRY[name] = fn
        return fn
    return register

"""Which detection engine runs: the compiled core (the optional `pdscan_core` package,
built from core/ with Rust) when it is installed, else the pure-Python path.

Both find the same things (the tests hold them to it); the core is only faster.
PDSCAN_ENGINE=python forces the Python path; PDSCAN_ENGINE=compiled asks for the core, and
pdscan then says once, on stderr, when it is not there.
"""
from __future__ import annotations

import os
import sys
from types import ModuleType
from typing import Optional

ENGINE_VARIABLE = "PDSCAN_ENGINE"


def _load() -> Optional[ModuleType]:
    if _wanted() == "python":
        return None
    try:
        import pdscan_core
    except ImportError:
        return None
    return pdscan_core


def _wanted() -> str:
    return os.environ.get(ENGINE_VARIABLE, "").strip().lower()


core = _load()


def engine_name() -> str:
    """For `pdscan --version`."""
    if core is not None:
        return f"compiled (pdscan_core {core.__version__})"
    reason = f"{ENGINE_VARIABLE}=python" if _wanted() == "python" else "pdscan_core not installed"
    return f"python ({reason})"


def warn_if_missing() -> None:
    """Once per run, from the command line: the compiled engine was asked for and is absent."""
    if _wanted() == "compiled" and core is None:
        print(f"pdscan: {ENGINE_VARIABLE}=compiled, but pdscan_core is not installed (see the README, "
              "'Faster detection'): running the Python engine", file=sys.stderr)

"""[ocr] in the policy: whether pixels are read, and OCR's limits (limits.py), checked by name and type."""
from __future__ import annotations

import dataclasses

from ..errors import ConfigError
from ..limits import Limits, MiB
from .keys import check_keys

# policy key → (Limits field, unit in the policy, smallest value allowed)
LIMITS = {"seconds_per_file": ("ocr_seconds", 1, 1), "memory_mib": ("ocr_memory", MiB, 64),
          "max_megapixels": ("ocr_max_pixels", 1_000_000, 1), "min_side_px": ("ocr_min_side", 1, 16)}


def ocr_settings(doc: dict, where: str, limits: Limits = Limits()) -> tuple:
    """(enabled, limits with the [ocr] values applied)."""
    table = doc.get("ocr", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [ocr] must be a table")
    check_keys(table, {"enabled", *LIMITS}, where, "ocr")
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{where}: ocr.enabled must be true or false")
    changes = {}
    for key, (name, unit, least) in LIMITS.items():
        if key not in table:
            continue
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < least:
            raise ConfigError(f"{where}: ocr.{key} must be a number of at least {least}")
        changes[name] = type(getattr(limits, name))(value * unit)
    return enabled, dataclasses.replace(limits, **changes)

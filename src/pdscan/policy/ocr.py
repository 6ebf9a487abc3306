"""[ocr] of the policy as one frozen object, validated when the policy is loaded: whether pixels
are read, and OCR's limits (limits.py). Every value lives in policies.toml [ocr]."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..errors import ConfigError
from ..limits import Limits, MiB
from .keys import check_keys

# policy key → (Limits field, unit in the policy, smallest value allowed)
LIMITS = {"seconds_per_file": ("ocr_seconds", 1, 1), "memory_mib": ("ocr_memory", MiB, 64),
          "max_megapixels": ("ocr_max_pixels", 1_000_000, 1), "min_side_px": ("ocr_min_side", 1, 16)}


@dataclass(frozen=True)
class OcrPolicy:
    enabled: bool
    limits: tuple  # (Limits field, value in its unit) for each of LIMITS

    def applied(self, limits: Limits) -> Limits:
        """`limits` with [ocr]'s values in place of OCR's."""
        return dataclasses.replace(limits, **dict(self.limits))


def load_ocr(doc: dict, where: str) -> OcrPolicy:
    table = doc.get("ocr")
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [ocr] must be a table")
    check_keys(table, {"enabled", *LIMITS}, where, "ocr")
    for key in ("enabled", *LIMITS):
        if key not in table:
            raise ConfigError(f"{where}: [ocr] {key} is missing")
    if not isinstance(table["enabled"], bool):
        raise ConfigError(f"{where}: [ocr] enabled must be true or false")
    values = []
    for key, (name, unit, least) in LIMITS.items():
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < least:
            raise ConfigError(f"{where}: [ocr] {key} must be a number of at least {least} (got {value!r})")
        values.append((name, type(getattr(Limits, name))(value * unit)))
    return OcrPolicy(table["enabled"], tuple(values))

"""Streaming outputs: each sink receives one record at a time.

Protocol: begin(); record(dict) for every item/error/volume/message record
in order; end(Summary). Records are the interface.md shapes plus internal
fields whose names start with "_" (for text output and the store only).
"""
from __future__ import annotations

import base64
import os


def public(record: dict) -> dict:
    """The record as interface.md defines it: internal fields dropped, and
    paths that are not valid UTF-8 given as text (with U+FFFD) plus their
    exact bytes in base64 under `<field>_bytes`."""
    out = {k: v for k, v in record.items() if not k.startswith("_")}
    for key in ("path", "member"):
        value = out.get(key)
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raw = value.encode("utf-8", "surrogateescape") if key == "member" else os.fsencode(value)
                out[key] = raw.decode("utf-8", "replace")
                out[f"{key}_bytes"] = base64.b64encode(raw).decode("ascii")
    return out

"""Volume discovery and volume-level encryption, one backend per OS behind two functions.

    list_volumes(removable_only=True) -> list[Volume]
    volume_for_path(path) -> Volume | None

Each backend parses its platform tool's output with pure functions (tested against captured
output) and runs the tool with a timeout; a missing tool means "could not tell" (None), never a crash.
"""
from __future__ import annotations

import sys

from . import linux, macos, windows
from .record import Volume
from .probe import probe_device

__all__ = ["Volume", "list_volumes", "probe_device", "volume_for_path"]


def _backend():
    if sys.platform.startswith("win"):
        return windows
    if sys.platform == "darwin":
        return macos
    return linux


def list_volumes(removable_only: bool = True) -> list[Volume]:
    """Volumes on this machine (only removable ones unless told otherwise)."""
    return _backend().list_volumes(removable_only)


def volume_for_path(path: str) -> Volume | None:
    """The volume a folder lives on (for `usb --mountpoint DIR` and for scans); None if unknown."""
    return _backend().volume_for_path(path)

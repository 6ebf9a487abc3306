"""Volume discovery and volume-level encryption, one backend per OS behind two functions.

    list_volumes(removable_only=True) -> list[Volume]
    volume_for_path(path) -> Volume | None

Each backend parses its platform tool's output with pure functions (tested against captured
output) and runs the tool with a timeout; a missing tool means "could not tell" (None), never a crash.
"""
from __future__ import annotations

import sys
from typing import Optional

from . import linux, macos, windows
from .record import Volume
from .probe import probe_device

__all__ = ["Volume", "VolumeState", "list_volumes", "probe_device", "volume_for_path"]


def _backend():
    if sys.platform.startswith("win"):
        return windows
    if sys.platform == "darwin":
        return macos
    return linux


class VolumeState:
    """Is the volume a file lives on encrypted? Asked once per device (config: a ScanConfig)."""

    def __init__(self, config):
        self.config = config
        self._known: dict = {}

    def encrypted(self, ref) -> Optional[bool]:
        if self.config.volume_encrypted is not None or not self.config.check_volumes:
            return self.config.volume_encrypted
        if ref.device not in self._known:
            volume = volume_for_path(ref.path)
            self._known[ref.device] = volume.encrypted if volume else None
        return self._known[ref.device]


def list_volumes(removable_only: bool = True) -> list[Volume]:
    """Volumes on this machine (only removable ones unless told otherwise)."""
    return _backend().list_volumes(removable_only)


def volume_for_path(path: str) -> Volume | None:
    """The volume a folder lives on (for `usb --mountpoint DIR` and for scans); None if unknown."""
    return _backend().volume_for_path(path)

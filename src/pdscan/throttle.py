"""The read throttle of `--max-rate`: one per process, paid by every file read.

The pipeline sets the rate (each of N workers gets rate / N); the filesystem
source opens files through `throttled`, which charges each read to it.
"""
from __future__ import annotations

import io
import threading
import time
from typing import Optional


class Throttle:
    """Pacing for --max-rate: after each read, sleep until the bytes read so far fit the rate."""

    def __init__(self, rate: float):
        self.rate = rate
        self._due = 0.0
        self._lock = threading.Lock()

    def take(self, n: int) -> None:
        with self._lock:
            now = time.monotonic()
            # Idle time is not banked: a pause does not earn a burst afterwards.
            self._due = max(self._due, now) + n / self.rate
            delay = self._due - now
        if delay > 0:
            time.sleep(delay)


_THROTTLE: Optional[Throttle] = None


def set_read_rate(rate: float) -> Optional[Throttle]:
    """Throttle this process's file reads to `rate` bytes/s (0: unthrottled); returns the previous one."""
    global _THROTTLE
    previous, _THROTTLE = _THROTTLE, (Throttle(rate) if rate and rate > 0 else None)
    return previous


def restore_read_rate(previous: Optional[Throttle]) -> None:
    global _THROTTLE
    _THROTTLE = previous


def active() -> bool:
    return _THROTTLE is not None


class _ThrottledFileIO(io.FileIO):
    """Raw file whose every read is paid for; the buffered reader above it is the usual one."""

    def readinto(self, buffer):
        n = super().readinto(buffer)
        if n and _THROTTLE is not None:
            _THROTTLE.take(n)
        return n

    def read(self, size=-1):
        data = super().read(size)
        if data and _THROTTLE is not None:
            _THROTTLE.take(len(data))
        return data

    def readall(self):
        data = super().readall()
        if data and _THROTTLE is not None:
            _THROTTLE.take(len(data))
        return data


def throttled(fd: int) -> io.BufferedReader:
    """A reader of `fd` whose reads are paced. A small buffer: a sniff of the first 8 KiB
    should not be charged (and paced) for 1 MiB."""
    return io.BufferedReader(_ThrottledFileIO(fd, "rb"), buffer_size=64 * 1024)

"""A tqdm bar on stderr (files, bytes, rate, ETA); only when stderr is a terminal.

The walk runs ahead of the scan, so the total grows as files are found and
the ETA settles once the walk is done.
"""
from __future__ import annotations

import os
import sys


def _columns(stream) -> int:
    """The terminal's width; a new pseudo-terminal reports 0 by 0, where tqdm draws nothing."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 0


class ProgressSink:
    def __init__(self, stream=None):
        from tqdm import tqdm
        stream = stream or sys.stderr
        width = _columns(stream)
        self.bar = tqdm(total=0, unit="B", unit_scale=True, unit_divisor=1024, file=stream,
                        dynamic_ncols=width > 0, ncols=None if width > 0 else 100,
                        nrows=None if width > 0 else 20, leave=False,
                        desc="scanning")
        self.found = 0
        self.files = 0

    def discovered(self, size: int) -> None:
        self.found += 1
        self.bar.total += size

    def begin(self) -> None:
        pass

    def record(self, record: dict) -> None:
        if record["type"] == "item" and record["member"] is None:
            self.files += 1
            self.bar.set_postfix_str(f"{self.files}/{self.found} files", refresh=False)
            self.bar.update(record["size"] or 0)

    def end(self, summary) -> None:
        self.bar.close()

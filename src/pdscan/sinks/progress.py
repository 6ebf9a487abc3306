"""A tqdm bar on stderr (files, bytes, rate, ETA, pages read by OCR); only when stderr is a terminal.

The walk runs ahead of the scan, so the total grows as files are found and
the ETA settles once the walk is done. The bar counts the bytes of the files
the walk found, each once when the scan is done with it (an item record or
an error, whichever comes first), so a finished scan stands at 100%.
Result lines share the terminal: the console sink writes them under
`paused()`, which lifts the bar off its line and draws it again below.
"""
from __future__ import annotations

import contextlib
import os
import sys

from ..model import ErrorRecord, ItemResult


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
        self.waiting: dict = {}  # path → size, found by the walk and not yet done
        self.found = 0
        self.files = 0
        self.ocr_pages = 0

    def discovered(self, path: str, size: int) -> None:
        """Called from the walk's thread."""
        self.found += 1
        self.waiting[path] = size
        self.bar.total += size

    def begin(self) -> None:
        pass

    @contextlib.contextmanager
    def paused(self):
        self.bar.clear()
        try:
            yield
        finally:
            self.bar.refresh()

    def record(self, record) -> None:
        if not isinstance(record, (ItemResult, ErrorRecord)) or record.member is not None:
            return
        self.ocr_pages += record.ocr_pages if isinstance(record, ItemResult) else 0
        size = self.waiting.pop(record.path, None)
        if size is None:
            if self.found or not isinstance(record, ItemResult):  # already counted: an error after its item
                return
            size = record.size or 0  # a source without a walk ahead (usb, mail): no total, a count
        self.files += 1
        ocr = f", {self.ocr_pages} pages OCR'd" if self.ocr_pages else ""
        self.bar.set_postfix_str(f"{self.files}/{self.found} files{ocr}", refresh=False)
        self.bar.update(size)

    def end(self, summary) -> None:
        self.bar.refresh()  # the last state drawn: 100% once every file found was scanned
        self.bar.close()

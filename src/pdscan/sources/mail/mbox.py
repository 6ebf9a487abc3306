"""mbox files and Thunderbird-style trees of them (`Inbox`, `Personal.sbd/Family`).

Messages are found by streaming the file line by line, keeping only their
offsets: a message starts at a "From " line at the top of the file or after
a blank line. Each Item reopens the file and reads its own byte range, so a
large mbox is never held in memory. A last message cut short (no final
newline, no end to its headers, an unclosed MIME multipart) is reported as
an error record; the messages before it are scanned.
"""
from __future__ import annotations

import io
import os
import re
from functools import partial
from typing import Iterator

from ...model import ErrorRecord, Item
from ..filesystem import open_readonly
from .headers import header_block, looks_like_headers, meta_of

HEAD = 16 * 1024
_BOUNDARY = re.compile(rb'boundary\s*=\s*"?([^";\r\n]+)"?', re.IGNORECASE)


def is_mbox(path: str) -> bool:
    try:
        with open_readonly(path, False) as stream:
            head = stream.read(4096).lstrip(b"\r\n")  # some mbox files open with blank lines
    except OSError:
        return False
    if not head.startswith(b"From "):
        return False
    rest = head.split(b"\n", 1)[1] if b"\n" in head else b""
    return looks_like_headers(rest, needed=1)


def folder_of(rel_path: str) -> str:
    """`Personal.sbd/Family` → "Personal/Family"; `archive.mbox` → "archive"."""
    parts = rel_path.replace(os.sep, "/").split("/")
    parts = [p[:-4] if p.endswith(".sbd") else p for p in parts]
    last = parts[-1]
    if last.lower().endswith(".mbox"):
        parts[-1] = last[:-5]
    return "/".join(p for p in parts if p)


class _Window(io.RawIOBase):
    """Bytes [start, start+size) of a file, read through its own descriptor."""

    def __init__(self, path: str, start: int, size: int):
        self._file = open_readonly(path, False)
        self._start, self._size, self._pos = start, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._file.seek(self._start + self._pos)
        data = self._file.read(max(0, min(len(buffer), self._size - self._pos)))
        buffer[:len(data)] = data
        self._pos += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


def _open_range(path: str, start: int, size: int):
    return io.BufferedReader(_Window(path, start, size))


def spans(stream) -> Iterator[tuple]:
    """(start, end, head) of each message after its "From " line; end excludes the blank separator."""
    offset, start, previous_blank, head = 0, None, True, b""
    ends_newline, separator = True, 0
    for line in stream:
        if line.startswith(b"From ") and previous_blank:
            if start is not None:
                yield start, max(start, offset - separator), head
            start, head = offset + len(line), b""
        elif start is not None and len(head) < HEAD:
            head += line
        blank = line in (b"\n", b"\r\n")
        separator = len(line) if blank else 0
        previous_blank = blank
        ends_newline = line.endswith(b"\n")
        offset += len(line)
    if start is not None:
        yield start, offset, head if ends_newline else head + b"\0truncated"


def truncated(head: bytes, tail: bytes) -> bool:
    if head.endswith(b"\0truncated"):
        return True
    if len(head) < HEAD and b"\n\n" not in head and b"\r\n\r\n" not in head:
        return True  # the headers never end
    found = _BOUNDARY.search(header_block(head))
    if found and b"multipart/" in header_block(head).lower():
        return b"--" + found.group(1).strip() + b"--" not in tail
    return False


def messages(path: str, mailbox: str, folder: str) -> Iterator:
    try:
        st = os.stat(path)
        stream = open_readonly(path, False)
    except OSError as exc:
        yield ErrorRecord(mailbox, None, f"cannot read: {exc.strerror or exc}")
        return
    with stream:
        found = list_last(spans(stream))
        for n, (start, end, head, last) in enumerate(found, start=1):
            member = f"mbox:{n}"
            if last and truncated(head, _tail(path, end)):
                yield ErrorRecord(mailbox, member, "message cut short (truncated mbox)")
                continue
            clean = head.replace(b"\0truncated", b"")
            yield Item(path=mailbox, open=partial(_open_range, path, start, end - start), size=end - start,
                       mtime=st.st_mtime, member=member, name_hint=f"message-{n}.eml",
                       meta=meta_of(clean, folder))


def list_last(spans_iter) -> Iterator[tuple]:
    """Each span with a flag for the last one, still streaming."""
    previous = None
    for span in spans_iter:
        if previous is not None:
            yield (*previous, False)
        previous = span
    if previous is not None:
        yield (*previous, True)


def _tail(path: str, end: int, size: int = 4096) -> bytes:
    with open_readonly(path, False) as stream:
        stream.seek(max(0, end - size))
        return stream.read(size)

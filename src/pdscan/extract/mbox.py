"""An mbox file met by `scan`: each message a nested Item, read by extract/message.py.

Messages are found as the mail source finds them (a "From " line at the top or
after a blank line), keeping only their offsets; each one reads its own range.
"""
from __future__ import annotations

import io
from typing import Iterator

from ..errors import ItemError
from ..model import Item
from ..sources.mail.mbox import spans
from .members import member_item


def _range(item: Item, start: int, size: int, cap: int):
    if size > cap:
        raise ItemError(f"message larger than {cap} bytes")
    with item.open() as stream:
        stream.seek(start)
        return io.BytesIO(stream.read(size))


def extract_mbox(item: Item, ctx) -> Iterator[Item]:
    with item.open() as stream:
        for n, (start, end, _head) in enumerate(spans(stream), start=1):
            if n > ctx.limits.max_members:
                raise ItemError(f"more than {ctx.limits.max_members} messages in mbox")
            size = end - start
            yield member_item(item, f"mbox:{n}",
                              lambda start=start, size=size: _range(item, start, size, ctx.limits.max_document_size),
                              size, item.mtime, name_hint=f"message-{n}.eml")

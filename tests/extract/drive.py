"""Drive an extractor the way the pipeline does: nested Items go back through
sniff and the MIME table, under one Budget per top-level file."""
from __future__ import annotations

import io
import os
import random
from dataclasses import dataclass, field
from typing import Callable, Optional

from pdscan.errors import ItemError
from pdscan.extract import Context, extractor_for
from pdscan.limits import Budget, Limits
from pdscan.model import Chunk, Item, MessageFacts
from pdscan.sniff import sniff


@dataclass
class Run:
    chunks: list = field(default_factory=list)        # (member, Chunk)
    items: dict = field(default_factory=dict)         # member -> (Item, mime)
    encrypted: dict = field(default_factory=dict)     # member -> scheme (content not read)
    errors: list = field(default_factory=list)        # (member, reason, exception class)
    facts: dict = field(default_factory=dict)         # member -> MessageFacts of a mail message

    def text(self, member: Optional[str] = None) -> str:
        return "\n".join(c.data.decode("utf-8") for m, c in self.chunks if m == member)

    def where(self, member: Optional[str] = None) -> dict:
        """where -> joined text of the chunks of one item."""
        out: dict = {}
        for m, c in self.chunks:
            if m == member:
                out[c.where] = (out.get(c.where, "") + "\n" + c.data.decode("utf-8")).lstrip("\n")
        return out


def file_item(path, name: Optional[str] = None) -> Item:
    path = str(path)
    return Item(path=path, open=lambda: open(path, "rb"), size=os.path.getsize(path),
                name_hint=name or os.path.basename(path))


def drive(item: Item, limits: Optional[Limits] = None, extractor: Optional[Callable] = None) -> Run:
    """Extract `item` and everything nested in it; a failing item is recorded, as the pipeline does."""
    limits = limits or Limits()
    run = Run()
    ctx = Context(limits, Budget(limits))
    _visit(item, ctx, run, extractor)
    return run


def _visit(item: Item, ctx: Context, run: Run, extractor: Optional[Callable]) -> None:
    if item.depth > ctx.limits.max_depth:
        run.errors.append((item.member, "too deep", None))
        return
    try:
        mime = sniff(item)
    except ItemError as exc:
        if item.inherited_encryption:
            run.encrypted[item.member] = item.inherited_encryption
        else:
            run.errors.append((item.member, str(exc), type(exc)))
        return
    run.items[item.member] = (item, mime)
    try:
        extract = extractor or extractor_for(mime)
    except ModuleNotFoundError:  # the table names an extractor module not written yet
        extract = None
    if extract is None:
        return
    try:
        for out in extract(item, ctx):
            if isinstance(out, Chunk):
                run.chunks.append((item.member, out))
            elif isinstance(out, MessageFacts):
                run.facts[item.member] = out
            else:
                assert isinstance(out, Item), out
                _visit(out, ctx, run, None)
    except ItemError as exc:
        run.errors.append((item.member, str(exc), type(exc)))


def mutations(data: bytes, count: int, seed: int = 1):
    """`count` damaged copies of data (bytes changed, cut out, inserted, truncated), reproducibly."""
    rng = random.Random(seed)
    for _ in range(count):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(len(damaged)) if damaged else 0
            roll = rng.random()
            if roll < 0.6 and damaged:
                damaged[pos] = rng.randrange(256)
            elif roll < 0.8:
                del damaged[pos:pos + rng.randint(1, 64)]
            else:
                damaged[pos:pos] = rng.randbytes(rng.randint(1, 32))
        if rng.random() < 0.2:
            damaged = damaged[:rng.randrange(len(damaged) + 1)]
        yield bytes(damaged)


def only_item_errors(extractor: Callable, data: bytes, name: str) -> None:
    """Run an extractor over damaged input: it may fail, but only with ItemError."""
    item = Item(path=f"/damaged/{name}", open=lambda: io.BytesIO(data), size=len(data), name_hint=name)
    limits = Limits()
    try:
        for out in extractor(item, Context(limits, Budget(limits))):
            if isinstance(out, Item):
                try:
                    out.open().read()
                except ItemError:
                    pass
    except ItemError:
        pass

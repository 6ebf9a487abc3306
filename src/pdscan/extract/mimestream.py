"""Messages too large to hold: read once as a stream of lines, each part decoded into a spool.

The email package keeps a whole message in memory several times over (its
bytes, their str, its lines, each decoded payload): a 200 MB message peaked
near 2 GB. Above `Limits.max_message_in_memory`, extract_message hands the
message to this reader instead. It keeps only the open multipart boundaries
and the current part's headers; each part's body is decoded (base64,
quoted-printable or as it is) into a Spool that moves to disk past 1 MiB. A
line longer than 64 KiB is read in pieces, and only a piece that starts a
line can be a boundary. The outputs are those of the in-memory path: header
and body Chunks, attachments (and attached messages, undecoded) as nested
Items, encrypted parts refused. Multiparts nested deeper than max_mime_depth
are skipped, and MimeTooDeep is raised once everything else has been read.
Past max_mime_parts parts, the rest of the message is read as undecoded text
(as the in-memory path reads such a message) and MimeTooMany is raised.
"""
from __future__ import annotations

import binascii
import codecs
import re
from email.message import Message
from typing import Iterator, Optional

from ..errors import LimitExceeded
from ..limits import MiB
from ..model import Chunk, Item
from .members import Spool, member_item, refusing
from ..formats.htmltext import HtmlText
from .mailfacts import TEXT_LIMIT, BodyText, attachment_name, gathered, written_charset
from .message import part_filename, header_chunks, part_kind, unique_name, sealed_kind, with_addresses
from .mime import MimeTooDeep, parse_headers, too_many_parts
from .text import _prepend, stream_chunks

PIECE = 64 * 1024
IN_MEMORY = 1 * MiB
MAX_HEADER_BYTES = 1 * MiB
_HEADER_LINE = re.compile(rb"From |[\041-\071\073-\176]*:|[\t ]")  # feedparser's headerRE
_NOT_BASE64 = bytes(set(range(256)) - set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="))


def stream_message(item: Item, ctx) -> Iterator:
    with item.open() as stream:
        reader = _Reader(item, ctx, stream)
        yield from reader.outputs()
    if reader.too_deep:
        raise MimeTooDeep(f"MIME parts nested deeper than {ctx.limits.max_mime_depth} levels: "
                          f"the parts below that were not read")
    if reader.too_many:
        raise too_many_parts(ctx.limits.max_mime_parts, "the rest was read undecoded")


class _Base64:
    """Base64 fed in arbitrary slices, as leniently as the email package: characters outside
    the alphabet (line breaks, junk) are dropped, and padding that ends a quantum ends the data."""

    def __init__(self):
        self._rest, self._done = b"", False

    def __call__(self, data: bytes) -> bytes:
        if self._done:
            return b""
        data = self._rest + data.translate(None, _NOT_BASE64)
        held = b"=" if data.endswith(b"=") and not data.endswith(b"==") else b""  # "=" or "=="? The next slice says.
        kept, count = [], 0
        pieces = data[:len(data) - len(held)].split(b"=")
        for n, piece in enumerate(pieces):
            kept.append(piece)
            count += len(piece)
            # "=" after 3 characters of a quantum, or "==" after 2, pads it: nothing after is decoded.
            # A stray "=" elsewhere is skipped, as binascii does.
            if n < len(pieces) - 1 and (count % 4 == 3 or count % 4 == 2 and pieces[n + 1] == b""):
                self._done = True
                break
        data = b"".join(kept)
        cut = len(data) - len(data) % 4
        self._rest = data[cut:] + (b"" if self._done else held)
        return binascii.a2b_base64(data[:cut]) + (self.flush() if self._done else b"")

    def flush(self) -> bytes:
        rest, self._rest = self._rest.replace(b"=", b""), b""
        return binascii.a2b_base64(rest + b"==") if len(rest) >= 2 else b""


class _QuotedPrintable:
    """Quoted-printable fed in arbitrary slices: an escape cut at the end waits for the next."""

    def __init__(self):
        self._rest = b""

    def __call__(self, data: bytes) -> bytes:
        data = self._rest + data
        keep = 1 if data.endswith(b"=") else 2 if data[-2:-1] == b"=" else 0
        self._rest = data[len(data) - keep:] if keep else b""
        return binascii.a2b_qp(data[:len(data) - keep])

    def flush(self) -> bytes:
        rest, self._rest = self._rest, b""
        return binascii.a2b_qp(rest)


class _AsIs:
    def __call__(self, data: bytes) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


class _Leaf:
    """One part that is not a multipart, while its body streams past: decoded into a
    spool when it will be read, only counted when it will not."""

    def __init__(self, headers: Message, kind: str, index: int, keep: bool):
        self.headers, self.kind, self.index = headers, kind, index
        self.size = 0
        self.spool = Spool(IN_MEMORY) if keep else None
        self._held = b""  # the line break before a boundary belongs to the boundary
        cte = str(headers.get("Content-Transfer-Encoding", "")).strip().lower()
        attached_message = headers.get_content_maintype() == "message"
        self._decode = _AsIs() if attached_message else \
            {"base64": _Base64, "quoted-printable": _QuotedPrintable}.get(cte, _AsIs)()

    def feed(self, piece: bytes) -> None:
        self.size += len(piece)
        if self.spool is None:
            return
        eol = 2 if piece.endswith(b"\r\n") else 1 if piece.endswith(b"\n") else 0
        data, self._held = self._held + piece[:len(piece) - eol], piece[len(piece) - eol:]
        self.spool.write(self._decode(data))

    def close(self) -> None:
        if self.spool is not None:
            self.spool.write(self._decode.flush())


class _Reader:
    def __init__(self, item: Item, ctx, stream):
        self.item, self.ctx, self.stream = item, ctx, stream
        self.boundaries: list = []  # b"--" + boundary of each open multipart, outermost first
        self.sealed: list = []  # for each open multipart: is it multipart/encrypted?
        self.pushed: Optional[tuple] = None
        self.starts = True
        self.names: set = set()
        self.leaves = self.attachments = self.parts = 0
        self.too_deep = self.too_many = False
        self.text, self.attached = BodyText(), []  # for the message's facts
        self.forwarded = False  # a message/rfc822 part: a forward as attachment

    def _next(self) -> Optional[tuple]:
        """(piece, starts a line) or None at the end."""
        if self.pushed is not None:
            got, self.pushed = self.pushed, None
            return got
        piece = self.stream.readline(PIECE)
        if not piece:
            return None
        starts, self.starts = self.starts, piece.endswith(b"\n")
        return piece, starts

    def _delimiter(self, piece: bytes) -> Optional[tuple]:
        """(index of an open boundary, closing?) when the line is one of their delimiters;
        an outer boundary closes the multiparts inside it, as in the email package."""
        if not piece.startswith(b"--"):
            return None
        line = piece.rstrip(b"\r\n").rstrip(b" \t")
        for index in range(len(self.boundaries) - 1, -1, -1):
            if line == self.boundaries[index]:
                return index, False
            if line == self.boundaries[index] + b"--":
                return index, True
        return None

    def _headers(self) -> Message:
        """A header block. It ends at a blank line, or, as in the email package, at the first
        line that cannot be a header (that line is the body's first) or a delimiter (no body)."""
        block, size = [], 0
        while (got := self._next()) is not None:
            piece, starts = got
            if starts and (piece in (b"\n", b"\r\n") or not _HEADER_LINE.match(piece) or self._delimiter(piece)):
                if piece not in (b"\n", b"\r\n"):
                    self.pushed = got
                break
            size += len(piece)
            if size > MAX_HEADER_BYTES:
                raise LimitExceeded(f"a MIME header block larger than {MAX_HEADER_BYTES // MiB} MiB")
            block.append(piece)
        return parse_headers(b"".join(block))

    def _open(self, headers: Message) -> Optional[_Leaf]:
        """The part these headers start: a multipart's boundary is opened (None: its preamble
        is not read), any other part is a leaf."""
        self.parts += 1
        if self.parts > self.ctx.limits.max_mime_parts:
            self.too_many = True
            return None
        ctype = headers.get_content_type()
        boundary = headers.get_boundary() if ctype.startswith("multipart/") else None
        if boundary:
            if len(self.boundaries) + 1 >= self.ctx.limits.max_mime_depth:
                self.too_deep = True  # its delimiters are not known, so all of it is skipped
                return None
            self.boundaries.append(b"--" + boundary.encode("ascii", "surrogateescape"))
            self.sealed.append(ctype == "multipart/encrypted")
            return None
        self.leaves += 1
        self.forwarded = self.forwarded or ctype == "message/rfc822"
        if name := attachment_name(headers):
            self.attached.append(name)
        kind = sealed_kind(headers) if self.sealed and self.sealed[-1] else part_kind(headers)
        return _Leaf(headers, kind, self.leaves, kind not in ("skip", "pgp", "smime"))

    def outputs(self) -> Iterator:
        top = headers = self._headers()
        yield from header_chunks(headers, with_addresses(self.item))
        part = self._open(headers)
        while not self.too_many and (got := self._next()) is not None:
            piece, starts = got
            found = self._delimiter(piece) if starts else None
            if found is None:
                if part is not None:
                    part.feed(piece)
                continue
            if part is not None:
                yield from self._close(part)
            index, closing = found
            del self.boundaries[index if closing else index + 1:]
            del self.sealed[index if closing else index + 1:]
            part = None if closing else self._open(self._headers())
        if part is not None:
            yield from self._close(part)
        if self.too_many:
            rest = _prepend(self.pushed[0] if self.pushed else b"", self.stream)
            limits = self.ctx.limits
            yield from stream_chunks(rest, limits.block_size, limits.overlap, where="body (undecoded)")
        yield gathered(top, self.text, tuple(self.attached), forwarded=self.forwarded)

    def _close(self, part: _Leaf) -> Iterator:
        part.close()
        if part.kind == "skip":
            return
        if part.kind in ("body", "body (html)"):
            yield from self._body(part)
            return
        self.attachments += 1
        if self.attachments > self.ctx.limits.max_members:
            raise LimitExceeded(f"more than {self.ctx.limits.max_members} attachments in message")
        filename = part_filename(part.headers)
        member = unique_name(self.names, filename or f"part-{part.index}")
        if part.spool is None:
            yield member_item(self.item, member, refusing("encrypted part"), part.size, None, part.kind, filename)
        else:
            yield member_item(self.item, member, part.spool.open, part.spool.size, None, None, filename)

    def _body(self, part: _Leaf) -> Iterator[Chunk]:
        text = Spool(IN_MEMORY)
        charset = part.headers.get_content_charset()
        html = HtmlText() if part.kind == "body (html)" else None
        lines = 0
        for piece in _text_of(part.spool, charset):
            if html is not None:
                html.feed(piece)
                piece, lines = _joined(html.take(), lines)
            text.write(piece.encode("utf-8", "replace"))
        if html is not None:
            text.write(_joined(html.finish(), lines)[0].encode("utf-8", "replace"))
        if not self.text.full:
            with part.spool.open() as stream:
                self.text.add(stream.read(TEXT_LIMIT), charset, html is not None,
                              written_charset(part.headers, charset))
        limits = self.ctx.limits
        yield from stream_chunks(text.open(), limits.block_size, limits.overlap, where=part.kind)


def _joined(lines: list, before: int) -> tuple:
    """Lines of HTML text as html_to_text joins them, when `before` lines were written already."""
    text = "\n".join(lines)
    return ("\n" + text if before and lines else text), before + len(lines)


def _text_of(spool: Spool, charset: Optional[str]) -> Iterator[str]:
    """decode_text, block by block: the declared charset, else UTF-8 if all of it is, else cp1252."""
    name = None
    if charset and charset.lower() not in ("unknown-8bit", "x-unknown"):
        try:
            name = codecs.lookup(charset).name
        except LookupError:
            pass
    if name is None:
        try:
            for _ in _decoded(spool, "utf-8", "strict"):
                pass
            name = "utf-8"
        except UnicodeDecodeError:
            name = "cp1252"
    yield from _decoded(spool, name, "replace")


def _decoded(spool: Spool, encoding: str, errors: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    with spool.open() as stream:
        while block := stream.read(IN_MEMORY):
            yield decoder.decode(block)
    yield decoder.decode(b"", final=True)

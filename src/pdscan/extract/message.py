"""Mail messages (RFC 822 / MIME): headers and bodies as Chunks, attachments as nested Items.

The MIME structure is parsed with the stdlib email package under
policy.default; when a malformed message makes that policy raise, it is read
again under compat32, so no message stops a scan. Nesting and the number of
parts are bounded (mime.py: past max_mime_depth or max_mime_parts only the
headers and the undecoded body are read), and a message over
max_message_in_memory is read as a stream by mimestream.py instead, with the
same outputs. Headers are always decoded from their raw compat32 form (see
header_chunks). In a mailbox read by `pdscan mail` the correspondents'
addresses are left to mail classification and only their display names are
text; in a message file met by `scan` (.eml, .msg, an mbox or PST on disk) the
addresses are personal data like any other. Encrypted parts (PGP/MIME, S/MIME enveloped)
are not read: they become nested Items that carry the scheme and refuse to open.
"""
from __future__ import annotations

import io
from email import policy
from email.message import Message
from email.utils import getaddresses
from typing import Iterator, Optional, Union

from ..errors import ItemError, LimitExceeded
from ..formats.headers import decode_text, decode_words
from ..formats.htmltext import html_to_text
from ..limits import read_capped
from ..model import Chunk, Item, MessageFacts
from .mailfacts import TEXT_LIMIT, facts_from, facts_of_bytes, parse_defects
from .members import member_item, refusing
from .mime import MIME_ERRORS, MimeTooComplex, parse_bounded, parse_headers, undecoded_body
from .tabular import tables_in_text
from .text import stream_chunks

ADDRESS_HEADERS = ("From", "Sender", "Reply-To", "To", "Cc", "Bcc")
TEXT_HEADERS = ("Subject", "Comments", "Keywords", "Thread-Topic", "Organization")
SIGNATURES = {"application/pgp-signature", "application/pkcs7-signature",
              "application/x-pkcs7-signature"}
SMIME = {"application/pkcs7-mime", "application/x-pkcs7-mime"}
Output = Union[Chunk, Item, MessageFacts]


def extract_message(item: Item, ctx) -> Iterator[Output]:
    if item.size > ctx.limits.max_message_in_memory:
        from .mimestream import stream_message  # imported here: it builds on this module's helpers
        yield from stream_message(item, ctx)
        return
    with item.open() as stream:
        raw = read_capped(stream, ctx.limits.max_document_size, "message")
    try:
        outputs = _outputs(item, raw, ctx)
    except MimeTooComplex:
        # What can be read without the structure is still scanned; the error record says the rest was not.
        headers = parse_headers(raw)
        yield from header_chunks(headers, with_addresses(item))
        yield from stream_chunks(io.BytesIO(undecoded_body(headers)), ctx.limits.block_size, ctx.limits.overlap,
                                 where="body (undecoded)")
        yield facts_from(headers, headers)
        raise
    except ItemError:
        yield facts_of_bytes(raw)  # what can still be parsed of it, or the problem that it cannot
        raise
    yield from outputs


def _outputs(item: Item, raw: bytes, ctx) -> list:
    """Built whole before anything is yielded, so a retry under compat32 repeats nothing."""
    try:
        return list(_extract(item, raw, ctx, policy.default))
    except MIME_ERRORS:
        try:
            return list(_extract(item, raw, ctx, policy.compat32))
        except MIME_ERRORS:
            raise ItemError("malformed message") from None
    except RecursionError:  # a backstop: parse_bounded keeps nesting well under the limit
        raise ItemError("MIME parts nested too deeply") from None


def _extract(item: Item, raw: bytes, ctx, mime_policy) -> Iterator[Output]:
    msg = parse_bounded(raw, mime_policy, ctx.limits.max_mime_depth, ctx.limits.max_mime_parts)
    headers = parse_headers(raw)
    yield from header_chunks(headers, with_addresses(item))
    parsed, decoded = parse_defects(msg), {}  # decoded: id(part) → its text, for the facts
    yield from _part_outputs(item, msg, ctx, decoded)
    yield facts_from(headers, msg, decoded=decoded, parsed=parsed)


def with_addresses(item: Item) -> bool:
    """Are the correspondents' addresses read as text? Not in a mailbox that `pdscan mail`
    reads (its sources mark each message with its folder), where classification has them."""
    return "folder" not in item.meta


def header_chunks(headers: Message, addresses: bool = False) -> Iterator[Chunk]:
    """Headers are decoded from their raw form (compat32): decode_header joins
    adjacent encoded words before decoding, so a character split across two
    words (common in real mail, and invalid under policy.default) survives."""
    for name in TEXT_HEADERS:
        yield from _header_chunk(name, [decode_words(v) for v in headers.get_all(name, [])])
    for name in ADDRESS_HEADERS:
        values = [v if isinstance(v, str) else decode_words(v) for v in headers.get_all(name, [])]
        pairs = _addresses(values)
        yield from _header_chunk(name, [decode_words(display) for display, _ in pairs])
        if addresses:
            # Under a label of their own: the name detector reads the display names' header.
            text = "\n".join(address.strip() for _, address in pairs if "@" in address)
            if text:
                yield Chunk(text.encode("utf-8", "replace"), where=f"header {name} address", header="email address")


def _addresses(values: list) -> list:
    """(display name, address) pairs; some clients encode a whole "Name <address>" as encoded
    words ("=?utf-8?q?Zofia_Nowak_=3Czofia=2Enowak=40...?="), which parse as no
    address until they are decoded."""
    pairs = []
    for value in values:
        found = getaddresses([value])
        if "=?" in value and any("@" not in address for _, address in found):
            found = getaddresses([decode_words(value)])
        pairs += found
    return pairs

def _header_chunk(name: str, values: list) -> Iterator[Chunk]:
    text = "\n".join(v.strip() for v in values if v and v.strip())
    if text:
        yield Chunk(text.encode("utf-8", "replace"), where=f"header {name}", header=name)


def _leaves(msg: Message) -> Iterator[tuple]:
    """(part, kind) in document order, without descending into attached messages."""
    stack = [(msg, False)]
    while stack:
        part, sealed = stack.pop()
        ctype = part.get_content_type()
        if ctype.startswith("multipart/") and part.is_multipart():
            stack.extend((child, ctype == "multipart/encrypted") for child in reversed(part.get_payload()))
        else:
            yield part, sealed_kind(part) if sealed else part_kind(part)


def sealed_kind(part: Message) -> str:
    """A part of a PGP/MIME multipart/encrypted (RFC 3156): only the application/octet-stream
    part is ciphertext; the control part is skipped and any other part is read as usual."""
    ctype = part.get_content_type()
    if ctype == "application/octet-stream":
        return "pgp"
    return "skip" if ctype == "application/pgp-encrypted" else part_kind(part)


def _part_outputs(item: Item, msg: Message, ctx, decoded: dict) -> Iterator[Output]:
    names: set = set()
    nested = 0
    for index, (part, kind) in enumerate(_leaves(msg), start=1):
        if kind == "skip":
            continue
        if kind in ("body", "body (html)"):
            yield from _body_chunks(part, kind, ctx, decoded)
            continue
        nested += 1
        if nested > ctx.limits.max_members:
            raise LimitExceeded(f"more than {ctx.limits.max_members} attachments in message")
        filename = part_filename(part)
        member = unique_name(names, filename or f"part-{index}")
        yield _attachment(item, part, kind, member, filename)


def part_kind(part: Message) -> str:
    ctype = part.get_content_type()
    if ctype == "multipart/encrypted":
        return "pgp"
    if ctype in SMIME and str(part.get_param("smime-type", "enveloped-data")).lower() not in (
            "signed-data", "certs-only", "compressed-data"):
        return "smime"
    if ctype in SIGNATURES:
        return "skip"
    if ctype in ("text/plain", "text/html") and part.get_content_disposition() != "attachment":
        return "body" if ctype == "text/plain" else "body (html)"
    return "attachment"


def _attachment(item: Item, part: Message, kind: str, member: str, filename: Optional[str]) -> Item:
    if kind in ("pgp", "smime"):
        size = len(part.as_bytes(policy=policy.compat32))
        return member_item(item, member, refusing("encrypted part"), size, None, kind, filename)
    data = _payload(part)
    if data is None:
        return member_item(item, member, refusing("malformed attached message"), 0, None, None, filename)
    return member_item(item, member, lambda: io.BytesIO(data), len(data), None, None, filename)


def _payload(part: Message) -> Optional[bytes]:
    if part.get_content_type() == "message/rfc822" and part.is_multipart():
        inner = part.get_payload(0)
        try:
            return inner.as_bytes(policy=policy.compat32)
        except MIME_ERRORS:
            return None
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def part_filename(part: Message) -> Optional[str]:
    name = part.get_filename()
    if not name:
        return None
    name = decode_words(str(name))  # some mailers put encoded words in parameters
    # A name is a label here, never a path: keep its last segment only.
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or None


def unique_name(used: set, name: str) -> str:
    """interface.md: a second attachment of the same name is `name (2)`."""
    unique, count = name, 1
    while unique in used:
        count += 1
        unique = f"{name} ({count})"
    used.add(unique)
    return unique


def _body_chunks(part: Message, where: str, ctx, decoded: dict) -> Iterator[Chunk]:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes) or not data:
        return
    text = decode_text(data, part.get_content_charset())
    if where == "body (html)":
        text = html_to_text(text, cells=True)
    if len(data) <= TEXT_LIMIT:
        decoded[id(part)] = text
    encoded = text.encode("utf-8", "replace")
    yield from stream_chunks(io.BytesIO(encoded), ctx.limits.block_size, ctx.limits.overlap, where=where)
    if len(data) <= TEXT_LIMIT:
        yield from tables_in_text(text, where)  # a table in the mail: its header names its cells

"""Encrypted messages: OpenPGP (binary and armoured), age, and CMS/S-MIME.

An OpenPGP message is encrypted when its packets open with session-key
packets (public-key or symmetric) followed by encrypted data; a signed-only
message opens with a compressed, one-pass-signature or literal packet and is
not encrypted, even when armoured as "PGP MESSAGE". The packet walk checks
versions and lengths so that random bytes starting with a plausible tag byte
are not taken for a message.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Iterator, Optional

from ..model import Encryption

PKESK, SKESK, SED, MARKER, SEIPD, AEAD = 1, 3, 9, 10, 18, 20
SESSION_KEY_PACKETS = {PKESK: (3, 6), SKESK: (4, 5, 6)}
DATA_PACKETS = {SED: None, SEIPD: (1, 2), AEAD: (1,)}
SYMMETRIC_ALGORITHMS = set(range(1, 14))
PUBLIC_KEY_ALGORITHMS = {1, 2, 3, 16, 18, 20, 22, 25, 26}
MAX_ESK = 4096  # the largest session-key packets (post-quantum v6 keys) are under 2 KiB
PGP_ARMOR = re.compile(rb"^-----BEGIN PGP MESSAGE-----[ \t]*\r?\n", re.M)
# Explanatory text before the armour is allowed; a long document that quotes one is not the message.
MAX_PREAMBLE = 1024
MAX_HEADER_LINES = 20
AGE_BINARY = b"age-encryption.org/v1\n"
AGE_ARMOR = b"-----BEGIN AGE ENCRYPTED FILE-----"
AGE_STANZA = re.compile(rb"-> [\x21-\x7e]+(?: [\x21-\x7e]+)*")
AGE_COLUMNS = 64
AGE_BODY = re.compile(rb"[A-Za-z0-9+/]{0,64}")
AGE_MAC = re.compile(rb"--- [A-Za-z0-9+/]{43}")
MAX_AGE_HEADER = 64 * 1024  # post-quantum recipient stanzas are under 2 KiB each
AGE_MIN_PAYLOAD = 32  # 16-byte nonce, then at least one chunk's 16-byte tag
AGE_PAYLOAD_SAMPLE = 512
TEXT_ONLY = re.compile(rb"[\t\n\r\x20-\x7e]*")  # ciphertext this long is never all printable
MAX_ARMOUR_LINE = 4096
ARMOUR_HEADER = re.compile(rb"[\x21-\x39\x3b-\x7e]+: .*")
ARMOUR_BODY = re.compile(rb"=?[A-Za-z0-9+/]+=*")  # base64, or the "=" + base64 CRC-24 checksum line
CMS_ARMOR = re.compile(rb"^-----BEGIN (PKCS7|CMS)-----[ \t]*\r?\n", re.M)
# ContentInfo contentType OIDs (DER, tag and length included).
CMS_ENCRYPTED = {
    bytes.fromhex("06092a864886f70d010703"): "CMS EnvelopedData",
    bytes.fromhex("06092a864886f70d010706"): "CMS EncryptedData",
    bytes.fromhex("060b2a864886f70d0109100117"): "CMS AuthEnvelopedData",
}


def from_head(head: bytes, mime: str) -> Optional[Encryption]:
    """What the first bytes suggest; `check` confirms armour and age against the whole item."""
    for probe in (_age, _openpgp_binary, _cms_der):
        found = probe(head)
        if found:
            return found
    # Armour is text; a mail message that quotes it is the mail extractor's business.
    if not mime.startswith("message/"):
        return _openpgp_armored(head) or _cms_armored(head)
    return None


def check(item, head: bytes, mime: str) -> Optional[Encryption]:
    """from_head, held to the whole item: an age file is its well-formed header and then
    ciphertext, armoured age is nothing but its block; text around a PGP or CMS block is
    readable, so the item is marked `surrounded` and the pipeline scans it."""
    found = from_head(head, mime)
    if found is None or _openpgp_binary(head) or _cms_der(head):
        return found  # binary packets were parsed from the head
    with item.open() as stream:
        if head.startswith(AGE_BINARY):
            return found if _age_header_ok(stream) else None
        armour = next((a for a in ARMOURS if a.begin in head), None)
        outside = _outside_armour(stream, armour) if armour else None
    if outside is None or (outside and found.scheme == "age"):
        return None
    return Encryption(True, found.scheme, found.note + ", inside readable text", surrounded=True) if outside \
        else found


def _age_header_ok(stream) -> bool:
    """age v1: the version line, `-> TYPE args` stanzas with base64 bodies (full 64-column
    lines, then a shorter last one), the `--- MAC` line, then ciphertext, not text."""
    lines = iter(stream.read(MAX_AGE_HEADER).split(b"\n"))
    if next(lines, None) != AGE_BINARY.rstrip(b"\n"):
        return False
    stanzas, in_body = 0, False
    for line in lines:
        if in_body:
            if not AGE_BODY.fullmatch(line):
                return False
            in_body = len(line) == AGE_COLUMNS
        elif line.startswith(b"-> ") and AGE_STANZA.fullmatch(line):
            stanzas, in_body = stanzas + 1, True
        elif AGE_MAC.fullmatch(line):
            payload = b"\n".join(lines)[:AGE_PAYLOAD_SAMPLE]
            return stanzas > 0 and len(payload) >= AGE_MIN_PAYLOAD and not TEXT_ONLY.fullmatch(payload)
        else:
            return False
    return False


def _outside_armour(stream, armour) -> Optional[bool]:
    """Whether non-blank text lies outside the armour block; None when the block is not
    well-formed (a line that is not base64 inside it, no end line)."""
    outside, state = False, "before"
    while True:
        line = stream.readline(MAX_ARMOUR_LINE)
        if not line:
            return outside if state == "after" else None
        line = line.strip()
        if state == "before":
            if line == armour.begin:
                state = "headers" if armour.headers else "body"
            else:
                outside = outside or bool(line)
        elif state == "after":
            outside = outside or bool(line)
        elif line == armour.end:
            state = "after"
        elif state == "headers" and (not line or ARMOUR_HEADER.fullmatch(line)):
            state = "headers" if line else "body"
        elif ARMOUR_BODY.fullmatch(line):
            state = "body"
        else:
            return None


@dataclass(frozen=True)
class Armour:
    begin: bytes
    end: bytes
    headers: bool  # "Key: value" lines, then a blank line, before the base64


ARMOURS = (
    Armour(b"-----BEGIN PGP MESSAGE-----", b"-----END PGP MESSAGE-----", True),
    Armour(AGE_ARMOR, b"-----END AGE ENCRYPTED FILE-----", False),
    Armour(b"-----BEGIN PKCS7-----", b"-----END PKCS7-----", False),
    Armour(b"-----BEGIN CMS-----", b"-----END CMS-----", False),
)


def _age(head: bytes) -> Optional[Encryption]:
    if head.startswith(AGE_BINARY):
        return Encryption(True, "age", "age v1")
    if head.lstrip().startswith(AGE_ARMOR):
        return Encryption(True, "age", "age v1, ASCII-armoured")
    return None


def _openpgp_binary(head: bytes) -> Optional[Encryption]:
    if is_encrypted_openpgp(head):
        return Encryption(True, "pgp", "OpenPGP encrypted message")
    return None


def _openpgp_armored(head: bytes) -> Optional[Encryption]:
    match = PGP_ARMOR.search(head, 0, MAX_PREAMBLE + 64)
    if not match or match.start() > MAX_PREAMBLE:
        return None
    if is_encrypted_openpgp(_armored_body(head[match.end():])):
        return Encryption(True, "pgp", "OpenPGP encrypted message, ASCII-armoured")
    return None


def _armored_body(text: bytes) -> bytes:
    """The first decodable bytes of an armour body.

    Armour headers ("Version: ...", possibly none) end at the first blank line.
    """
    lines = text.splitlines()
    blank = next((i for i, line in enumerate(lines[:MAX_HEADER_LINES]) if not line.strip()), -1)
    body = b""
    for line in lines[blank + 1:]:
        line = line.strip()
        if not line or line.startswith((b"=", b"-----")):
            break
        body += line
    body = body[:len(body) // 4 * 4]
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return b""


def is_encrypted_openpgp(data: bytes) -> bool:
    """Session-key packets, then encrypted data.

    Data that ends among session-key packets counts only after two of them
    (many recipients can fill the whole prefix): one lone packet-like header
    is too easily chance.
    """
    keys = 0
    for tag, length, body in _packets(data):
        if tag == MARKER:
            continue
        if tag in SESSION_KEY_PACKETS:
            if length is None or length > MAX_ESK or not _valid_esk(tag, body):
                return False
            keys += 1
            continue
        if tag in DATA_PACKETS:
            versions = DATA_PACKETS[tag]
            return keys > 0 and (versions is None or not body or body[0] in versions)
        return False
    return keys >= 2


def _valid_esk(tag: int, body: bytes) -> bool:
    if len(body) < 2 or body[0] not in SESSION_KEY_PACKETS[tag]:
        return False
    if tag == SKESK and body[0] == 4:
        return body[1] in SYMMETRIC_ALGORITHMS
    if tag == PKESK and body[0] == 3:
        return len(body) >= 10 and body[9] in PUBLIC_KEY_ALGORITHMS
    return True


def _packets(data: bytes) -> Iterator[tuple]:
    """(tag, body length or None, first bytes of the body) for each packet in data."""
    pos = 0
    while pos < len(data):
        header = _packet_header(data, pos)
        if header is None:
            return
        tag, start, length = header
        yield tag, length, data[start:start + min(length or 16, 16)]
        if length is None:
            return  # indeterminate or partial length: the rest is this packet
        pos = start + length


def _packet_header(data: bytes, pos: int) -> Optional[tuple]:
    """(tag, body start, body length or None) of the packet at pos (RFC 9580 §4.2)."""
    first = data[pos]
    if not first & 0x80:
        return None
    if first & 0x40:  # new format
        return _new_length(data, pos + 1, first & 0x3F)
    tag, kind = (first >> 2) & 0x0F, first & 0x03
    if kind == 3:
        return tag, pos + 1, None
    size = 1 << kind
    if pos + 1 + size > len(data):
        return None
    return tag, pos + 1 + size, int.from_bytes(data[pos + 1:pos + 1 + size], "big")


def _new_length(data: bytes, pos: int, tag: int) -> Optional[tuple]:
    if pos >= len(data):
        return None
    octet = data[pos]
    if octet < 192:
        return tag, pos + 1, octet
    if octet < 224:
        if pos + 1 >= len(data):
            return None
        return tag, pos + 2, ((octet - 192) << 8) + data[pos + 1] + 192
    if octet == 255:
        if pos + 5 > len(data):
            return None
        return tag, pos + 5, int.from_bytes(data[pos + 1:pos + 5], "big")
    return tag, pos + 1, None  # partial body length


def _cms_der(head: bytes) -> Optional[Encryption]:
    """A DER/BER ContentInfo whose content type is an encrypted one."""
    if len(head) < 2 or head[0] != 0x30:
        return None
    length = head[1]
    start = 2 if length < 0x80 else 2 + (length & 0x7F)  # 0x80: indefinite (BER)
    for oid, what in CMS_ENCRYPTED.items():
        if head[start:start + len(oid)] == oid:
            return Encryption(True, "smime", what)
    return None


def _cms_armored(head: bytes) -> Optional[Encryption]:
    match = CMS_ARMOR.search(head, 0, MAX_PREAMBLE + 64)
    if not match or match.start() > MAX_PREAMBLE:
        return None
    return _cms_der(_armored_body(head[match.end():]))

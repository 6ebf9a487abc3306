"""The pdscan-protected file format: a file encrypted for IT's RSA key, streamed in chunks.

Layout (all integers big-endian; full description in docs/protected-format.md):

    magic        16  b"PDSCAN-PROTECTED"
    version       1  1
    header_len    4  length H of the header that follows (at most 64 KiB)
    header        H  key_id 32       SHA-256 of the RSA public key's DER (SubjectPublicKeyInfo)
                     wrapped_len 2   length W of the wrapped key
                     wrapped_key W   the random AES-256 data key, RSA-OAEP(SHA-256) encrypted
                     base_nonce 12   random
                     size 8          original file size in bytes
                     mode 4          original permission bits (st_mode & 0o7777; more is refused,
                                     and unprotect restores only 0o777 of them)
                     mtime_ns 8      original modification time, ns since the epoch (signed)
                     chunk_size 4    plaintext bytes per chunk (1 MiB by default)
    body             chunk 0, chunk 1, ..., chunk N-1; N = max(1, ceil(size / chunk_size))

Chunk i is AES-256-GCM ciphertext of plaintext bytes [i*chunk_size, (i+1)*chunk_size)
followed by its 16-byte tag. Every chunk but the last holds exactly chunk_size bytes;
the last holds 0..chunk_size (an empty file is one empty chunk: its tag only).

    nonce(i) = (base_nonce + i) mod 2**96, as 12 bytes
    aad(i)   = SHA-256(magic .. end of header) || i (8 bytes) || final flag (1 byte: 1 last, else 0)

Binding the index detects reordered chunks; the final flag detects truncation at a
chunk boundary (the new last chunk was sealed as "not final"); the header digest
detects a changed size, mode, mtime or chunk size. The data key is fresh for every
file, so the counter nonces never repeat under one key.

Memory is bounded whatever the file size: the writer and the reader hold two chunks
at a time (one of look-ahead, to know which chunk is the last).
"""
from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass

from Crypto.Cipher import AES, PKCS1_OAEP
from Crypto.Hash import SHA256

from ..errors import ItemError

MAGIC = b"PDSCAN-PROTECTED"
VERSION = 1
CHUNK_SIZE = 1024 * 1024
TAG = 16
MAX_HEADER = 64 * 1024
MAX_CHUNK = 64 * 1024 * 1024
_FIXED = struct.Struct(">12sQIqI")  # base_nonce, size, mode, mtime_ns, chunk_size


class DamagedFile(ItemError):
    """Not a protected file, or one that was truncated, reordered or tampered with."""


class WrongKey(ItemError):
    """The file was protected for another key."""


@dataclass(frozen=True)
class Header:
    key_id: bytes
    wrapped_key: bytes
    base_nonce: bytes
    size: int
    mode: int
    mtime_ns: int
    chunk_size: int

    def pack(self) -> bytes:
        body = (self.key_id + struct.pack(">H", len(self.wrapped_key)) + self.wrapped_key
                + _FIXED.pack(self.base_nonce, self.size, self.mode, self.mtime_ns, self.chunk_size))
        return MAGIC + bytes([VERSION]) + struct.pack(">I", len(body)) + body

    @property
    def chunks(self) -> int:
        return max(1, -(-self.size // self.chunk_size))


def key_id(public_key) -> bytes:
    """SHA-256 of the public key's DER: names the key without revealing anything."""
    return hashlib.sha256(public_key.publickey().export_key(format="DER")).digest()


def new_header(public_key, size: int, mode: int, mtime_ns: int, chunk_size: int = CHUNK_SIZE):
    """A header for a fresh random data key; returns (header, data_key)."""
    data_key = os.urandom(32)
    wrapped = PKCS1_OAEP.new(public_key, hashAlgo=SHA256).encrypt(data_key)
    header = Header(key_id(public_key), wrapped, os.urandom(12), size, mode & 0o7777, mtime_ns, chunk_size)
    return header, data_key


def is_protected(fd: int) -> bool:
    """Whether the open file `fd` starts with the magic (read in place: the offset is kept)."""
    return os.pread(fd, len(MAGIC), 0) == MAGIC


def read_header(f) -> Header:
    """Read and check the magic, version and header from `f`, leaving it at the body."""
    if f.read(len(MAGIC)) != MAGIC:
        raise DamagedFile("not a pdscan-protected file (no PDSCAN-PROTECTED magic)")
    version = f.read(1)
    if version != bytes([VERSION]):
        raise DamagedFile(f"unsupported format version {version[0] if version else 'missing'}")
    (length,) = _unpack(">I", f.read(4))
    if length > MAX_HEADER:
        raise DamagedFile(f"header length {length} is implausible")
    return _parse_header(f.read(length), length)


def _parse_header(raw: bytes, length: int) -> Header:
    if len(raw) != length or length < 34:
        raise DamagedFile("header is truncated")
    (wrapped_len,) = struct.unpack_from(">H", raw, 32)
    if length != 34 + wrapped_len + _FIXED.size:
        raise DamagedFile("header length does not match its fields")
    fixed = _FIXED.unpack_from(raw, 34 + wrapped_len)
    header = Header(raw[:32], raw[34:34 + wrapped_len], *fixed)
    if not 0 < header.chunk_size <= MAX_CHUNK:
        raise DamagedFile(f"chunk size {header.chunk_size} is implausible")
    if header.mode > 0o7777:
        # Anyone with IT's public key can write a valid header: never a file type, never more than bits.
        raise DamagedFile(f"mode {header.mode:o} is not a set of permission bits")
    return header


def unwrap_key(header: Header, private_key) -> bytes:
    """The data key, or WrongKey if the file was protected for another key."""
    if header.key_id != key_id(private_key):
        raise WrongKey(f"protected for key {header.key_id.hex()[:16]}, "
                       f"but the given private key is {key_id(private_key).hex()[:16]}")
    try:
        data_key = PKCS1_OAEP.new(private_key, hashAlgo=SHA256).decrypt(header.wrapped_key)
    except ValueError:
        raise DamagedFile("the wrapped data key does not decrypt with this key (damaged header)") from None
    if len(data_key) != 32:
        raise DamagedFile("the wrapped data key has the wrong length")
    return data_key


def write_body(src, dst, header: Header, data_key: bytes) -> int:
    """Encrypt `src` (a binary stream) into `dst` chunk by chunk; returns plaintext bytes read."""
    digest, total = _header_digest(header), 0
    for index, plain, final in _with_final_flag(src, header.chunk_size):
        cipher = _cipher(data_key, header, index, final, digest)
        ciphertext, tag = cipher.encrypt_and_digest(plain)
        dst.write(ciphertext)
        dst.write(tag)
        total += len(plain)
    return total


def read_body(src, dst, header: Header, data_key: bytes) -> int:
    """Decrypt and verify the body from `src` into `dst` (or only verify, if `dst` is None).

    Each chunk is verified before any of its bytes are written; raises DamagedFile
    on any tampering, reordering, truncation or extra data. Returns plaintext bytes."""
    digest, total = _header_digest(header), 0
    for index, record, final in _with_final_flag(src, header.chunk_size + TAG):
        _check_record_shape(header, index, len(record), final)
        cipher = _cipher(data_key, header, index, final, digest)
        try:
            plain = cipher.decrypt_and_verify(record[:-TAG], record[-TAG:])
        except ValueError:
            raise DamagedFile(f"chunk {index} failed authentication (tampered, reordered or truncated)") from None
        if dst is not None:
            dst.write(plain)
        total += len(plain)
    return total


def _check_record_shape(header: Header, index: int, length: int, final: bool) -> None:
    last = header.chunks - 1
    if index > last:
        raise DamagedFile(f"extra data after the {header.chunks} chunks the header announces")
    if final and index < last:
        raise DamagedFile(f"truncated: {index + 1} of {header.chunks} chunks present")
    expected = (header.size - index * header.chunk_size if index == last else header.chunk_size) + TAG
    if length != expected:
        raise DamagedFile(f"chunk {index} is {length} bytes, expected {expected} (truncated or padded)")


def _with_final_flag(stream, size: int):
    """Yield (index, block, is_last) over fixed-size blocks, reading one block ahead."""
    current, index = stream.read(size), 0
    while True:
        following = stream.read(size) if len(current) == size else b""
        yield index, current, not following
        if not following:
            return
        current, index = following, index + 1


def _cipher(data_key: bytes, header: Header, index: int, final: bool, digest: bytes):
    nonce = ((int.from_bytes(header.base_nonce, "big") + index) % (1 << 96)).to_bytes(12, "big")
    cipher = AES.new(data_key, AES.MODE_GCM, nonce=nonce, mac_len=TAG)
    cipher.update(digest + struct.pack(">QB", index, 1 if final else 0))
    return cipher


def _header_digest(header: Header) -> bytes:
    return hashlib.sha256(header.pack()).digest()


def _unpack(fmt: str, raw: bytes):
    if len(raw) != struct.calcsize(fmt):
        raise DamagedFile("header is truncated")
    return struct.unpack(fmt, raw)

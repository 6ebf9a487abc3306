"""Is a zip member really encrypted? Decided from what reads, not from a flag.

The encryption bit is one bit anyone can set: in a plaintext zip it turns
every member into "encrypted" for a reader that believes it, while the data
stays readable to anyone who ignores it. So a member is sealed only when

- the central directory and its local header both say it is encrypted, and
- it is an AES member (method 99 with its 0x9901 extra field), or its data
  does not read as plaintext: a stored member's sizes leave no room for the
  12-byte ZipCrypto header or a strong-encryption header, a compressed one
  does not decompress to its size by the method the zip names (deflate,
  bzip2, lzma) when read as if plain, and the bytes behind a ZipCrypto-sized
  header do not either. Data that decompresses but fails its CRC is plaintext
  (read and scanned), not encrypted: the CRC is one more field anyone writes.

A member flagged but readable is read as plain (`as_plain`), so its content
is scanned like any other. Zips with an encrypted central directory hide the
names: they are recognised from the structure the format requires (masked
first local header, version 2 Zip64 end record naming a cipher), not from the
first header's flags alone, which a text file starting with "PK\\x03\\x04"
can carry by chance.
"""
from __future__ import annotations

import copy
import io
import lzma
import struct
import zipfile
import zlib
from typing import Optional

from ..formats.magic import ZIP_LOCAL

FLAG_ENCRYPTED, FLAG_STRONG, FLAG_MASKED_HEADER = 0x0001, 0x0040, 0x2000
SEAL_FLAGS = FLAG_ENCRYPTED | FLAG_STRONG
AES_METHOD, AES_EXTRA, STRONG_EXTRA = 99, 0x9901, 0x0017
# PKWARE strong encryption algorithm ids that are AES (APPNOTE 7.2.3.2).
STRONG_AES = {0x660E, 0x660F, 0x6610}
# Output read from a flagged compressed member to tell plaintext from ciphertext: ciphertext
# read as deflate/bzip2/lzma fails within bytes; plaintext this long is plaintext.
PROBE = 1024 * 1024
ZIPCRYPTO_HEADER = 12  # random bytes (password check) before a ZipCrypto member's data
PLAIN_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError,
                RuntimeError, NotImplementedError, struct.error)
CENTRAL, EOCD, ZIP64_LOCATOR, ZIP64_END = b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x07", b"PK\x06\x06"
ZIP64_V2_ALG = 56 + 2 + 8 + 8  # offset of AlgId in a version 2 Zip64 end record (APPNOTE 7.3.4)


def extra_fields(extra: bytes) -> dict:
    """Zip extra-field blocks by header id (a truncated last block keeps what is there)."""
    fields, pos = {}, 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        fields.setdefault(tag, extra[pos + 4:pos + 4 + size])
        pos += 4 + size
    return fields


def flagged(info: zipfile.ZipInfo) -> bool:
    return bool(info.flag_bits & FLAG_ENCRYPTED)


def sealed(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Optional[str]:
    """"zip-aes", "zip-pkware" or "zip-zipcrypto" for a member that cannot be read without
    its password; None for one that reads (whatever its flags say)."""
    if not flagged(info) or not local_flags(archive, info) & FLAG_ENCRYPTED:
        return None
    scheme = _scheme(info)
    if scheme == "zip-aes" and info.compress_type == AES_METHOD:
        return scheme
    if _reads_as_plain(archive, info) or (scheme == "zip-zipcrypto" and _plain_behind_header(archive, info)):
        return None
    return scheme


def as_plain(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """The member with its encryption flags cleared, so zipfile reads its bytes as they are."""
    if not info.flag_bits & SEAL_FLAGS:
        return info
    plain = copy.copy(info)
    plain.flag_bits &= ~SEAL_FLAGS
    return plain


def unflag_readable(data: bytes) -> bytes:
    """The zip `data` with the encryption flags cleared on every member that reads without a
    password, for readers that believe the flag (openpyxl, pyexcel): a flagged plaintext
    workbook is then read, not refused as "encrypted". Anything else comes back as it was."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except PLAIN_ERRORS:
        return data
    out, pos = bytearray(data), archive.start_dir
    with archive:
        for info in archive.infolist():  # in central directory order
            if data[pos:pos + 4] != CENTRAL:
                return data
            local = info.header_offset
            lying = (flagged(info) or local_flags(archive, info) & FLAG_ENCRYPTED) and not sealed(archive, info)
            if lying and data[local:local + 4] == ZIP_LOCAL:
                out[pos + 8] &= ~SEAL_FLAGS & 0xFF
                out[local + 6] &= ~SEAL_FLAGS & 0xFF
            try:
                pos += 46 + sum(struct.unpack_from("<HHH", data, pos + 28))
            except struct.error:
                return data
    return bytes(out)


def local_flags(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """The general-purpose flags of the member's local header (0 if there is none)."""
    try:
        archive.fp.seek(info.header_offset)
        header = archive.fp.read(8)
    except (OSError, ValueError):  # an offset outside the file: a damaged directory entry
        return 0
    return struct.unpack_from("<H", header, 6)[0] if header[:4] == ZIP_LOCAL else 0


def _scheme(info: zipfile.ZipInfo) -> str:
    extras = extra_fields(info.extra)
    aes = extras.get(AES_EXTRA, b"")
    if info.compress_type == AES_METHOD and len(aes) >= 7 and aes[2:4] == b"AE":
        return "zip-aes"
    if info.flag_bits & FLAG_STRONG or STRONG_EXTRA in extras:
        strong = extras.get(STRONG_EXTRA, b"")
        algorithm = int.from_bytes(strong[2:4], "little") if len(strong) >= 4 else None
        return "zip-aes" if algorithm in STRONG_AES else "zip-pkware"
    return "zip-zipcrypto"


def _reads_as_plain(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    return _decodes(archive, info, 0)


def _plain_behind_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Plaintext behind 12 bytes shaped like a ZipCrypto header: anyone who skips them reads
    it, so it is not encrypted. An empty member hides nothing: its 12 bytes are all a genuine
    one has."""
    return info.file_size > 0 and _decodes(archive, info, ZIPCRYPTO_HEADER)


def _decodes(archive: zipfile.ZipFile, info: zipfile.ZipInfo, skip: int) -> bool:
    """The member's data, `skip` bytes in, reads as plaintext by the method the zip names.

    Stored bytes always "read", so there the sizes (and behind a header, the CRC, read to
    the end) decide. Ciphertext fed to a decompressor fails within bytes; compressed data that
    decodes cleanly to the size the zip names is plaintext even when its CRC is wrong (any
    reader ignoring the CRC shows it), and plaintext this long (PROBE) is plaintext."""
    stored = info.compress_type == zipfile.ZIP_STORED
    left = info.compress_size - skip
    if left < 0 or (stored and left != info.file_size):
        return False
    if stored and not skip:
        return True  # every cipher puts a header (12 bytes for ZipCrypto) before what it stores
    try:
        with _reader(archive, info, skip, check_crc=stored) as data:
            got = 0
            while stored or got < PROBE:  # stored: to the end, where zipfile checks the CRC
                block = data.read(64 * 1024)
                if not block:
                    break
                got += len(block)
    except PLAIN_ERRORS:
        return False
    return got >= PROBE or got == info.file_size


def _data_start(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    archive.fp.seek(info.header_offset)
    local = archive.fp.read(30)
    if local[:4] != ZIP_LOCAL:
        raise ValueError("no local header")
    return info.header_offset + 30 + sum(struct.unpack_from("<HH", local, 26))


def _reader(archive: zipfile.ZipFile, info: zipfile.ZipInfo, skip: int, check_crc: bool) -> zipfile.ZipExtFile:
    """The member's bytes from `skip` bytes into its data, decoded as plain by its method."""
    plain = copy.copy(info)
    plain.flag_bits &= ~SEAL_FLAGS
    plain.compress_size -= skip
    if not check_crc:
        plain.CRC = None  # zipfile then skips the check
    archive.fp.seek(_data_start(archive, info) + skip)
    return zipfile.ZipExtFile(archive.fp, "rb", plain)


def open_plain(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """A reader of an unsealed member's bytes: as they are, or from behind a fake ZipCrypto
    header. A flagged member's CRC is not checked: it decides nothing (see `_decodes`), and a
    wrong one must not hide what any reader ignoring it shows."""
    if not flagged(info):
        return archive.open(info)
    skip = ZIPCRYPTO_HEADER if _scheme(info) == "zip-zipcrypto" and not _reads_as_plain(archive, info) \
        and _plain_behind_header(archive, info) else 0
    return _reader(archive, info, skip, check_crc=False)


def names_hidden(stream) -> bool:
    """A zip whose central directory is encrypted (APPNOTE 7.3): the first local header is
    masked and encrypted, and a version 2 Zip64 end record names the cipher."""
    stream.seek(0)
    head = stream.read(8)
    hidden = FLAG_MASKED_HEADER | SEAL_FLAGS
    if head[:4] != ZIP_LOCAL or struct.unpack_from("<H", head, 6)[0] & hidden != hidden:
        return False
    size = stream.seek(0, 2)
    stream.seek(max(0, size - 22 - 65535 - 20))
    tail = stream.read()
    end = tail.rfind(EOCD)
    if end < 20 or tail[end - 20:end - 16] != ZIP64_LOCATOR:
        return False
    record_at = struct.unpack_from("<Q", tail, end - 20 + 8)[0]
    if record_at >= size:
        return False
    stream.seek(record_at)
    record = stream.read(ZIP64_V2_ALG + 2)
    if record[:4] != ZIP64_END or len(record) < ZIP64_V2_ALG + 2:
        return False
    return struct.unpack_from("<H", record, ZIP64_V2_ALG)[0] != 0

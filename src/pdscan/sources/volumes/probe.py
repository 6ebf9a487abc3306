"""Encryption signatures at the start of a block device or image, read from a bounded prefix.

The format tests are shared with the encryption stage (pdscan.formats.signatures); this module reads the
device and adds the random-first-sector guess, which a device may carry for TrueCrypt/VeraCrypt.
"""
from __future__ import annotations

import os

from ...formats.signatures import Signature, identify, random_sector

__all__ = ["PROBE_BYTES", "Signature", "probe_details", "probe_device", "read_prefix"]

PROBE_BYTES = 64 * 1024


def probe_device(path: str) -> tuple[bool | None, str] | None:
    """(encrypted, scheme) from the first 64 KiB of a device or image, None when nothing is recognised.

    Raises OSError when the device cannot be read (callers decide whether that means "could not tell").
    """
    found = probe_details(read_prefix(path))
    return None if found is None else (found.encrypted, found.scheme)


def read_prefix(path: str, size: int = PROBE_BYTES) -> bytes:
    # O_NOATIME keeps the scan read-only in spirit; it is refused for files we do not own.
    flags = os.O_RDONLY | getattr(os, "O_NOATIME", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, size)
    finally:
        os.close(fd)


def probe_details(data: bytes) -> Signature | None:
    return identify(data) or random_sector(data)

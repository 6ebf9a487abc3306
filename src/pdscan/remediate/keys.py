"""Reading IT's RSA keys from PEM files; a bad key file is fatal for the command (PdscanError)."""
from __future__ import annotations

import os
import stat

from Crypto.PublicKey import RSA

from ..errors import PdscanError

MIN_BITS = 2048
MAX_KEY_FILE = 1024 * 1024


def load_public_key(path):
    """The RSA public key in PEM file `path`; a private key is refused (it must never reach a laptop)."""
    pem = _read(path)
    try:
        key = RSA.import_key(pem)
    except (ValueError, IndexError, TypeError):
        why = "a passphrase-protected private key" if is_encrypted(pem) else "not an RSA public key in PEM form"
        raise PdscanError(f"{path}: {why}") from None
    if key.has_private():
        raise PdscanError(f"{path}: this is a private key; protect needs only the public key "
                          "(export it with `openssl rsa -in KEY -pubout`; keep the private key off laptops)")
    if key.size_in_bits() < MIN_BITS:
        raise PdscanError(f"{path}: a {key.size_in_bits()}-bit RSA key is too weak (at least {MIN_BITS} bits)")
    return key.publickey()


def load_private_key(path, ask_passphrase):
    """The RSA private key in PEM file `path`; `ask_passphrase()` is called only if the key is encrypted."""
    pem = _read(path)
    passphrase = ask_passphrase() if is_encrypted(pem) else None
    if is_encrypted(pem) and passphrase is None:
        raise PdscanError(f"{path}: the private key is passphrase-protected: set PDSCAN_KEY_PASSPHRASE "
                          "or run from a terminal to be asked")
    try:
        key = RSA.import_key(pem, passphrase)
    except (ValueError, IndexError, TypeError):
        why = "wrong passphrase, or not an RSA private key" if passphrase else "not an RSA private key in PEM form"
        raise PdscanError(f"{path}: {why}") from None
    if not key.has_private():
        raise PdscanError(f"{path}: this is a public key; unprotect needs the private key")
    return key


def is_encrypted(pem: bytes) -> bool:
    # PKCS#8 "BEGIN ENCRYPTED PRIVATE KEY" and legacy "Proc-Type: 4,ENCRYPTED" both say so.
    return b"ENCRYPTED" in pem


def _read(path) -> bytes:
    try:
        # O_NONBLOCK: a FIFO at the key's name must be refused, not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with open(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise PdscanError(f"{path}: not a regular file; a key file must be one")
            os.set_blocking(fd, True)
            pem = f.read(MAX_KEY_FILE + 1)
    except OSError as exc:
        raise PdscanError(f"cannot read key file {path}: {exc.strerror or exc}") from None
    if len(pem) > MAX_KEY_FILE:
        raise PdscanError(f"{path}: too large to be a key file")
    return pem

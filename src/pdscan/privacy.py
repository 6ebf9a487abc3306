"""Masking and keyed hashing: the only code that handles a raw value after a match.

Raw values never leave the detect stage: a Match carries a masked sample
for people and an HMAC (keyed with a per-install secret) for distinct
counts and history. An unkeyed hash of a 9-digit number could be reversed
by trying every number; a keyed one cannot without the key file.
"""
from __future__ import annotations

import hmac
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

KEY_BYTES = 32


def data_dir() -> Path:
    """Per-user data folder (store, key): PDSCAN_DATA_DIR, else the XDG/OS default."""
    if os.environ.get("PDSCAN_DATA_DIR"):
        return Path(os.environ["PDSCAN_DATA_DIR"])
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "pdscan"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "pdscan"


def _read_or_create_key(path: Path) -> bytes:
    try:
        key = path.read_bytes()
        if len(key) >= 16:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(KEY_BYTES)
    # O_EXCL: if another worker created it first, use theirs.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


@lru_cache(maxsize=4)
def install_key(path: str) -> bytes:
    return _read_or_create_key(Path(path))


def key_path() -> str:
    return os.environ.get("PDSCAN_KEY_FILE") or str(data_dir() / "hmac.key")


_SEPARATORS = re.compile(r"[\s\-./()]+")


def normalise(value: str) -> str:
    return _SEPARATORS.sub("", value).lower()


def keyed_hash(detector: str, value: str, key: bytes) -> str:
    msg = f"{detector}\0{normalise(value)}".encode("utf-8")
    return hmac.digest(key, msg, "sha256")[:16].hex()


def _mask_run(value: str, keep_start: int, keep_end: int) -> str:
    total = sum(ch.isalnum() for ch in value)
    if total <= max(6, keep_start + keep_end):
        keep_start, keep_end = min(1, total - 1), 0
    out, seen = [], 0
    for ch in value:
        if ch.isalnum():
            seen += 1
            visible = seen <= keep_start or seen > total - keep_end
            out.append(ch if visible else "*")
        else:
            out.append(ch)
    return "".join(out)


def _mask_email(value: str) -> str:
    local, _, domain = value.rpartition("@")
    labels = domain.split(".")
    suffix = 2 if len(labels) > 2 and len(labels[-2]) <= 3 else 1
    head = [_mask_run(label, 1, 0) for label in labels[:-suffix]]
    return f"{_mask_run(local, 1, 0)}@{'.'.join(head + labels[-suffix:])}"


def _mask_name(value: str) -> str:
    return " ".join(_mask_run(word, 1, 0) for word in value.split())


def mask(value: str, style: str = "default") -> str:
    """A sample a person can recognise the shape of, without the value.

    "AB 12 34 56 C" → "AB ** ** ** C"; a short value keeps only its first character.
    """
    value = " ".join(value.split())[:64]
    if style == "keep":
        return value
    if style == "email" and "@" in value:
        return _mask_email(value)
    if style == "name":
        return _mask_name(value)
    return _mask_run(value, 2, 1)

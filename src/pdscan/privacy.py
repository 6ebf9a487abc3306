"""Masking and keyed hashing: the only code that handles a raw value after a match.

Raw values never leave the detect stage: a Match carries a masked sample
for people and an HMAC (keyed with a per-install secret) for distinct
counts and history. An unkeyed hash of a 9-digit number could be reversed
by trying every number; a keyed one cannot without the key file.
"""
from __future__ import annotations

import contextlib
import hmac
import os
import re
import secrets
import stat
from functools import lru_cache
from pathlib import Path
from typing import Optional

from .errors import ConfigError
from .native import core
from .safefile import CLOEXEC, NOFOLLOW, private_dir

KEY_BYTES = 32


def data_location() -> Path:
    """Where the per-user data folder is: PDSCAN_DATA_DIR, else the XDG/OS default (not checked)."""
    if os.environ.get("PDSCAN_DATA_DIR"):
        return Path(os.environ["PDSCAN_DATA_DIR"])
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "pdscan"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "pdscan"


def data_dir() -> Path:
    """The per-user data folder (store, key, logs), created if missing and checked before
    anything in it is trusted or written: ours, not a symbolic link, not writable by others."""
    folder = data_location()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except FileExistsError:
        if not os.path.islink(folder):  # a link is for private_dir to refuse
            raise ConfigError(f"{folder}: cannot create the data folder: a file of that name is in the way") \
                from None
    except OSError as exc:
        raise ConfigError(f"{folder}: cannot create the data folder: {exc.strerror or exc}") from None
    return private_dir(folder, create=False)


def _key_problem(st: os.stat_result, size: int, path: Path) -> Optional[str]:
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file; move it away so that pdscan makes a new key"
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return (f"is owned by uid {st.st_uid}, not by the user running pdscan (uid {os.geteuid()}), who may "
                "have chosen it; move it away so that pdscan makes a new key")
    if os.name != "nt" and stat.S_IMODE(st.st_mode) & 0o077:
        return (f"is open to group or others (mode {stat.S_IMODE(st.st_mode):04o}); run `chmod 600 {path}` "
                "(and if someone else may have read it, move it away so that pdscan makes a new key)")
    if size != KEY_BYTES:
        # A short key makes every stored hash of a short number reversible by trying them all.
        return (f"holds {size} bytes, not {KEY_BYTES}: it is damaged or was replaced; restore it from a backup, "
                "or move it away so that pdscan makes a new key (hashes stored under the old one will no "
                "longer match)")
    return None


def _read_key(path: Path) -> Optional[bytes]:
    """The key at `path`, None when there is none; a key that is not safe to use is refused, never replaced."""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW | CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if os.path.islink(path):
            raise ConfigError(f"{path}: the key file is a symbolic link; refusing to use it") from None
        raise ConfigError(f"{path}: cannot read the key file: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as f:
        key = f.read(KEY_BYTES + 1)
        problem = _key_problem(os.fstat(f.fileno()), len(key), path)
    if problem:
        raise ConfigError(f"{path}: the key file {problem}")
    return key


def _read_or_create_key(path: Path) -> bytes:
    key = _read_key(path)
    if key is not None:
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Written whole under a private name, then linked into place: a second process
    # creating the key at the same moment reads a complete key, theirs or ours.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(KEY_BYTES))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    except OSError as exc:
        raise ConfigError(f"{path}: cannot create the key file: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return _read_key(path)


@lru_cache(maxsize=4)
def install_key(path: str) -> bytes:
    return _read_or_create_key(Path(path))


def key_path() -> str:
    return os.environ.get("PDSCAN_KEY_FILE") or str(data_dir() / "hmac.key")


HASH_KEY_ENV = "PDSCAN_HASH_KEY_FILE"


def hash_key_path(given: Optional[str] = None) -> str:
    """The key that hashes found values: `given` (locate --key-file), else PDSCAN_HASH_KEY_FILE
    (a college-wide key IT distributes, so that every endpoint's hashes compare), else the
    install key. Plans and audit records stay sealed by the install key (`key_path`), so a
    plan still cannot move between machines. A named key must exist: made up here, it would
    silently hash this endpoint's values apart from the fleet's."""
    path = given or os.environ.get(HASH_KEY_ENV)
    if not path:
        return key_path()
    if _read_key(Path(path)) is None:
        raise ConfigError(f"{path}: no such hash key file ({'--key-file' if given else HASH_KEY_ENV}); "
                          "install the key IT distributed there")
    return path


def key_id(key: bytes) -> str:
    """A name for a key that can be stored and shown: an HMAC of a fixed label under it. It tells
    keys apart and reveals nothing of the key (nor lets anyone test a guessed value)."""
    return hmac.digest(key, b"pdscan key id", "sha256")[:8].hex()


_SEPARATORS = re.compile(r"[\s\-./()]+")


def normalise(value: str) -> str:
    return _SEPARATORS.sub("", value).lower()


def keyed_hash(detector: str, value: str, key: bytes) -> str:
    # The compiled twin gives the same hash; it returns None for text it leaves to Python.
    hashed = core.Core.keyed_hash(detector, value, key) if core is not None else None
    return hashed if hashed is not None else python_keyed_hash(detector, value, key)


def python_keyed_hash(detector: str, value: str, key: bytes) -> str:
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


def mask_address(address: str) -> str:
    """A mail address whose domain may be shown (where mail went) and whose local part (who) is
    masked: "jane.smith77@gmail.com" → "j***.*******@gmail.com"."""
    local, at, domain = address.rpartition("@")
    return f"{_mask_run(local, 1, 0)}@{domain}" if at else _mask_run(address, 1, 0)


def _mask_name(value: str) -> str:
    return " ".join(_mask_run(word, 1, 0) for word in value.split())


def mask(value: str, style: str = "default") -> str:
    """A sample a person can recognise the shape of, without the value.

    "AB 12 34 56 C" → "AB ** ** ** C"; a short value keeps only its first character.
    """
    # The compiled twin gives the same sample; it returns None for text it leaves to Python.
    masked = core.Core.mask(value, style) if core is not None else None
    return masked if masked is not None else python_mask(value, style)


def python_mask(value: str, style: str = "default") -> str:
    value = " ".join(value.split())[:64]
    if style == "keep":
        return value
    if style == "email" and "@" in value:
        return _mask_email(value)
    if style == "name":
        return _mask_name(value)
    return _mask_run(value, 2, 1)

"""HMAC-SHA256 under the install key over a canonical JSON form: binds what pdscan wrote
(plan entries, audit records) to this install, so a hand-made or edited one is told apart.

Only root (the user running pdscan) can read the install key; anyone who can write a plan
or a log but not read the key cannot make a seal that `genuine` accepts.
"""
from __future__ import annotations

import hashlib
import hmac
import json


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def seal(key: bytes, purpose: str, value) -> str:
    """The seal of `value` for `purpose` (a plan entry's seal cannot pass for an audit record's)."""
    return hmac.new(key, purpose.encode("ascii") + b"\0" + canonical(value), hashlib.sha256).hexdigest()


def genuine(key: bytes, purpose: str, value, mac) -> bool:
    return isinstance(mac, str) and hmac.compare_digest(seal(key, purpose, value), mac)

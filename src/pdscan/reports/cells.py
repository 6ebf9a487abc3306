"""A report cell as JSON or text, the same in every format."""
from __future__ import annotations

import datetime as dt


def plain(value):
    """A cell as JSON or text: dates in ISO 8601."""
    if isinstance(value, dt.datetime):
        return value.isoformat() + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value

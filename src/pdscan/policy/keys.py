"""Known keys of a policy table: a misspelt key is an error that names it, never a setting ignored."""
from __future__ import annotations

import difflib

from ..errors import ConfigError


def check_keys(table: dict, known, where: str, section: str) -> None:
    """Raise for the first key of `table` that is not in `known`, with the closest known one."""
    unknown = sorted(set(table) - set(known))
    if not unknown:
        return
    key = unknown[0]
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else \
        (f"; known keys: {', '.join(sorted(known))}" if known else "; this section takes no keys")
    raise ConfigError(f"{where}: [{section}] unknown key {key!r}{hint}")

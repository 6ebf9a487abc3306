"""Exceptions, split by what the caller must do with them.

PdscanError and ConfigError stop the command (exit 2); ItemError and
LimitExceeded are recorded as an `error` record and the scan goes on.
"""


class PdscanError(Exception):
    """Fatal for the command: cli.py maps it to a message and exit status 2."""


class ConfigError(PdscanError):
    """A detector or policy file is wrong; the message names file, id and field."""


class ItemError(Exception):
    """One item could not be read (corrupt, unsupported, permission)."""


class LimitExceeded(ItemError):
    """An item broke a size, ratio, depth or time limit (bombs land here)."""

"""The command line: argparse tree; main(argv) -> exit status.

Library code raises; only this module turns PdscanError into a message
and status 2, a closed pipe into a quiet exit, and any other exception
into a one-line "internal error" and status 2: status 1 means violations
found, never a crash.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from types import ModuleType
from typing import Optional

from . import __version__, native
from .display import shown
from .errors import PdscanError

# The modules of pdscan.commands, in --help's order; each adds its command(s) to the parser.
COMMANDS = ("scan", "usb", "mail", "retention", "locate", "accept", "shred", "protect", "schedule", "watch", "report",
            "store", "fleet", "detectors")
DEFINED_IN = {"unprotect": "protect"}  # a command added by a module of another name


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"{__package__}.commands.{name}")


def parser(command: Optional[str] = None) -> argparse.ArgumentParser:
    """The whole tree, or with `command` only that command's branch: a run imports the modules
    of its own command, not those of the thirteen others (a rescan's start-up is mostly imports)."""
    p = argparse.ArgumentParser(prog="pdscan", description="Find personal data and check that it is protected.")
    p.add_argument("--version", action="version", version=f"pdscan {__version__}, detection engine {native.engine_name()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS if command is None else (DEFINED_IN.get(command, command),):
        command_module(name).add_parser(sub)
    return p


def _named_command(argv) -> Optional[str]:
    """The command the arguments start with, if it is one (else the whole tree parses them)."""
    first = next(iter(sys.argv[1:] if argv is None else argv), None)
    return first if first in COMMANDS or first in DEFINED_IN else None


def main(argv=None) -> int:
    try:
        args = parser(_named_command(argv)).parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors are status 2, --help 0
        return int(exc.code or 0)
    native.warn_if_missing()
    try:
        return args.run(args)
    except PdscanError as exc:
        print(f"pdscan: {shown(exc)}", file=sys.stderr)  # messages quote names from the scanned disk
        return 2
    except KeyboardInterrupt:
        print("pdscan: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): exit quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # a worker's exception arrives here too, re-raised by the pool
        return _internal_error(exc)


DEBUG_ENV = "PDSCAN_DEBUG"
REASON_CHARS = 300


def _internal_error(exc: Exception) -> int:
    reason = shown(str(exc))[:REASON_CHARS]
    print(f"pdscan: internal error: {type(exc).__name__}: {reason}", file=sys.stderr)
    if os.environ.get(DEBUG_ENV):
        traceback.print_exception(exc, file=sys.stderr)
    else:
        print(f"pdscan: run with {DEBUG_ENV}=1 for the traceback", file=sys.stderr)
    return 2

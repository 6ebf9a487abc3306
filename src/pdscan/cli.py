"""The command line: argparse tree; main(argv) -> exit status.

Library code raises; only this module turns PdscanError into a message
and status 2, a closed pipe into a quiet exit, and any other exception
into a one-line "internal error" and status 2: status 1 means violations
found, never a crash.
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback

from . import __version__, native
from .commands import accept, detectors, fleet, locate, mail, protect, report, retention, scan, schedule, shred, store, \
    usb, watch
from .display import shown
from .errors import PdscanError

COMMANDS = (scan, usb, mail, retention, locate, accept, shred, protect, schedule, watch, report, store, fleet,
            detectors)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pdscan", description="Find personal data and check that it is protected.")
    p.add_argument("--version", action="version", version=f"pdscan {__version__}, detection engine {native.engine_name()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return p


def main(argv=None) -> int:
    try:
        args = parser().parse_args(argv)
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

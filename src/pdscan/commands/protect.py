"""`pdscan protect PATH... --public-key PEM` and `pdscan unprotect FILE --private-key PEM`.

Both commands are registered here. Exit status: 0 all done, 1 some file refused (each
refusal is printed with its reason), 2 error (bad key file, usage). The file format and
the replace procedure are in remediate/protected_format.py and remediate/protect.py.
"""
from __future__ import annotations

import getpass
import os
import sys

from ..display import shown
from ..errors import ItemError
from ..remediate.keys import load_private_key, load_public_key
from ..remediate.overwrite import Refused
from ..remediate.protect import protect_file, remove_stale_temps, unprotect_file

PASSPHRASE_ENV = "PDSCAN_KEY_PASSPHRASE"


def add_parser(sub) -> None:
    p = sub.add_parser("protect", help="encrypt files in place for IT's public key",
                       description="Encrypt files that must be kept, in place, for IT's RSA public key. "
                                   "The plain text is overwritten; only the private key restores it.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files to protect (not folders)")
    p.add_argument("--public-key", metavar="PEM", required=True, help="IT's RSA public key (PEM)")
    p.set_defaults(run=run_protect)
    u = sub.add_parser("unprotect", help="restore a file encrypted by `pdscan protect`",
                       description="Decrypt a file protected by `pdscan protect`, in place, with IT's private key. "
                                   f"A passphrase-protected key reads its passphrase from {PASSPHRASE_ENV} "
                                   "or asks for it on a terminal.")
    u.add_argument("file", metavar="FILE", help="a file encrypted by `pdscan protect` (restored in place unless --output)")
    u.add_argument("--private-key", metavar="PEM", required=True, help="IT's RSA private key (PEM)")
    u.add_argument("--output", metavar="OUT", help="write the plain text to OUT (must not exist) and keep FILE")
    u.set_defaults(run=run_unprotect)


def run_protect(args) -> int:
    key = load_public_key(args.public_key)
    refused = 0
    for path in args.paths:
        _clean(path)
        try:
            protect_file(path, key)
        except (ItemError, OSError) as exc:
            refused += 1
            print(f"{'refused' if isinstance(exc, Refused) else 'failed'} {shown(path)}: {_reason(exc)}")
        else:
            print(f"protected {shown(path)}")
    return 1 if refused else 0


def run_unprotect(args) -> int:
    key = load_private_key(args.private_key, lambda: _passphrase(args.private_key))
    _clean(args.output or args.file)
    try:
        target = unprotect_file(args.file, key, args.output)
    except (ItemError, OSError) as exc:
        print(f"refused {shown(args.file)}: {_reason(exc)}")
        return 1
    print(f"restored {shown(target)}")
    return 0


def _clean(path) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    for name in remove_stale_temps(path):
        print(f"removed {shown(os.path.join(folder, name))}: a temporary file left by an interrupted "
              "protect or unprotect (overwritten first)")


def _passphrase(path):
    if PASSPHRASE_ENV in os.environ:
        return os.environ[PASSPHRASE_ENV]
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"passphrase for {path}: ")
    return None


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)

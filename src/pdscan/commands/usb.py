"""`pdscan usb`: check removable volumes before they leave the building.

Each volume: is it encrypted? what readable personal data is on it? A verdict
per volume (PASS: encrypted, or nothing personal readable; FAIL: personal
data readable on an unencrypted volume), worst files first.
"""
from __future__ import annotations

from ..config import ScanConfig
from ..options import add_scan_options
from ..outputs import open_sinks
from ..session import Session
from ..sources.volumes import list_volumes
from ..volume_check import check_volume, named_volume, volume_record

NO_VOLUME = 3


def add_parser(sub) -> None:
    p = sub.add_parser("usb", help="check removable volumes: encryption, personal data, PASS/FAIL",
                       description="List removable volumes, say whether each is encrypted, scan the "
                                   "mounted ones and give each a PASS/FAIL verdict. Exit 0 all pass, "
                                   "1 a volume fails, 2 error, 3 no removable volume found.")
    p.add_argument("--mountpoint", metavar="DIR", action="append", default=[],
                   help="check this folder as a volume instead of discovering them (repeatable)")
    p.add_argument("--list", action="store_true", help="list the volumes only, without scanning")
    add_scan_options(p)
    p.set_defaults(run=run_usb)


def volumes_to_check(mountpoints) -> list:
    if not mountpoints:
        return list_volumes(removable_only=True)
    return [named_volume(folder) for folder in mountpoints]


def run_usb(args) -> int:
    volumes = volumes_to_check(args.mountpoint)
    if not volumes:
        print("pdscan: no removable volume found")
        return NO_VOLUME
    cfg = ScanConfig.from_args(args)
    with open_sinks(args, cfg, None, [v.mountpoint for v in volumes if v.mountpoint], "usb",
                    record=not args.list) as (sinks, _progress):
        session = Session(sinks)
        verdicts = []
        for volume in volumes:
            if args.list:
                session.emit(volume_record(volume, None))
            else:
                verdicts.append(check_volume(session, cfg, volume))
        session.close()
    if "FAIL" in verdicts:
        return 1
    if "NOT MOUNTED" in verdicts:
        return 2
    return 0

"""`pdscan usb`: check removable volumes before they leave the building.

Each volume: is it encrypted? what readable personal data is on it? A verdict
per volume (PASS: encrypted, or nothing personal readable; FAIL: personal
data readable on an unencrypted volume), worst files first.
"""
from __future__ import annotations

import dataclasses
import os

from .. import config as configuration
from ..errors import PdscanError
from ..pipeline import Session
from ..policy.evaluate import volume_violations
from ..sources.filesystem import Walker
from ..sources.volumes import Volume, list_volumes, volume_for_path
from .common import add_scan_options, open_sinks

NO_VOLUME = 3
WORST = {"high": 0, "medium": 1, "low": 2}


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
    out = []
    for folder in mountpoints:
        if not os.path.isdir(folder):
            raise PdscanError(f"not a folder: {folder}")
        found = volume_for_path(folder)
        base = found or Volume(device="unknown", mountpoint=None, fstype=None, size=None, removable=True,
                               encrypted=None, encryption=None, note="volume not identified")
        # The folder the user named is what gets scanned; a named folder is treated as removable.
        out.append(dataclasses.replace(base, mountpoint=os.path.abspath(folder), removable=True))
    return out


def volume_record(volume: Volume, verdict, violations=()) -> dict:
    return {"type": "volume", "device": volume.device, "mountpoint": volume.mountpoint, "fstype": volume.fstype,
            "removable": volume.removable, "encrypted": volume.encrypted, "encryption": volume.encryption,
            "verdict": verdict, "violations": [v.to_dict() for v in violations],
            "_size": volume.size, "_note": volume.note, "_label": volume.label}


class _Exposed:
    """Collects the readable personal-data items of one volume, for its verdict."""

    def __init__(self):
        self.items: list = []
        self.errors = 0

    def __call__(self, record: dict) -> None:
        if record["type"] == "error":
            self.errors += 1
        elif record["type"] == "item" and any(v["rule"] == "unencrypted-personal-data" for v in record["violations"]):
            self.items.append(record)


def check_volume(session: Session, cfg, volume: Volume) -> str:
    if not volume.mountpoint:
        verdict = "PASS" if volume.encrypted else "NOT MOUNTED"
        session.emit(volume_record(volume, verdict))
        return verdict
    exposed = _Exposed()
    volume_cfg = dataclasses.replace(cfg, volume_encrypted=volume.encrypted, check_volumes=False)
    session.scan(volume_cfg, Walker(cfg.walk).walk([volume.mountpoint]), exposed)
    violations = volume_violations(volume.removable, volume.encrypted, len(exposed.items))
    verdict = "FAIL" if violations or exposed.items else "PASS"
    record = volume_record(volume, verdict, violations)
    record["_worst"] = sorted(exposed.items, key=_worst_first)[:20]
    session.emit(record)
    return verdict


def _worst_first(record: dict):
    severity = min((WORST[v["severity"]] for v in record["violations"]), default=3)
    return severity, -sum(f["count"] for f in record["findings"])


def run_usb(args) -> int:
    volumes = volumes_to_check(args.mountpoint)
    if not volumes:
        print("pdscan: no removable volume found")
        return NO_VOLUME
    cfg = configuration.build(args.policy, args.detectors, args.exclude, args.jobs)
    with open_sinks(args) as (sinks, _progress):
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

"""A removable volume's check, shared by `pdscan usb` and `pdscan watch`.

The volume's files go through the pipeline like any folder's, with the
volume's own encryption standing for each file's; a VolumeReview collects,
in the main process, the items whose personal data is readable (as
MailboxReview collects a mailbox's messages), and the verdict (PASS, FAIL,
NOT MOUNTED) is the policy's (policy/evaluate.py volume_verdict). One
`volume` record follows the volume's item records, with the worst items.
"""
from __future__ import annotations

import dataclasses
import os

from .errors import PdscanError
from .model import SEVERITIES, ItemResult, VolumeResult, worst_first
from .policy.evaluate import volume_verdict
from .policy.rules import UNENCRYPTED_PERSONAL_DATA
from .sources.filesystem import Walker
from .sources.volumes import Volume, volume_for_path

WORST_SHOWN = 20


def named_volume(folder: str) -> Volume:
    """A folder the user named (or a mount that appeared) checked as a removable volume."""
    if not os.path.isdir(folder):
        raise PdscanError(f"not a folder: {folder}")
    found = volume_for_path(folder)
    base = found or Volume(device="unknown", mountpoint=None, fstype=None, size=None, removable=True,
                           encrypted=None, encryption=None, note="volume not identified")
    # The folder named is what gets scanned; a named folder is treated as removable.
    return dataclasses.replace(base, mountpoint=os.path.abspath(folder), removable=True)


def volume_record(volume: Volume, verdict, violations=(), worst=()) -> VolumeResult:
    """The one place a volume's result is built."""
    return VolumeResult(volume.device, volume.mountpoint, volume.fstype, volume.removable, volume.encrypted,
                        volume.encryption, verdict, list(violations), size=volume.size, note=volume.note,
                        label=volume.label, worst=list(worst))


class VolumeReview:
    """The readable personal-data items of one volume, for its verdict."""

    def __init__(self, volume: Volume, declared: dict):
        self.volume, self.declared = volume, declared  # declared: the policy's rules (policy/rules.py)
        self.items: list = []

    def add(self, record) -> None:
        if isinstance(record, ItemResult) and any(v.rule == UNENCRYPTED_PERSONAL_DATA for v in record.violations):
            self.items.append(record)

    def finish(self) -> VolumeResult:
        volume = self.volume
        verdict, violations = volume_verdict(volume.removable, volume.encrypted, bool(volume.mountpoint),
                                             len(self.items), self.declared)
        worst = sorted(self.items, key=_worst_first)[:WORST_SHOWN] if volume.mountpoint else ()
        return volume_record(volume, verdict, violations, worst)


def check_volume(session, cfg, volume: Volume) -> str:
    """Scan a volume into the session, then emit its verdict record; returns the verdict."""
    review = VolumeReview(volume, cfg.policy.rules)
    if volume.mountpoint:
        volume_cfg = dataclasses.replace(cfg, volume_encrypted=volume.encrypted, check_volumes=False)
        session.scan(volume_cfg, Walker(cfg.walk).walk([volume.mountpoint]), review.add)
    record = review.finish()
    session.emit(record)
    return record.verdict


def _worst_first(record: ItemResult):
    severity = min((worst_first(v.severity) for v in record.violations), default=len(SEVERITIES))
    return severity, -sum(f.count for f in record.findings)

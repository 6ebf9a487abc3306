"""Windows: BitLocker state from `manage-bde -status` or `Get-BitLockerVolume | Format-List`,
drive types from `Get-Volume` (JSON). Parsers are pure; the runner calls PowerShell.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .record import Volume, run_tool

# manage-bde "Conversion Status" and Get-BitLockerVolume "VolumeStatus", folded to one vocabulary.
CONVERSION = {
    "fully encrypted": "fully-encrypted", "fullyencrypted": "fully-encrypted",
    "fully decrypted": "fully-decrypted", "fullydecrypted": "fully-decrypted",
    "used space only encrypted": "used-space-only-encrypted",
    "encryption in progress": "encryption-in-progress", "encryptioninprogress": "encryption-in-progress",
    "decryption in progress": "decryption-in-progress", "decryptioninprogress": "decryption-in-progress",
    "encryption paused": "encryption-paused", "encryptionsuspended": "encryption-paused",
    "decryption paused": "decryption-paused", "decryptionsuspended": "decryption-paused",
}
REMOVABLE_DRIVE_TYPES = {"removable", "2"}  # Get-Volume DriveType, as text or Win32 number


@dataclass(frozen=True)
class BitLockerStatus:
    mount: str | None              # "C:"; None when the capture has no "Volume X:" header
    conversion: str | None         # fully-encrypted, used-space-only-encrypted, ...
    percentage: float | None
    method: str | None             # "XTS-AES 128", "XtsAes128"
    protection_on: bool | None
    locked: bool | None
    key_protectors: tuple[str, ...] = ()
    volume_kind: str | None = None  # "OS Volume", "Data Volume", "Removable Data Volume", "OperatingSystem"
    raw_conversion: str | None = None


def parse_manage_bde(text: str) -> list[BitLockerStatus]:
    """`manage-bde -status`: one block per "Volume X: [label]" header, indented "Key: value" lines."""
    blocks, current = [], None
    for line in text.splitlines():
        header = re.match(r"^Volume\s+(\S+?)\s*(\[.*\])?\s*$", line)
        if header:
            current = {"mount": header.group(1).rstrip("\\") or None, "protectors": []}
            blocks.append(current)
            continue
        if current is None:
            current = {"mount": None, "protectors": []}
            blocks.append(current)
        _bde_line(line, current)
    return [_bde_status(b) for b in blocks if len(b) > 2]


def _bde_line(line: str, block: dict) -> None:
    kind = re.match(r"^\[(.+)\]\s*$", line.strip())
    if kind:
        block["kind"] = kind.group(1)
        return
    field = re.match(r"^\s+([A-Za-z][A-Za-z ]+?):\s*(.*?)\s*$", line)
    if field:
        key, value = field.group(1).lower(), field.group(2)
        block[key] = value
        block["(last field)"] = key  # no field name has brackets
        if key == "key protectors" and value:
            block["protectors"].append(value)
    elif line.strip() and block.get("(last field)") == "key protectors":
        block["protectors"].append(line.strip())


def _bde_status(b: dict) -> BitLockerStatus:
    protection = (b.get("protection status") or "").lower()
    lock = (b.get("lock status") or "").lower()
    protectors = tuple(p for p in b["protectors"] if p.lower() != "none found")
    return BitLockerStatus(
        mount=b["mount"], conversion=_conversion(b.get("conversion status")),
        percentage=_percent(b.get("percentage encrypted")), method=b.get("encryption method") or None,
        protection_on=True if "on" in protection.split() else False if "off" in protection.split() else None,
        locked=True if lock == "locked" else False if lock == "unlocked" else None,
        key_protectors=protectors, volume_kind=b.get("kind"), raw_conversion=b.get("conversion status"))


def parse_get_bitlockervolume(text: str) -> list[BitLockerStatus]:
    """`Get-BitLockerVolume | Format-List`: "Name : value" records separated by blank lines."""
    records, current = [], {}
    for line in text.splitlines() + [""]:
        m = re.match(r"^(\w+)\s*:\s?(.*?)\s*$", line)
        if m:
            current[m.group(1).lower()] = m.group(2)
        elif not line.strip() and current:
            records.append(current)
            current = {}
    return [_ps_status(r) for r in records if "volumestatus" in r or "mountpoint" in r]


def _ps_status(r: dict) -> BitLockerStatus:
    protectors = tuple(p.strip() for p in r.get("keyprotector", "").strip("{}").split(",") if p.strip())
    protection = r.get("protectionstatus", "").lower()
    lock = r.get("lockstatus", "").lower()
    return BitLockerStatus(
        mount=r.get("mountpoint") or None, conversion=_conversion(r.get("volumestatus")),
        percentage=_percent(r.get("encryptionpercentage")), method=r.get("encryptionmethod") or None,
        protection_on={"on": True, "off": False}.get(protection),
        locked={"locked": True, "unlocked": False}.get(lock), key_protectors=protectors,
        volume_kind=r.get("volumetype") or None, raw_conversion=r.get("volumestatus"))


def _conversion(text: str | None) -> str | None:
    return CONVERSION.get((text or "").strip().lower()) if text else None


def _percent(text: str | None) -> float | None:
    m = re.search(r"(\d+(?:[.,]\d+)?)", text or "")
    return float(m.group(1).replace(",", ".")) if m else None


def judge_bitlocker(s: BitLockerStatus) -> tuple[bool | None, str]:
    """Whether data on the volume is encrypted at rest, and the words that say why."""
    what = f"BitLocker: {s.raw_conversion or 'unknown state'}"
    if s.percentage is not None and s.conversion not in ("fully-encrypted", "fully-decrypted"):
        what += f" ({s.percentage:g}%)"
    if s.protection_on is False and s.conversion in ("fully-encrypted", "used-space-only-encrypted"):
        what += (", protection Off (suspended or awaiting activation: the key is stored in clear, "
                 "so the disk is encrypted at rest but anyone with the drive can unlock it)")
    elif s.protection_on is not None:
        what += ", protection On" if s.protection_on else ", protection Off"
    verdicts = {
        "fully-encrypted": True,
        "used-space-only-encrypted": True,
        "fully-decrypted": False,
        "decryption-in-progress": False,
        "decryption-paused": False,
    }
    if s.conversion == "used-space-only-encrypted":
        what += "; only used space was encrypted, data deleted before encryption may remain readable"
    if s.conversion in ("encryption-in-progress", "encryption-paused"):
        what += "; part of the volume is still plaintext"
    return verdicts.get(s.conversion), what


def parse_get_volume_json(text: str) -> list[dict]:
    """`Get-Volume | Select DriveLetter,DriveType,FileSystemType,Size,FileSystemLabel | ConvertTo-Json`."""
    data = json.loads(text) if text.strip() else []
    return [data] if isinstance(data, dict) else list(data)


def list_volumes(removable_only: bool = True) -> list[Volume]:
    statuses = {s.mount.upper(): s for s in _bitlocker_statuses() if s.mount}
    rows = _get_volumes() or [_row_from_status(s) for s in statuses.values()]
    volumes = []
    for row in rows:
        letter = row.get("DriveLetter")
        if not letter:
            continue
        mount = f"{letter}:"
        removable = str(row.get("DriveType", "")).lower() in REMOVABLE_DRIVE_TYPES
        if removable_only and not removable:
            continue
        volumes.append(_volume(mount, row, removable, statuses.get(mount.upper())))
    return volumes


def _row_from_status(s: BitLockerStatus) -> dict:
    # Without Get-Volume, manage-bde's "[Removable Data Volume]" line is the only drive type we get.
    removable = "removable" in (s.volume_kind or "").lower()
    return {"DriveLetter": (s.mount or "").rstrip(":"), "DriveType": "Removable" if removable else "Fixed"}


def _volume(mount: str, row: dict, removable: bool, status: BitLockerStatus | None) -> Volume:
    if status is None:
        encrypted, note = None, "BitLocker state unavailable (needs an elevated prompt)"
    else:
        encrypted, note = judge_bitlocker(status)
    fstype = row.get("FileSystemType") or row.get("FileSystem") or None
    scheme = "bitlocker" if status is not None and status.conversion != "fully-decrypted" else None
    return Volume(f"\\\\.\\{mount}", mount + "\\", fstype, row.get("Size"), removable, encrypted,
                  scheme, row.get("FileSystemLabel") or None, note)


def _powershell(command: str) -> str | None:
    return run_tool(["powershell", "-NoProfile", "-NonInteractive", "-Command", command])


def _bitlocker_statuses() -> list[BitLockerStatus]:
    out = _powershell("Get-BitLockerVolume | Format-List")
    if out:
        return parse_get_bitlockervolume(out)
    out = run_tool(["manage-bde", "-status"])
    return parse_manage_bde(out) if out else []


def _get_volumes() -> list[dict]:
    out = _powershell("Get-Volume | Select-Object DriveLetter,DriveType,FileSystemType,Size,"
                      "FileSystemLabel | ConvertTo-Json")
    try:
        return parse_get_volume_json(out) if out else []
    except ValueError:
        return []


def volume_for_path(path: str) -> Volume | None:
    drive = path[:2].upper() if len(path) >= 2 and path[1] == ":" else None
    return next((v for v in list_volumes(False) if drive and v.mountpoint.upper().startswith(drive)), None)

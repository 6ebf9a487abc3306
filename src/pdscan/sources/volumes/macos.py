"""macOS: FileVault from `fdesetup status`, APFS volume encryption from `diskutil apfs list`
(text or -plist; also apfs-fuse's `apfsutil` listing), removability from `diskutil info -plist`.
"""
from __future__ import annotations

import os
import plistlib
import re
from dataclasses import dataclass

from .record import PLAIN_FILESYSTEMS, Volume, run_tool

BOOT_DATA_MOUNTS = ("/", "/System/Volumes/Data")
MAC_PLAIN = PLAIN_FILESYSTEMS | {"msdos", "hfs"}


@dataclass(frozen=True)
class ApfsVolume:
    device: str | None          # disk4s1; None in apfsutil listings (image, not a live disk)
    name: str | None
    role: str | None
    mountpoint: str | None
    filevault: bool | None      # "FileVault: Yes" = the APFS volume is encrypted (software or FileVault)
    locked: bool | None
    consumed: int | None = None


def parse_fdesetup_status(text: str) -> tuple[bool | None, str]:
    """`fdesetup status` speaks for the boot volume only; a conversion line overrides "is On"."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    progress = next((line for line in lines if "in progress" in line), None)
    if progress and progress.startswith("Encryption"):
        return None, progress + "; part of the volume is still plaintext"
    if progress and progress.startswith("Decryption"):
        return False, progress
    if any(line.startswith("FileVault is On") for line in lines):
        return True, "FileVault is On"
    if any(line.startswith("FileVault is Off") for line in lines):
        return False, "FileVault is Off"
    return None, lines[0] if lines else "no fdesetup output"


def parse_diskutil_apfs_list(text: str) -> list[ApfsVolume]:
    """`diskutil apfs list` ("+-> Volume diskXsY UUID" blocks) or `apfsutil` ("Volume N UUID" blocks)."""
    blocks: list[dict] = []
    for raw in text.splitlines():
        line = raw.lstrip(" |")
        head = re.match(r"^(?:\+-> )?Volume (\S+) [0-9A-Fa-f-]{36}\s*$", line)
        if head:
            blocks.append({"id": head.group(1)})
            continue
        if line.startswith(("+-- Container", "+-< Physical Store")):
            blocks.append({"skip": True})
        field = re.match(r"^([A-Za-z][A-Za-z ()]*?):\s+(.*?)\s*$", line)
        if field and blocks and "skip" not in blocks[-1]:
            blocks[-1][field.group(1)] = field.group(2)
    return [_apfs_from_text(b) for b in blocks if "id" in b]


def _apfs_from_text(b: dict) -> ApfsVolume:
    disk_role = b.get("APFS Volume Disk (Role)", "")
    device = disk_role.split()[0] if disk_role else (b["id"] if b["id"].startswith("disk") else None)
    role = b.get("Role") or (re.search(r"\((.*)\)", disk_role).group(1) if "(" in disk_role else None)
    mount = b.get("Mount Point")
    state = (b.get("FileVault") or b.get("Encrypted") or "").lower()
    fv = re.match(r"(yes|no)\b(?:\s*\((locked|unlocked)\))?", state)
    consumed = re.match(r"(\d+)", b.get("Capacity Consumed", ""))
    return ApfsVolume(
        device=device, name=re.sub(r"\s*\(Case-(?:in)?sensitive\)$", "", b.get("Name", "")) or None,
        role=role, mountpoint=None if mount in (None, "Not Mounted") else mount,
        filevault=None if fv is None else fv.group(1) == "yes",
        locked=None if fv is None or fv.group(2) is None else fv.group(2) == "locked",
        consumed=int(consumed.group(1)) if consumed else None)


def parse_diskutil_apfs_plist(data: bytes) -> list[ApfsVolume]:
    """`diskutil apfs list -plist`: Containers[].Volumes[] with FileVault/Encryption/Locked booleans."""
    out = []
    for container in plistlib.loads(data).get("Containers", []):
        for v in container.get("Volumes", []):
            fv = v.get("FileVault", v.get("Encryption"))
            out.append(ApfsVolume(
                device=v.get("DeviceIdentifier"), name=v.get("Name"),
                role=", ".join(v.get("Roles", [])) or None, mountpoint=v.get("MountPoint"),
                filevault=None if fv is None else bool(fv), locked=v.get("Locked"),
                consumed=v.get("CapacityInUse")))
    return out


def volume_from_info(info: dict, apfs: dict[str, ApfsVolume]) -> Volume:
    """One `diskutil info -plist diskXsY` dictionary, with the APFS listing for its encryption."""
    device = info.get("DeviceIdentifier", "")
    fstype = info.get("FilesystemType") or info.get("FilesystemName") or None
    mount = info.get("MountPoint") or None
    removable = (info.get("Internal") is False or bool(info.get("RemovableMedia"))
                 or bool(info.get("Removable")) or info.get("BusProtocol") == "USB")
    encrypted, scheme, note = _judge(fstype, mount, info, apfs.get(device))
    return Volume(device, mount, fstype, info.get("TotalSize") or info.get("Size"), removable,
                  encrypted, scheme, info.get("VolumeName") or None, note)


def _judge(fstype, mount, info: dict, av: ApfsVolume | None) -> tuple[bool | None, str | None, str]:
    fv = av.filevault if av is not None else info.get("FileVault", info.get("Encryption"))
    if fstype == "apfs" or av is not None:
        if fv is None:
            return None, None, "APFS volume; encryption state not reported"
        scheme = "filevault" if mount in BOOT_DATA_MOUNTS else "apfs-encrypted"
        return (True, scheme, "APFS FileVault: Yes") if fv else (False, None, "APFS FileVault: No")
    if info.get("CoreStorageEncrypted"):
        return True, "filevault", "Core Storage encrypted logical volume"
    if (fstype or "").lower() in MAC_PLAIN:
        return False, None, f"plain {fstype} filesystem"
    return None, None, f"{fstype or 'unknown filesystem'}: encryption not reported"


def _plist(argv: list[str]) -> dict | None:
    out = run_tool(argv)
    try:
        return plistlib.loads(out.encode()) if out else None
    except plistlib.InvalidFileException:
        return None


def list_volumes(removable_only: bool = True) -> list[Volume]:
    listing = _plist(["diskutil", "list", "-plist"]) or {}
    apfs = _apfs_volumes()
    volumes = []
    for ident in listing.get("AllDisks", []):
        if "s" not in ident.removeprefix("disk"):
            continue  # whole disks: their partitions and APFS volumes are the volumes
        info = _plist(["diskutil", "info", "-plist", ident])
        if info is None:
            continue
        vol = volume_from_info(info, apfs)
        if vol.removable or not removable_only:
            volumes.append(vol)
    return volumes


def volume_for_path(path: str) -> Volume | None:
    # diskutil info takes a mount point, not any folder: climb to the mount first.
    mount = os.path.realpath(path)
    while not os.path.ismount(mount) and mount != os.path.dirname(mount):
        mount = os.path.dirname(mount)
    info = _plist(["diskutil", "info", "-plist", mount])
    if info is None:
        return None
    return volume_from_info(info, _apfs_volumes())


def _apfs_volumes() -> dict[str, ApfsVolume]:
    out = run_tool(["diskutil", "apfs", "list", "-plist"])
    try:
        return {v.device: v for v in parse_diskutil_apfs_plist(out.encode())} if out else {}
    except (plistlib.InvalidFileException, ValueError, AttributeError):
        return {}

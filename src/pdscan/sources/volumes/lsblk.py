"""Block devices as lsblk reports them (JSON, -P pairs, or the plain tree), as uniform BlockDev records.

lsblk is util-linux's view of sysfs + udev: it adds FSTYPE/LABEL (from blkid) and computes
RM, HOTPLUG and TRAN. Older versions print numbers as strings and MOUNTPOINT instead of MOUNTPOINTS.
"""
from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass

from .record import run_tool

LSBLK_COLUMNS = "NAME,PATH,KNAME,TYPE,FSTYPE,MOUNTPOINTS,SIZE,RM,HOTPLUG,TRAN,LABEL,PKNAME"
LSBLK_COLUMNS_OLD = LSBLK_COLUMNS.replace("MOUNTPOINTS", "MOUNTPOINT")  # util-linux < 2.37


@dataclass(frozen=True)
class BlockDev:
    kname: str                        # sdb1, dm-0, vdc-crypt (as listed)
    path: str                         # /dev/sdb1
    type: str                         # disk, part, crypt, lvm, loop, rom, dm ...
    parents: tuple[str, ...] = ()     # knames this one sits on (partition -> disk, crypt -> partition)
    fstype: str | None = None
    label: str | None = None
    size: int | None = None
    rm: bool = False
    hotplug: bool = False
    tran: str | None = None
    mountpoints: tuple[str, ...] = ()
    dm_uuid: str | None = None        # CRYPT-LUKS2-..., LVM-...; from sysfs
    dm_name: str | None = None
    majmin: str | None = None         # "8:17", joins mountinfo to sysfs


def _flag(value) -> bool:
    return value in (True, 1, "1", "true")


def _text(value) -> str | None:
    return None if value in (None, "") else str(value).strip() or None


def _mounts(row: dict) -> tuple[str, ...]:
    raw = row.get("mountpoints", [row.get("mountpoint")])
    return tuple(m for m in raw or () if m and m != "[SWAP]")


def parse_lsblk_json(text: str) -> dict[str, BlockDev]:
    """`lsblk -J -b -o ...`: a tree of "blockdevices" with "children"."""
    devs: dict[str, BlockDev] = {}
    for row in json.loads(text).get("blockdevices", []):
        _walk_json(row, None, devs)
    return devs


def _walk_json(row: dict, parent: str | None, devs: dict[str, BlockDev]) -> None:
    kname = row.get("kname") or row["name"]
    parents = tuple(p for p in (_text(row.get("pkname")) or parent,) if p)
    old = devs.get(kname)
    if old is not None:  # a device on several parents (RAID, multi-slave dm) appears under each
        parents = tuple(dict.fromkeys(old.parents + parents))
    devs[kname] = _row_to_dev(row, kname, parents)
    for child in row.get("children", []):
        _walk_json(child, kname, devs)


def _row_to_dev(row: dict, kname: str, parents: tuple[str, ...]) -> BlockDev:
    size = row.get("size")
    return BlockDev(
        kname=kname, path=_text(row.get("path")) or f"/dev/{kname}", type=row.get("type") or "disk",
        parents=parents, fstype=_text(row.get("fstype")), label=_text(row.get("label")),
        size=int(size) if str(size).isdigit() else None, rm=_flag(row.get("rm")),
        hotplug=_flag(row.get("hotplug")), tran=_text(row.get("tran")), mountpoints=_mounts(row))


def parse_lsblk_pairs(text: str) -> dict[str, BlockDev]:
    """`lsblk -b -P -o ...`: one KEY="value" line per device; parents from PKNAME, else by name."""
    rows = []
    for line in text.splitlines():
        if "=" in line:
            pairs = (item.split("=", 1) for item in shlex.split(line))
            rows.append({k.lower().replace("maj:min", "majmin"): v for k, v in pairs})
    devs = {}
    for row in rows:
        kname = row.get("kname") or row.get("name", "")
        if "path" not in row and kname.startswith("/dev/"):
            row["path"] = kname  # -p prints full paths in KNAME
        short = kname.removeprefix("/dev/")
        devs[short] = _row_to_dev(row, short, _pair_parents(row, short, rows))
    return devs


def _pair_parents(row: dict, kname: str, rows: list[dict]) -> tuple[str, ...]:
    pk = _text(row.get("pkname"))
    if pk:
        return (pk.removeprefix("/dev/"),)
    if row.get("type") != "part":
        return ()
    # Without PKNAME: the partition's disk is the longest disk name it starts with (sda1 -> sda).
    disks = [(r.get("kname") or r.get("name", "")).removeprefix("/dev/") for r in rows
             if r.get("type") == "disk"]
    owners = sorted((d for d in disks if kname.startswith(d) and d != kname), key=len)
    return (owners[-1],) if owners else ()


_TREE_ROW = re.compile(r"^(?P<lead>[\s│├└─`|-]*)(?P<name>\S+)\s+(?P<majmin>\d+:\d+)\s+(?P<rm>[01])\s+"
                       r"(?P<size>\S+)\s+(?P<ro>[01])\s+(?P<type>\S+)\s*(?P<mount>.*)$")
_UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50}


def parse_lsblk_tree(text: str) -> dict[str, BlockDev]:
    """Plain `lsblk` (NAME MAJ:MIN RM SIZE RO TYPE MOUNTPOINT): nesting shown by the tree drawing."""
    devs: dict[str, BlockDev] = {}
    stack: list[tuple[int, str]] = []
    for line in text.splitlines():
        m = _TREE_ROW.match(line)
        if not m:
            continue
        depth, name = len(m.group("lead")), m.group("name")
        while stack and stack[-1][0] >= depth:
            stack.pop()
        mount = m.group("mount").strip()
        kind = m.group("type")
        devs[name] = BlockDev(
            kname=name, path=f"/dev/mapper/{name}" if kind in ("crypt", "lvm") else f"/dev/{name}", type=kind,
            parents=(stack[-1][1],) if stack else (), size=_human_size(m.group("size")),
            rm=m.group("rm") == "1", mountpoints=(mount,) if mount and mount != "[SWAP]" else ())
        stack.append((depth, name))
    return devs


def _human_size(text: str) -> int | None:
    m = re.fullmatch(r"([\d.,]+)([BKMGTP]?)", text)
    return int(float(m.group(1).replace(",", ".")) * _UNITS[m.group(2)]) if m else None


def run_lsblk() -> dict[str, BlockDev] | None:
    """lsblk's JSON view, or None when lsblk is missing or too old for JSON."""
    for columns in (LSBLK_COLUMNS, LSBLK_COLUMNS_OLD):
        out = run_tool(["lsblk", "-J", "-b", "-o", columns])
        if out is not None:
            try:
                return parse_lsblk_json(out)
            except (ValueError, KeyError):
                return None
    return None

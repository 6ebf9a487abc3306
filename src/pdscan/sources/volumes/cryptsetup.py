"""Parsers for `cryptsetup luksDump`, `bitlkDump` and `fvault2Dump`, used to describe a container.

The dumps are "Key:   value" lines; indentation marks sections (LUKS2 "Keyslots:", "Data segments:").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .record import run_tool

_FIELD = re.compile(r"^(\s*)([A-Za-z][A-Za-z0-9 ()/_-]*?):\s*(.*?)\s*$")


@dataclass(frozen=True)
class ContainerInfo:
    scheme: str               # luks, bitlocker, filevault
    version: int | None       # LUKS 1/2, BitLocker metadata version
    cipher: str | None        # aes-xts-plain64 ...
    key_bits: int | None
    keyslots: int             # enabled key slots / VMK protectors
    detail: str | None = None  # "To Go", protector kinds, ...

    def describe(self) -> str:
        name = {"luks": f"LUKS{self.version or ''}", "bitlocker": "BitLocker",
                "filevault": "FileVault 2"}[self.scheme]
        parts = [name] + [p for p in (self.cipher, self.detail) if p]
        if self.keyslots:
            parts.append(f"{self.keyslots} key slot{'s' if self.keyslots != 1 else ''}")
        return ", ".join(parts)


def _fields(text: str) -> list[tuple[int, str, str]]:
    rows = []
    for line in text.splitlines():
        m = _FIELD.match(line.expandtabs(8))
        if m:
            rows.append((len(m.group(1)), m.group(2).strip(), m.group(3)))
    return rows


def _first(rows, key: str) -> str | None:
    return next((v for _, k, v in rows if k.lower() == key.lower() and v), None)


def _int(value: str | None) -> int | None:
    m = re.match(r"\d+", value or "")
    return int(m.group()) if m else None


def parse_luks_dump(text: str) -> ContainerInfo:
    rows = _fields(text)
    version = _int(_first(rows, "Version"))
    cipher = _first(rows, "cipher")  # LUKS2 data segment (also keyslot "Cipher")
    name, mode = _first(rows, "Cipher name"), _first(rows, "Cipher mode")
    if name and mode:  # LUKS1 splits it in two
        cipher = f"{name}-{mode}"
    key_bits = _int(_first(rows, "MK bits")) or _int(_first(rows, "Key"))
    luks1_slots = len(re.findall(r"^Key Slot \d+: ENABLED", text, re.MULTILINE))
    luks2_slots = len(re.findall(r"^\s+\d+: luks2\s*$", text, re.MULTILINE))
    return ContainerInfo("luks", version, cipher, key_bits, luks1_slots + luks2_slots)


def parse_bitlk_dump(text: str) -> ContainerInfo:
    rows = _fields(text)
    name, mode = _first(rows, "Cipher name"), _first(rows, "Cipher mode")
    protectors = [v.removeprefix("VMK protected with ") for _, k, v in rows if k == "Protection"]
    to_go = "BITLK To Go device" in text
    detail = "; ".join((["To Go"] if to_go else []) + protectors) or None
    return ContainerInfo("bitlocker", _int(_first(rows, "Version")),
                         f"{name}-{mode}" if name and mode else name,
                         _int(_first(rows, "Cipher key")), len(protectors), detail)


def parse_fvault2_dump(text: str) -> ContainerInfo:
    rows = _fields(text)
    name, mode = _first(rows, "Cipher"), _first(rows, "Cipher mode")
    size = _int(_first(rows, "Logical volume size"))
    detail = f"logical volume {size} bytes" if size else None
    return ContainerInfo("filevault", None, f"{name}-{mode}" if name and mode else name,
                         None, 0, detail)


_DUMPS = {"luks": ("luksDump", parse_luks_dump), "bitlocker": ("bitlkDump", parse_bitlk_dump),
          "filevault": ("fvault2Dump", parse_fvault2_dump)}


def describe_container(path: str, scheme: str) -> ContainerInfo | None:
    """Ask cryptsetup about a container; None when cryptsetup is missing or cannot read it."""
    if scheme not in _DUMPS:
        return None
    command, parse = _DUMPS[scheme]
    out = run_tool(["cryptsetup", command, path])
    return None if out is None else parse(out)

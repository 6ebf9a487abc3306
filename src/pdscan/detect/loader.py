"""Read detectors/*.toml (bundled, then site files), validate, check ids unique."""
from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Iterable

from ..errors import ConfigError
from .spec import parse_detector


def toml_files(paths: Iterable) -> list:
    files = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(p.glob("*.toml")))
        elif p.is_file():
            files.append(p)
        else:
            raise ConfigError(f"{p}: no such detector file or folder")
    return files


def read_file(path: Path) -> list:
    from .validators import REGISTRY  # phonenumbers and stdnum: imported once a detector is checked
    return [parse_detector(block, str(path), i, REGISTRY) for i, block in enumerate(_blocks(path))]


def _blocks(path: Path) -> list:
    """The file's [[detector]] tables, as TOML read them (not yet checked)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"detector"})
    if unknown:
        raise ConfigError(f"{path}: unknown top-level table {unknown[0]!r} (expected [[detector]])")
    blocks = data.get("detector", [])
    if not isinstance(blocks, list) or not blocks:
        raise ConfigError(f"{path}: no [[detector]] blocks")
    return blocks


def detector_ids(paths: Iterable) -> set:
    """The ids the files define, for checking the policy's names, without compiling a pattern:
    the scanner checks each detector in full (load_detectors) once a file needs reading, and
    results are only reused under the fingerprint of detector files that were checked so."""
    return {block.get("id") for path in toml_files(paths) for block in _blocks(path) if isinstance(block, dict)}


def load_detectors(paths: Iterable) -> list:
    """Every detector from the given files/folders, ids unique across all of them."""
    specs: list = []
    seen: dict = {}
    for path in toml_files(paths):
        for spec in read_file(path):
            if spec.id in seen:
                raise ConfigError(f"{path}: detector {spec.id!r} is already defined in {seen[spec.id]}")
            seen[spec.id] = path
            specs.append(spec)
    return specs


def detector_fingerprint(paths: Iterable, version: str) -> str:
    """SHA-256 over the detector files' bytes (sorted by path) and the pdscan version:
    stored results made under another fingerprint are not reused."""
    digest = hashlib.sha256(version.encode("utf-8"))
    for path in sorted(toml_files(paths), key=str):
        data = path.read_bytes()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()

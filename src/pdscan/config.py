"""CLI flags + policies.toml + site file → one frozen ScanConfig, passed down.

Every command builds it once with ScanConfig.from_args from its parsed options; library
callers and tests use build() with keywords.

Bundled data (detectors/, policies.toml) lives at the top of the source
tree; a wheel carries it inside the package as pdscan/data/.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .errors import ConfigError
from .globs import GlobSet
from .limits import Limits
from . import __version__
from .policy.exceptions import today_utc
from .policy.loader import Policy, load_policy, policy_fingerprint
from .privacy import hash_key_path
from .policy.triage import Triage
from .sources.filesystem import WalkOptions, content_hash


def bundled(name: str) -> Path:
    packaged = Path(__file__).parent / "data" / name
    if packaged.exists():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / name
    if checkout.exists():
        return checkout
    raise ConfigError(f"bundled {name} not found (broken installation?)")


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}
MB = _UNITS["m"]  # --max-rate's MB/s is binary, like --max-file-size


def parse_size(text: str) -> int:
    """'500M', '2GiB', '1048576' → bytes (binary units)."""
    m = _SIZE.match(str(text))
    if not m:
        raise ConfigError(f"not a size: {text!r} (use e.g. 500M or 2G)")
    unit = (m.group(2) or "").lower()[:1]
    return int(float(m.group(1)) * _UNITS[unit])


@dataclass(frozen=True)
class ScanConfig:
    policy: Policy
    detector_paths: tuple
    limits: Limits = Limits()
    walk: WalkOptions = WalkOptions()
    jobs: int = 1
    nice: int = 0
    max_rate: float = 0  # bytes/s read by the whole scan (--max-rate); 0: unthrottled
    # Encryption of the volume being scanned when the caller knows it (usb); else looked up
    # per device when check_volumes is set.
    volume_encrypted: Optional[bool] = None
    check_volumes: bool = True
    ocr: bool = True  # read the pixels of document-like images and scanned PDF pages (--no-ocr, [ocr])
    key_path: str = field(default_factory=hash_key_path)  # the key that hashes found values
    db: Optional[str] = None  # --db: the store to write; None: the command's default (scan: per-user)
    # Triage (policy/triage.py): the store's decisions in force for this host, the day `until` dates
    # are judged by (--now, else today), and whether lapses are recorded (not for a what-if --now).
    decisions: tuple = ()
    as_of: Optional[dt.date] = None
    note_lapses: bool = True

    @classmethod
    def from_args(cls, args) -> "ScanConfig":
        """The one constructor from a command's parsed options (options.add_scan_options): --policy,
        --detectors, --exclude, --jobs, --db, --no-ocr, and the walk's options where the command has them."""
        from .sinks.store.queries import decisions_in_force
        now = getattr(args, "now", None)
        cfg = build(args.policy, args.detectors, args.exclude, args.jobs, args.follow_symlinks,
                    args.one_filesystem, args.max_file_size, max_rate=args.max_rate * MB, db=args.db,
                    ocr=not args.no_ocr)
        return dataclasses.replace(cfg, decisions=decisions_in_force(args.db), as_of=as_of(now),
                                   note_lapses=now is None)


def as_of(text: Optional[str]) -> dt.date:
    """--now YYYY-MM-DD, else today (UTC)."""
    if not text:
        return today_utc()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--now must be a date YYYY-MM-DD (got {text!r})") from None


def triage_of(config: ScanConfig) -> Triage:
    """The decisions in force and the policy's exceptions, judged as of the command's day."""
    return Triage(config.policy, content_hash, config.decisions, config.as_of, config.note_lapses)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def detector_paths(extra=()) -> tuple:
    return (str(bundled("detectors")),) + tuple(str(p) for p in extra or ())


def known_detector_ids(paths) -> set:
    from .detect.loader import detector_ids
    return detector_ids(paths)


def fingerprints(cfg: ScanConfig) -> tuple:
    """(detector, policy) fingerprints: stored results are reused only under both. Results read
    without OCR are not reused by a scan with it, which must read the pixels they skipped."""
    from .detect.loader import detector_fingerprint
    return (detector_fingerprint(cfg.detector_paths, __version__),
            policy_fingerprint(cfg.policy) + ("" if cfg.ocr else "+no-ocr"))


def hashing(cfg: ScanConfig) -> tuple:
    """(key id, hash form) of the hashes this configuration makes: stored with each scan."""
    from .detect.hash_forms import FORM_VERSION
    from .privacy import install_key, key_id
    return key_id(install_key(cfg.key_path)), FORM_VERSION


def build(policy_file: Optional[str] = None, extra_detectors=(), exclude=(), jobs: Optional[int] = None,
          follow_symlinks: bool = False, one_filesystem: bool = False, max_file_size: Optional[str] = None,
          nice: int = 0, max_rate: float = 0, db: Optional[str] = None, ocr: bool = True) -> ScanConfig:
    paths = detector_paths(extra_detectors)
    policy = load_policy(bundled("policies.toml"), Path(policy_file) if policy_file else None,
                         known_detector_ids(paths))
    size = parse_size(max_file_size) if max_file_size else 0
    walk = WalkOptions(GlobSet(tuple(policy.exclude) + tuple(exclude or ())), follow_symlinks, one_filesystem, size)
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    return ScanConfig(policy=policy, detector_paths=paths, walk=walk, jobs=jobs, nice=nice, max_rate=max_rate,
                      db=db, limits=policy.ocr.applied(Limits()), ocr=ocr and policy.ocr.enabled)

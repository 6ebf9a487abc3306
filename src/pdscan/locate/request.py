"""A subject access or erasure request: a person's identifiers, turned into keyed hashes at once.

The request is personal data. Its values are read (from a TOML file, or typed at a prompt that
does not echo), checked by the detector's own validator, hashed with `value_key` (what the
engine stores for a match) and dropped: what leaves this module is (kind, detector, hash) only.
No message here quotes a value: a bad one is named by its kind and position.
"""
from __future__ import annotations

import datetime as dt
import getpass
import re
import resource
import tomllib
from dataclasses import dataclass
from typing import Callable, Optional

from ..config import bundled
from ..detect.hash_forms import canonical, value_key
from ..detect.loader import load_detectors
from ..detect.validators import REGISTRY
from ..errors import ConfigError


def no_core_dumps() -> None:
    """While the request's values are in memory, a crash must not write them to a core file."""
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):  # a platform without the limit: nothing to lower
        pass


@dataclass(frozen=True)
class Kind:
    name: str        # the request's field
    detector: str    # the detector whose keyed hashes hold it
    label: str       # for people, in prompts and messages


KINDS = (
    Kind("nino", "uk.nino", "National Insurance number"),
    Kind("uln", "uk.uln", "Unique Learner Number"),
    Kind("nhs", "uk.nhs", "NHS number"),
    Kind("upn", "uk.upn", "Unique Pupil Number"),
    Kind("passport", "uk.passport", "passport number"),
    Kind("email", "email", "email address"),
    Kind("phone", "uk.phone", "phone number"),
    Kind("name", "person_name", "full name (given and family name)"),
    Kind("dob", "date_of_birth", "date of birth"),
)
BY_NAME = {k.name: k for k in KINDS}


@dataclass(frozen=True)
class Sought:
    """One identifier of the request, as the store holds it: its kind and its keyed hash."""
    kind: str
    hash: str


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _values(kind: str, raw) -> list:
    """The field's values as strings; a TOML date (dob = 2005-03-12) counts as its ISO text."""
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for n, value in enumerate(items, 1):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = value.isoformat()
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"request: {kind} ({_ordinal(n)} value) must be non-empty text")
        out.append(value.strip())
    return out


def hash_request(fields: dict, key: bytes, validators: Optional[dict] = None) -> list:
    """{kind: value or [values]} → [Sought], each value checked by its detector's validator.

    A value the detector would never find (it fails the validator) cannot be located: it is
    refused, so that a typing error does not answer a request with nothing."""
    validators = validators if validators is not None else detector_validators()
    unknown = [k for k in fields if k not in BY_NAME]
    if unknown:
        # Never quoted: a request grouped under a person's name ([Aisha_Khan]) would show it.
        raise ConfigError(f"request: {len(unknown)} unknown field(s); the fields are {', '.join(BY_NAME)}")
    sought = []
    for kind in KINDS:
        if kind.name not in fields:
            continue
        for n, value in enumerate(_values(kind.name, fields[kind.name]), 1):
            check = validators.get(kind.detector)
            try:
                valid = check(value) if check else None
                digest = value_key(kind.detector, value, key)
            except Exception:  # never a traceback or message that could quote the value
                raise ConfigError(f"request: cannot read {kind.name} ({_ordinal(n)} value)") from None
            if kind.name == "name" and len(canonical(value).split()) < 2:  # "Mrs Khan" is anyone's
                raise ConfigError(f"request: name ({_ordinal(n)} value) must be a full name, given and family "
                                  "name: pdscan counts a person by both")
            if valid is False:
                raise ConfigError(f"request: {kind.name} ({_ordinal(n)} value) is not a valid {kind.label}: "
                                  "pdscan would not have found it in a file; check it")
            sought.append(Sought(kind.name, digest))
    if not sought:
        raise ConfigError("request: no identifiers given")
    if {s.kind for s in sought} <= {"name", "dob"} and len({s.kind for s in sought}) < 2:
        raise ConfigError("request: a name or a date of birth alone identifies no one: give both, "
                          "or another identifier")
    return sought


def detector_validators() -> dict:
    """Detector id → its validator, from the bundled detectors (the ones that made the hashes)."""
    return {s.id: REGISTRY[s.validator] for s in load_detectors([bundled("detectors")]) if s.validator}


def read_request(path: str) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the request: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        # The parser's message can quote the text around the error: only where it is.
        where = re.search(r"\(at line \d+, column \d+\)", str(exc))
        raise ConfigError(f"{path}: the request is not valid TOML {where.group(0) if where else ''}".rstrip()) \
            from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the request is not UTF-8 text") from None


def prompt_request(ask: Callable[[str], str] = getpass.getpass) -> dict:
    """The request typed at the terminal without echo (never in shell history or on screen)."""
    fields: dict = {}
    for kind in KINDS:
        answer = ask(f"{kind.label} (Enter to skip; several separated by ';'): ")
        values = [v.strip() for v in answer.split(";") if v.strip()]
        if values:
            fields[kind.name] = values
    return fields

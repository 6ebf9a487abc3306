"""The JSONL contract (docs/interface.md), written and read in one place.

`to_json` turns a typed result (model.py: ItemResult, MessageResult, VolumeResult,
ErrorRecord, Summary; `pdscan locate`'s Located and LocateSummary) into the object
a line of `--format jsonl` holds: its public fields only, in the contract's order.
`from_json` reads such an object back into the same typed result, tolerating
absent fields (a file collected from an endpoint may come from an older pdscan).
The JSONL and JSON sinks, the store (its JSON columns and the summary counts),
the reports and `pdscan locate` all go through here, so a field is named once.
"""
from __future__ import annotations

import base64
import os
from typing import Optional

from .model import (Acceptance, ErrorRecord, Finding, ItemResult, LocateSummary, Located, MessageResult, RunInfo,
                    Summary, Violation, VolumeResult)

# Each record type's name in JSONL, and its list in the one document of `--format json`.
KINDS = {ItemResult: ("item", "items"), ErrorRecord: ("error", "errors"), VolumeResult: ("volume", "volumes"),
         MessageResult: ("message", "messages")}
RECORD_TYPES = ("item", "message", "error", "volume", "summary")


def kind(record) -> str:
    """"item", "error", "volume" or "message"."""
    return KINDS[type(record)][0]


def finding_json(f: Finding) -> dict:
    return {"detector": f.detector, "count": f.count, "confidence": f.confidence, "samples": list(f.samples)}


def violation_json(v: Violation) -> dict:
    return {"rule": v.rule, "severity": v.severity, "detail": v.detail}


def acceptance_json(a: Optional[Acceptance]) -> Optional[dict]:
    if a is None:
        return None
    return {"status": a.status, "source": a.source, "id": a.id, "rule": a.rule, "reason": a.reason, "by": a.by,
            "at": a.at, "until": a.until, "violations": [violation_json(v) for v in a.violations]}


def _origin(run: Optional[RunInfo]) -> dict:
    """Where a record was made: every record of a run carries its host and user."""
    return {} if run is None else {"host": run.host, "user": run.user}


def summary_json(s: Summary, run: Optional[RunInfo] = None) -> dict:
    # The run's identity (which check, of what, when) comes last, so that the counts read as before.
    scope = {} if run is None else {"kind": run.kind, "roots": list(run.roots), "started": run.started,
                                    **_origin(run)}
    return {"type": "summary", "items": s.items, "files": s.files, "bytes": s.bytes,
            "findings": dict(sorted(s.findings.items())),
            "violations": dict(sorted(s.violations.items())),
            "errors": s.errors, "skipped": dict(sorted(s.skipped.items())),
            "encrypted_items": s.encrypted_items,
            "items_with_personal_data": s.items_with_personal_data,
            # Violations a triage decision covers: not in `violations`, which are the open ones.
            **({"accepted": dict(sorted(s.accepted.items()))} if s.accepted else {}),
            **({"dismissed": dict(sorted(s.dismissed.items()))} if s.dismissed else {}),
            **({"volumes": s.volumes, "volumes_failed": s.volumes_failed} if s.volumes else {}),
            **({"messages": s.messages} if s.messages else {}),
            **({"sent_outside": dict(sorted(s.sent_outside.items()))} if s.sent_outside else {}),
            **({"ocr_pages": s.ocr_pages} if s.ocr_pages else {}),
            **({"retention": s.retention} if s.retention else {}),
            "elapsed": round(s.elapsed, 3), **scope}


def _item(r: ItemResult) -> dict:
    out = {"type": "item", "path": r.path, "member": r.member, "mime": r.mime, "size": r.size, "mtime": r.mtime,
           "encrypted": r.encrypted, "encryption": r.encryption,
           # Why, where it matters: "PDF has only an owner password: anyone can read it".
           "encryption_note": r.encryption_note,
           # Holds personal data under the policy (its thresholds): what every count of such items counts.
           "personal": r.personal,
           "findings": [finding_json(f) for f in r.findings],
           "violations": [violation_json(v) for v in r.violations]}
    if r.accepted is not None:  # a triage decision in force: accepted or not personal data, what it covers
        out["accepted"] = acceptance_json(r.accepted)
    if r.retention is not None:
        out["retention"] = dict(r.retention)
    return out


def _message(r: MessageResult) -> dict:
    return {"type": "message", "path": r.path, "member": r.member, "folder": r.folder,
            "message_id": r.message_id, "date": r.date, "from": r.sender,
            "classification": r.classification, "score": r.score,
            # Why it was so classified: signals, never body text.
            "reasons": list(r.reasons),
            "findings": [finding_json(f) for f in r.findings],
            "violations": [violation_json(v) for v in r.violations],
            # Where the owner's mail took others' personal data (policy/sent_outside.py), else null.
            "sent_outside": r.sent_outside}


def _volume(r: VolumeResult) -> dict:
    return {"type": "volume", "device": r.device, "mountpoint": r.mountpoint, "fstype": r.fstype,
            "removable": r.removable, "encrypted": r.encrypted, "encryption": r.encryption,
            "verdict": r.verdict, "violations": [violation_json(v) for v in r.violations]}


def _error(r: ErrorRecord) -> dict:
    return {"type": "error", "path": r.path, "member": r.member, "error": r.error}


def _located(r: Located) -> dict:
    out = {"type": "located", "host": r.host, "path": r.path, "member": r.member, "last_seen": r.last_seen,
           "matched": list(r.matched), "strength": r.strength, "encrypted": r.encrypted, "encryption": r.encryption,
           "erasure": r.erasure}
    if r.planned is not None:
        out["planned"] = r.planned
    if r.not_planned:
        out["not_planned"] = r.not_planned
    return out


def _locate_summary(s: LocateSummary) -> dict:
    return {"type": "locate_summary", "items": s.items, "strong": s.strong, "medium": s.medium,
            "hosts": list(s.hosts), "key_id": s.key_id, "hash_form": s.hash_form,
            **({"planned": s.planned} if s.planned is not None else {})}


_WRITERS = {ItemResult: _item, MessageResult: _message, VolumeResult: _volume, ErrorRecord: _error,
            Located: _located, LocateSummary: _locate_summary}


def to_json(record, run: Optional[RunInfo] = None) -> dict:
    """The record as interface.md defines it: public fields only, and names that are not valid
    UTF-8 given as text (with U+FFFD) plus their exact bytes in base64 under `<field>_bytes`;
    with `run`, the host and user it was made on."""
    if isinstance(record, Summary):
        return summary_json(record, run)
    out = _WRITERS[type(record)](record)
    for key in ("path", "member"):
        value = out.get(key)
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raw = value.encode("utf-8", "surrogateescape") if key == "member" else os.fsencode(value)
                out[key] = raw.decode("utf-8", "replace")
                out[f"{key}_bytes"] = base64.b64encode(raw).decode("ascii")
    out.update(_origin(run))
    return out


# -- reading back ----------------------------------------------------------------------------------------

def finding_from(d: dict) -> Finding:
    return Finding(d.get("detector"), d.get("count"), d.get("confidence"), list(d.get("samples") or ()))


def violation_from(d: dict) -> Violation:
    return Violation(d.get("rule"), d.get("severity"), d.get("detail"))


def acceptance_from(d) -> Optional[Acceptance]:
    if not isinstance(d, dict):
        return None
    return Acceptance(d.get("status"), d.get("source"), d.get("reason"), d.get("by"), d.get("at"), d.get("until"),
                      d.get("id"), d.get("rule"), tuple(_listed(d, "violations", violation_from)))


def _listed(d: dict, name: str, read) -> list:
    return [read(e) for e in d.get(name) or () if isinstance(e, dict)]


def from_json(d: dict) -> Optional[object]:
    """The typed result a JSONL object holds (its public fields), or None for a summary or an
    object of no known type. Absent fields read as None or empty."""
    kind_ = d.get("type")
    findings, violations = _listed(d, "findings", finding_from), _listed(d, "violations", violation_from)
    if kind_ == "item":
        return ItemResult(d.get("path"), d.get("member"), d.get("mime"), d.get("size"), d.get("mtime"),
                          d.get("encrypted"), d.get("encryption"), d.get("encryption_note"), findings, violations,
                          retention=d.get("retention"), accepted=acceptance_from(d.get("accepted")),
                          # A file from a pdscan before `personal` was written: any finding counted.
                          personal=bool(d["personal"]) if "personal" in d else bool(findings))
    if kind_ == "message":
        return MessageResult(d.get("path"), d.get("member"), d.get("folder"), d.get("message_id"), d.get("date"),
                             d.get("from"), d.get("classification"), d.get("score"), list(d.get("reasons") or ()),
                             findings, violations,
                             sent_outside=d.get("sent_outside") if isinstance(d.get("sent_outside"), dict) else None)
    if kind_ == "volume":
        return VolumeResult(d.get("device"), d.get("mountpoint"), d.get("fstype"), d.get("removable"),
                            d.get("encrypted"), d.get("encryption"), d.get("verdict"), violations)
    if kind_ == "error":
        return ErrorRecord(d.get("path"), d.get("member"), d.get("error"))
    return None

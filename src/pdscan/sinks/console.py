"""Text for people: findings grouped by file, then what was and wasn't scanned."""
from __future__ import annotations

import sys

from . import display

WORST_FIRST = {"high": 0, "medium": 1, "low": 2}
MAX_LISTED_ERRORS = 50


def _where(record: dict) -> str:
    path = display(record["path"])
    return f"{path}!/{display(record['member'])}" if record.get("member") else path


def _encryption(record: dict) -> str:
    if record["encrypted"]:
        return f"encrypted ({record['encryption']})"
    if record["encrypted"] is False:
        return "not encrypted"
    return "encryption unknown"


class ConsoleSink:
    def __init__(self, stream, verbose: bool = False):
        self.stream = stream
        self.verbose = verbose
        self.errors: list = []
        self.error_count = 0

    def begin(self) -> None:
        pass

    def write(self, line: str = "") -> None:
        self.stream.write(line + "\n")

    def record(self, record: dict) -> None:
        if record["type"] == "error":
            self.error_count += 1
            if len(self.errors) < MAX_LISTED_ERRORS:  # a long watch must not grow without bound
                self.errors.append(record)
            return
        if record["type"] == "volume":
            self.volume(record)
            return
        if record["type"] != "item":
            return
        if not (record["findings"] or record["violations"] or (self.verbose and record["encrypted"])):
            return
        self.write(f"{_where(record)}  [{record['mime']}, {_encryption(record)}]")
        if record.get("encryption_note"):
            self.write(f"    note: {record['encryption_note']}")
        where = record.get("_where", {})
        for f in record["findings"]:
            places = ", ".join(where.get(f["detector"], [])[:3])
            samples = ", ".join(f["samples"])
            self.write(f"    {f['detector']:<20} ×{f['count']:<4} {f['confidence']:<6}  {samples}"
                       + (f"   ({places})" if places else ""))
        for v in sorted(record["violations"], key=lambda v: WORST_FIRST[v["severity"]]):
            self.write(f"  ! {v['rule']} [{v['severity']}]: {v['detail']}")
        self.stream.flush()

    def volume(self, record: dict) -> None:
        name = display(record["device"]) + (f' "{record["_label"]}"' if record.get("_label") else "")
        size = f", {_size(record['_size'])}" if record.get("_size") else ""
        where = f"mounted at {display(record['mountpoint'])}" if record["mountpoint"] else "not mounted"
        state = _encryption(record)
        if record.get("_note"):
            state += f" ({record['_note']})"
        if record["verdict"] is None:  # --list
            self.write(f"{name:<30} {record['fstype'] or '?':<12}{size:<12} {where}; {state}")
            return
        self.write()
        self.write(f"Volume {name} ({record['fstype'] or 'unknown filesystem'}{size}) {where}")
        self.write(f"  encryption: {state}")
        worst = record.get("_worst", [])
        if record["verdict"] == "FAIL":
            self.write(f"  verdict: FAIL: {len(worst)} item(s) hold personal data anyone who finds it can read:")
            for n, item in enumerate(worst, 1):
                held = ", ".join(f"{f['detector']} ×{f['count']}" for f in item["findings"])
                self.write(f"    {n:>2}. {_where(item)}  ({held})")
            for v in record["violations"]:
                self.write(f"  ! {v['rule']} [{v['severity']}]: {v['detail']}")
        else:
            why = "the volume is encrypted" if record["encrypted"] else "no readable personal data found"
            self.write(f"  verdict: {record['verdict']}" + (f" ({why})" if record["verdict"] == "PASS" else ""))
        self.stream.flush()

    def end(self, summary) -> None:
        s = summary
        self.write()
        scanned = f"{s.messages} messages" if s.messages and not s.files else f"{s.files} files ({_size(s.bytes)})"
        self.write(f"Scanned {scanned}, {s.items} items in all, in {s.elapsed:.1f}s.")
        self.write(f"Items holding personal data: {s.items_with_personal_data}; encrypted items: {s.encrypted_items}.")
        if s.volumes:
            self.write(f"Volumes checked: {s.volumes}; failed: {s.volumes_failed}.")
        if s.violations:
            self.write("Violations: " + ", ".join(f"{rule} ×{n}" for rule, n in sorted(s.violations.items())))
        else:
            self.write("Violations: none.")
        if s.findings:
            self.write("Findings: " + ", ".join(f"{d} ×{n}" for d, n in sorted(s.findings.items())))
        if s.skipped:
            self.write("Not scanned:")
            for reason, n in sorted(s.skipped.items()):
                self.write(f"    {n:>6}  {reason}")
        if self.errors:
            self.write(f"Could not scan ({self.error_count}):")
            for e in self.errors:
                self.write(f"    {_where(e)}: {e['error']}")
            if self.error_count > len(self.errors):
                self.write(f"    … and {self.error_count - len(self.errors)} more (use --format jsonl for all)")
        self.stream.flush()


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()

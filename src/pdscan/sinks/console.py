"""Text for people: what holds personal data, what is protected, what was not read.

Layout: items that hold personal data under the policy (its thresholds, the
ones `unencrypted-personal-data` uses) as they are found; then, held back to
the end, items with findings below those thresholds, encrypted items and
items not read, each under its own heading; then the counts, which use the
same definitions as the headings. Every line goes out through `emit`, which
makes names inert for a terminal (display.shown) and keeps the progress bar
off the line.
"""
from __future__ import annotations

import contextlib

from ..display import shown
from ..model import NOT_PERSONAL, ErrorRecord, ItemResult, VolumeResult, worst_first
from ..sources.filesystem import Skipped

MAX_LISTED_ERRORS = 50
MAX_HELD_ITEMS = 500    # per end section: a long watch must not grow without bound
MAX_PATHS_PER_REASON = 10
# Error records that are a choice, not a failure: listed as not scanned, under this reason.
TOO_LARGE = "larger than --max-file-size"


def item_name(record) -> str:
    """An item, error or message record's path, with its member after "!/"."""
    return f"{record.path}!/{record.member}" if record.member else str(record.path)


def encryption_text(record) -> str:
    if record.encrypted:
        return f"encrypted ({record.encryption})"
    if record.encrypted is False:
        return "not encrypted"
    return "encryption unknown"


def acceptance_text(a) -> str:
    """A decision in force, in one line: what, why, who, until when, which rule, what it covers."""
    what = "not personal data" if a.status == NOT_PERSONAL else "accepted"
    source = f"decision {a.id}" if a.id is not None else "policy exception"
    covered = ", ".join(f"{v.rule} [{v.severity}]" for v in a.violations) or "no violation"
    return (f"{what} ({source}, by {a.by or '?'}{', until ' + a.until if a.until else ''}"
            f"{', rule ' + a.rule if a.rule else ''}): {a.reason}; covers {covered}")


def finding_line(f, places=()) -> str:
    samples = ", ".join(f.samples)
    where = ", ".join(list(places)[:3])
    return (f"    {f.detector:<20} ×{f.count:<4} {f.confidence:<6}  {samples}"
            + (f"   ({where})" if where else ""))


class Held:
    """Lines for an end section: entries counted exactly, listed up to a bound."""

    def __init__(self, bound: int):
        self.bound = bound
        self.count = 0
        self.lines: list = []

    def add(self, lines) -> None:
        self.count += 1
        if self.count <= self.bound:
            self.lines.extend(lines)

    def section(self, heading: str) -> list:
        if not self.count:
            return []
        more = self.count - self.bound
        return [heading, *self.lines] + ([f"    … and {more} more (use --format jsonl for all)"] if more > 0 else [])


class ConsoleSink:
    def __init__(self, stream):
        self.stream = stream
        # Set by the progress bar: clears it while lines are written, redraws it after.
        self.pause = contextlib.nullcontext
        self.errors = Held(MAX_LISTED_ERRORS)
        self.warnings = Held(MAX_LISTED_ERRORS)
        self.below = Held(MAX_HELD_ITEMS)
        self.encrypted = Held(MAX_HELD_ITEMS)
        self.triaged = Held(MAX_HELD_ITEMS)  # items a decision covers: accepted or not personal data
        self.not_read: dict = {}   # reason → example paths
        self.too_large = 0
        self.listed_volumes: list = []
        self.items_seen = False
        self.personal_heading = False

    def begin(self) -> None:
        pass

    def emit(self, lines) -> None:
        """The one way out: each line made inert (a name cannot move the cursor or add a line)."""
        with self.pause():
            for line in lines:
                self.stream.write(shown(line) + "\n")
            self.stream.flush()

    def write(self, line: str = "") -> None:
        self.emit([line])

    def skipped(self, path, reason: str) -> None:
        """A file the walk passed over (too large, excluded...): listed under its reason."""
        examples = self.not_read.setdefault(reason, [])
        if len(examples) < MAX_PATHS_PER_REASON:
            examples.append(str(path))

    def record(self, record) -> None:
        if isinstance(record, ErrorRecord) and record.error.startswith(TOO_LARGE):
            self.too_large += 1
            self.skipped(item_name(record), TOO_LARGE)
            return
        if isinstance(record, ErrorRecord):
            held = self.warnings if record.warning else self.errors
            held.add([f"    {item_name(record)}: {record.error}"])
            return
        if isinstance(record, VolumeResult):
            self.volume(record)
            return
        if not isinstance(record, ItemResult):
            return
        self.items_seen = True
        if record.encrypted:
            note = f"; {record.encryption_note}" if record.encryption_note else ""
            self.encrypted.add([f"    {item_name(record)}  {encryption_text(record)}{note}"])
        if record.unread:
            self.skipped(item_name(record), record.unread)
        if record.accepted is not None:
            self.triaged.add([f"    {item_name(record)}", f"      {acceptance_text(record.accepted)}"])
            if not record.violations:
                return
        if not (record.findings or record.violations):
            return
        lines = self._item_lines(record)
        if record.personal or record.violations:
            if not self.personal_heading:
                self.personal_heading = True
                lines.insert(0, "Personal data (meets the policy's thresholds):")
            self.emit(lines)
        else:
            self.below.add(lines)

    def _item_lines(self, record: ItemResult) -> list:
        lines = [f"{item_name(record)}  [{record.mime}, {encryption_text(record)}]"]
        if record.encryption_note:
            lines.append(f"    note: {record.encryption_note}")
        lines += [finding_line(f, record.where.get(f.detector, ())) for f in record.findings]
        lines += [f"  ! {v.rule} [{v.severity}]: {v.detail}"
                  for v in sorted(record.violations, key=lambda v: worst_first(v.severity))]
        return lines

    def volume(self, record: VolumeResult) -> None:
        if record.verdict is None:  # --list: one table at the end, aligned
            self.listed_volumes.append(record)
            return
        name = str(record.device) + (f' "{record.label}"' if record.label else "")
        size = f", {_size(record.size)}" if record.size else ""
        where = f"mounted at {record.mountpoint}" if record.mountpoint else "not mounted"
        lines = ["", f"Volume {name} ({record.fstype or 'unknown filesystem'}{size}) {where}",
                 f"  encryption: {_volume_encryption(record)}"]
        worst = record.worst
        if record.verdict == "FAIL":
            lines.append(f"  verdict: FAIL: {len(worst)} item(s) hold personal data anyone who finds it can read:")
            for n, item in enumerate(worst, 1):
                lines.append(f"    {n:>2}. {item_name(item)}")
                lines += ["    " + finding_line(f, item.where.get(f.detector, ())) for f in item.findings]
            lines += [f"  ! {v.rule} [{v.severity}]: {v.detail}" for v in record.violations]
        else:
            why = "the volume is encrypted" if record.encrypted else "no readable personal data found"
            lines.append(f"  verdict: {record.verdict}" + (f" ({why})" if record.verdict == "PASS" else ""))
        self.emit(lines)

    def end(self, summary) -> None:
        if self.listed_volumes:  # `usb --list`: nothing was scanned, so no scan summary
            self.emit(volume_table(self.listed_volumes))
            return
        s = summary
        lines = [""]
        lines += self.below.section(f"Findings below the policy's thresholds, not counted as personal data "
                                    f"(e.g. contact details only): {self.below.count} item(s)")
        lines += self.encrypted.section(f"Encrypted, content protected and not read: {self.encrypted.count} item(s)")
        lines += self.triaged.section(f"Accepted or dismissed as not personal data (pdscan accept, policy "
                                      f"exceptions): {self.triaged.count} item(s)")
        if len(lines) > 1:
            lines.append("")
        scanned = f"{s.messages} messages" if s.messages and not s.files else f"{s.files} files ({_size(s.bytes)})"
        lines.append(f"Scanned {scanned}, {s.items} items in all, in {s.elapsed:.1f}s.")
        below = f"; below the policy's thresholds: {self.below.count}" if self.items_seen else ""
        lines.append(f"Items holding personal data: {s.items_with_personal_data}{below}; "
                     f"encrypted items: {s.encrypted_items}.")
        if s.ocr_pages:
            lines.append(f"Pages read by OCR (images, scanned PDF pages): {s.ocr_pages}.")
        if s.volumes:
            lines.append(f"Volumes checked: {s.volumes}; failed: {s.volumes_failed}.")
        if s.violations:
            lines.append("Violations: " + ", ".join(f"{rule} ×{n}" for rule, n in sorted(s.violations.items())))
        else:
            lines.append("Violations: none.")
        if s.accepted or s.dismissed:
            lines.append(f"Violations open: {sum(s.violations.values())}; accepted: {sum(s.accepted.values())}; "
                         f"dismissed as not personal data: {sum(s.dismissed.values())}.")
        if s.findings:
            lines.append("Findings: " + ", ".join(f"{d} ×{n}" for d, n in sorted(s.findings.items())))
        skipped = dict(s.skipped, **({TOO_LARGE: self.too_large} if self.too_large else {}))
        if skipped:
            lines.append(f"Not scanned ({sum(skipped.values())}):")
            for reason, n in sorted(skipped.items()):
                lines.append(f"    {n:>6}  {reason}")
                examples = self.not_read.get(reason, [])
                lines += [f"              {path}" for path in examples]
                if n > len(examples) and examples:
                    lines.append(f"              … and {n - len(examples)} more")
        lines += self.warnings.section(f"Read with a warning ({self.warnings.count}):")
        lines += self.errors.section(f"Could not scan ({self.errors.count}):")
        self.emit(lines)


def _volume_encryption(record: VolumeResult) -> str:
    state = encryption_text(record)
    return state + (f" ({record.note})" if record.note else "")


def volume_table(records) -> list:
    """`usb --list`: one aligned row per volume."""
    head = ("DEVICE", "MOUNTPOINT", "FSTYPE", "SIZE", "LABEL", "ENCRYPTION", "REMOVABLE")
    rows = [head] + [(shown(r.device), shown(r.mountpoint or "-"), shown(r.fstype or "?"),
                      _size(r.size) if r.size else "?", shown(r.label or "-"),
                      shown(_volume_encryption(r)), "yes" if r.removable else "no") for r in records]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head) - 1)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1] for row in rows]


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def noting_skips(events, sink):
    """Walk events, with each file the walk skips passed to a text sink to list by reason."""
    note = getattr(sink, "skipped", None)
    for event in events:
        if note is not None and isinstance(event, Skipped):
            note(event.path, event.reason)
        yield event

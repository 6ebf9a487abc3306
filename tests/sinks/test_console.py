"""Text output of `pdscan scan`: one definition of personal data for the listing and the counts,
and what is protected or was not read is named, not only counted."""
from __future__ import annotations

import os
import re

from tests.commands.test_usb import encrypted_xlsx

NI_LIST = "Name,NI number\nJo Bloggs,AB 12 34 56 C\nAl Smith,JG 10 37 59 A\n"


def sections(out: str) -> dict:
    """Heading line → the lines under it, up to the next blank line."""
    found, current = {}, None
    for line in out.splitlines():
        if not line.strip():
            current = None
        elif current is None:
            current = line
            found[current] = []
        else:
            found[current].append(line)
    return found


def listed_files(lines) -> list:
    return sorted(os.path.basename(line.split("  [")[0]) for line in lines if not line.startswith(" "))


def test_listing_and_counts_use_the_policy_definition_of_personal_data(cli, tmp_path):
    (tmp_path / "learners.csv").write_text(NI_LIST)
    (tmp_path / "contacts.txt").write_text("Write to jo@bloggs-family.co.uk\n")
    (tmp_path / "phone.txt").write_text("Call Al on 020 7123 4567 about the boiler\n")
    (tmp_path / "timetable.txt").write_text("Monday: Maths\n")
    result = cli("scan", tmp_path, "--jobs", "1", "--no-progress")
    assert result.code == 1, result
    parts = sections(result.out)
    [personal] = [h for h in parts if h.startswith("Personal data")]
    [below] = [h for h in parts if h.startswith("Findings below the policy's thresholds")]
    assert listed_files(parts[personal]) == ["learners.csv"]
    assert listed_files(parts[below]) == ["contacts.txt", "phone.txt"]
    assert below.endswith(": 2 item(s)")
    assert "Items holding personal data: 1; below the policy's thresholds: 2;" in result.out


def test_encrypted_and_unread_items_are_named_with_scheme_and_reason(cli, tmp_path):
    encrypted_xlsx(tmp_path / "grades.xlsx")
    (tmp_path / "blob.bin").write_bytes(b"\x93\x17\xfe\x01" * 500)
    (tmp_path / "skip-me.txt").write_text("Jo Bloggs AB 12 34 56 C\n")
    (tmp_path / "video.txt").write_text("x" * 3 * 1024 * 1024)
    result = cli("scan", tmp_path, "--jobs", "1", "--no-progress", "--exclude", "skip-me.txt",
                 "--max-file-size", "2M")
    assert result.code == 0, result
    parts = sections(result.out)
    [encrypted] = [h for h in parts if h.startswith("Encrypted")]
    assert encrypted.endswith(": 1 item(s)")
    [line] = parts[encrypted]
    assert line.strip().startswith(f"{tmp_path / 'grades.xlsx'}  encrypted (ooxml)")
    assert "encrypted items: 1." in result.out
    assert "Could not scan" not in result.out  # too large is a choice, not a failure
    not_scanned = result.out.split("Not scanned (3):\n", 1)[1].splitlines()
    assert re.match(r"\s+1  content not read: application/octet-stream$", not_scanned[0])
    assert not_scanned[1].strip() == str(tmp_path / "blob.bin")
    assert re.match(r"\s+1  excluded by pattern$", not_scanned[2])
    assert not_scanned[3].strip() == str(tmp_path / "skip-me.txt")
    assert re.match(r"\s+1  larger than --max-file-size$", not_scanned[4])
    assert not_scanned[5].strip() == str(tmp_path / "video.txt")

"""The labelled evaluation mailbox (fixtures/mail/evaluation) is sound.

It is what its generator writes (byte for byte), every message parses
cleanly, every message has a unique Message-ID with exactly one label, and
the set keeps the size, balance and hard cases the classifier is measured on.
"""
from __future__ import annotations

import csv
import email.policy
import importlib.util
import sys
from collections import Counter
from datetime import datetime, timezone
from email.parser import BytesParser
from pathlib import Path

import pytest

MAIL = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
BOX = MAIL / "evaluation"
LABELS = MAIL / "evaluation-labels.tsv"
GENERATED = ("evaluation", "evaluation-labels.tsv", "README.md")
# The hard cases each need at least 15 messages (kept here, not imported, so the
# generator cannot quietly drop one).
HARD_CASES = ("work-from-phone", "personal-from-colleague", "out-of-office", "college-newsletter",
              "personal-with-work-words", "work-with-personal-words", "short-reply", "parent-enquiry",
              "work-from-webmail", "own-children-school")
PARSE = BytesParser(policy=email.policy.default)


def _generator():
    name = "make_evaluation_fixture"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, MAIL / "make_evaluation.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _files(root: Path) -> list:
    out = []
    for top in GENERATED:
        path = root / top
        if path.is_file():
            out.append(top)
        elif path.is_dir():
            out += sorted(p.relative_to(root).as_posix() for p in path.rglob("*") if p.is_file())
    return out


def _message_files() -> list:
    return sorted(p for p in BOX.rglob("*") if p.is_file() and p.parent.name in ("cur", "new"))


@pytest.fixture(scope="module")
def messages():
    return [(p, p.read_bytes()) for p in _message_files()]


@pytest.fixture(scope="module")
def parsed(messages):
    return [(p, PARSE.parsebytes(data)) for p, data in messages]


@pytest.fixture(scope="module")
def labels():
    with LABELS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["message_id", "label", "case", "note"]
    return rows[1:]


def test_generator_reproduces_committed_files(tmp_path):
    _generator().generate(tmp_path)
    assert _files(tmp_path) == _files(MAIL)
    changed = [name for name in _files(MAIL) if (tmp_path / name).read_bytes() != (MAIL / name).read_bytes()]
    assert changed == [], "regenerate with: python fixtures/mail/make_evaluation.py"


def test_maildir_layout():
    assert (BOX / "cur").is_dir() and (BOX / "new").is_dir()
    folders = sorted(p.name for p in BOX.iterdir() if p.is_dir() and p.name.startswith("."))
    assert {".Sent", ".Courses", ".Admin"} <= set(folders)
    assert not [f for f in folders if f.split(".")[1].lower() == "personal"], "no Personal folder in this set"
    for path in _message_files():
        if path.parent.name == "new":
            assert ":2," not in path.name
        else:
            assert ":2," in path.name
        assert not path.name.startswith(".")


def test_every_message_parses_without_defects(parsed):
    problems = []
    for path, msg in parsed:
        for part in msg.walk():
            problems += [(path.name, type(d).__name__) for d in part.defects]
            for name, value in part.items():
                problems += [(path.name, name, type(d).__name__) for d in getattr(value, "defects", ())]
            if not part.is_multipart():
                part.get_content()  # decodes: raises on a broken transfer encoding or charset
        for header in ("Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type"):
            if msg[header] is None:
                problems.append((path.name, f"no {header}"))
    assert problems == []


def test_messages_are_seven_bit_clean(messages):
    """Non-ASCII text is properly encoded (quoted-printable, base64, RFC 2047), never raw 8-bit."""
    assert [p.name for p, data in messages if not data.isascii()] == []


def test_message_ids_unique_and_each_labelled_once(parsed, labels):
    ids = [str(msg["Message-ID"]).strip() for _, msg in parsed]
    assert all(i.startswith("<") and i.endswith(">") for i in ids)
    assert len(ids) == len(set(ids))
    labelled = [row[0] for row in labels]
    assert len(labelled) == len(set(labelled))
    assert sorted(labelled) == sorted(ids)


def test_label_rows_well_formed(labels):
    for row in labels:
        assert len(row) == 4, row
        message_id, label, case, note = row
        assert label in ("personal", "work"), row
        assert case and case == case.strip() and " " not in case, row
        assert note and note.split(":")[0] == label, row


def test_size_balance_and_hard_cases(labels):
    assert len(labels) >= 450
    personal = sum(row[1] == "personal" for row in labels) / len(labels)
    assert 0.30 <= personal <= 0.45, personal
    cases = Counter(row[2] for row in labels)
    thin = {case: cases[case] for case in HARD_CASES if cases[case] < 15}
    assert thin == {}
    # one-liners must come in both labels: their label is the thread's, not the words'
    assert {row[1] for row in labels if row[2] == "short-reply"} == {"personal", "work"}


def test_mixture_of_mail_kinds(parsed):
    """Threads, HTML-only and alternative bodies, attachments, encoded words, dates in the academic year."""
    kinds = Counter(msg.get_content_type() for _, msg in parsed)
    replies = sum(1 for _, msg in parsed if msg["In-Reply-To"])
    attachments = sum(1 for _, msg in parsed if any(True for _ in msg.iter_attachments()))
    encoded = sum(1 for p, _ in parsed if b"=?utf-8?" in p.read_bytes().split(b"\n\n", 1)[0])
    assert kinds["text/html"] >= 20 and kinds["multipart/alternative"] >= 50 and kinds["text/plain"] >= 50
    assert replies >= 40 and attachments >= 15 and encoded >= 10
    lo = datetime(2025, 8, 31, 23, 0, tzinfo=timezone.utc)  # 1 September 2025, 00:00 BST
    hi = datetime(2026, 6, 30, 23, 0, tzinfo=timezone.utc)  # 1 July 2026, 00:00 BST
    dates = [msg["Date"].datetime for _, msg in parsed]
    assert all(lo <= d < hi for d in dates)

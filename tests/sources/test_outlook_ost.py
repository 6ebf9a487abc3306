"""A real Outlook data file with mail in it (fixtures/real/mail, from pst-extractor's test data).

The same messages read from the OST and from a Maildir written with their
RFC 822 form must give the same records: the source changes nothing but
where the bytes come from.
"""
from __future__ import annotations

import hashlib
import json
import lzma
from collections import Counter
from pathlib import Path

import pytest

from pdscan.model import ErrorRecord, Item
from pdscan.sources.mail import open_mailbox

PACKED = Path(__file__).resolve().parents[2] / "fixtures" / "real" / "mail" / "pstextractortest.ost.xz"
SHA256 = "daacd8d441428634e103b7c1e37fe1e5909256cc917551667049b5e84dfcf5f0"
FOLDERS = {"Inbox": 10, "Sent Items": 2, "Deleted Items": 1, "Sync Issues": 1, "Calendar": 9,
           "Calendar/United States holidays": 160}
COMPARED = ("folder", "message_id", "date", "from", "classification", "score", "reasons", "findings", "violations")


@pytest.fixture(scope="module")
def ost(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ost") / "pstextractortest@outlook.com.ost"
    path.write_bytes(lzma.decompress(PACKED.read_bytes()))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == SHA256
    return path


def test_the_ost_yields_its_folders_and_every_message(ost):
    events = list(open_mailbox(ost))
    assert [e for e in events if isinstance(e, ErrorRecord)] == []
    items = [e for e in events if isinstance(e, Item)]
    assert Counter(i.meta["folder"] for i in items) == FOLDERS
    assert len({i.member for i in items}) == len(items)  # stable, distinct ids
    sent = [i for i in items if i.meta["folder"] == "Sent Items"]
    assert all(i.meta["from"] and "@" in i.meta["from"] for i in sent)


def maildir_of(ost: Path, root: Path) -> Path:
    """The OST's messages, as RFC 822 files in a Maildir++ with the same folders."""
    for n, item in enumerate(e for e in open_mailbox(ost) if isinstance(e, Item)):
        folder = item.meta["folder"]
        base = root if folder == "Inbox" else root / ("." + folder.replace("/", "."))
        for sub in ("cur", "new", "tmp"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        with item.open() as stream:
            (base / "cur" / f"{1700000000 + n}.M{n}P1.ost:2,S").write_bytes(stream.read())
    return root


def compared(result) -> Counter:
    return Counter(json.dumps({f: r[f] for f in COMPARED}, sort_keys=True)
                   for r in result.records() if r["type"] == "message")


@pytest.mark.slow
def test_the_same_messages_from_the_ost_and_from_a_maildir_give_the_same_records(cli, ost, tmp_path):
    policy = tmp_path / "all.toml"  # classify every message, Personal or not
    policy.write_text('[mail]\npersonal_folder = "no such folder"\n')

    def mail(source):
        return cli("mail", source, "--policy", policy, "--format", "jsonl", "--no-progress")

    from_ost, from_maildir = mail(ost), mail(maildir_of(ost, tmp_path / "maildir"))
    assert from_ost.code == from_maildir.code
    assert sum(compared(from_ost).values()) == sum(FOLDERS.values())
    assert compared(from_ost) == compared(from_maildir)
    kinds = Counter(r["classification"] for r in from_ost.records() if r["type"] == "message")
    assert kinds["work"] and kinds["personal"]  # a real mix: holiday calendar entries, mail between friends

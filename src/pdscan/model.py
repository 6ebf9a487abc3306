"""The nouns that cross pipeline stages.

Each stage consumes the nouns of the stage before and yields its own:
sources yield Items, extractors yield Chunks (and nested Items), detection
yields Matches, the pipeline folds them into Findings, policy adds Violations.
The results that leave a unit of work are typed records (ItemResult,
MessageResult, VolumeResult, ErrorRecord) and the Summary; `pdscan locate`
writes Located and LocateSummary. records.py writes their public fields as
the JSONL contract, and everything else they carry (locations, keyed hashes,
facts for a review) stays on attributes.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import BinaryIO, Callable, Optional

_NEWLINE = re.compile(b"\n")
CONFIDENCES = ("low", "medium", "high")
SEVERITIES = ("low", "medium", "high")


def confidence_rank(level: str) -> int:
    return CONFIDENCES.index(level)


def worst_first(severity) -> int:
    """Sort key putting the most severe first: high 0, medium 1, low 2, anything else after them."""
    return SEVERITIES[::-1].index(severity) if severity in SEVERITIES else len(SEVERITIES)


@dataclass(frozen=True)
class Item:
    """Something to scan: a way to read its bytes plus where it came from.

    `path` is the file on disk (or mailbox path/URL); `member` is the path
    inside a container, nested levels joined with "!/". `meta` carries
    source-specific facts (mail folder, inode, owner, volume) so that
    universal records stay free of source-specific fields.
    """

    path: str
    open: Callable[[], BinaryIO]
    size: int
    mtime: Optional[float] = None
    member: Optional[str] = None
    depth: int = 0
    # Protection of an enclosing container (an archive member inherits it).
    inherited_encryption: Optional[str] = None
    name_hint: Optional[str] = None  # file name, a hint only: sniffing uses the bytes
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        if self.name_hint:
            return self.name_hint
        last = (self.member or self.path).rsplit("!/", 1)[-1]
        return last.replace("\\", "/").rsplit("/", 1)[-1]


def join_member(parent: Optional[str], child: str) -> str:
    return child if not parent else f"{parent}!/{child}"


@dataclass(frozen=True)
class Columns:
    """Header row of delimited text, so a match can be tied to its column.

    Tabular extractors render rows as delimited UTF-8 lines; a match's
    column is found from its line alone, only when a match needs it.
    """

    headers: tuple
    delimiter: bytes = b"\t"
    header_line: int = 1  # the header row's line: a chunk starting there skips it
    sparse: bool = False  # one value per line (a JSON or XML export): a record spans lines

    def header_at(self, data: bytes, offset: int) -> Optional[str]:
        start = data.rfind(b"\n", 0, offset) + 1
        index = data.count(self.delimiter, start, offset)
        if index < len(self.headers):
            return self.headers[index] or None
        return None


@dataclass(frozen=True)
class Chunk:
    """UTF-8 text from an item, with where it sits.

    `where` names the part ("sheet Staff", "page 3", "header Subject"; "" for
    plain text); `first_line` is the line number of data's first byte;
    `offset` is data's position in the item's text stream, so matches found
    twice in overlapping blocks are counted once.
    """

    data: bytes
    where: str = ""
    first_line: int = 1
    offset: int = 0
    columns: Optional[Columns] = None
    header: Optional[str] = None  # one label for the whole chunk (a mail header name, a metadata field)
    # Bytes at the end that the next chunk repeats: a match ending there is
    # left to the next chunk, which sees it whole.
    guard: int = 0

    @cached_property
    def _newlines(self) -> list:
        return [m.start() for m in _NEWLINE.finditer(self.data)]

    def line_of(self, pos: int) -> int:
        # An index built once per chunk: counting afresh for every match is quadratic.
        return self.first_line + bisect_left(self._newlines, pos)


@dataclass(frozen=True)
class MessageFacts:
    """What a mail message says about itself, gathered once by its extractor (extract/mailfacts.py)
    while it is parsed for the scan: what mail classification scores, thread history joins and
    retention dates. `text` is only the first 64 KiB of the body text, and leaves the worker empty."""

    sender: str = ""               # the From address, lower case
    recipients: tuple = ()         # To and Cc addresses, lower case
    text: str = ""                 # body text (text/plain, and text/html as read), capped
    newsletter: bool = False       # List-Unsubscribe, List-Id, or Precedence bulk/list
    auto_reply: bool = False       # Auto-Submitted, X-Autoreply, or an out-of-office subject
    attachments: tuple = ()        # file names of attached parts (not inline logos)
    message_id: str = ""
    references: tuple = ()         # Message-IDs in References and In-Reply-To
    subject: str = ""
    problems: tuple = ()           # what is wrong with the message, for an error record beside its verdict
    sender_name: str = ""
    own_text: str = ""             # the writer's own words: quoted replies and signature cut off
    date: Optional[datetime] = None  # the Date header, in UTC (None: absent or unreadable)
    bcc: tuple = ()                # Bcc addresses (kept in Sent copies), lower case
    names: tuple = ()              # (address, display name) of everyone in From/To/Cc/Bcc and Resent-*
    resent_from: str = ""          # Resent-From (or Resent-Sender) of the newest resent block
    resent_to: tuple = ()          # Resent-To/Cc/Bcc of that block
    forwarded: bool = False        # carries a whole message (message/rfc822): a forward as attachment
    sent_label: bool = False       # labelled Sent where labels stand for folders (Gmail's X-Gmail-Labels)
    first_part: int = 0            # length of the first text part in `text` (an HTML copy may follow)
    others: tuple = ()             # (detector, count) of personal data of people other than the
                                   # correspondents, under the policy's thresholds (hooks/mail.py)
    generated: bool = False        # Auto-Submitted: auto-generated, a machine's notice (not a reply)
    others_quoted: tuple = ()      # `others` with what a reply quotes counted (empty: no quote whose
                                   # writers are known)
    quote_parties: tuple = ()      # (address, name) of those the quoted message was between
    signature: str = ""            # the writer's signature block ("Chair, Ash Vale Harriers"): who they are


@dataclass(frozen=True)
class Match:
    """One detector hit. The raw value never leaves the detect stage: only
    its masked form and keyed hash travel on."""

    detector: str
    confidence: str
    sample: str
    key: str
    location: str
    evidence: tuple = ()


@dataclass
class Finding:
    detector: str
    count: int
    confidence: str
    samples: list


@dataclass(frozen=True)
class Violation:
    rule: str
    severity: str
    detail: str


@dataclass(frozen=True)
class Encryption:
    """Protection status. encrypted: True / False / None (could not tell)."""

    encrypted: Optional[bool]
    scheme: Optional[str] = None
    note: Optional[str] = None  # e.g. "owner password only: content readable"
    surrounded: bool = False  # an encrypted block inside readable text: the text is scanned too


UNKNOWN = Encryption(None)
PLAIN = Encryption(False)


@dataclass(frozen=True)
class ErrorRecord:
    """An item that could not be read, or a problem with one (interface.md "error")."""

    path: str
    member: Optional[str]
    error: str
    warning: bool = False  # the item was still read and reported: text output lists it apart


@dataclass(frozen=True)
class FileStat:
    """What `scan --incremental` compares next time to know a file is unchanged."""

    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int


@dataclass
class ItemResult:
    """One scanned file, archive member or message part (interface.md "item").

    The public fields come first; the rest never reach JSONL: whether the
    findings meet the policy's thresholds, where they were (text output),
    their keyed hashes (the store, a message's distinct values), the volume's
    encryption and the file's stat (what incremental reuse compares), why the
    content was not read, the retention facts its worker read, and its OCR."""

    path: str
    member: Optional[str]
    mime: Optional[str]
    size: Optional[int]
    mtime: Optional[str]
    encrypted: Optional[bool]
    encryption: Optional[str] = None
    encryption_note: Optional[str] = None
    findings: list = field(default_factory=list)    # Finding, one per detector
    violations: list = field(default_factory=list)  # Violation
    retention: Optional[dict] = None  # `pdscan retention` only: the verdict, as interface.md shows it
    personal: bool = False
    where: dict = field(default_factory=dict)  # detector → first locations
    keys: dict = field(default_factory=dict)   # detector → keyed hashes of the distinct values
    volume_encrypted: Optional[bool] = None    # a newly encrypted volume changes the verdict: rescan
    unread: Optional[str] = None               # "content not read: MIME", counted as skipped
    stat: Optional[FileStat] = None            # the top-level file only
    retention_facts: Optional[tuple] = None    # (RetentionFacts, mail date) from hooks/retention.py
    ocr_pages: int = 0                         # the top-level file: pages OCR read this run, members' too
    ocr_skipped: tuple = ()                    # the top-level file: "pixels not read: …", one per page
    accepted: Optional["Acceptance"] = None    # a triage decision in force (policy/triage.py): public
    lapsed: Optional[tuple] = None             # (decision id, why) when a stored decision lapsed here: the store notes it
    # `scan --incremental`: the items row this record was reused from, as stored, which the store
    # copies by id (its keyed hashes are then never read); None for a record made or changed here.
    stored: Optional[int] = field(default=None, compare=False)


ACCEPTED = "accepted"          # a violation IT or the DPO decided to live with, for a reason
NOT_PERSONAL = "not_personal"  # findings that are not personal data (test data, a published staff list)
LAPSING_SOON_DAYS = 30  # a decision whose `until` is this close is flagged in lists and reports: renew it or act


@dataclass(frozen=True)
class Acceptance:
    """A triage decision in force on an item (interface.md `accepted`): the violations it covers
    are moved here from the item's `violations`, which then lists only what needs action."""

    status: str                    # ACCEPTED or NOT_PERSONAL
    source: str                    # "decision" (pdscan accept) or "policy" ([[exceptions]])
    reason: str
    by: Optional[str]              # who decided (a policy exception's approved_by)
    at: Optional[str]              # when (ISO 8601 UTC); None for a policy exception
    until: Optional[str]           # YYYY-MM-DD, or None: until revoked
    id: Optional[int] = None       # the decision's id in the store (`pdscan accept --list`)
    rule: Optional[str] = None     # the one rule it covers; None: every rule
    violations: tuple = ()         # Violation: the ones it covers on this item


@dataclass(frozen=True)
class Decision:
    """A stored `pdscan accept` decision for an item as it was: keyed by host, path, member and
    the file's content hash, with the kinds of finding it held (a new kind lapses it)."""

    id: int
    host: str
    path: str
    member: Optional[str]
    content_hash: str
    status: str
    rule: Optional[str]
    detectors: tuple
    reason: str
    by: Optional[str]
    at: str
    until: Optional[str]
    state: str = "active"          # "active", "revoked" or "lapsed"


@dataclass
class MessageResult:
    """One mail message (interface.md "message"); `facts` (policy/mailclass.py MessageFacts, None for
    mail counted but not read) go from the worker to the mailbox's review, never to an output."""

    path: str
    member: Optional[str]
    folder: Optional[str]
    message_id: Optional[str]
    date: Optional[str]
    sender: Optional[str]  # "from" in JSONL
    classification: Optional[str]
    score: Optional[float]
    reasons: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    violations: list = field(default_factory=list)
    personal: bool = False         # some part holds personal data under the policy
    inside_personal: bool = False  # filed in the Personal folder
    facts: Optional[object] = None
    sent_outside: Optional[dict] = None  # interface.md `sent_outside`: where the owner sent others' data
    affairs: Optional[object] = None  # policy/mailclass.py Affairs: for the mailbox's thread history, never output


@dataclass
class VolumeResult:
    """A removable volume's check (interface.md "volume"); `worst` are the items that failed it."""

    device: Optional[str]
    mountpoint: Optional[str]
    fstype: Optional[str]
    removable: Optional[bool]
    encrypted: Optional[bool]
    encryption: Optional[str]
    verdict: Optional[str]
    violations: list = field(default_factory=list)
    size: Optional[int] = None
    note: Optional[str] = None
    label: Optional[str] = None
    worst: list = field(default_factory=list)  # ItemResult, worst first


KINDS_OF_CHECK = ("files", "mail", "usb", "retention", "watch")


@dataclass(frozen=True)
class RunInfo:
    """Which check a command's run is (its kind and the roots it covers) and where it ran: every
    record of the run carries the host and user, its summary the rest (interface.md)."""

    kind: str                 # one of KINDS_OF_CHECK
    roots: tuple = ()         # absolute folders, files, mailboxes or mountpoints; imap:// URLs as given
    host: Optional[str] = None
    user: Optional[str] = None
    started: Optional[str] = None  # ISO 8601 UTC


@dataclass
class Summary:
    items: int = 0
    files: int = 0
    bytes: int = 0
    findings: dict = field(default_factory=dict)
    violations: dict = field(default_factory=dict)
    errors: int = 0
    skipped: dict = field(default_factory=dict)
    items_with_personal_data: int = 0
    encrypted_items: int = 0
    volumes: int = 0
    volumes_failed: int = 0
    messages: int = 0
    sent_outside: dict = field(default_factory=dict)  # destination kind → messages (personal-data-sent-outside)
    retention: dict = field(default_factory=dict)  # `pdscan retention`: what was judged (commands/retention.py)
    ocr_pages: int = 0  # pages (images, TIFF frames, scanned PDF pages) read by OCR
    accepted: dict = field(default_factory=dict)   # rule → violations accepted (not in `violations`)
    dismissed: dict = field(default_factory=dict)  # rule → violations dismissed as not personal data
    elapsed: float = 0.0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


@dataclass(frozen=True)
class Located:
    """A stored item `pdscan locate` found holding a request's identifiers (interface.md "located").
    `stat` (size, mtime_ns, inode, device as stored: the file the scan saw) never reaches JSONL."""

    host: Optional[str]
    path: str
    member: Optional[str]
    last_seen: str
    matched: tuple              # the request's fields found in it, in request order
    strength: str               # "strong", or "medium" (a phone number alone)
    encrypted: Optional[bool]
    encryption: Optional[str]
    planned: Optional[bool] = None      # with --plan-out: whether the deletion plan holds it
    not_planned: Optional[str] = None   # why not
    stat: tuple = (None, None, None, None)

    @property
    def erasure(self) -> str:
        """"file": shred deletes it whole; "manual": an archive member or a message, erased by hand."""
        return "file" if self.member is None else "manual"


@dataclass(frozen=True)
class LocateSummary:
    items: int
    strong: int
    medium: int
    hosts: tuple
    key_id: str
    hash_form: int
    planned: Optional[int] = None  # with --plan-out: files in the plan

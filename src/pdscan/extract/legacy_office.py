"""Word 97-2003 (.doc, [MS-DOC]) and PowerPoint 97-2003 (.ppt, [MS-PPT]) text.

Both are OLE compound files read whole (at most max_document_size) with
olefile. Encrypted files are reported by encryption/office.py before they get
here; the flags are checked again because protect gives up quietly on a file
msoffcrypto cannot parse, and ciphertext must never pass for text.

Word keeps the text of every story (body, footnotes, headers, comments...)
in one character stream described by the piece table; PowerPoint keeps text
in atoms scattered through a tree of records, placeholders in the
document's slide list and other text boxes in each slide's drawing.
"""
from __future__ import annotations

import bisect
import io
import logging
import re
import struct
from typing import Iterator, Optional

from ..errors import ItemError
from ..limits import read_capped
from ..model import Chunk
from .paragraphs import Lines

logging.getLogger("olefile").setLevel(logging.ERROR)


def _open_ole(item, ctx, what: str):
    import olefile

    with item.open() as stream:
        data = read_capped(stream, ctx.limits.max_document_size, "document")
    try:
        return olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # olefile raises OSError, struct.error, IndexError... on damaged files
        raise ItemError(f"not a readable {what} (damaged OLE container)") from None


def _read_stream(ole, name: str, what: str) -> bytes:
    try:
        with ole.openstream(name) as stream:
            return stream.read()
    except Exception:  # a broken sector chain shows as one of several olefile errors
        raise ItemError(f"{what}: stream {name!r} unreadable") from None


# Control characters in either format: breaks inside a paragraph read as a
# space (so words on both sides stay apart), the rest are object anchors and
# marks with no text of their own.
_CONTROLS = {code: None for code in range(32)}
_CONTROLS.update({ord("\t"): " ", 0x0B: " ", 0x0E: " ", 0x1E: "-"})


def _clean(paragraph: str) -> str:
    return " ".join(paragraph.translate(_CONTROLS).split())


def _paragraphs(text: str, ends) -> list:
    """Paragraphs of text split at `ends`; a final mark ends the last paragraph, it starts none."""
    found = ends.split(text)
    if len(found) > 1 and not found[-1]:
        found.pop()
    return found


# --- Word ------------------------------------------------------------------

WORD_IDENT = 0xA5EC
WORD97_NFIB = 0x00C0  # Word 6.0/95 files (nFib 101-105) have another FIB layout
F_ENCRYPTED = 0x0100
F_WHICH_TABLE = 0x0200
CLX_INDEX = 33        # fcClx/lcbClx pair in FibRgFcLcb97
PCD_SIZE = 8
FC_COMPRESSED = 0x40000000
FC_MASK = 0x3FFFFFFF
# Stories in character-position order after the body ([MS-DOC] 2.3.1), by
# their count's index in FibRgLw97 (index 6 is reserved and holds no story).
STORIES = (("body", 3), ("footnotes", 4), ("headers", 5), ("comments", 7),
           ("endnotes", 8), ("text boxes", 9), ("header text boxes", 10))
PARAGRAPH_END = re.compile("[\r\x07\x0c]")  # paragraph, table cell/row, section
FIELD_MARKS = re.compile("([\x13\x14\x15])")

# Compressed pieces are cp1252 ([MS-DOC] 2.4.1). Decoded as Latin-1 and then
# mapped, the five bytes cp1252 leaves undefined keep their Latin-1 code
# points instead of failing the document.
_CP1252 = {b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0)
           if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


def _u16(data: bytes, pos: int) -> int:
    return struct.unpack_from("<H", data, pos)[0]


def _u32(data: bytes, pos: int) -> int:
    return struct.unpack_from("<I", data, pos)[0]


def extract_doc(item, ctx) -> Iterator[Chunk]:
    ole = _open_ole(item, ctx, "Word document")
    try:
        if not ole.exists("WordDocument"):
            raise ItemError("not a Word document: WordDocument stream missing")
        word = _read_stream(ole, "WordDocument", "Word document")
        fib = _fib(word)
        table_name = "1Table" if fib["flags"] & F_WHICH_TABLE else "0Table"
        if not ole.exists(table_name):
            raise ItemError(f"Word document: {table_name} stream missing")
        table = _read_stream(ole, table_name, "Word document")
    finally:
        ole.close()
    text = _piece_text(word, table, fib["fc_clx"], fib["lcb_clx"])
    del word, table
    yield from _render(text, fib["ccp"], Lines(ctx.limits))


def _render(text: str, ccp: dict, lines: Lines) -> Iterator[Chunk]:
    """A document's characters as chunks, one paragraph or table cell a line, per story."""
    start = 0
    for where, length in _story_lengths(ccp, len(text)):
        story = _drop_field_codes(text[start:start + length])
        start += length
        for paragraph in _paragraphs(story, PARAGRAPH_END):
            yield from lines.add(where, _clean(paragraph))
        yield from lines.flush()


def _fib(word: bytes) -> dict:
    """The few FIB fields text needs, each checked against the stream's length."""
    if len(word) < 34 or _u16(word, 0) != WORD_IDENT:
        raise ItemError("not a Word document: bad FIB signature")
    n_fib, flags = _u16(word, 2), _u16(word, 0x0A)
    if flags & F_ENCRYPTED:  # RC4, or XOR obfuscation when fObfuscated is set too
        raise ItemError("Word document is encrypted: content not read")
    if n_fib < WORD97_NFIB:
        raise ItemError("Word 6.0/95 or older document: format not supported")
    pos = 32
    csw = _u16(word, pos)
    pos += 2 + csw * 2
    if pos + 2 > len(word):
        raise ItemError("Word document: FIB truncated")
    cslw = _u16(word, pos)
    lw_at = pos + 2
    pos = lw_at + cslw * 4
    if cslw < 11 or pos + 2 > len(word):
        raise ItemError("Word document: FIB truncated")
    pairs = _u16(word, pos)
    clx_at = pos + 2 + CLX_INDEX * 8
    if pairs <= CLX_INDEX or clx_at + 8 > len(word):
        raise ItemError("Word document: FIB truncated")
    ccp = {index: _u32(word, lw_at + index * 4) for _, index in STORIES}
    return {"flags": flags, "ccp": ccp, "fc_clx": _u32(word, clx_at), "lcb_clx": _u32(word, clx_at + 4)}


def _piece_text(word: bytes, table: bytes, fc_clx: int, lcb_clx: int) -> str:
    """The document's characters in CP order, from the Clx's piece table."""
    if lcb_clx == 0 or fc_clx + lcb_clx > len(table):
        raise ItemError("Word document: piece table outside the table stream")
    clx = table[fc_clx:fc_clx + lcb_clx]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: formatting, no text
        if pos + 3 > len(clx):
            raise ItemError("Word document: piece table truncated")
        size = struct.unpack_from("<h", clx, pos + 1)[0]
        if size < 0:
            raise ItemError("Word document: piece table damaged")
        pos += 3 + size
    if pos + 5 > len(clx) or clx[pos] != 0x02:
        raise ItemError("Word document: piece table missing")
    lcb = _u32(clx, pos + 1)
    plc = clx[pos + 5:pos + 5 + lcb]
    if lcb < 4 + 4 + PCD_SIZE or len(plc) < lcb or (lcb - 4) % (4 + PCD_SIZE):
        raise ItemError("Word document: piece table has a bad size")
    count = (lcb - 4) // (4 + PCD_SIZE)
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    if any(b < a for a, b in zip(cps, cps[1:])):
        raise ItemError("Word document: piece table out of order")
    # Each character takes at least one byte of WordDocument, so this bounds
    # the text a forged piece table can make the same bytes expand into.
    if cps[-1] - cps[0] > len(word):
        raise ItemError("Word document: piece table longer than the text stream")
    parts = []
    descriptors = 4 * (count + 1)
    for index in range(count):
        chars = cps[index + 1] - cps[index]
        if not chars:
            continue
        fc = _u32(plc, descriptors + index * PCD_SIZE + 2)
        if fc & FC_COMPRESSED:
            start = (fc & FC_MASK) // 2
            raw = word[start:start + chars]
            if len(raw) != chars:
                raise ItemError("Word document: piece table points outside the text")
            parts.append(raw.decode("latin-1").translate(_CP1252))
        else:
            start = fc & FC_MASK
            raw = word[start:start + 2 * chars]
            if len(raw) != 2 * chars:
                raise ItemError("Word document: piece table points outside the text")
            parts.append(raw.decode("utf-16-le", "replace"))
    return "".join(parts)



def _story_lengths(ccp: dict, total: int) -> Iterator[tuple]:
    """(where, length) of each story present, clipped to the text there is."""
    counted = 0
    for where, index in STORIES:
        length = min(ccp[index], total - counted)
        if length > 0:
            yield where, length
            counted += length
    # Normally one closing paragraph mark. When the FIB's counts fall short of
    # the piece table (damaged or hand-made files), the rest is still read, as
    # body text, rather than left unscanned.
    if counted < total:
        yield "body", total - counted


def _drop_field_codes(text: str) -> str:
    """Keep what a field shows (between 0x14 and 0x15), not its instructions
    (between 0x13 and 0x14), for nested fields too."""
    if "\x13" not in text:
        return text
    out = []
    stack: list = []  # per open field: True while in its instructions
    in_code = 0
    for part in FIELD_MARKS.split(text):
        if part == "\x13":
            stack.append(True)
            in_code += 1
        elif part == "\x14":
            if stack and stack[-1]:
                stack[-1] = False
                in_code -= 1
        elif part == "\x15":
            if stack:
                in_code -= stack.pop()
        elif not in_code:
            out.append(part)
    return "".join(out)


# --- PowerPoint --------------------------------------------------------------

HEADER = struct.Struct("<HHI")
CONTAINER = 0xF
RT_DOCUMENT = 0x03E8
RT_DOCUMENT_ATOM = 0x03E9
RT_SLIDE = 0x03EE
RT_SLIDE_ATOM = 0x03EF
RT_NOTES = 0x03F0
RT_SLIDE_PERSIST = 0x03F3
RT_MAIN_MASTER = 0x03F8
RT_SLIDE_LIST = 0x0FF0
RT_TEXT_CHARS = 0x0FA0
RT_TEXT_BYTES = 0x0FA8
RT_CSTRING = 0x0FBA
RT_HEADERS_FOOTERS = 0x0FD9
RT_USER_EDIT = 0x0FF5
RT_PERSIST_DIRECTORY = 0x1772
RT_COMMENT = 0x2EE0
RT_CRYPT_SESSION = 0x2F14
TOP_LEVEL_TEXT = {RT_DOCUMENT, RT_SLIDE, RT_NOTES, RT_MAIN_MASTER}
LIST_SLIDES, LIST_MASTERS, LIST_NOTES = 0, 1, 2
ENCRYPTED_TOKEN = 0xF3D1C4DF
MAX_RECORDS = 1 << 22
MAX_DEPTH = 256
MAX_EDITS = 4096
SLIDE_PARAGRAPH_END = re.compile("\r")


class _Damaged(ItemError):
    """A record the walk cannot trust; the layout pass stops there, the text pass reports it."""


def extract_ppt(item, ctx) -> Iterator[Chunk]:
    ole = _open_ole(item, ctx, "PowerPoint presentation")
    try:
        if not ole.exists("PowerPoint Document"):
            raise ItemError("not a PowerPoint presentation: 'PowerPoint Document' stream missing")
        data = _read_stream(ole, "PowerPoint Document", "PowerPoint presentation")
        user = _read_stream(ole, "Current User", "PowerPoint presentation") if ole.exists("Current User") else b""
    finally:
        ole.close()
    deck = _Deck(data, user)
    lines = Lines(ctx.limits)
    try:
        for where, text in deck.texts():
            for paragraph in _paragraphs(text, SLIDE_PARAGRAPH_END):
                yield from lines.add(where, _clean(paragraph))
    except ItemError:
        yield from lines.flush()  # text read before the damage is still scanned
        raise
    yield from lines.flush()


class _Deck:
    """One pass for the layout (which persist object is which slide), one for text."""

    def __init__(self, data: bytes, user: bytes):
        self.data = data
        self.records = 0
        self.pid_of: dict = {}      # top-level offset → persist id (older saves included)
        self.anchors: list = []     # offsets a top-level record is known to start at
        self.doc_offset: Optional[int] = None
        self._current_user(user)
        self.slide_of: dict = {}    # persist id → slide number
        self.masters: set = set()   # persist ids of masters
        self.notes_of: dict = {}    # persist id of a notes page → its slide number
        self._layout()

    # Persist directories, from the newest edit back (best effort: they only name slides).
    def _current_user(self, user: bytes) -> None:
        if len(user) < 20:
            return
        if _u32(user, 12) == ENCRYPTED_TOKEN:
            raise ItemError("PowerPoint presentation is encrypted: content not read")
        offset, seen, directories, doc_pid = _u32(user, 16), set(), [], None
        while offset and offset not in seen and len(seen) < MAX_EDITS:
            seen.add(offset)
            edit = self._atom(offset, RT_USER_EDIT, 28)
            if edit is None:
                break
            self.anchors.append(offset)
            if doc_pid is None:  # the newest edit names the current document
                doc_pid = _u32(edit, 16)
            directory_at = _u32(edit, 12)
            directory = self._atom(directory_at, RT_PERSIST_DIRECTORY, 0)
            if directory is not None:
                self.anchors.append(directory_at)
                directories.append(directory)
            offset = _u32(edit, 8)
        offsets: dict = {}
        for directory in reversed(directories):  # oldest first: newer entries win
            for pid, where in _persist_entries(directory):
                offsets[pid] = where
                if where < len(self.data):
                    self.pid_of[where] = pid
                    self.anchors.append(where)
        self.doc_offset = offsets.get(doc_pid)
        self.anchors = sorted(set(self.anchors))

    def _atom(self, offset: int, rec_type: int, min_len: int) -> Optional[bytes]:
        if offset + 8 > len(self.data):
            return None
        _, found, length = HEADER.unpack_from(self.data, offset)
        if found != rec_type or length < min_len or offset + 8 + length > len(self.data):
            return None
        return self.data[offset + 8:offset + 8 + length]

    def top_level(self) -> Iterator[tuple]:
        """(offset, type, body start, end) of each top-level record.

        A record that would run past the stream or over the start of a known
        persist object is not trusted: the walk picks up again at that object
        (msoffcrypto, decrypting, zeroes the crypt session record, leaving a
        gap no record header describes)."""
        data, pos = self.data, 0
        while pos + 8 <= len(data):
            _, rec_type, length = HEADER.unpack_from(data, pos)
            end = pos + 8 + length
            after = bisect.bisect_right(self.anchors, pos)
            next_anchor = self.anchors[after] if after < len(self.anchors) else None
            if end > len(data) or (next_anchor is not None and end > next_anchor):
                if next_anchor is None:
                    raise _Damaged(f"PowerPoint presentation: record at offset {pos} runs past the end")
                pos = next_anchor
                continue
            self._count()
            if rec_type == RT_CRYPT_SESSION:
                raise ItemError("PowerPoint presentation is encrypted: content not read")
            yield pos, rec_type, pos + 8, end
            pos = end

    def walk(self, start: int, end: int) -> Iterator[tuple]:
        """(type, instance, body start, body end, parent types) of every record
        inside a container body, depth first, in file order."""
        data = self.data
        stack = [end]      # where each open container ends
        parents: list = []  # and its type
        pos = start
        while stack:
            limit = stack[-1]
            if pos >= limit:
                stack.pop()
                if parents:
                    parents.pop()
                continue
            if pos + 8 > limit:
                raise _Damaged(f"PowerPoint presentation: damaged record at offset {pos}")
            ver_inst, rec_type, length = HEADER.unpack_from(data, pos)
            body, rec_end = pos + 8, pos + 8 + length
            if rec_end > limit:
                raise _Damaged(f"PowerPoint presentation: damaged record at offset {pos}")
            self._count()
            if rec_type == RT_CRYPT_SESSION:
                raise ItemError("PowerPoint presentation is encrypted: content not read")
            yield rec_type, ver_inst >> 4, body, rec_end, parents
            if ver_inst & 0xF == CONTAINER:
                if len(stack) > MAX_DEPTH:
                    raise _Damaged("PowerPoint presentation: records nested too deep")
                stack.append(rec_end)
                parents.append(rec_type)
                pos = body
            else:
                pos = rec_end

    def _count(self) -> None:
        self.records += 1
        if self.records > MAX_RECORDS:
            raise _Damaged("PowerPoint presentation: too many records")

    def _layout(self) -> None:
        """Slide numbers for persist objects. Best effort: damage stops it
        quietly, so the text before the damage is still read and labelled."""
        documents, slide_notes = [], {}
        try:
            for pos, rec_type, body, end in self.top_level():
                if rec_type == RT_DOCUMENT:
                    documents.append((pos, body, end))
                elif rec_type == RT_SLIDE and end - body >= 8 + 24:
                    _, first, length = HEADER.unpack_from(self.data, body)
                    if first == RT_SLIDE_ATOM and length >= 24:
                        slide_notes[pos] = _u32(self.data, body + 8 + 16)
        except _Damaged:
            pass
        self.records = 0
        if not documents:
            return
        chosen = next((d for d in documents if d[0] == self.doc_offset), documents[-1])
        slides, notes = [], {}
        try:
            self._document_lists(chosen[1], chosen[2], slides, notes)
        except _Damaged:
            pass
        self.records = 0
        self.slide_of = {pid: number for number, pid in enumerate(slides, start=1)}
        for offset, notes_id in slide_notes.items():
            number = self.slide_of.get(self.pid_of.get(offset))
            if number is not None and notes_id in notes:
                self.notes_of[notes[notes_id]] = number

    def _document_lists(self, body: int, end: int, slides: list, notes: dict) -> None:
        list_kind = None
        for rec_type, instance, start, stop, parents in self.walk(body, end):
            if rec_type == RT_DOCUMENT_ATOM and not parents and stop - start >= 32:
                # The notes and handout masters are notes pages no slide owns.
                self.masters.update((_u32(self.data, start + 24), _u32(self.data, start + 28)))
            if rec_type == RT_SLIDE_LIST:
                list_kind = instance
            if rec_type != RT_SLIDE_PERSIST or not parents or parents[-1] != RT_SLIDE_LIST or stop - start < 16:
                continue
            pid = _u32(self.data, start)
            if list_kind == LIST_SLIDES:
                slides.append(pid)
            elif list_kind == LIST_MASTERS:
                self.masters.add(pid)
            elif list_kind == LIST_NOTES:
                notes[_u32(self.data, start + 12)] = pid  # notes id → persist id

    def texts(self) -> Iterator[tuple]:
        """(where, text) of every text atom, in file order."""
        for pos, rec_type, body, end in self.top_level():
            if rec_type not in TOP_LEVEL_TEXT:
                continue
            where = self._where(pos, rec_type)
            in_list, list_where, list_slide = None, where, 0
            for kind, instance, start, stop, parents in self.walk(body, end):
                if kind == RT_SLIDE_LIST:
                    in_list, list_slide = instance, 0
                    list_where = "master" if instance == LIST_MASTERS else where
                    continue
                if kind == RT_SLIDE_PERSIST and parents and parents[-1] == RT_SLIDE_LIST:
                    list_where = self._list_where(in_list, start, stop, list_slide + 1, where)
                    list_slide += 1
                    continue
                text = self._text(kind, instance, start, stop, parents)
                if text:
                    inside_list = RT_SLIDE_LIST in parents
                    yield (list_where if inside_list else where), text

    def _list_where(self, kind: Optional[int], start: int, stop: int, number: int, default: str) -> str:
        if kind == LIST_SLIDES:
            return f"slide {number}"
        if kind == LIST_MASTERS:
            return "master"
        if kind == LIST_NOTES and stop - start >= 4:
            slide = self.notes_of.get(_u32(self.data, start))
            return f"notes {slide}" if slide else "notes"
        return default

    def _where(self, pos: int, rec_type: int) -> str:
        pid = self.pid_of.get(pos)
        if rec_type == RT_DOCUMENT:
            return "document"
        if rec_type == RT_MAIN_MASTER or pid in self.masters:
            return "master"
        if rec_type == RT_SLIDE:
            number = self.slide_of.get(pid)
            return f"slide {number}" if number else "text"
        number = self.notes_of.get(pid)
        return f"notes {number}" if number else "notes"

    def _text(self, kind: int, instance: int, start: int, stop: int, parents: list) -> str:
        raw = self.data[start:stop]
        if kind == RT_TEXT_CHARS:
            return raw.decode("utf-16-le", "replace")
        if kind == RT_TEXT_BYTES:
            # [MS-PPT]: each byte is a UTF-16 code unit whose high byte is zero,
            # so Latin-1, not the ANSI code page.
            return raw.decode("latin-1")
        if kind == RT_CSTRING and parents:
            parent = parents[-1]
            # Footer/header/date text is shown on slides; a comment's text
            # (instance 1) is written by a person. Tags, font and theme names
            # are CStrings too, and are not text anyone reads.
            if parent == RT_HEADERS_FOOTERS or (parent == RT_COMMENT and instance == 1):
                return raw.decode("utf-16-le", "replace")
        return ""


def _persist_entries(directory: bytes) -> Iterator[tuple]:
    """(persist id, offset) pairs of a PersistDirectoryAtom."""
    pos = 0
    while pos + 4 <= len(directory):
        entry = _u32(directory, pos)
        first, count = entry & 0xFFFFF, entry >> 20
        pos += 4
        if pos + 4 * count > len(directory):
            return
        for index in range(count):
            yield first + index, _u32(directory, pos + 4 * index)
        pos += 4 * count

"""PowerPoint 97-2003 (.ppt, [MS-PPT]) text.

PowerPoint keeps text in atoms scattered through a tree of records: placeholders in the
document's slide list and other text boxes in each slide's drawing. The file is read as
ole_text.py says.
"""
from __future__ import annotations

import bisect
import re
import struct
from typing import Iterator, Optional

from ..errors import ItemError
from ..model import Chunk
from .ole_text import clean, open_ole, paragraphs, read_stream, u32
from .paragraphs import Lines


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
    ole = open_ole(item, ctx, "PowerPoint presentation")
    try:
        if not ole.exists("PowerPoint Document"):
            raise ItemError("not a PowerPoint presentation: 'PowerPoint Document' stream missing")
        data = read_stream(ole, "PowerPoint Document", "PowerPoint presentation")
        user = read_stream(ole, "Current User", "PowerPoint presentation") if ole.exists("Current User") else b""
    finally:
        ole.close()
    deck = _Deck(data, user)
    lines = Lines(ctx.limits)
    try:
        for where, text in deck.texts():
            for paragraph in paragraphs(text, SLIDE_PARAGRAPH_END):
                yield from lines.add(where, clean(paragraph))
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
        if u32(user, 12) == ENCRYPTED_TOKEN:
            raise ItemError("PowerPoint presentation is encrypted: content not read")
        offset, seen, directories, doc_pid = u32(user, 16), set(), [], None
        while offset and offset not in seen and len(seen) < MAX_EDITS:
            seen.add(offset)
            edit = self._atom(offset, RT_USER_EDIT, 28)
            if edit is None:
                break
            self.anchors.append(offset)
            if doc_pid is None:  # the newest edit names the current document
                doc_pid = u32(edit, 16)
            directory_at = u32(edit, 12)
            directory = self._atom(directory_at, RT_PERSIST_DIRECTORY, 0)
            if directory is not None:
                self.anchors.append(directory_at)
                directories.append(directory)
            offset = u32(edit, 8)
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
                        slide_notes[pos] = u32(self.data, body + 8 + 16)
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
                self.masters.update((u32(self.data, start + 24), u32(self.data, start + 28)))
            if rec_type == RT_SLIDE_LIST:
                list_kind = instance
            if rec_type != RT_SLIDE_PERSIST or not parents or parents[-1] != RT_SLIDE_LIST or stop - start < 16:
                continue
            pid = u32(self.data, start)
            if list_kind == LIST_SLIDES:
                slides.append(pid)
            elif list_kind == LIST_MASTERS:
                self.masters.add(pid)
            elif list_kind == LIST_NOTES:
                notes[u32(self.data, start + 12)] = pid  # notes id → persist id

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
            slide = self.notes_of.get(u32(self.data, start))
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
        entry = u32(directory, pos)
        first, count = entry & 0xFFFFF, entry >> 20
        pos += 4
        if pos + 4 * count > len(directory):
            return
        for index in range(count):
            yield first + index, u32(directory, pos + 4 * index)
        pos += 4 * count

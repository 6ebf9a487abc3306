"""Word (docx), PowerPoint (pptx) and OpenDocument text/presentation (odt, odp).

The XML parts are read straight from the zip with limits and a DTD-refusing
parser (zipxml), walked paragraph by paragraph (paragraphs), and rendered
one paragraph per line; tables become tab-separated rows that keep their
header row, as spreadsheets do.
"""
from __future__ import annotations

import posixpath
import re
from typing import Iterator, Optional

from ..errors import ItemError
from ..model import Chunk
from .paragraphs import Lines, Tags, walk
from .tabular import rows_to_chunks
from .zipxml import iter_part, open_zip, parse_small, refuse_encrypted_odf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW_PAGE = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}page"
NOTES = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}notes"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"

WORD = Tags(para=frozenset({W + "p"}), table=W + "tbl", row=W + "tr", cells=frozenset({W + "tc"}),
            text=frozenset({W + "t", W + "delText"}),
            space=frozenset({W + "tab", W + "br", W + "cr"}), skip=frozenset({FALLBACK}))
DRAWING = Tags(para=frozenset({A + "p"}), table=A + "tbl", row=A + "tr", cells=frozenset({A + "tc"}),
               text=frozenset({A + "t"}), space=frozenset({A + "br"}), skip=frozenset({FALLBACK}))
HEADER_FOOTER = frozenset(STYLE + f"{kind}{side}" for kind in ("header", "footer")
                          for side in ("", "-left", "-first"))
ODF = Tags(para=frozenset({TEXT + "p", TEXT + "h"}), table=TABLE + "table", row=TABLE + "table-row",
           cells=frozenset({TABLE + "table-cell", TABLE + "covered-table-cell"}), text=None,
           space=frozenset({TEXT + "s", TEXT + "tab", TEXT + "line-break"}),
           sections=frozenset({DRAW_PAGE, NOTES}) | HEADER_FOOTER)

# Word parts after the body, in the order a reader meets them.
WORD_PARTS = (("header", r"word/header(\d*)\.xml"), ("footer", r"word/footer(\d*)\.xml"),
              ("footnotes", r"word/footnotes\.xml"), ("endnotes", r"word/endnotes\.xml"),
              ("comments", r"word/comments\.xml"))


class Where:
    """The current location while walking a part: fixed, or moved by
    section events (slides and notes in odp, headers and footers in odt)."""

    def __init__(self, default: Optional[str]):
        self.default = default
        self.current = default
        self.slide = 0

    def event(self, kind: str, tag: str) -> None:
        if self.default is None and tag not in HEADER_FOOTER:
            return  # master pages in styles.xml: only headers and footers count
        if kind == "open" and tag == DRAW_PAGE:
            self.slide += 1
            self.current = f"slide {self.slide}"
        elif kind == "open" and tag == NOTES:
            self.current = f"notes {self.slide}"
        elif kind == "close" and tag == NOTES:
            self.current = f"slide {self.slide}"
        elif tag in HEADER_FOOTER:
            self.current = tag[len(STYLE):].split("-")[0] if kind == "open" else self.default
        elif kind == "close":
            self.current = self.default


class _Doc:
    """Chunks of one document: paragraph lines plus numbered tables."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.lines = Lines(ctx.limits)
        self.tables = 0

    def part(self, zf, name: str, tags: Tags, where: Where) -> Iterator[Chunk]:
        for kind, value in walk(iter_part(zf, name, self.ctx), tags):
            if kind == "p":
                if where.current is not None:
                    yield from self.lines.add(where.current, value)
            elif kind == "table":
                if where.current is not None:
                    yield from self.table(where.current, value)
            else:
                where.event(kind, value)
        yield from self.lines.flush()

    def table(self, where: str, rows: list) -> Iterator[Chunk]:
        yield from self.lines.flush()
        self.tables += 1
        label = f"table {self.tables}" if where == "body" else f"{where} table {self.tables}"
        yield from rows_to_chunks(rows, where=label)


def _numbered(names, pattern: str) -> list:
    """Names matching pattern, in the order of the number it captures."""
    found = []
    for name in names:
        match = re.fullmatch(pattern, name)
        if match:
            digits = match.group(1) if match.groups() else ""
            found.append((int(digits or 0), name))
    return [name for _, name in sorted(found)]


def extract_docx(item, ctx) -> Iterator[Chunk]:
    with open_zip(item, ctx) as zf:
        names = zf.namelist()
        if "word/document.xml" not in names:
            raise ItemError("not a Word document: word/document.xml missing")
        doc = _Doc(ctx)
        yield from doc.part(zf, "word/document.xml", WORD, Where("body"))
        for where, pattern in WORD_PARTS:
            for name in _numbered(names, pattern):
                yield from doc.part(zf, name, WORD, Where(where))


def rels(zf, part: str, ctx) -> dict:
    """Relationship id → (type, part name) for one part of an OOXML package."""
    folder, base = posixpath.split(part)
    name = posixpath.join(folder, "_rels", base + ".rels")
    if name not in zf.NameToInfo:
        return {}
    out = {}
    for rel in parse_small(zf, name, ctx).iter(PKG + "Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], path)
    return out


def slide_order(zf, ctx) -> list:
    """Slide parts in presentation order; file-number order if that is unreadable."""
    names = set(zf.namelist())
    order = []
    if "ppt/presentation.xml" in names:
        links = rels(zf, "ppt/presentation.xml", ctx)
        for sld in parse_small(zf, "ppt/presentation.xml", ctx).iter(P + "sldId"):
            target = links.get(sld.get(R + "id"), ("", ""))[1]
            if target in names:
                order.append(target)
    return order or _numbered(names, r"ppt/slides/slide(\d+)\.xml")


def extract_pptx(item, ctx) -> Iterator[Chunk]:
    with open_zip(item, ctx) as zf:
        doc = _Doc(ctx)
        for number, slide in enumerate(slide_order(zf, ctx), start=1):
            yield from doc.part(zf, slide, DRAWING, Where(f"slide {number}"))
            notes = [path for kind, path in rels(zf, slide, ctx).values() if kind == "notesSlide"]
            for path in notes[:1]:
                if path in zf.NameToInfo:
                    yield from doc.part(zf, path, DRAWING, Where(f"notes {number}"))


def extract_odf(item, ctx) -> Iterator[Chunk]:
    with open_zip(item, ctx) as zf:
        names = set(zf.namelist())
        refuse_encrypted_odf(zf, ctx)
        if "content.xml" not in names:
            raise ItemError("not an OpenDocument file: content.xml missing")
        doc = _Doc(ctx)
        yield from doc.part(zf, "content.xml", ODF, Where("body"))
        if "styles.xml" in names:
            # Only the master pages' headers and footers hold text a reader sees.
            yield from doc.part(zf, "styles.xml", ODF, Where(None))


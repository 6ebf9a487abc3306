"""PDF text per page (pypdf), plus the values typed into form fields.

A page without a text layer (a scan) has its images read by OCR
(extract/ocr.py): a scanner stores each page as one image, which pypdf
decodes without rendering the page.

An owner-password-only PDF opens with the empty user password and is read;
one that needs a user password is refused (the encryption stage normally
reports it first). A page pypdf cannot read is counted and reported after
the readable pages, so one broken page does not hide the rest.
"""
from __future__ import annotations

import io
import logging
from typing import Iterator

from ..errors import ItemError, LimitExceeded
from ..limits import read_capped
from ..model import Chunk
from ..encryption.pdf import identity_only
from .fixed import PROBE, split_at_header
from .ocr import read_page
from .paragraphs import text_chunks
from .tabular import tables_in_text

MAX_PAGES = 5000

# pypdf logs warnings about damaged files; they carry no value to a scan.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def open_pdf(item, ctx):
    import pypdf
    from pypdf.errors import PyPdfError

    with item.open() as stream:
        data = read_capped(stream, ctx.limits.max_document_size, "document")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        # Opens with the empty password (as user, or as owner when the owner password is empty):
        # anyone's reader shows it without asking, so it is read like any PDF.
        if reader.is_encrypted and reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
            if not identity_only(reader.trailer["/Encrypt"].get_object()):
                raise ItemError("encrypted: password required")
            reader._encryption = None  # /Identity filters: the objects are stored as they are
        return reader
    except ItemError:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError,
            RuntimeError, OSError) as exc:  # RuntimeError covers recursion and unsupported filters
        raise ItemError(f"unreadable PDF ({type(exc).__name__})") from None


def _page_count(reader) -> int:
    try:
        return len(reader.pages)
    except Exception as exc:  # a broken page tree raises whatever it trips over
        raise ItemError(f"unreadable PDF page tree ({type(exc).__name__})") from None


def extract_pdf(item, ctx) -> Iterator[Chunk]:
    reader = open_pdf(item, ctx)
    total = _page_count(reader)
    failed = 0
    columns = None  # the report's columns, while its pages go on
    for index in range(min(total, MAX_PAGES)):
        try:
            data = _page_text(reader.pages[index], columns)
        except Exception:  # pypdf raises many types on damaged content streams
            failed += 1
            continue
        if data.strip():
            columns = yield from _page_chunks(data, f"page {index + 1}", ctx, columns)
        elif ctx.ocr is not None and ctx.ocr.enabled:
            failed += not (yield from _scanned_page(reader.pages[index], f"page {index + 1}", ctx))
    yield from _form_fields(reader, ctx)
    if total > MAX_PAGES:
        raise LimitExceeded(f"more than {MAX_PAGES} pages: pages after {MAX_PAGES} not scanned")
    if failed:
        raise ItemError(f"{failed} of {total} pages unreadable")


MAX_PAGE_IMAGES = 16  # images of one scanned page OCR'd; a scanner puts one or a few


def _scanned_page(page, where: str, ctx):
    """OCR of the images of a page with no text; False when they could not be decoded.

    One image is decoded at a time, each image object once however often the page draws it,
    and only after its declared size is within the OCR limit: a small file must not make the
    worker hold many large bitmaps at once."""
    run = ctx.ocr
    try:
        names = list(page.images.keys())
        xobjects = _image_objects(page)
    except Exception:  # pypdf raises many types on damaged or unsupported resources
        return False
    if len(names) > MAX_PAGE_IMAGES:
        run.skip(f"more than {MAX_PAGE_IMAGES} images on a page")
        names = names[:MAX_PAGE_IMAGES]
    seen, decoded = set(), True
    for number, name in enumerate(names):
        declared = xobjects.get(name) if isinstance(name, str) else None
        if declared is not None:
            ref, width, height = declared
            if ref is not None and ref in seen:
                continue
            seen.add(ref)
            if width * height > run.limits.ocr_max_pixels:
                run.skip(f"image larger than {run.limits.ocr_max_pixels // 1_000_000} megapixels")
                continue
        try:
            image = page.images[name].image
        except Exception:  # pypdf raises many types on damaged or unsupported image streams
            decoded = False
            continue
        if image is not None:
            part = where if len(names) == 1 else f"{where} image {number + 1}"
            yield from read_page(image, part, ctx, scanned=True)
    return decoded


def _image_objects(page) -> dict:
    """Name → (object number, declared width, declared height) of the page's own image XObjects."""
    resources = page.get("/Resources")
    xobject = resources.get_object().get("/XObject") if resources is not None else None
    if xobject is None:
        return {}
    xobject = xobject.get_object()
    found = {}
    for name in xobject:
        raw = xobject.raw_get(name)
        obj = xobject[name].get_object()
        if obj.get("/Subtype") == "/Image":
            found[name] = (getattr(raw, "idnum", None), int(obj.get("/Width", 0) or 0), int(obj.get("/Height", 0) or 0))
    return found


def _page_text(page, columns) -> bytes:
    """The page's text; laid out from the glyphs' positions (pypdf's layout mode) when that,
    and not the plain text, shows a report's columns: a register printed from a spreadsheet
    places each cell on its own, and plain text runs the cells together with one space."""
    plain = _lines(page.extract_text() or "")
    if not _tabular(plain, columns is not None) or _columns_in(plain, columns):
        return plain
    laid_out = _lines(page.extract_text(extraction_mode="layout") or "")
    return laid_out if _columns_in(laid_out, columns) else plain


def _columns_in(data: bytes, columns) -> bool:
    return split_at_header(data[:PROBE]) is not None or (columns is not None and columns.fits(data))


def _tabular(data: bytes, continuing: bool) -> bool:
    """Could the page be a report run together by plain text? Short lines of several words
    with figures in them, under a line of capitalised names without figures (a header),
    or, when a report goes on from the last page, mostly such lines."""
    lines = [x for x in data.split(b"\n", 200)[:200] if x.strip()]
    rows = sum(1 for x in lines if len(x) < 160 and len(x.split()) >= 3 and any(48 <= b <= 57 for b in x))
    if continuing:
        return rows >= 1 and rows * 2 >= len(lines)
    return rows >= 2 and any(_header_like(x) for x in lines)


def _header_like(line: bytes) -> bool:
    words = line.split()
    return 3 <= len(words) and len(line) < 100 and not any(48 <= b <= 57 for b in line) \
        and sum(1 for w in words if w[:1].isupper()) * 3 >= len(words) * 2


def _page_chunks(data: bytes, where: str, ctx, columns=None):
    """A page that prints a report with aligned columns reads its values under their headers;
    a page that goes on with the report's rows without repeating the header, under the last
    page's. Returns the columns in force after this page."""
    found = split_at_header(data[:PROBE])
    if found is not None:
        cut, first_line, columns = found
        yield Chunk(data[:cut], where, 1)
        yield Chunk(data[cut:], where, first_line, columns=columns)
        return columns
    if columns is not None and columns.fits(data):
        yield Chunk(data, where, 1, columns=columns)
        return columns
    yield from text_chunks(data, where, 1, ctx.limits)
    # A table printed with "|" between its cells: its header row names the values under it.
    yield from tables_in_text(data.decode("utf-8", "replace"), where)
    return None


def _lines(text: str) -> bytes:
    # pypdf may return lone surrogates and NULs from odd font maps.
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return (text.rstrip("\n") + "\n").encode("utf-8", "replace")


def _form_fields(reader, ctx) -> Iterator[Chunk]:
    try:
        fields = reader.get_form_text_fields() or {}
    except Exception:  # a damaged AcroForm must not cost the page text
        return
    lines = [f"{' '.join(str(name).split())}\t{' '.join(str(value).split())}"
             for name, value in fields.items() if value not in (None, "")]
    if lines:
        data = ("\n".join(lines) + "\n").encode("utf-8", "replace")
        yield from text_chunks(data, "form fields", 1, ctx.limits)

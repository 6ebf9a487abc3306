"""The OCR stage: text from the pixels of images and of PDF pages without a text layer.

The image extractor and the PDF extractor call `read_page` for each page;
it decides whether the page is worth reading, reads it with Tesseract and
yields Chunks that go through the same detectors as any text:

- skipped, with a reason counted in the summary: OCR off (`--no-ocr`,
  `[ocr] enabled = false`: no reason, the user chose), an image too small to
  hold legible text or too large to read within memory, a picture that does
  not look like a document (extract/doclike.py), Tesseract not installed;
- turned upright first: EXIF orientation, then Tesseract's own orientation
  detection when the upright reading finds little text;
- one Chunk per region of the page (rows of text separated by a wide gap),
  its `where` naming the page and the region's box, rows rebuilt across
  Tesseract's blocks so a label and the value beside it share a line;
- a passport or ID card zone (formats/mrz.py) found in the text, or on a
  second reading of the zone's rows restricted to MRZ characters, is
  repaired and, once every check digit agrees, given as its own Chunk, with
  the birth date it holds under a "date of birth" header and, for a UK
  passport, its number under "passport number".

Time and memory are bounded per top-level file (limits.py: ocr_seconds,
ocr_memory): past them the page is an `error` record (LimitExceeded) and
the text read so far is kept.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from statistics import median
from typing import Iterator, Optional

from PIL import Image, ImageChops, ImageFilter, ImageOps

from ..formats.mrz import CHARSET, find_zones, normalise
from ..limits import Limits
from ..model import Chunk
from . import tesseract
from .doclike import look

MiB = 1024 * 1024
ENOUGH_WORDS = 8        # an upright reading with fewer confident words than this tries other orientations
CONFIDENT = 60          # Tesseract's word confidence (0-100) counted as read
REGION_GAP = 2.5        # a gap of this many row heights starts a new region...
USUAL_GAPS = 2          # ...when it is also this many times the page's median gap between rows
MRZ_CHARS = "".join(sorted(CHARSET))
SKEW_THUMB, SKEW_STEP, SKEW_STEPS = 800, 0.5, 12   # straightening: angles tried up to ±6°


@dataclass
class OcrRun:
    """One top-level file's OCR: on or off, its clock, its pages and its skips."""

    enabled: bool
    limits: Limits
    pages: int = 0
    skipped: list = field(default_factory=list)
    started: Optional[float] = None

    def seconds_left(self) -> float:
        if self.started is None:
            self.started = time.monotonic()
        return self.limits.ocr_seconds - (time.monotonic() - self.started)

    def skip(self, reason: str) -> None:
        self.skipped.append(f"pixels not read: {reason}")


def read_page(image: Image.Image, where: str, ctx, scanned: bool = False) -> Iterator[Chunk]:
    """Chunks of the text OCR reads on one page (an image, a TIFF frame, a scanned PDF page).
    `scanned`: the image is a scan, not a photo (a PDF page's only content, a TIFF page)."""
    run: Optional[OcrRun] = getattr(ctx, "ocr", None)
    if run is None or not run.enabled:
        return
    limits = run.limits
    width, height = image.size
    if min(width, height) < limits.ocr_min_side:
        run.skip(f"image smaller than {limits.ocr_min_side} px a side")
        return
    if width * height > limits.ocr_max_pixels:
        run.skip(f"image larger than {limits.ocr_max_pixels // 1_000_000} megapixels")
        return
    seen = look(image)
    if not (seen.page if scanned else seen.document):
        run.skip("not a document (a photo, or blank)")
        return
    if tesseract.program() is None:
        run.skip("OCR not installed (tesseract with English data)")
        return
    page = _upright(image)
    try:
        yield from _read(page, where, run)
    except tesseract.OcrFailed as exc:
        run.skip(str(exc))
        return
    run.pages += 1


def _upright(image: Image.Image) -> Image.Image:
    """Grayscale, turned as the camera's EXIF orientation says, then straightened."""
    try:
        image = ImageOps.exif_transpose(image)
    except (ValueError, TypeError, KeyError, OSError):
        pass  # a damaged orientation tag: read the pixels as stored
    gray = image.convert("L")
    angle = _skew(gray)
    return gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255) if angle else gray


def _skew(gray: Image.Image) -> float:
    """The small angle (degrees) that lines the text up with the rows: the turn at which the dark
    pixels per row vary most, text lines and the gaps between them sharpest (a projection profile).
    A hand-held photo is a few degrees off; Tesseract copes with less, and a MRZ needs it."""
    thumb = gray.copy()
    thumb.thumbnail((SKEW_THUMB, SKEW_THUMB))
    # Ink: pixels darker than their surroundings (strokes), not dark areas (a table around the page).
    ink = ImageChops.subtract(thumb.filter(ImageFilter.BoxBlur(6)), thumb).point(lambda v: 255 if v > 30 else 0)
    best, best_score = 0.0, -1.0
    for step in range(-SKEW_STEPS, SKEW_STEPS + 1):
        angle = step * SKEW_STEP
        rows = ink.rotate(angle, resample=Image.Resampling.NEAREST).resize((1, ink.height),
                                                                            Image.Resampling.BOX).tobytes()
        mean = sum(rows) / len(rows)
        score = sum((r - mean) ** 2 for r in rows)
        if score > best_score * 1.0001:
            best, best_score = angle, score
    return best if abs(best) >= SKEW_STEP else 0.0


def _read(page: Image.Image, where: str, run: OcrRun) -> Iterator[Chunk]:
    memory = run.limits.ocr_memory
    words = tesseract.words(page, run.seconds_left(), memory)
    turned = 0
    if _confident(words) < ENOUGH_WORDS:
        turned = tesseract.rotation(page, run.seconds_left(), memory)
        if turned:
            page = page.rotate(turned, expand=True)
            words = tesseract.words(page, run.seconds_left(), memory)
    label = f"{where} (OCR" + (f", turned {turned}°)" if turned else ")")
    rows = _rows(words)
    for region in _regions(rows):
        left = min(w.left for row in region for w in row)
        top = min(w.top for row in region for w in row)
        right = max(w.left + w.width for row in region for w in row)
        bottom = max(w.top + w.height for row in region for w in row)
        text = "\n".join(" ".join(w.text for w in row) for row in region) + "\n"
        yield Chunk(text.encode("utf-8", "replace"), f"{label} region {left},{top} {right - left}x{bottom - top}")
    yield from _zones(page, rows, label, run)


def _confident(words: list) -> int:
    return sum(1 for w in words if w.conf >= CONFIDENT and len(w.text) > 1)


def _rows(words: list) -> list:
    """Words in physical rows, top to bottom and left to right, whichever block Tesseract put them in."""
    lines: dict = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    ordered = sorted(lines.values(), key=lambda ws: min(w.top for w in ws))
    rows: list = []
    for line in ordered:
        top = min(w.top for w in line)
        bottom = max(w.top + w.height for w in line)
        middle = (top + bottom) / 2
        for row in rows:
            row_top = min(w.top for w in row)
            row_bottom = max(w.top + w.height for w in row)
            if row_top <= middle <= row_bottom:
                row.extend(line)
                break
        else:
            rows.append(list(line))
    return [sorted(row, key=lambda w: w.left) for row in sorted(rows, key=lambda r: min(w.top for w in r))]


def _regions(rows: list) -> Iterator[list]:
    """Rows split at wide gaps. A form whose fields stand evenly a few rows apart is one region,
    one record: a gap splits only when it is also well over the page's usual gap, so a health
    note is read with the name above it (a special category counts only about a person)."""
    if not rows:
        return
    height = median(max(w.height for w in row) for row in rows)
    gaps = [min(w.top for w in row) - max(w.top + w.height for w in before) for before, row in zip(rows, rows[1:])]
    usual = median(gaps) if gaps else 0
    region = [rows[0]]
    for gap, row in zip(gaps, rows[1:]):
        if gap > REGION_GAP * height and gap > USUAL_GAPS * usual:
            yield region
            region = []
        region.append(row)
    yield region


def _zones(page: Image.Image, rows: list, label: str, run: OcrRun) -> Iterator[Chunk]:
    """Machine-readable zones, read again with MRZ characters only where the first reading was poor."""
    text = "\n".join(" ".join(w.text for w in row) for row in rows)
    zones = find_zones(text)
    if not zones:
        zone_rows = [row for row in rows if _mrz_like(row)]
        if zone_rows:
            zones = find_zones(_reread(page, zone_rows, run))
    for zone in zones:
        where = f"{label} MRZ"
        yield Chunk((zone.checked + "\n").encode("ascii"), where)
        yield Chunk(zone.birth.strftime("%d/%m/%Y").encode("ascii"), where, header="date of birth")
        if zone.issuer == "GBR" and zone.document in ("P", "") and zone.number.isdigit():
            yield Chunk(zone.number.encode("ascii"), where, header="passport number")


def _mrz_like(row: list) -> bool:
    line = normalise(" ".join(w.text for w in row))
    return len(line) >= 20 and line.count("<") >= 3


def _reread(page: Image.Image, zone_rows: list, run: OcrRun) -> str:
    """The zone's rows, cropped with a margin, enlarged, read as MRZ characters in one block."""
    top = min(w.top for row in zone_rows for w in row)
    bottom = max(w.top + w.height for row in zone_rows for w in row)
    margin = bottom - top
    box = (0, max(0, top - margin), page.width, min(page.height, bottom + margin))
    crop = ImageOps.autocontrast(page.crop(box), cutoff=2)
    crop = crop.resize((crop.width * 2, crop.height * 2), Image.Resampling.LANCZOS)
    crop = crop.point(lambda v: 255 if v >= 128 else 0)  # the zone is printed black on light: ink or not
    words = tesseract.words(crop, run.seconds_left(), run.limits.ocr_memory, psm=6, charset=MRZ_CHARS)
    return "\n".join(" ".join(w.text for w in row) for row in _rows(words))

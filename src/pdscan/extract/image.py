"""Image metadata (JPEG, TIFF, PNG, HEIC) as text Chunks, then the pixels' text by OCR.

One Chunk per field, with `header` the field's name and `where` "metadata
<field>", so "Artist" or "By-line" can count as evidence for a name. Names:
EXIF tags (Artist, XPAuthor, ImageDescription, Copyright, OwnerName),
XMP properties (dc:creator, dc:description, dc:rights, photoshop:Credit,
photoshop:CaptionWriter), IPTC datasets (By-line, Caption-Abstract, Writer,
Credit, Copyright Notice), PNG text keywords as written (Author, Comment…),
JPEG "Comment", and "GPS" as "GPS 53.383, -1.457".

The pixels are decoded only for OCR (extract/ocr.py decides whether a page
is worth reading): every page of a multi-page TIFF, the first frame of
anything else.

Pillow's decompression-bomb guard stays on: an image whose declared size is
over Image.MAX_IMAGE_PIXELS is refused as LimitExceeded. A metadata block
that cannot be read does not hide the others: they are yielded first, then
the item is an ItemError.
"""
from __future__ import annotations

import io
import struct
import warnings
from typing import Iterator, Optional

from PIL import Image, IptcImagePlugin, UnidentifiedImageError

try:  # HEIC/HEIF (phone photos) where the decoder is installed
    from pillow_heif import register_heif_opener
    register_heif_opener()
except ImportError:
    pass

from ..errors import ItemError, LimitExceeded
from ..limits import read_capped
from ..model import Chunk, Item
from .ocr import read_page
from .png import PngMeta, png_metadata
from .xmp import xmp_fields

EXIF_TAGS = {315: "Artist", 40093: "XPAuthor", 270: "ImageDescription", 33432: "Copyright"}
EXIF_IFD, GPS_IFD, OWNER_NAME, MAKE, MAKER_NOTE = 0x8769, 0x8825, 0xA430, 0x010F, 0x927C
CANON_OWNER = 0x0009
XP_TAGS = {40093}  # Windows XP tags are UTF-16LE bytes
IPTC_FIELDS = {(2, 80): "By-line", (2, 120): "Caption-Abstract", (2, 122): "Writer",
               (2, 110): "Credit", (2, 116): "Copyright Notice"}
IPTC_CHARSET = (1, 90)
# PNG text chunks that are not free text for people.
PNG_SKIP_PREFIXES = ("Raw profile type",)
MAX_PAGES = 500  # pages of one TIFF read by OCR
PILLOW_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, KeyError,
                 IndexError, TypeError, ZeroDivisionError, AttributeError, UnicodeError)


def extract_image(item: Item, ctx) -> Iterator[Chunk]:
    with item.open() as stream:
        data = read_capped(stream, ctx.limits.max_document_size, "image")
    # Collected before yielding: the warning filters must not stay on while the caller runs.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns about odd metadata counts; not our business
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        fields, failed = _read_fields(_open(data), data, ctx)
    yield from (_chunk(name, value) for name, value in fields if value.strip())
    if ctx.ocr is not None and ctx.ocr.enabled:
        yield from _pages(data, ctx)
    if failed:
        raise ItemError(f"unreadable image metadata: {', '.join(failed)}")


def _read_fields(image: Image.Image, data: bytes, ctx) -> tuple[list, list]:
    fields, failed, png = [], [], PngMeta()
    with image:
        if image.format == "PNG":
            try:
                png = png_metadata(data, ctx)
            except (ValueError, struct.error):
                failed.append("PNG chunks")
        for label, source in SOURCES:
            try:
                fields.extend(source(image, png))
            except PILLOW_ERRORS:
                failed.append(label)
    return fields, failed


def _pages(data: bytes, ctx) -> Iterator[Chunk]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open(data)
    run = getattr(ctx, "ocr", None)
    if run is None or not run.enabled:
        return  # nothing reads the pixels: never decode them
    with image:
        count = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
        for index in range(min(count, MAX_PAGES)):
            try:
                image.seek(index)
                width, height = image.size
                if width * height > run.limits.ocr_max_pixels:  # judged before its pixels are decoded
                    run.skip(f"image larger than {run.limits.ocr_max_pixels // 1_000_000} megapixels")
                    continue
                page = image.copy()  # decodes the pixels: a damaged body fails here
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise LimitExceeded(f"page {index + 1}: pixel count over Pillow's decompression-bomb limit") from None
            except PILLOW_ERRORS:
                raise ItemError(f"unreadable image pixels (page {index + 1})") from None
            # TIFF is what scanners and fax write: its pages are scans, not photos.
            where = f"page {index + 1}" if count > 1 else "image"
            yield from read_page(page, where, ctx, scanned=image.format == "TIFF")
    if count > MAX_PAGES:  # said, never dropped silently: the item gets an error record
        raise LimitExceeded(f"more than {MAX_PAGES} pages: pages after {MAX_PAGES} not read")


def _open(data: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LimitExceeded("image pixel count over Pillow's decompression-bomb limit") from None
    except UnidentifiedImageError:
        raise ItemError("not a readable image") from None
    except PILLOW_ERRORS:
        raise ItemError("corrupt image") from None


def _chunk(name: str, value: str) -> Chunk:
    return Chunk(value.strip().encode("utf-8", "replace"), where=f"metadata {name}", header=name)


def _exif_of(image: Image.Image, png: PngMeta) -> Image.Exif:
    if image.format != "PNG":
        return image.getexif()
    # PNG's getexif() decodes the pixels to find an eXIf chunk after them: use the walked chunks.
    exif = Image.Exif()
    if png.exif:
        exif.load(png.exif)
    return exif


def _exif(image: Image.Image, png: PngMeta) -> Iterator[tuple[str, str]]:
    exif = _exif_of(image, png)
    for tag, name in EXIF_TAGS.items():
        if tag in exif:
            yield name, _text(exif[tag], utf16=tag in XP_TAGS)
    owner = exif.get_ifd(EXIF_IFD).get(OWNER_NAME)
    if owner is not None:
        yield "OwnerName", _text(owner)
    if str(exif.get(MAKE, "")).startswith("Canon"):
        try:
            canon_owner = _canon_owner(image.info.get("exif") or b"", exif.get(EXIF_IFD))
        except struct.error:
            canon_owner = None  # maker notes are vendor-private: a malformed one is not an error
        if canon_owner:
            yield "OwnerName", canon_owner


def _canon_owner(raw: bytes, exif_offset) -> Optional[str]:
    """OwnerName (tag 9) of a Canon maker note: an IFD whose offsets count from the TIFF header."""
    tiff = raw[6:] if raw.startswith(b"Exif\x00\x00") else raw
    if not isinstance(exif_offset, int) or tiff[:2] not in (b"II", b"MM"):
        return None
    order = "<" if tiff[:2] == b"II" else ">"
    note = _ifd_entry(tiff, order, exif_offset, MAKER_NOTE)
    owner = note and _ifd_entry(tiff, order, note[1], CANON_OWNER)
    if not owner:
        return None
    count, value = owner
    data = tiff[value:value + count] if count > 4 else struct.pack(order + "I", value)[:count]
    return _text(data.split(b"\x00", 1)[0])


def _ifd_entry(tiff: bytes, order: str, offset: int, tag: int) -> Optional[tuple[int, int]]:
    """(count, value or offset) of a tag in the IFD at offset; struct.error when out of bounds."""
    (entries,) = struct.unpack_from(order + "H", tiff, offset)
    for index in range(min(entries, 1024)):
        entry_tag, _, count, value = struct.unpack_from(order + "HHII", tiff, offset + 2 + 12 * index)
        if entry_tag == tag:
            return count, value
    return None


def _gps(image: Image.Image, png: PngMeta) -> Iterator[tuple[str, str]]:
    gps = _exif_of(image, png).get_ifd(GPS_IFD)
    lat, lon = _degrees(gps.get(2), gps.get(1)), _degrees(gps.get(4), gps.get(3))
    if lat is not None and lon is not None:
        yield "GPS", f"GPS {lat:.3f}, {lon:.3f}"


def _degrees(dms, ref) -> Optional[float]:
    try:
        d, m, s = (float(x) for x in dms)
    except (TypeError, ValueError):
        return None
    value = d + m / 60 + s / 3600
    return -value if str(ref).strip().upper() in ("S", "W") else value


def _iptc(image: Image.Image, png: PngMeta) -> Iterator[tuple[str, str]]:
    info = IptcImagePlugin.getiptcinfo(image) or {}
    utf8 = info.get(IPTC_CHARSET, b"") in (b"\x1b%G", [b"\x1b%G"])
    for key, name in IPTC_FIELDS.items():
        values = info.get(key, [])
        for value in values if isinstance(values, list) else [values]:
            yield name, value.decode("utf-8", "replace") if utf8 else _text(value)


def _xmp(image: Image.Image, png: PngMeta) -> Iterator[tuple[str, str]]:
    packet = png.xmp if image.format == "PNG" else image.info.get("xmp")
    if packet:
        yield from xmp_fields(packet)


def _text(value, utf16: bool = False) -> str:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, tuple):  # XP tags may arrive as a tuple of byte values
        value = bytes(value)
    if isinstance(value, bytes):
        if utf16:
            return value.decode("utf-16-le", "replace").replace("\x00", "")
        try:
            return value.decode("utf-8").replace("\x00", "")
        except UnicodeDecodeError:
            return value.decode("cp1252", "replace").replace("\x00", "")
    return str(value)


def _text_chunks(image: Image.Image, png: PngMeta) -> Iterator[tuple[str, str]]:
    """PNG text chunks (keyword as written) and a JPEG COM comment."""
    if image.format in ("JPEG", "MPO") and image.info.get("comment"):
        yield "Comment", _text(image.info["comment"])
    for key, value in png.text:
        if not key.startswith(PNG_SKIP_PREFIXES):
            yield key, value


SOURCES = (("EXIF", _exif), ("GPS", _gps), ("IPTC", _iptc), ("XMP", _xmp), ("text", _text_chunks))

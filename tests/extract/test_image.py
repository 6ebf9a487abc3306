"""Image metadata as chunks, checked against real images and their exiftool fields."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageFile
from PIL.PngImagePlugin import PngInfo

from pdscan.errors import ItemError, LimitExceeded
from pdscan.extract import Context
from pdscan.extract.image import extract_image
from pdscan.limits import Budget, Limits
from pdscan.model import Item

from ..conftest import REAL
from .drive import drive, file_item, mutations, only_item_errors

IMAGES = REAL / "images"


def fields(item: Item) -> list:
    return [(c.header, c.data.decode("utf-8")) for c in extract_image(item, Context(Limits(), Budget(Limits())))]


def bytes_item(data: bytes, name="x.png") -> Item:
    return Item(path=f"/pics/{name}", open=lambda: io.BytesIO(data), size=len(data), name_hint=name)


@pytest.mark.parametrize("name,expected", [
    ("ExifTool.jpg", {("Artist", "Phil Harvey"), ("dc:creator", "Phil Harvey"), ("By-line", "Phil Harvey"),
                      ("ImageDescription", "A witty caption"), ("Copyright", "Copyright 2004 Phil Harvey"),
                      ("Caption-Abstract", "A witty caption")}),
    ("XMP.jpg", {("Artist", "Phil Harvey"), ("dc:creator", "Phil Harvey")}),  # UTF-16 XMP packet
    ("IPTC.jpg", {("By-line", "Phil Harvey"), ("Caption-Abstract", "A witty caption")}),
    ("GPS.jpg", {("Artist", "Ian Britton"), ("By-line", "Ian Britton"), ("GPS", "GPS 54.990, -1.914")}),
    ("MWG.jpg", {("Artist", "RIGHT1of2-EXIF-Creator; RIGHT2of2-EXIF-Creator"),
                 ("dc:creator", "WRONG1of2-XMP-Creator"), ("By-line", "WRONG2of2-IPTC-Creator")}),
    ("Canon.jpg", {("OwnerName", "Phil Harvey")}),
    ("PhotoMechanic.jpg", {("dc:creator", "Photographer"), ("By-line", "Photographer")}),
    ("PNG.png", {("dc:creator", "Phil Harvey")}),
    ("ExifTool.tif", {("By-line", "I'm the author"), ("ImageDescription", "The picture caption")}),
])
def test_real_images_give_their_personal_fields(name, expected):
    assert expected <= set(fields(file_item(IMAGES / name)))


@pytest.mark.parametrize("name,expected", [
    ("Olympus.jpg", [("ImageDescription", "OLYMPUS DIGITAL CAMERA")]),
    ("Writer.jpg", []),
    ("Apple.jpg", [("GPS", "GPS 53.383, -1.457")]),
])
def test_negative_images_give_only_what_is_there(name, expected):
    assert fields(file_item(IMAGES / name)) == expected


def test_chunks_carry_header_and_where():
    run = drive(file_item(IMAGES / "ExifTool.jpg"))
    assert run.items[None][1] == "image/jpeg"
    artist = [c for _, c in run.chunks if c.header == "Artist"][0]
    assert artist.where == "metadata Artist" and artist.data == b"Phil Harvey"


def test_pixels_are_never_decoded(monkeypatch):
    def refuse(self):
        raise AssertionError("pixels decoded")
    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    for path in sorted(IMAGES.iterdir()):
        fields(file_item(path))


def png_bytes(size=(4, 4), info: PngInfo = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def test_png_text_chunks_and_jpeg_exif_written_by_pillow():
    info = PngInfo()
    info.add_text("Author", "Grace Hopper")
    info.add_itxt("Description", "Class photo, Zoë", lang="en")
    found = set(fields(bytes_item(png_bytes(info=info))))
    assert {("Author", "Grace Hopper"), ("Description", "Class photo, Zoë")} <= found
    exif = Image.Exif()
    exif[315] = "Ada Lovelace"
    exif[40093] = "Charles Babbage".encode("utf-16-le") + b"\x00\x00"
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "JPEG", exif=exif)
    found = set(fields(bytes_item(out.getvalue(), "x.jpg")))
    assert {("Artist", "Ada Lovelace"), ("XPAuthor", "Charles Babbage")} <= found


def with_dimensions(png: bytes, width: int, height: int) -> bytes:
    """The same PNG with an IHDR that claims other dimensions (CRC fixed)."""
    ihdr = bytearray(png[12:29])  # type + 13 bytes of data
    struct.pack_into(">II", ihdr, 4, width, height)
    return png[:12] + bytes(ihdr) + struct.pack(">I", zlib.crc32(ihdr)) + png[33:]


@pytest.mark.parametrize("side", [12_000, 100_000])  # over MAX_IMAGE_PIXELS (warning), over twice it (error)
def test_decompression_bomb_is_refused(side):
    assert side * side > Image.MAX_IMAGE_PIXELS
    with pytest.raises(LimitExceeded):
        fields(bytes_item(with_dimensions(png_bytes(), side, side)))


@pytest.mark.parametrize("data", [b"\xff\xd8\xff\xe0 not a jpeg", b"\x89PNG\r\n\x1a\n" + bytes(40), b"random"])
def test_corrupt_images_are_item_errors(data):
    with pytest.raises(ItemError):
        fields(bytes_item(data))


def test_xmp_entity_bomb_is_refused_after_the_other_fields():
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>')
    info = PngInfo()
    info.add_text("Author", "Grace Hopper")
    info.add_itxt("XML:com.adobe.xmp", bomb)
    got = []
    with pytest.raises(ItemError, match="XMP"):
        for chunk in extract_image(bytes_item(png_bytes(info=info)), Context(Limits(), Budget(Limits()))):
            got.append(chunk.header)
    assert got == ["Author"]


def with_chunk_at_end(png: bytes, kind: bytes, body: bytes) -> bytes:
    """The PNG with one more chunk after the pixel data, just before IEND."""
    chunk = struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return png[:-12] + chunk + png[-12:]


def test_png_text_after_the_pixel_data_is_found_without_decoding():
    data = with_chunk_at_end(png_bytes(), b"tEXt", b"Author\x00Grace Hopper")
    assert fields(bytes_item(data)) == [("Author", "Grace Hopper")]


def test_png_compressed_text_bomb_is_refused():
    body = b"Comment\x00\x00" + zlib.compress(bytes(4 * 1024 * 1024), 9)
    with pytest.raises(LimitExceeded):
        fields(bytes_item(with_chunk_at_end(png_bytes(), b"zTXt", body)))


@pytest.mark.parametrize("name", ["ExifTool.jpg", "GPS.jpg", "PNG.png", "ExifTool.tif", "Canon.jpg"])
def test_damaged_images_fail_only_with_item_error(name):
    for damaged in mutations((IMAGES / name).read_bytes(), 60):
        only_item_errors(extract_image, damaged, name)

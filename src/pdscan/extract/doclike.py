"""Does an image look like a document? A cheap test on a thumbnail, before any OCR.

OCR costs a second or more a page; a folder of holiday photos must not pay it.
A page of text, scanned or photographed, is mostly light, little coloured,
and full of small sharp edges (letters). A photo of people or scenery is darker
or more coloured, and has fewer sharp edges; one with many (foliage,
gravel) is darker and more coloured still.
"""
from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageStat

THUMB = 384          # long side of the thumbnail tested, in pixels
EDGE = 64            # an edge pixel: this much brighter than its neighbours
LIGHT = 150          # a light pixel (paper)
WHITE = 235          # a paper-white pixel
WHITE_PAGE = 0.85    # share of paper-white pixels of a scanned page
MARKED = 0.02        # share of edge pixels of a page with something on it (a blank one has 0.012: its border)


@dataclass(frozen=True)
class Look:
    light: float       # share of light pixels
    saturation: float  # mean colour saturation, 0-1
    edges: float       # share of edge pixels
    white: float = 0   # share of paper-white pixels

    @property
    def document(self) -> bool:
        """Light, little coloured and full of edges; or white paper with marks on it (a short
        letter scanned to a JPEG or PNG), which no photo of people or scenery is."""
        return self.light >= 0.35 and self.saturation <= 0.30 and (
            self.edges >= 0.05 or self.white >= WHITE_PAGE and self.saturation <= 0.05 and self.edges >= MARKED)

    @property
    def page(self) -> bool:
        """A page known to be a scan (a PDF page's only content, a TIFF page): a short letter leaves
        most of it white, with fewer edges than a photo test asks; only a blank or coloured one is
        passed by."""
        return self.light >= 0.35 and self.saturation <= 0.30 and self.edges >= MARKED


def look(image: Image.Image) -> Look:
    thumb = image.copy()
    thumb.draft("RGB", (THUMB, THUMB))  # JPEG: decode at a fraction of the size
    thumb = thumb.convert("RGB")
    thumb.thumbnail((THUMB, THUMB))
    gray = thumb.convert("L")
    histogram = gray.histogram()
    pixels = max(1, sum(histogram))
    light = sum(histogram[LIGHT:]) / pixels
    white = sum(histogram[WHITE:]) / pixels
    saturation = ImageStat.Stat(thumb.convert("HSV").split()[1]).mean[0] / 255
    edges = gray.filter(ImageFilter.FIND_EDGES).point(lambda v: 255 if v >= EDGE else 0)
    edge_share = sum(edges.histogram()[255:]) / pixels
    return Look(light, saturation, edge_share, white)


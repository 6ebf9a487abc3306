"""Published photographs must not name individuals (college policy): images in a publishing
folder are checked for a person's name in their metadata and in their file name."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import FIXTURES

IMAGES = FIXTURES / "real" / "images"


@pytest.fixture
def site(tmp_path):
    web = tmp_path / "Website" / "gallery"
    web.mkdir(parents=True)
    private = tmp_path / "staff-photos"
    private.mkdir()
    shutil.copy(IMAGES / "ExifTool.jpg", web / "open-day.jpg")          # EXIF Artist / XMP / IPTC name
    shutil.copy(IMAGES / "IPTC.jpg", web / "prize-giving.jpg")          # IPTC By-line only
    shutil.copy(IMAGES / "Olympus.jpg", web / "campus.jpg")             # camera default text only
    shutil.copy(IMAGES / "Writer.jpg", web / "sarah-jones-graduation.jpg")  # name only in the file name
    shutil.copy(IMAGES / "ExifTool.jpg", private / "open-day.jpg")      # same photo, not published
    return tmp_path


def test_named_photos_in_publishing_folders_are_flagged(cli, site):
    result = cli("scan", site, "--format", "jsonl", "--jobs", "1")
    flagged = sorted(r["path"].rsplit("/", 1)[-1] for r in result.records()
                     if r["type"] == "item" and any(v["rule"] == "published-photo-named" for v in r["violations"]))
    assert flagged == ["open-day.jpg", "prize-giving.jpg", "sarah-jones-graduation.jpg"], result
    paths = [r["path"] for r in result.records() if r["type"] == "item"
             and any(v["rule"] == "published-photo-named" for v in r["violations"])]
    assert all("/Website/" in p for p in paths)      # the same photo outside Website is not flagged


def test_text_output_says_what_to_do(cli, site):
    result = cli("scan", site / "Website", "--jobs", "1")
    assert result.code == 1
    assert "published-photo-named" in result.out and "remove the name" in result.out
    assert "Phil Harvey" not in result.out                  # names are masked like any value

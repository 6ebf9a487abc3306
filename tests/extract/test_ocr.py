"""OCR of scans and phone photos of documents: generated passport pages, consent forms and
payslips found with their identifiers; photos, tiny images and `--no-ocr` left unread with the
reason counted; the time limit turned into an error record; scanned PDFs and multi-page TIFFs."""
from __future__ import annotations

import io
import json
import random
import shutil
import sys

import pytest
from PIL import Image

from pdscan.extract import tesseract
from pdscan.extract.doclike import look

from ..conftest import FIXTURES, REAL

sys.path.insert(0, str(FIXTURES / "ocrgen"))
import make_images  # noqa: E402

pytestmark = pytest.mark.skipif(tesseract.program() is None,
                                reason="tesseract with English data is not installed (apt-get install "
                                       "tesseract-ocr tesseract-ocr-eng)")


def _photo_of(make, seed: int) -> tuple:
    rng = random.Random(seed)
    page, planted = make(rng)
    return make_images.jpeg(make_images.photographed(page, rng), 70), planted


def _scan(cli, *args) -> tuple:
    result = cli("scan", *args, "--format", "jsonl", "--no-progress", "--jobs", "1")
    assert result.code in (0, 1), result
    records = result.records()
    items = {r["path"].rsplit("/", 1)[-1]: r for r in records if r["type"] == "item" and r["member"] is None}
    return items, records[-1], [r for r in records if r["type"] == "error"]


def _found(record) -> dict:
    return {f["detector"]: f for f in record["findings"]}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A passport (GBR), a consent form, a payslip, each photographed, and two photos."""
    path = tmp_path_factory.mktemp("ocr")
    for name, make, seed in (("passport.jpg", make_images.passport, 3), ("consent.jpg", make_images.consent_form, 4),
                             ("payslip.jpg", make_images.payslip, 5)):
        data, _ = _photo_of(make, seed)
        (path / name).write_bytes(data)
    for n in range(2):
        (path / f"photo-{n}.jpg").write_bytes(make_images.jpeg(make_images.photo(random.Random(40 + n)), 80))
    return path


@pytest.fixture(scope="module")
def scanned(folder):
    from ..conftest import run_cli
    return _scan(run_cli, folder)


def test_a_photographed_passport_is_found_by_its_validated_mrz_with_a_birth_date(scanned):
    items, _, errors = scanned
    found = _found(items["passport.jpg"])
    assert found["passport.mrz"]["confidence"] == "high"
    assert "date_of_birth" in found
    assert not errors


def test_identifiers_on_photographed_forms_are_found(scanned):
    items, _, _ = scanned
    assert {"date_of_birth", "uk.uln", "uk.nhs", "special.health"} <= set(_found(items["consent.jpg"]))
    assert {"uk.nino", "uk.bank_account"} <= set(_found(items["payslip.jpg"]))


def test_photos_are_not_read_and_the_summary_says_so(scanned):
    items, summary, _ = scanned
    assert items["photo-0.jpg"]["findings"] == [] and items["photo-1.jpg"]["findings"] == []
    assert summary["skipped"] == {"pixels not read: not a document (a photo, or blank)": 2}
    assert summary["ocr_pages"] == 3


def test_the_location_names_the_region_read(folder, cli):
    result = cli("scan", folder / "consent.jpg", "--no-progress", "--jobs", "1")
    assert "image (OCR) region " in result.out
    assert "Pages read by OCR (images, scanned PDF pages): 1." in result.out


def test_no_ocr_and_the_policy_switch_leave_pixels_unread(folder, cli, tmp_path):
    items, summary, _ = _scan(cli, folder / "passport.jpg", "--no-ocr")
    assert items["passport.jpg"]["findings"] == [] and "ocr_pages" not in summary
    policy = tmp_path / "site.toml"
    policy.write_text("[ocr]\nenabled = false\n")
    items, summary, _ = _scan(cli, folder / "passport.jpg", "--policy", policy)
    assert items["passport.jpg"]["findings"] == [] and "ocr_pages" not in summary


def test_a_misspelt_ocr_policy_key_stops_the_command(cli, tmp_path, folder):
    policy = tmp_path / "site.toml"
    policy.write_text("[ocr]\nseconds_per_fille = 5\n")
    result = cli("scan", folder / "photo-0.jpg", "--policy", policy)
    assert result.code == 2 and "seconds_per_file" in result.err
    policy.write_text("[ocr]\nmemory_mib = 1\n")
    assert cli("scan", folder / "photo-0.jpg", "--policy", policy).code == 2


def test_past_the_time_limit_ocr_is_an_error_record(cli, tmp_path, folder):
    policy = tmp_path / "site.toml"
    policy.write_text("[ocr]\nseconds_per_file = 1\n")
    big = tmp_path / "big.png"
    # A long page of text: more than a second of Tesseract on any machine.
    pages = [Image.open(folder / "consent.jpg")] * 4
    sheet = Image.new("RGB", (pages[0].width * 2, pages[0].height * 2), "white")
    for n, page in enumerate(pages):
        sheet.paste(page, ((n % 2) * page.width, (n // 2) * page.height))
    sheet.save(big)
    items, _, errors = _scan(cli, big, "--policy", policy)
    assert [e["error"] for e in errors] == ["OCR time limit reached"]
    assert "big.png" in items


def test_tiny_images_are_skipped_with_a_reason(cli):
    _, summary, _ = _scan(cli, REAL / "images" / "Writer.jpg")
    assert summary["skipped"] == {"pixels not read: image smaller than 200 px a side": 1}


def test_a_scanned_pdf_and_a_multipage_tiff_are_read_page_by_page(cli, tmp_path, folder):
    photo = Image.open(folder / "payslip.jpg")
    page = Image.frombytes("RGB", photo.size, photo.convert("RGB").tobytes())  # pixels only, no JPEG settings
    blank = Image.new("RGB", page.size, "white")
    blank.save(tmp_path / "scan.tif", save_all=True, append_images=[page.copy()])
    page.save(tmp_path / "scan.pdf")  # one image per page, no text layer: what a scanner makes
    items, summary, errors = _scan(cli, tmp_path)
    assert not errors
    assert {"uk.nino", "uk.bank_account"} <= set(_found(items["scan.pdf"])) & set(_found(items["scan.tif"]))
    assert summary["ocr_pages"] == 2  # the PDF page and the TIFF's second page; its blank first page is not read
    assert summary["skipped"] == {"pixels not read: not a document (a photo, or blank)": 1}


def test_incremental_does_not_ocr_an_unchanged_file_again(cli, tmp_path, folder):
    shutil.copy(folder / "payslip.jpg", tmp_path / "payslip.jpg")
    db = tmp_path / "store.db"
    _, first, _ = _scan(cli, tmp_path / "payslip.jpg", "--db", db)
    items, again, _ = _scan(cli, tmp_path / "payslip.jpg", "--db", db, "--incremental")
    assert first["ocr_pages"] == 1 and "ocr_pages" not in again
    assert "uk.nino" in _found(items["payslip.jpg"])


def test_the_pixel_test_tells_documents_from_photos():
    rng = random.Random(9)
    photos = [make_images.photo(rng) for _ in range(10)]
    assert not any(look(p).document for p in photos)
    for make in make_images.DOCUMENTS:
        data, _ = _photo_of(make, 11)
        assert look(Image.open(io.BytesIO(data))).document, make.__name__


def test_the_generator_is_deterministic(tmp_path):
    a = make_images.make(tmp_path / "a", 2, 1, seed=5)
    b = make_images.make(tmp_path / "b", 2, 1, seed=5)
    assert a == b == json.loads((tmp_path / "a" / "MANIFEST.json").read_text())
    assert all((tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes() for n in a)


def test_a_heic_phone_photo_is_read(cli, tmp_path, folder):
    pillow_heif = pytest.importorskip("pillow_heif", reason="no HEIC decoder installed")
    pillow_heif.register_heif_opener()
    Image.open(folder / "payslip.jpg").save(tmp_path / "IMG_0042.heic", quality=85)
    items, summary, errors = _scan(cli, tmp_path / "IMG_0042.heic")
    assert items["IMG_0042.heic"]["mime"] == "image/heic" and not errors
    assert "uk.nino" in _found(items["IMG_0042.heic"]) and summary["ocr_pages"] == 1


def test_a_tiff_past_the_page_limit_says_what_was_not_read(cli, tmp_path):
    from pdscan.extract.image import MAX_PAGES
    pages = [Image.new("L", (8, 8), 255) for _ in range(MAX_PAGES + 1)]
    tiff = tmp_path / "scans.tiff"
    pages[0].save(tiff, save_all=True, append_images=pages[1:])
    _, _, errors = _scan(cli, tiff)
    assert [e["error"] for e in errors] == [f"more than {MAX_PAGES} pages: pages after {MAX_PAGES} not read"]


def test_oversized_tiff_pages_are_judged_before_their_pixels_are_decoded(cli, tmp_path):
    small, big = Image.new("L", (600, 400), 255), Image.new("L", (8000, 8000), 255)  # 64 megapixels
    tiff = tmp_path / "pages.tif"
    small.save(tiff, save_all=True, append_images=[big] * 3, compression="tiff_deflate")
    _, summary, errors = _scan(cli, tiff)
    assert not errors and summary["skipped"]["pixels not read: image larger than 50 megapixels"] == 3


def test_a_pdf_page_drawing_one_image_many_times_decodes_a_bounded_number(cli, tmp_path):
    """A small PDF whose page draws one image forty times must not make forty bitmaps."""
    import zlib
    side, copies = 400, 40
    data = zlib.compress(b"\xff" * (side * side * 3), 9)
    names = b" ".join(b"/Im%d 5 0 R" % i for i in range(copies))
    content = b"".join(b"q 1 0 0 1 0 0 cm /Im%d Do Q " % i for i in range(copies))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << " + names
            + b" >> >> /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8"
            b" /Filter /FlateDecode /Length %d >>\nstream\n" % (side, side, len(data)) + data + b"\nendstream"]
    out, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    (tmp_path / "scan.pdf").write_bytes(out)
    _, summary, errors = _scan(cli, tmp_path / "scan.pdf")
    assert not errors and summary["skipped"]["pixels not read: more than 16 images on a page"] == 1

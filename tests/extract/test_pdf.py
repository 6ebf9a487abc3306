"""PDF: text per page, owner-password-only files read, user-password files refused."""
from __future__ import annotations

import io

import pypdf
import pytest

from pdscan.errors import ItemError
from pdscan.extract.pdf import extract_pdf


def minimal_pdf(pages: list, fields: dict | None = None) -> bytes:
    """A hand-written PDF: one text line per page, optional text form fields."""
    objects = {1: None, 2: None, 3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids = []
    number = 4
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
        objects[number] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
        objects[number + 1] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                               b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % number)
        kids.append(number + 1)
        number += 2
    field_refs = []
    for name, value in (fields or {}).items():
        objects[number] = f"<< /FT /Tx /T ({name}) /V ({value}) >>".encode("latin-1")
        field_refs.append(number)
        number += 1
    form = b" /AcroForm << /Fields [%s] >>" % b" ".join(b"%d 0 R" % n for n in field_refs) if field_refs else b""
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R%s >>" % form
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return _assemble(objects)


def _assemble(objects: dict) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for n in sorted(objects):
        offsets[n] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n, objects[n])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for n in sorted(objects):
        out += b"%010d 00000 n \n" % offsets[n]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def encrypted(data: bytes, user: str, owner: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_text_per_page(run, located):
    seen = located(run(extract_pdf, minimal_pdf(["Learner Jane Example", "NI number QQ 12 34 56 C"])))
    assert seen == {("page 1", 1): "Learner Jane Example", ("page 2", 1): "NI number QQ 12 34 56 C"}


def test_form_field_values(run, located):
    seen = located(run(extract_pdf, minimal_pdf(["Application form"], {"Surname": "Example"})))
    assert seen[("form fields", 1)] == "Surname\tExample"


def test_owner_password_only_is_read(run, located):
    data = encrypted(minimal_pdf(["Jane Example"]), user="", owner="owner-secret")
    assert located(run(extract_pdf, data)) == {("page 1", 1): "Jane Example"}


def test_user_password_is_refused(run):
    data = encrypted(minimal_pdf(["Jane Example"]), user="user-secret", owner="owner-secret")
    with pytest.raises(ItemError, match="encrypted: password required"):
        run(extract_pdf, data)


@pytest.mark.parametrize("name", ["unencrypted.pdf", "r2-owner-password.pdf", "r6-owner-password.pdf"])
def test_corpus_readable(run, located, corpus, name):
    assert located(run(extract_pdf, corpus(f"pdf/{name}")))[("page 1", 1)] == "pdf encryption test"


@pytest.mark.parametrize("name", ["r2-user-password.pdf", "r4-aes-user-password.pdf", "r6-both-passwords.pdf"])
def test_corpus_user_password(run, corpus, name):
    with pytest.raises(ItemError, match="encrypted: password required"):
        run(extract_pdf, corpus(f"pdf/{name}"))


def test_garbage_and_truncated_are_item_errors(run):
    with pytest.raises(ItemError):
        run(extract_pdf, b"%PDF-1.4\nthis is not a pdf at all")
    whole = minimal_pdf(["Jane Example"] * 3)
    try:
        chunks = run(extract_pdf, whole[: len(whole) // 3])
    except ItemError:
        return
    # pypdf may rebuild a damaged file; then it must still give text, not crash.
    assert all(c.where.startswith("page") for c in chunks)

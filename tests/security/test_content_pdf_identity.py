"""A PDF whose crypt filters are /Identity is plain content, not encrypted.

Red-team finding 11: page text with NI numbers stored as it is (`strings`
shows it), under an /Encrypt dictionary (V4) whose filters are /Identity and
whose user-password check fails for the empty password. pypdf could not
"decrypt" it, so it was reported encrypted and never scanned.
"""
from __future__ import annotations

import pytest

from .plaintext import assert_read_with_ni
from .test_content_zip_encryption import scan

TEXT = "BT /F1 12 Tf 72 720 Td (" + " ".join(f"AB{123456 + i:06d}C" for i in range(20)) + ") Tj ET"


def pdf_with(encrypt: str) -> bytes:
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(TEXT)} >>\nstream\n{TEXT}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Filter /Standard /V 4 /R 4 /Length 128 /P -4 {encrypt} /O <{'11' * 32}> /U <{'22' * 32}> >>",
    ]
    out, offsets = "%PDF-1.6\n", []
    for number, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{obj}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += (f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Encrypt 6 0 R /ID [<{'ab' * 16}> <{'ab' * 16}>] >>\n"
            f"startxref\n{xref}\n%%EOF\n")
    return out.encode()


@pytest.mark.parametrize("encrypt", [
    "/StmF /Identity /StrF /Identity",
    "",  # StmF, StrF and EFF default to /Identity
    "/CF << /Plain << /CFM /Identity >> >> /StmF /Plain /StrF /Plain",
], ids=["named", "default", "cf-filters-identity"])
def test_pdf_with_identity_crypt_filters_is_scanned(cli, tmp_path, encrypt):
    path = tmp_path / "ni.pdf"
    path.write_bytes(pdf_with(encrypt))
    result, items, summary = scan(cli, path)
    assert_read_with_ni(result, items[None], summary)


def test_pdf_with_a_real_crypt_filter_stays_encrypted(cli, tmp_path):
    path = tmp_path / "ni.pdf"
    path.write_bytes(pdf_with("/CF << /StdCF << /CFM /AESV2 /Length 16 >> >> /StmF /StdCF /StrF /StdCF"))
    result, items, _ = scan(cli, path)
    assert (items[None]["encrypted"], items[None]["encryption"]) == (True, "pdf")

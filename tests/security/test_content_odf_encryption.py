"""An OpenDocument file is encrypted only when its manifest really says so and its body is not XML.

Red-team finding 07: an .odt whose content.xml is plain (NI numbers, readable
with `unzip -p`) but whose manifest merely contained the text
"<manifest:encryption-data" inside an XML comment was reported encrypted
("odf"): no finding, no violation.
"""
from __future__ import annotations

import zipfile

import pytest

from .plaintext import assert_read_with_ni
from .test_content_zip_encryption import scan

MANIFEST_NS = 'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
ENCRYPTION_DATA = ('<manifest:encryption-data><manifest:algorithm manifest:algorithm-name="Blowfish CFB"/>'
                   '</manifest:encryption-data>')
ROWS = "".join(f"<text:p>Student {i} NI AB{123456 + i:06d}C</text:p>" for i in range(50))
CONTENT = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
           'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
           f'<office:body><office:text>{ROWS}</office:text></office:body></office:document-content>')


def odt(path, claim_in_comment: str, content_entry: str) -> None:
    manifest = (f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest {MANIFEST_NS} manifest:version="1.2">'
                f'<!-- {claim_in_comment} -->'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                f'{content_entry}</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        package.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        package.writestr("content.xml", CONTENT, zipfile.ZIP_DEFLATED)


PLAIN_ENTRY = '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
CLAIMED_ENTRY = ('<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
                 f'{ENCRYPTION_DATA}</manifest:file-entry>')


@pytest.mark.parametrize("comment, entry", [(ENCRYPTION_DATA, PLAIN_ENTRY), ("", CLAIMED_ENTRY)],
                         ids=["claim-in-comment", "claim-over-plain-xml-body"])
def test_odt_with_plain_body_is_scanned(cli, tmp_path, comment, entry):
    path = tmp_path / "grades.odt"
    odt(path, comment, entry)
    result, items, summary = scan(cli, path)
    assert_read_with_ni(result, items[None], summary)

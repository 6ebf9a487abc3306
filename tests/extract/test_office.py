"""docx, pptx, odt and odp: text, locations, tables with headers, and bombs."""
from __future__ import annotations

import io
import time
import zipfile

import pytest

from pdscan.errors import ItemError, LimitExceeded
from pdscan.extract.office import extract_docx, extract_odf, extract_pptx
from pdscan.limits import Limits

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MC_NS = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'


def package(parts: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, text in parts.items():
            zf.writestr(name, text.encode("utf-8") if isinstance(text, str) else text)
    return buf.getvalue()


def para(*runs: str) -> str:
    return "<w:p>" + "".join(f'<w:r><w:t xml:space="preserve">{r}</w:t></w:r>' for r in runs) + "</w:p>"


def row(*cells: str) -> str:
    return "<w:tr>" + "".join(f"<w:tc>{para(c)}</w:tc>" for c in cells) + "</w:tr>"


def word_part(root: str, body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><w:{root} {W_NS} {MC_NS}>{body}</w:{root}>'


def docx(body: str, **extra: str) -> bytes:
    parts = {"[Content_Types].xml": "<Types/>",
             "word/document.xml": word_part("document", f"<w:body>{body}</w:body>")}
    parts.update({f"word/{name}.xml": text for name, text in extra.items()})
    return package(parts)


STAFF_TABLE = ("<w:tbl>" + row("Name", "DOB", "NI number")
               + row("Jane Example", "17/05/1990", "QQ 12 34 56 C")
               + row("John Sample", "01/02/1985", "QQ 65 43 21 A") + "</w:tbl>")
TEXTBOX = ('<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
           + para("Box text") + "</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict>"
           + para("Box text") + "</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>")


def test_docx_paragraphs_tables_and_parts(run, located):
    body = (para("Name: ", "Jane", " Example") + STAFF_TABLE + para("After ", "the table")
            + '<w:p><w:del><w:r><w:delText>Removed 07700 900123</w:delText></w:r></w:del></w:p>'
            + TEXTBOX)
    data = docx(body,
                header1=word_part("hdr", para("HR confidential")),
                footer1=word_part("ftr", para("Page footer")),
                footnotes=word_part("footnotes", '<w:footnote w:id="1">' + para("Footnote text") + "</w:footnote>"),
                comments=word_part("comments", '<w:comment w:id="0" w:author="A">' + para("Check DOB") + "</w:comment>"))
    chunks = run(extract_docx, data)
    seen = located(chunks)
    assert seen[("body", 1)] == "Name: Jane Example"
    assert seen[("body", 2)] == "After the table"          # paragraphs count on past the table
    assert seen[("body", 3)] == "Removed 07700 900123"     # tracked deletions are still in the file
    assert list(seen.values()).count("Box text") == 1       # mc:Fallback duplicate dropped
    assert seen[("table 1", 2)] == "Jane Example\t17/05/1990\tQQ 12 34 56 C"
    assert seen[("header", 1)] == "HR confidential"
    assert seen[("footer", 1)] == "Page footer"
    assert seen[("footnotes", 1)] == "Footnote text"
    assert seen[("comments", 1)] == "Check DOB"


def test_docx_table_header_travels_with_cell(run):
    table = next(c for c in run(extract_docx, docx(STAFF_TABLE)) if c.where == "table 1")
    assert table.columns.headers == ("Name", "DOB", "NI number")
    offset = table.data.index(b"QQ 65")
    assert table.columns.header_at(table.data, offset) == "NI number"
    assert table.line_of(offset) == 3


def test_docx_nested_table_becomes_cell_text(run, located):
    inner = "<w:tbl>" + row("inner a", "inner b") + "</w:tbl>"
    outer = "<w:tbl>" + row("Name", "Notes") + f"<w:tr><w:tc>{para('Jane')}</w:tc><w:tc>{inner}</w:tc></w:tr></w:tbl>"
    seen = located(run(extract_docx, docx(outer)))
    assert seen[("table 1", 2)] == "Jane\tinner a inner b"


def test_docx_corpus_example(run, located, corpus):
    assert located(run(extract_docx, corpus("office/example.docx")))[("body", 1)] == "Lorem ipsum"


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                            for i in range(1, 10))
                  + f']><w:document {W_NS}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')


def test_docx_entity_bomb_is_refused_quickly(run):
    data = package({"[Content_Types].xml": "<Types/>", "word/document.xml": BILLION_LAUGHS})
    start = time.monotonic()
    with pytest.raises(LimitExceeded, match="entity bomb"):
        run(extract_docx, data)
    assert time.monotonic() - start < 2


def test_docx_external_entity_is_refused(run):
    xxe = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           f'<w:document {W_NS}><w:body>{para("&x;")}</w:body></w:document>')
    with pytest.raises(LimitExceeded):
        run(extract_docx, package({"word/document.xml": xxe}))


def test_docx_part_over_xml_limit_is_refused_before_reading(run):
    data = docx(para("x" * 5000))
    with pytest.raises(LimitExceeded, match="word/document.xml"):
        run(extract_docx, data, limits=Limits(max_xml_bytes=1024))


def test_docx_compression_ratio_bomb(run):
    data = docx(para(" " * (3 * 1024 * 1024)))
    with pytest.raises(LimitExceeded, match="ratio"):
        run(extract_docx, data)


def test_docx_truncated_and_corrupt(run):
    whole = docx(para("Jane Example") * 200)
    with pytest.raises(ItemError):
        run(extract_docx, whole[: len(whole) // 2])
    with pytest.raises(ItemError):
        run(extract_docx, b"PK\x03\x04 not really a zip")
    with pytest.raises(ItemError, match="not well-formed"):
        run(extract_docx, package({"word/document.xml": f"<w:document {W_NS}><w:body><w:p>"}))
    with pytest.raises(ItemError, match="missing"):
        run(extract_docx, package({"word/other.xml": "<x/>"}))


def test_docx_encrypted_ooxml_is_item_error(run, corpus):
    with pytest.raises(ItemError):
        run(extract_docx, corpus("office/example_password.docx"))


A_NS = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
P_NS = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def slide(*paragraphs: str, root="sld") -> str:
    body = "".join(f"<a:p><a:r><a:t>{p}</a:t></a:r></a:p>" for p in paragraphs)
    return f"<p:{root} {A_NS} {P_NS}><p:cSld><p:spTree><p:sp><p:txBody>{body}</p:txBody></p:sp></p:spTree></p:cSld></p:{root}>"


def rels(*targets) -> str:
    inner = "".join(f'<Relationship Id="{rid}" Type="{REL}{kind}" Target="{target}"/>' for rid, kind, target in targets)
    return f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{inner}</Relationships>'


def a_row(*cells: str) -> str:
    return "<a:tr>" + "".join(f"<a:tc><a:txBody><a:p><a:r><a:t>{c}</a:t></a:r></a:p></a:txBody></a:tc>" for c in cells) + "</a:tr>"


PPT_TABLE = ("<p:graphicFrame><a:graphic><a:graphicData><a:tbl>" + a_row("Learner", "Email")
             + a_row("Jane Example", "jane@example.ac.uk") + "</a:tbl></a:graphicData></a:graphic></p:graphicFrame>")


def test_pptx_slides_in_presentation_order_with_notes(run, located):
    parts = {
        "[Content_Types].xml": "<Types/>",
        "ppt/presentation.xml": f'<p:presentation {P_NS} {R_NS}><p:sldIdLst>'
                                '<p:sldId id="256" r:id="rId2"/><p:sldId id="257" r:id="rId1"/></p:sldIdLst></p:presentation>',
        "ppt/_rels/presentation.xml.rels": rels(("rId1", "slide", "slides/slide1.xml"), ("rId2", "slide", "slides/slide2.xml")),
        "ppt/slides/slide1.xml": slide("Second slide", "Contact jane@example.ac.uk"),
        "ppt/slides/slide2.xml": slide("First slide").replace("</p:spTree>", PPT_TABLE + "</p:spTree>"),
        "ppt/slides/_rels/slide1.xml.rels": rels(("rId9", "notesSlide", "../notesSlides/notesSlide1.xml")),
        "ppt/notesSlides/notesSlide1.xml": slide("Speaker note: DOB 17/05/1990", root="notes"),
    }
    seen = located(run(extract_pptx, package(parts)))
    assert seen[("slide 1", 1)] == "First slide"
    assert seen[("slide 2", 2)] == "Contact jane@example.ac.uk"
    assert seen[("notes 2", 1)] == "Speaker note: DOB 17/05/1990"
    assert seen[("slide 1 table 1", 2)] == "Jane Example\tjane@example.ac.uk"


def test_pptx_corpus(run, located, corpus):
    seen = located(run(extract_pptx, corpus("office/officeconverter/pptx-plain.pptx")))
    assert seen[("slide 1", 1)] == "A PPTX PowerPoint document without embedded files"


ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
          'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"')


def odf(mimetype: str, body: str, styles: str = "") -> bytes:
    parts = {"mimetype": mimetype,
             "content.xml": f"<office:document-content {ODF_NS}><office:body>{body}</office:body></office:document-content>"}
    if styles:
        parts["styles.xml"] = f"<office:document-styles {ODF_NS}>{styles}</office:document-styles>"
    return package(parts)


def odf_row(*cells: str) -> str:
    return "<table:table-row>" + "".join(f"<table:table-cell><text:p>{c}</text:p></table:table-cell>" for c in cells) + "</table:table-row>"


def test_odt_mixed_text_tables_and_headers(run, located):
    body = ('<office:text><text:h>Staff record</text:h>'
            '<text:p>Name:<text:s/><text:span>Jane</text:span> Example<text:line-break/>Room 4</text:p>'
            '<table:table>' + odf_row("Name", "Postcode") + odf_row("Jane Example", "SW1A 1AA") + '</table:table>'
            '<text:p>Footnote here<text:note><text:note-body><text:p>Note text</text:p></text:note-body></text:note> and after</text:p>'
            '</office:text>')
    styles = ('<office:master-styles><style:master-page><style:header><text:p>Header line</text:p></style:header>'
              '<style:footer><text:p>Footer line</text:p></style:footer></style:master-page></office:master-styles>')
    chunks = run(extract_odf, odf("application/vnd.oasis.opendocument.text", body, styles))
    seen = located(chunks)
    assert seen[("body", 1)] == "Staff record"
    assert seen[("body", 2)] == "Name: Jane Example Room 4"
    assert seen[("table 1", 2)] == "Jane Example\tSW1A 1AA"
    assert "Note text" in seen.values() and "Footnote here and after" in seen.values()
    assert seen[("header", 1)] == "Header line"
    assert seen[("footer", 1)] == "Footer line"
    table = next(c for c in chunks if c.where == "table 1")
    assert table.columns.header_at(table.data, table.data.index(b"SW1A")) == "Postcode"


def test_odp_slides_and_notes(run, located):
    page = ('<draw:page><draw:frame><draw:text-box><text:p>{}</text:p></draw:text-box></draw:frame>'
            '<presentation:notes><draw:frame><draw:text-box><text:p>{}</text:p></draw:text-box></draw:frame>'
            '</presentation:notes></draw:page>')
    body = "<office:presentation>" + page.format("Welcome", "Say hello") + page.format("Contacts", "Jane 07700 900123") + "</office:presentation>"
    seen = located(run(extract_odf, odf("application/vnd.oasis.opendocument.presentation", body)))
    assert seen == {("slide 1", 1): "Welcome", ("notes 1", 1): "Say hello",
                    ("slide 2", 1): "Contacts", ("notes 2", 1): "Jane 07700 900123"}


def test_odt_corpus_and_encrypted(run, located, corpus):
    seen = located(run(extract_odf, corpus("office/officeconverter/odt-plain.odt")))
    assert seen[("body", 2)] == "A ODT document without embedded files"
    with pytest.raises(ItemError, match="encrypted"):
        run(extract_odf, corpus("office/officeconverter/odt-with-password.odt"))


def test_odt_entity_bomb(run):
    bomb = BILLION_LAUGHS.replace("w:document", "office:document-content")
    with pytest.raises(LimitExceeded):
        run(extract_odf, package({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": bomb}))

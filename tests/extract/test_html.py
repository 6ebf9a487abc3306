"""HTML: visible text one block per line, alt/title kept, charset from BOM or meta."""
from __future__ import annotations

import codecs

import pytest

from pdscan.extract.html import extract_html, html_encoding

PAGE = """<!DOCTYPE html><html><head><title>Staff list</title>
<meta name="author" content="Jane Example"><style>p { color: red }</style>
<script>var secret = "QQ123456C";</script></head>
<body><h1>Contacts</h1><p>Call <b>Jane</b>
 on 07700 900123</p><img src="x.png" alt="Photo of John Sample"><div>Postcode<br>SW1A 1AA</div>
<a href="#" title="Email jane@example.ac.uk">mail</a><ul><li>one</li><li>two</li></ul></body></html>"""


def test_visible_text_by_block(run, located):
    lines = list(located(run(extract_html, PAGE.encode("utf-8"))).values())
    assert lines[:2] == ["Staff list", "Jane Example"]
    assert "Call Jane on 07700 900123" in lines
    assert "Photo of John Sample" in lines and "Postcode" in lines and "SW1A 1AA" in lines
    assert any("jane@example.ac.uk" in line for line in lines)
    assert "one" in lines and "two" in lines
    assert not any("QQ123456C" in line or "color" in line for line in lines)


def test_lines_are_numbered_per_block(run, located):
    seen = located(run(extract_html, b"<p>first</p><p>second</p><p>third</p>"))
    assert seen == {("", 1): "first", ("", 2): "second", ("", 3): "third"}


def test_meta_charset_windows_1252(run, located):
    data = '<meta charset="windows-1252"><p>Zoë Brontë £20</p>'.encode("cp1252")
    assert located(run(extract_html, data))[("", 1)] == "Zoë Brontë £20"


def test_undeclared_non_utf8_falls_back_to_cp1252(run, located):
    assert located(run(extract_html, "<p>Café</p>".encode("cp1252")))[("", 1)] == "Café"


def test_utf16_bom(run, located):
    data = codecs.BOM_UTF16_LE + "<p>Zoë</p>".encode("utf-16-le")
    assert located(run(extract_html, data))[("", 1)] == "Zoë"


def test_long_page_is_streamed_in_blocks(run):
    from pdscan.limits import Limits

    data = b"<html><body>" + b"".join(b"<p>row %d</p>" % i for i in range(5000)) + b"</body></html>"
    chunks = run(extract_html, data, limits=Limits(block_size=4096))
    assert len(chunks) > 1
    last = chunks[-1]
    assert last.line_of(last.data.rindex(b"row 4999")) == 5000


@pytest.mark.parametrize("head,codec", [
    (b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">', "cp1252"),
    (b"<meta charset='utf-8'>", "utf-8"),
    (b"<meta charset=koi8-r>", "koi8-r"),
    (b"<meta charset=bogus>", "utf-8"),
])
def test_declared_charsets(head, codec):
    assert html_encoding(head)[0] == codec

"""Person-related properties of an XMP packet (image or document metadata).

Parsed with defusedxml: no entity expansion, no DTDs, no external
resources. A property is read in both of XMP's forms: as an attribute of
rdf:Description, or as an element whose value is text or an rdf:Seq /
rdf:Bag / rdf:Alt list.
"""
from __future__ import annotations

from typing import Iterator

from defusedxml import ElementTree

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NAMESPACES = {"dc": "http://purl.org/dc/elements/1.1/",
              "photoshop": "http://ns.adobe.com/photoshop/1.0/"}
FIELDS = (("dc", "creator"), ("dc", "description"), ("dc", "rights"),
          ("photoshop", "Credit"), ("photoshop", "CaptionWriter"))
CONTAINERS = {f"{{{RDF}}}{kind}" for kind in ("Seq", "Bag", "Alt")}


def xmp_fields(packet: bytes) -> Iterator[tuple[str, str]]:
    """(prefix:name, value) for each FIELDS value; parse errors propagate (ValueError, SyntaxError)."""
    if not packet.startswith((b"\x00", b"\xfe\xff", b"\xff\xfe")) and packet[1:2] != b"\x00":
        packet = packet.rstrip(b"\x00")  # a C string terminator after a UTF-8 packet
    root = ElementTree.fromstring(packet)
    for description in root.iter(f"{{{RDF}}}Description"):
        for prefix, local in FIELDS:
            qualified = f"{{{NAMESPACES[prefix]}}}{local}"
            label = f"{prefix}:{local}"
            attribute = description.get(qualified)
            if attribute:
                yield label, attribute
            for element in description.findall(qualified):
                for value in _values(element):
                    yield label, value


def _values(element) -> Iterator[str]:
    lists = [child for child in element if child.tag in CONTAINERS]
    if not lists:
        if element.text and element.text.strip():
            yield element.text.strip()
        return
    for container in lists:
        for item in container:
            if item.text and item.text.strip():
                yield item.text.strip()

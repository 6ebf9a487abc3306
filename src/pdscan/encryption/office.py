"""Password-protected office documents: OOXML, legacy .doc/.xls/.ppt, ODF.

- OOXML with an open password is an OLE compound file holding
  EncryptionInfo + EncryptedPackage ("agile" or "standard" encryption).
  Office writes some with the built-in password "VelvetSweatshop" (a
  write-protected workbook): the container is still encrypted, but anyone's
  Excel opens it without asking, so the note says so.
- Legacy binary files carry the flag inside their main stream: RC4 (plain or
  CryptoAPI) or the weak XOR obfuscation. msoffcrypto-tool reads the flags.
- ODF lists `encryption-data` in META-INF/manifest.xml, per entry (classic)
  or for a single `encrypted-package` entry (LibreOffice 24.2 "wholesome").

Editing restrictions (sheet, workbook or document protection) do not encrypt
anything and are not reported here: the extractor reads those files.
"""
from __future__ import annotations

import io
import logging
import struct
import zipfile
from typing import Optional

from ..formats.magic import ODF_PREFIX, OLE_MAGIC, OOXML_ENCRYPTED
from ..model import Encryption, Item

DEFAULT_PASSWORD = "VelvetSweatshop"
DEFAULT_NOTE = "encrypted with Office's built-in password 'VelvetSweatshop': opens without asking"
SEGMENT = 4096  # agile encryption works in 4096-byte segments; one is enough to recognise a zip
XLS_BOF, XLS_EOF, XLS_FILEPASS = 0x0809, 0x000A, 0x002F
XLS_GLOBALS_PREFIX = 64 * 1024  # FilePass comes right after the globals' BOF, never far in
MAX_MANIFEST = 1024 * 1024
ODF_MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"
ODF_WHOLE = "encrypted-package"  # LibreOffice 24.2 "wholesome" encryption: one encrypted member
ODF_BODIES = (ODF_WHOLE, "content.xml")
ODF_SNIFF = 64

logging.getLogger("msoffcrypto").setLevel(logging.ERROR)


def check(item: Item, mime: str, head: bytes) -> Optional[Encryption]:
    if head.startswith(OLE_MAGIC):
        found = _guarded(_ole, item)
        if found is None and mime == OOXML_ENCRYPTED:  # the sniff stage saw the streams
            return Encryption(True, "ooxml", "ECMA-376 encryption")
        return found
    if mime.startswith(ODF_PREFIX):
        return _guarded(_odf, item)
    return None


def _guarded(probe, item: Item) -> Optional[Encryption]:
    """A damaged file is the extractor's to report: here it is simply not recognised."""
    try:
        with item.open() as stream:
            return probe(stream)
    except ImportError:
        raise  # a missing dependency must show, not pass for "not encrypted"
    except Exception:  # olefile, msoffcrypto and zipfile raise many types on damaged input
        return None


def _ole(stream) -> Optional[Encryption]:
    import olefile

    ole = olefile.OleFileIO(stream)
    try:
        names = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
        if {"EncryptionInfo", "EncryptedPackage"} <= names:
            return _ooxml(stream)
        if "WordDocument" in names:
            return _doc(stream)
        if "Workbook" in names:
            return _xls(ole, stream)
        if "PowerPoint Document" in names:
            return _ppt(stream)
        return None
    finally:
        ole.close()


def _ooxml(stream) -> Encryption:
    from msoffcrypto.format.ooxml import OOXMLFile

    office = OOXMLFile(stream)
    kind = f"ECMA-376 {office.type} encryption"
    if _opens_with_default_password(office):
        return Encryption(True, "ooxml", f"{kind}; {DEFAULT_NOTE}")
    return Encryption(True, "ooxml", kind)


def _opens_with_default_password(office) -> bool:
    """Decrypt the first segment with "VelvetSweatshop" and look for a zip.

    msoffcrypto's own password check rejects some files that this password
    does open (the agile verifier of POI's protected_agile.docx), so the
    decrypted bytes decide.
    """
    from msoffcrypto.method.ecma376_agile import ECMA376Agile
    from msoffcrypto.method.ecma376_standard import ECMA376Standard

    try:
        office.load_key(password=DEFAULT_PASSWORD)
        with office.file.openstream("EncryptedPackage") as package:
            prefix = io.BytesIO(package.read(8 + SEGMENT))
        if office.type == "agile":
            info = office.info
            plain = ECMA376Agile.decrypt(office.secret_key, info["keyDataSalt"],
                                         info["keyDataHashAlgorithm"], prefix)
        elif office.type == "standard":
            plain = ECMA376Standard.decrypt(office.secret_key, prefix)
        else:
            return False
    except Exception:  # a key size msoffcrypto does not support, a short stream...
        return False
    return plain.startswith(b"PK\x03\x04")


def _doc(stream) -> Optional[Encryption]:
    from msoffcrypto.format.doc97 import Doc97File

    doc = Doc97File(stream)
    if not doc.is_encrypted():
        return None
    if doc.info.fib.base.fObfuscation:
        return Encryption(True, "msoffice-xor", "Word XOR obfuscation (weak)")
    with doc.ole.openstream(doc.info.tablename) as table:
        return Encryption(True, "msoffice-rc4", _rc4_kind(table.read(4)))


def _xls(ole, stream) -> Optional[Encryption]:
    with ole.openstream("Workbook") as workbook:
        filepass = _xls_filepass(workbook.read(XLS_GLOBALS_PREFIX))
    if filepass is None:
        return None
    if len(filepass) < 2 or struct.unpack_from("<H", filepass)[0] == 0:
        scheme, note = "msoffice-xor", "Excel XOR obfuscation (weak)"
    else:
        scheme, note = "msoffice-rc4", _rc4_kind(filepass[2:6])
    if _xls_default_password(stream):
        note = f"{note}; {DEFAULT_NOTE}"
    return Encryption(True, scheme, note)


def _xls_filepass(data: bytes) -> Optional[bytes]:
    """The FilePass record of the workbook globals, or None when there is none."""
    pos = 0
    while pos + 4 <= len(data):
        number, size = struct.unpack_from("<HH", data, pos)
        if number == XLS_FILEPASS:
            return data[pos + 4:pos + 4 + size]
        if number == XLS_EOF or (pos and number == XLS_BOF):
            return None
        pos += 4 + size
    return None


def _xls_default_password(stream) -> bool:
    from msoffcrypto.format.xls97 import Xls97File

    try:
        Xls97File(stream).load_key(password=DEFAULT_PASSWORD)
    except Exception:  # InvalidKeyError, or a FilePass msoffcrypto cannot parse
        return False
    return True


def _ppt(stream) -> Optional[Encryption]:
    from msoffcrypto.format.ppt97 import Ppt97File

    if Ppt97File(stream).is_encrypted():
        return Encryption(True, "msoffice-rc4", "PowerPoint RC4 CryptoAPI encryption")
    return None


def _rc4_kind(version: bytes) -> str:
    """RC4 header version: 1.1 is Office 97 RC4; 2.2, 3.2, 4.2 are CryptoAPI RC4."""
    if len(version) == 4 and struct.unpack("<HH", version)[1] == 2:
        return "RC4 CryptoAPI encryption"
    return "RC4 encryption"


def _odf(stream) -> Optional[Encryption]:
    with zipfile.ZipFile(stream) as package:
        return odf_encryption(package)


def odf_encryption(package: zipfile.ZipFile) -> Optional[Encryption]:
    """Encrypted when the manifest, parsed as XML, gives the document's body (content.xml, or
    the whole-package `encrypted-package`) an encryption-data element, and that member's bytes
    are not XML: text that merely contains "<manifest:encryption-data" (in a comment, say) or a
    claim over a body left in plain XML is not encryption."""
    if "META-INF/manifest.xml" not in package.NameToInfo:
        return None
    with package.open("META-INF/manifest.xml") as member:
        manifest = member.read(MAX_MANIFEST)
    claims = _odf_encrypted_entries(manifest)
    body = next((path for path in ODF_BODIES if path in claims and path in package.NameToInfo), None)
    if body is None:
        return None
    with package.open(body) as member:
        if member.read(ODF_SNIFF).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return None
    name = claims[body].rsplit("#", 1)[-1] or "unknown"
    how = "whole-package" if body == ODF_WHOLE else "per-entry"
    return Encryption(True, "odf", f"OpenDocument {how} encryption ({name})")


def _odf_encrypted_entries(manifest: bytes) -> dict:
    """{full-path: algorithm name} of the manifest's file entries with encryption-data."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(manifest)
    except (ParseError, DefusedXmlException, ValueError):
        return {}
    entries = {}
    for entry in root.iter(ODF_MANIFEST + "file-entry"):
        data = entry.find(ODF_MANIFEST + "encryption-data")
        if data is not None:
            algorithm = data.find(ODF_MANIFEST + "algorithm")
            name = algorithm.get(ODF_MANIFEST + "algorithm-name", "") if algorithm is not None else ""
            entries[entry.get(ODF_MANIFEST + "full-path", "")] = name
    return entries

"""Word 97-2003 (.doc) and PowerPoint 97-2003 (.ppt): text from real files,
encrypted files kept out, damaged files reported as errors."""
from __future__ import annotations

import io
import random
import shutil
import struct

import olefile
import pytest

from pdscan.errors import ItemError
from pdscan.extract import extractor_for
from pdscan.extract.doc import _drop_field_codes, _piece_text, _render, extract_doc
from pdscan.extract.ppt import _Deck, extract_ppt
from pdscan.extract.paragraphs import Lines
from pdscan.limits import Limits
from pdscan.model import Item

from ..conftest import REAL
from .drive import drive, mutations, only_item_errors

OFFICE = REAL / "office"
# Decrypted copy of rc4cryptoapi_password.doc: one compressed piece, "lorem ipsum\r".
LOREM_DOC = "rc4cryptoapi_password_plain.doc"
NINO = "JG103759A"  # a valid-shape NI number from the detector's own examples


def item_of(data: bytes, name: str = "input") -> Item:
    return Item(path=name, open=lambda: io.BytesIO(data), size=len(data), name_hint=name)


def with_stream(path, name: str, change) -> bytes:
    """The OLE file at path with one stream rewritten in place (same size, so
    every other stream and every offset in the container stays as it was)."""
    buffer = io.BytesIO(path.read_bytes())
    ole = olefile.OleFileIO(buffer, write_mode=True)
    data = bytearray(ole.openstream(name).read())
    ole.write_stream(name, bytes(change(data)))
    ole.close()
    return buffer.getvalue()


def decrypted(relative: str, password: str) -> bytes:
    """A real encrypted corpus file, decrypted in memory with its documented password."""
    import msoffcrypto

    with open(OFFICE / relative, "rb") as stream:
        office = msoffcrypto.OfficeFile(stream)
        office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
    return out.getvalue()


def planted_doc(value: str) -> bytes:
    """LOREM_DOC with its text overwritten by a value of the same length: the
    piece table, character runs and paragraph mark all stay valid."""
    def change(word):
        at = word.find(b"lorem ipsum\r")
        assert at > 0
        word[at:at + 11] = value.ljust(11).encode("cp1252")
        return word
    return with_stream(OFFICE / LOREM_DOC, "WordDocument", change)


def planted_ppt(value: str) -> bytes:
    """plain.ppt with slide 1's 11-byte text atom overwritten in place."""
    def change(stream):
        at = stream.find(b"Lorem ipsum")
        assert at > 0
        stream[at:at + 11] = value.ljust(11).encode("latin-1")
        return stream
    return with_stream(OFFICE / "plain.ppt", "PowerPoint Document", change)


# --- real files --------------------------------------------------------------

def test_registered_for_both_types():
    assert extractor_for("application/msword") is extract_doc
    assert extractor_for("application/vnd.ms-powerpoint") is extract_ppt


def test_doc_text(run, located):
    assert located(run(extract_doc, OFFICE / LOREM_DOC)) == {("body", 1): "lorem ipsum"}


def test_empty_doc_reads_without_error(run):
    # msoffcrypto-tool's plain.doc really is empty: its piece table covers one paragraph mark.
    assert run(extract_doc, OFFICE / "plain.doc") == []


def test_ppt_text_by_slide(run, located):
    seen = located(run(extract_ppt, OFFICE / "plain.ppt"))
    assert seen[("slide 1", 1)] == "Lorem ipsum"
    assert seen[("master", 1)] == "Click to edit Master title style"
    assert {where for where, _ in seen} == {"slide 1", "master"}


def test_decrypted_poi_files():
    """Apache POI's encrypted samples, decrypted with their documented passwords:
    more real Word and PowerPoint writers than the plain files alone."""
    doc = drive(item_of(decrypted("poi/password_password_cryptoapi.doc", "password")))
    assert doc.where() == {"body": "This is a test\n"} and not doc.errors
    ppt = drive(item_of(decrypted("poi/ppt_with_png_encrypted.ppt", "password")))
    assert ppt.where()["slide 1"] == "Here is a PNG image:\n"
    # The notes master is a notes page no slide owns: a master, not someone's notes.
    assert set(ppt.where()) == {"slide 1", "master"} and not ppt.errors


def test_planted_values_are_found_where_they_are(run, located):
    assert located(run(extract_doc, planted_doc(NINO))) == {("body", 1): NINO}
    assert located(run(extract_ppt, planted_ppt(NINO)))[("slide 1", 1)] == NINO


# --- encryption ------------------------------------------------------------------

ENCRYPTED = [("rc4cryptoapi_password.doc", extract_doc), ("poi/password_tika_binaryrc4.doc", extract_doc),
             ("poi/PasswordProtected.doc", extract_doc), ("rc4cryptoapi_password.ppt", extract_ppt),
             ("poi/Password_Protected-hello.ppt", extract_ppt)]


@pytest.mark.parametrize("name,extractor", ENCRYPTED)
def test_encrypted_files_are_refused_by_the_extractor_too(run, name, extractor):
    with pytest.raises(ItemError, match="encrypted: content not read"):
        run(extractor, OFFICE / name)


def test_crypt_session_record_is_refused():
    stream = _record(0x03E8, _record(0x2F14, b"\x00" * 16, ver=0xF), ver=0xF)
    with pytest.raises(ItemError, match="encrypted"):
        list(_Deck(stream, b"").texts())


# --- damage -------------------------------------------------------------------

@pytest.mark.parametrize("at,value,reason", [
    (9, struct.pack("<I", 0x7FFFFFFF), "longer than the text"),                 # last CP
    (15, struct.pack("<I", 0x40000000 | 18000), "points outside the text"),    # the piece's fc
    (0, b"\x07", "piece table missing"),                                      # clxt
])
def test_damaged_piece_table_is_an_item_error(at, value, reason):
    """LOREM_DOC's Clx is one Pcdt: clxt, lcb, two CPs, then a Pcd whose fc is at byte 15."""
    with olefile.OleFileIO(str(OFFICE / LOREM_DOC)) as ole:
        fc_clx, lcb_clx = struct.unpack_from("<II", ole.openstream("WordDocument").read(), 0x1A2)
    assert lcb_clx == 21

    def damage(table):
        table[fc_clx + at:fc_clx + at + len(value)] = value
        return table

    run = drive(item_of(with_stream(OFFICE / LOREM_DOC, "1Table", damage)))
    assert run.chunks == []
    assert [(e, reason in r) for _, r, e in run.errors] == [(ItemError, True)]


def test_truncated_doc_is_an_item_error():
    data = (OFFICE / LOREM_DOC).read_bytes()
    for size in (100, 600, len(data) // 2):
        run = drive(item_of(data[:size], "cut.doc"), extractor=extract_doc)
        assert [(e, r) for _, r, e in run.errors] == [
            (ItemError, "not a readable Word document (damaged OLE container)")], size


def test_damaged_ppt_record_keeps_the_text_before_it():
    def damage(stream):
        at = stream.find(b"Lorem ipsum")
        stream[at - 4:at] = struct.pack("<I", 5000)  # the atom now overruns its text box
        return stream

    run = drive(item_of(with_stream(OFFICE / "plain.ppt", "PowerPoint Document", damage)))
    assert "Click to edit Master title style" in run.where()["master"]
    assert [reason for _, reason, _ in run.errors] == ["PowerPoint presentation: damaged record at offset 37999"]


@pytest.mark.parametrize("name,stream_names,extractor", [
    (LOREM_DOC, ("WordDocument", "1Table"), extract_doc),
    ("plain.ppt", ("PowerPoint Document", "Current User"), extract_ppt),
])
def test_damaged_files_fail_only_with_item_errors(name, stream_names, extractor):
    path = OFFICE / name
    for damaged in mutations(path.read_bytes(), 40, seed=11):
        only_item_errors(extractor, damaged, name)
    # Damage inside the streams reaches the parser; damage to the container mostly stops at olefile.
    rng = random.Random(11)
    for _ in range(150):
        def damage(data):
            for _ in range(rng.randint(1, 6)):
                limit = len(data) if rng.random() < 0.5 else min(len(data), 700)
                data[rng.randrange(limit)] = rng.randrange(256)
            return data
        only_item_errors(extractor, with_stream(path, rng.choice(stream_names), damage), name)


# --- Word text rules (parser level: no Word file is claimed here) ---------------

def rendered(text: str, **counts) -> dict:
    ccp = {3: counts.get("body", len(text)), 4: counts.get("footnotes", 0), 5: counts.get("headers", 0),
           7: 0, 8: 0, 9: 0, 10: 0}
    out = {}
    for chunk in _render(text, ccp, Lines(Limits())):
        for n, line in enumerate(chunk.data.decode().split("\n")[:-1]):
            out[(chunk.where, chunk.first_line + n)] = line
    return out


def test_paragraphs_cells_and_control_characters():
    text = "Name:\tJo\x0bBloggs\rcell one\x07cell two\x07\x07non\x1ebreaking soft\x1fhyphen\x01\x08\r"
    assert rendered(text) == {("body", 1): "Name: Jo Bloggs", ("body", 2): "cell one", ("body", 3): "cell two",
                              ("body", 4): "", ("body", 5): "non-breaking softhyphen"}


def test_field_instructions_dropped_results_kept():
    assert _drop_field_codes('See \x13HYPERLINK "http://x"\x14the site\x15.') == "See the site."
    assert _drop_field_codes("\x13PAGE\x15 after") == " after"  # no separator: no result shown
    nested = "\x13IF \x13MERGEFIELD a\x14A\x15 = 1 \x14shown \x13REF b\x14B\x15 too\x15"
    assert _drop_field_codes(nested) == "shown B too"
    assert rendered("stray\x14 marks\x15") == {("body", 1): "stray marks"}  # outside a field: dropped


def test_stories_are_located_by_the_fib_counts():
    text = "Body text\rA footnote\rHeader\r\r"  # the last mark closes the stories, in none
    assert rendered(text, body=10, footnotes=11, headers=7) == {
        ("body", 1): "Body text", ("footnotes", 1): "A footnote", ("headers", 1): "Header"}
    # Counts short of the text (damaged FIB): the rest is still read.
    assert rendered("one\rtwo\r", body=4) == {("body", 1): "one", ("body", 2): "two"}


def clx(pieces) -> bytes:
    """A Clx (one formatting Prc, then the piece table) for (chars, fc) pieces."""
    cps, cp = [0], 0
    for chars, _ in pieces:
        cp += chars
        cps.append(cp)
    plc = struct.pack(f"<{len(cps)}I", *cps) + b"".join(struct.pack("<HIH", 0, fc, 0) for _, fc in pieces)
    return b"\x01\x02\x00\xaa\xbb" + b"\x02" + struct.pack("<I", len(plc)) + plc


def test_compressed_and_unicode_pieces_in_cp_order():
    word = bytearray(64)
    word[10:16] = "Zoë €".encode("cp1252") + b"\r"     # compressed: cp1252 at fc / 2
    word[32:42] = "Łódź".encode("utf-16-le") + b"\r\x00"  # UTF-16LE at fc
    table = clx([(5, 32), (6, 0x40000000 | 20)])  # file order differs from text order
    assert _piece_text(bytes(word), table, 0, len(table)) == "Łódź\rZoë €\r"


def test_piece_table_bounds():
    word = bytes(64)
    with pytest.raises(ItemError, match="outside the table stream"):
        _piece_text(word, clx([(4, 0)]), 4, 100)
    with pytest.raises(ItemError, match="longer than the text stream"):
        _piece_text(word, clx([(65, 0x40000000)]), 0, len(clx([(65, 0)])))
    with pytest.raises(ItemError, match="points outside"):
        _piece_text(word, clx([(8, 60)]), 0, len(clx([(8, 60)])))


# --- PowerPoint layout (parser level, a hand-built record stream) -----------------

def _record(rec_type: int, body: bytes = b"", ver: int = 0, inst: int = 0) -> bytes:
    return struct.pack("<HHI", ver | inst << 4, rec_type, len(body)) + body


def _container(rec_type: int, *children: bytes, inst: int = 0) -> bytes:
    return _record(rec_type, b"".join(children), ver=0xF, inst=inst)


def _chars(text: str) -> bytes:
    return _record(0x0FA0, text.encode("utf-16-le"))


def _persist(pid: int, slide_id: int) -> bytes:
    return _record(0x03F3, struct.pack("<5I", pid, 0, 0, slide_id, 0))


def _slide(notes_id: int, *text: bytes) -> bytes:
    atom = _record(0x03EF, struct.pack("<I8BIIHH", 0, *([0] * 8), 0, notes_id, 0, 0), ver=2)
    return _container(0x03EE, atom, _container(0x040C, _container(0xF00D, *text)))


def deck(gap: int = 0) -> tuple:
    """Slides stored out of presentation order, notes, a footer and a comment;
    `gap` zero bytes before the persist directory, as msoffcrypto leaves them."""
    document = _container(
        0x03E8,
        _record(0x03E9, bytes(40), ver=1),
        _container(0x0FF0, _persist(4, 257), _chars("Title of the first slide"),
                   _persist(3, 256), _chars("Title of the second slide"), inst=0),
        _container(0x0FF0, _persist(5, 0x100), inst=2),
        _container(0x0FD9, _record(0x0FBA, "Footer for all".encode("utf-16-le"), inst=2), inst=3))
    second = _slide(0x100, _record(0x0FA8, "On the second slide".encode("latin-1")))
    comment = _container(0x2EE0, _record(0x0FBA, "An Author".encode("utf-16-le"), inst=0),
                         _record(0x0FBA, "Check this".encode("utf-16-le"), inst=1))
    first = _slide(0, _chars("On the first slide"), _container(0x1388, _container(0x138B, comment)))
    notes = _container(0x03F0, _chars("Speaker notes"))
    body = document + second + first + notes
    directory_at = len(body) + gap
    # Two runs of persist ids: 1 (the document), then 3-5.
    directory = _record(0x1772, struct.pack("<II", 1 | 1 << 20, 0) + struct.pack(
        "<4I", 3 | 3 << 20, len(document), len(document + second), len(document + second + first)))
    edit_at = directory_at + len(directory)
    edit = _record(0x0FF5, struct.pack("<IHBBIIIIHH", 0, 0, 0, 3, 0, directory_at, 1, 6, 1, 0))
    user = _record(0x0FF6, struct.pack("<III", 0x14, 0xE391C05F, edit_at) + bytes(8))
    return body + bytes(gap) + directory + edit, user


@pytest.mark.parametrize("gap", [0, 6])
def test_ppt_slides_numbered_in_presentation_order(gap):
    found: dict = {}
    for where, text in _Deck(*deck(gap)).texts():
        found.setdefault(where, []).append(text)
    assert found == {"document": ["Footer for all"],
                     "slide 1": ["Title of the first slide", "On the first slide", "Check this"],
                     "slide 2": ["Title of the second slide", "On the second slide"],
                     "notes 2": ["Speaker notes"]}


def test_ppt_encrypted_current_user_is_refused():
    data, user = deck()
    user = user[:12] + struct.pack("<I", 0xF3D1C4DF) + user[16:]
    with pytest.raises(ItemError, match="encrypted"):
        _Deck(data, user)


def test_ppt_without_persist_directory_still_reads_text():
    data, _ = deck()
    found = {where for where, _ in _Deck(data, b"").texts()}
    assert "slide 1" in found and "text" in found  # slide list labels; slide bodies unplaced


# --- whole scans --------------------------------------------------------------

@pytest.fixture
def office_folder(tmp_path):
    def make(*names, **written):
        root = tmp_path / "scan"
        root.mkdir(exist_ok=True)
        for name in names:
            shutil.copy(OFFICE / name, root / name.rsplit("/", 1)[-1])
        for name, data in written.items():
            (root / name.replace("_", ".")).write_bytes(data)
        return root
    return make


def records_of(result) -> tuple:
    records = result.records()
    items = {r["path"].rsplit("/", 1)[-1]: r for r in records if r["type"] == "item"}
    errors = [r for r in records if r["type"] == "error"]
    return items, errors, records[-1]


def test_scan_reads_doc_and_ppt_instead_of_skipping_them(cli, office_folder):
    root = office_folder("plain.doc", "plain.ppt")
    result = cli("scan", root, "--format", "jsonl", "--jobs", "1")
    items, errors, summary = records_of(result)
    assert result.code == 0, result
    assert summary["skipped"] == {} and errors == []
    assert {name: (r["mime"], r["encrypted"]) for name, r in items.items()} == {
        "plain.doc": ("application/msword", False), "plain.ppt": ("application/vnd.ms-powerpoint", False)}


def test_scan_finds_planted_personal_data(cli, office_folder):
    root = office_folder(planted_doc=planted_doc(NINO), planted_ppt=planted_ppt(NINO))
    result = cli("scan", root, "--format", "jsonl", "--jobs", "1")
    items, errors, _ = records_of(result)
    assert result.code == 1, result
    assert errors == []
    for name in ("planted.doc", "planted.ppt"):
        assert [f["detector"] for f in items[name]["findings"]] == ["uk.nino"]
        assert [v["rule"] for v in items[name]["violations"]] == ["unencrypted-personal-data"]
    assert NINO not in result.out


def test_scan_reports_encrypted_files_unread(cli, office_folder):
    root = office_folder("rc4cryptoapi_password.doc", "poi/password_tika_binaryrc4.doc",
                         "poi/PasswordProtected.doc", "rc4cryptoapi_password.ppt")
    items, errors, summary = records_of(cli("scan", root, "--format", "jsonl", "--jobs", "1"))
    assert errors == [] and summary["skipped"] == {} and summary["encrypted_items"] == 4
    assert {name: (r["encrypted"], r["encryption"], r["findings"]) for name, r in items.items()} == {
        name: (True, "msoffice-rc4", []) for name in
        ("rc4cryptoapi_password.doc", "password_tika_binaryrc4.doc", "PasswordProtected.doc",
         "rc4cryptoapi_password.ppt")}


def test_encrypted_files_protect_cannot_parse_are_refused_cleanly(cli, office_folder, monkeypatch):
    """protect gives up quietly when msoffcrypto fails; the extractor then refuses
    the file itself: an error record, never ciphertext read as text."""
    from pdscan.encryption import office

    def fails(stream):
        raise ValueError("msoffcrypto could not parse it")

    monkeypatch.setattr(office, "_doc", fails)
    monkeypatch.setattr(office, "_ppt", fails)
    root = office_folder("rc4cryptoapi_password.doc", "rc4cryptoapi_password.ppt")
    items, errors, _ = records_of(cli("scan", root, "--format", "jsonl", "--jobs", "1"))
    assert {name: r["encrypted"] for name, r in items.items()} == {
        "rc4cryptoapi_password.doc": None, "rc4cryptoapi_password.ppt": None}
    assert sorted(e["error"] for e in errors) == ["PowerPoint presentation is encrypted: content not read",
                                                  "Word document is encrypted: content not read"]


def test_damaged_doc_in_a_scan_is_an_error_record(cli, office_folder):
    def damage(table):
        table[:] = bytes(len(table))  # no piece table anywhere
        return table

    root = office_folder(damaged_doc=with_stream(OFFICE / LOREM_DOC, "1Table", damage))
    result = cli("scan", root, "--format", "jsonl", "--jobs", "1")
    items, errors, _ = records_of(result)
    assert result.code == 0, result
    assert [e["error"] for e in errors] == ["Word document: piece table missing"]
    assert items["damaged.doc"]["encrypted"] is None  # unread: never "not encrypted"


def test_truncated_doc_in_a_scan_is_reported_not_read(cli, office_folder):
    """olefile cannot open a cut-off container, so sniffing names it plain OLE
    storage and the scan reports it unread; it never reaches the extractor."""
    data = (OFFICE / LOREM_DOC).read_bytes()
    root = office_folder(cut_doc=data[:len(data) // 2])
    items, errors, summary = records_of(cli("scan", root, "--format", "jsonl", "--jobs", "1"))
    assert items["cut.doc"]["mime"] == "application/x-ole-storage" and errors == []
    assert summary["skipped"] == {"content not read: application/x-ole-storage": 1}

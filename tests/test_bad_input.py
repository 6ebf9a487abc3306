"""One bad item never stops a scan: each becomes an `error` record with its reason,
and everything else in the same scan is still found."""
from __future__ import annotations

import io
import os
import zipfile

import pytest

GOOD = "NI number AB 12 34 56 C\n"


def bomb_zip(path, size=300 * 1024 * 1024):
    """One member of `size` zeros, written in pieces so the test stays small and fast."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("zeros.txt", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(size // len(block)):
                member.write(block)


def nested_bomb(path, levels=3, fanout=4):
    inner = io.BytesIO()
    bomb_zip(inner, 64 * 1024 * 1024)
    data = inner.getvalue()
    for level in range(levels):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for n in range(fanout):
                z.writestr(f"level{level}-{n}.zip", data)
        data = buf.getvalue()
    path.write_bytes(data)


def entity_bomb_docx(path):
    lol = "".join(f'<!ENTITY lol{i} "{"&lol%d;" % (i - 1) * 10}">' for i in range(1, 10))
    doc = (f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{lol}]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           '<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", doc)


@pytest.fixture(scope="module")
def bad_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    (root / "good.txt").write_text(GOOD)
    good_zip = io.BytesIO()
    with zipfile.ZipFile(good_zip, "w") as z:
        z.writestr("list.csv", "Name,NI number\nJo Bloggs,CE 11 22 33 D\n")
    (root / "truncated.zip").write_bytes(good_zip.getvalue()[:-30])
    (root / "corrupt.zip").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)  # a zip header, then noise
    bomb_zip(root / "bomb.zip")
    nested_bomb(root / "nested-bomb.zip")
    entity_bomb_docx(root / "laughs.docx")
    os.symlink(root, root / "loop")
    os.mkfifo(root / "pipe")
    (root / "bad-utf8.txt").write_bytes(b"caf\xe9 \xff\xfe\xc3\x28 " + GOOD.encode())
    with open(os.path.join(os.fsencode(root), b"na\xefve-\xff.txt"), "wb") as f:
        f.write(GOOD.encode())
    (root / "empty.csv").write_bytes(b"")
    return root


@pytest.fixture(scope="module")
def results(bad_tree):
    from pdscan.cli import main
    import contextlib
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["scan", str(bad_tree), "--format", "jsonl", "--jobs", "2", "--follow-symlinks"])
    import json
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    return code, records


def by_name(records, kind):
    return {os.path.basename(r["path"]): r for r in records if r["type"] == kind and not r.get("member")}


def test_scan_finishes_with_a_summary(results):
    code, records = results
    assert code == 1
    assert records[-1]["type"] == "summary"
    assert records[-1]["errors"] == sum(r["type"] == "error" for r in records)


@pytest.mark.parametrize("name,reason", [
    ("truncated.zip", "zip"),
    ("corrupt.zip", ""),
    ("bomb.zip", "bomb"),
    ("nested-bomb.zip", "bomb"),
    ("laughs.docx", ""),
])
def test_each_bad_file_is_an_error_record_with_a_reason(results, name, reason):
    _, records = results
    errors = [r for r in records if r["type"] == "error" and os.path.basename(r["path"]) == name]
    assert errors, f"no error record for {name}"
    assert all(e["error"] for e in errors)
    assert reason in " ".join(e["error"] for e in errors).lower()


def test_good_files_beside_bad_ones_are_still_found(results):
    _, records = results
    items = by_name(records, "item")
    for name in ("good.txt", "bad-utf8.txt"):
        assert [f["detector"] for f in items[name]["findings"]] == ["uk.nino"], name


def test_non_utf8_name_is_reported_with_its_bytes(results):
    _, records = results
    [odd] = [r for r in records if r["type"] == "item" and "path_bytes" in r]
    import base64
    assert base64.b64decode(odd["path_bytes"]).endswith(b"na\xefve-\xff.txt")
    assert odd["findings"]


def test_fifo_loop_and_empty_file_do_not_hang_or_fail(results):
    _, records = results
    summary = records[-1]
    assert summary["skipped"].get("FIFO (not a regular file)") == 1
    assert summary["skipped"].get("symbolic link loop") == 1
    assert by_name(records, "item")["empty.csv"]["findings"] == []

"""Shared helpers for extractor tests: items from bytes or files, and the
locations a user would see ("sheet Staff line 3")."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from pdscan.extract import Context
from pdscan.limits import Budget, Limits

from ..conftest import REAL


def make_item(source, name="input"):
    from pdscan.model import Item

    if isinstance(source, (str, Path)):
        path = Path(source)
        return Item(path=str(path), open=lambda: open(path, "rb"), size=path.stat().st_size)
    data = bytes(source)
    return Item(path=name, open=lambda: io.BytesIO(data), size=len(data))


@pytest.fixture
def run():
    """run(extractor, bytes_or_path, limits=None) -> list of chunks."""

    def _run(extractor, source, limits=None):
        limits = limits or Limits()
        return list(extractor(make_item(source), Context(limits, Budget(limits))))

    return _run


@pytest.fixture
def located():
    """{(where, line): text} for every non-empty line of the chunks."""

    def _located(chunks):
        out = {}
        for chunk in chunks:
            for n, line in enumerate(chunk.data.decode("utf-8").split("\n")):
                if line:
                    out[(chunk.where, chunk.first_line + n)] = line
        return out

    return _located


@pytest.fixture
def corpus():
    """corpus("office/example.docx") -> path of a real third-party file, copied into fixtures/real."""

    def _corpus(relative: str) -> Path:
        path = REAL / relative
        assert path.is_file(), f"{relative}: copy it from shared/corpus/real into fixtures/real (SOURCES.md)"
        return path

    return _corpus

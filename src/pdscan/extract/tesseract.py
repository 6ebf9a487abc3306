"""Tesseract, run as a program: the image goes in through a pipe, words come back as TSV.

Called directly rather than through a wrapper so that (1) no copy of a scanned
passport is ever written to a temp file, since Tesseract reads the image
from its standard input, and (2) each run is bounded: a time limit (the
process is killed past it) and, on POSIX, an address-space limit set in the
child before Tesseract starts. Tesseract uses one thread (OMP_THREAD_LIMIT):
pdscan's own workers spread the load over the cores.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from PIL import Image

from ..errors import LimitExceeded

try:
    import resource
except ImportError:  # Windows: no address-space limit, the time limit still holds
    resource = None


class OcrFailed(Exception):
    """Tesseract ran and failed on this image (not a time or memory limit)."""


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    line: tuple  # (block, paragraph, line) as Tesseract numbered them


@lru_cache(maxsize=1)
def program() -> Optional[str]:
    """The tesseract executable with English data, or None when OCR is not installed."""
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, timeout=30, env=_env())
    except (OSError, subprocess.SubprocessError):
        return None
    return exe if b"\neng" in out.stdout.replace(b"\r", b"") else None


def _env() -> dict:
    return dict(os.environ, OMP_THREAD_LIMIT="1")


def _limit_memory(max_bytes: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    return apply if resource is not None and max_bytes else None


def _run(image: Image.Image, args: list, seconds: float, max_bytes: int) -> str:
    exe = program()
    if exe is None:
        raise OcrFailed("tesseract is not installed")
    buffer = io.BytesIO()
    image.save(buffer, format="PPM")  # PGM/PPM: no compression to spend time on, read by leptonica
    if seconds <= 0:
        raise LimitExceeded("OCR time limit reached")
    try:
        done = subprocess.run([exe, "stdin", "stdout", *args], input=buffer.getvalue(), capture_output=True,
                              timeout=seconds, env=_env(), preexec_fn=_limit_memory(max_bytes))
    except subprocess.TimeoutExpired:
        raise LimitExceeded("OCR time limit reached") from None
    except OSError as exc:
        raise OcrFailed(f"tesseract could not run ({exc.strerror or type(exc).__name__})") from None
    if done.returncode != 0:
        # Out of address space shows as an allocation failure or a signal, never as output.
        if done.returncode < 0 or b"alloc" in done.stderr.lower():
            raise LimitExceeded(f"OCR memory limit ({max_bytes // (1024 * 1024)} MiB) reached")
        raise OcrFailed("tesseract failed on this image")
    return done.stdout.decode("utf-8", "replace")


def words(image: Image.Image, seconds: float, max_bytes: int, psm: int = 3, charset: str = "") -> list:
    """The words Tesseract reads, with their boxes and confidence (0-100)."""
    args = ["-l", "eng", "--psm", str(psm)]
    if charset:
        args += ["-c", f"tessedit_char_whitelist={charset}"]
    out = _run(image, args + ["tsv"], seconds, max_bytes)
    found = []
    for row in out.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        try:
            box = [int(c) for c in cols[1:10]]
            found.append(Word(cols[11].strip(), box[5], box[6], box[7], box[8], float(cols[10]),
                              (box[1], box[2], box[3])))
        except ValueError:
            continue
    return found


def rotation(image: Image.Image, seconds: float, max_bytes: int) -> int:
    """Degrees (0, 90, 180, 270) to turn the image anticlockwise so its text stands upright; 0 when
    Tesseract's orientation detection has too little text to tell, or is not confident."""
    try:
        out = _run(image, ["--psm", "0"], seconds, max_bytes)
    except OcrFailed:
        return 0
    facts = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    try:
        degrees, confidence = int(facts["Rotate"].strip()), float(facts["Orientation confidence"].strip())
    except (KeyError, ValueError):
        return 0
    # "Rotate" is clockwise; Pillow turns anticlockwise.
    return (360 - degrees) % 360 if confidence >= 1.5 else 0

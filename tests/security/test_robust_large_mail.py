"""A large message is read as a stream: the same outputs as the in-memory path, in bounded memory."""
from __future__ import annotations

import base64
import io
import os
import random
import subprocess
import sys
from email.message import EmailMessage

import pytest

from pdscan.extract import Context
from pdscan.extract.message import extract_message
from pdscan.limits import Budget, Limits
from pdscan.model import Chunk, Item, MessageFacts

from .robust import NI_TEXT, nested_multipart

MiB = 1024 * 1024


def outputs(data: bytes, streamed: bool) -> tuple:
    """(chunk texts by where, members as (name, encryption, bytes or None)) of one message."""
    limits = Limits(max_message_in_memory=0) if streamed else Limits()
    item = Item(path="/mail/m.eml", open=lambda: io.BytesIO(data), size=len(data), name_hint="m.eml")
    texts, members = {}, []
    for out in extract_message(item, Context(limits, Budget(limits))):
        if isinstance(out, Chunk):
            texts.setdefault(out.where, []).append(out.data.decode())
        elif isinstance(out, MessageFacts):
            continue
        else:
            try:
                with out.open() as stream:
                    content = stream.read()
            except Exception as exc:  # a refused (encrypted) part
                content = type(exc).__name__
            # An attached message is passed on as read, not re-serialised: its line breaks may differ.
            content = content.replace(b"\r\n", b"\n") if isinstance(content, bytes) else content
            members.append((out.member, out.inherited_encryption, content))
    return {where: " ".join("".join(parts).split()) for where, parts in texts.items()}, members


def rich_message() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Ada Lovelace <ada@example.ac.uk>"
    msg["To"] = "=?utf-8?q?Charles_Babbage?= <cb@example.ac.uk>"
    msg["Subject"] = "Enrolment =?utf-8?b?ZsO2cm1z?="
    msg.set_content("Dear Ada,\nyour NI number is AB123456C.\nCafé at 10.\n" + "a long line " * 40 + "\n",
                    cte="quoted-printable")
    msg.add_alternative("<html><body><p>Born <b>10&nbsp;Dec</b> 1815</p><script>x()</script></body></html>",
                        subtype="html")
    msg.add_attachment(b"name,ni\r\nAda,AB123456C\r\n" * 500, maintype="text", subtype="csv", filename="pupils.csv")
    msg.add_attachment(bytes(range(256)) * 300, maintype="application", subtype="octet-stream",
                       filename="pupils.csv")
    inner = EmailMessage()
    inner["Subject"] = "forwarded"
    inner.set_content("Inner NI AB123456C\n")
    msg.add_attachment(inner)
    msg.add_attachment(b"-----BEGIN PGP SIGNATURE-----\n", maintype="application", subtype="pgp-signature")
    return msg.as_bytes().replace(b"\n", b"\r\n")


def encrypted_message() -> bytes:
    return (b'From: a@example.com\nSubject: sealed\nMIME-Version: 1.0\n'
            b'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc"\n\n'
            b'--enc\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n'
            b'--enc\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\nhQEM\n'
            b'-----END PGP MESSAGE-----\n--enc--\n')


def broken_header_block() -> bytes:
    # A folded header without its leading space ends the headers there (the email package's rule).
    return b"Subject: =?utf-8?B?YQ==?=\n=?utf-8?B?Yg==?=\nTo: x@example.com\n\n" + NI_TEXT.encode()


@pytest.mark.parametrize("make", [rich_message, encrypted_message, broken_header_block,
                                  lambda: nested_multipart(40, NI_TEXT), lambda: b"Subject: plain\n\n" + NI_TEXT.encode()],
                         ids=["rich", "pgp-mime", "broken-header-block", "nested-40", "single-part"])
def test_streamed_message_gives_what_the_email_package_gives(make):
    data = make()
    in_memory, streamed = outputs(data, False), outputs(data, True)
    assert streamed[0] and streamed == in_memory


def test_streamed_nesting_bomb_reads_the_rest_then_reports_the_limit():
    bomb = nested_multipart(2000, NI_TEXT)
    limits = Limits(max_message_in_memory=0)
    item = Item(path="/mail/b.eml", open=lambda: io.BytesIO(bomb), size=len(bomb), name_hint="b.eml")
    got = []
    with pytest.raises(Exception, match="nested deeper than 64 levels"):
        got.extend(extract_message(item, Context(limits, Budget(limits))))
    assert any(c.header == "From" for c in got)


def write_big_message(path, size: int) -> None:
    """A message of about `size` bytes: a short body and a base64 text attachment with an NI
    number on its first line, written a line at a time so the test itself stays small."""
    row = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n" * 9
    with open(path, "wb") as f:
        f.write(b"From: Alice <alice@college.ac.uk>\r\nTo: bob@college.ac.uk\r\nSubject: records\r\n"
                b"Message-ID: <big@college.ac.uk>\r\nMIME-Version: 1.0\r\n"
                b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
                b"--XX\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
                b'--XX\r\nContent-Type: text/plain; name="records.txt"\r\n'
                b'Content-Disposition: attachment; filename="records.txt"\r\n'
                b"Content-Transfer-Encoding: base64\r\n\r\n")
        f.write(base64.encodebytes(NI_TEXT.encode().ljust(42)).replace(b"\n", b"\r\n"))  # no padding
        block = base64.encodebytes(row).replace(b"\n", b"\r\n")
        for _ in range(size // len(block)):
            f.write(block)
        f.write(b"--XX--\r\n")


# The command runs in a child that reports its own peak RSS (KiB) last: VmHWM, not ru_maxrss,
# which Linux carries over exec from the parent (a long test session is itself hundreds of MB).
PEAK = ("import sys\nfrom pdscan.cli import main\ncode = main(sys.argv[1:])\n"
        "with open('/proc/self/status') as f:\n"
        "    print([line.split()[1] for line in f if line.startswith('VmHWM:')][0], file=sys.stderr)\n"
        "sys.exit(code)\n")


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="peak RSS read from /proc")
@pytest.mark.parametrize("command", ["scan", "mail"])
def test_a_200_mb_message_is_scanned_in_bounded_memory(tmp_path, command):
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    big = maildir / "cur" / "1.big:2,S"
    write_big_message(big, 200 * MiB)
    target = big if command == "scan" else maildir
    env = dict(os.environ, PDSCAN_KEY_FILE=str(tmp_path / "key"))
    out = subprocess.run([sys.executable, "-c", PEAK, command, str(target), "--jobs", "1", "--no-progress",
                          "--format", "jsonl"], capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 1, out.stderr  # the NI number in the attachment
    assert '"uk.nino"' in out.stdout
    peak_mib = int(out.stderr.split()[-1]) / 1024
    assert peak_mib < 300, f"peak RSS {peak_mib:.0f} MiB for a {os.path.getsize(big) / MiB:.0f} MiB message"


def test_streamed_base64_decodes_any_slicing_as_the_email_package_does():
    from email._encoded_words import decode_b  # what Message.get_payload(decode=True) uses

    from pdscan.extract.mimestream import _Base64
    rng = random.Random(7)
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n*"
    for _ in range(3000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        want, defects = decode_b(b"".join(data.splitlines()))
        if any(type(d).__name__ == "InvalidBase64LengthDefect" for d in defects):
            continue  # undecodable: the email package hands back the text itself
        decoder, got, at = _Base64(), b"", 0
        while at < len(data):
            step = rng.randint(1, 7)
            got += decoder(data[at:at + step])
            at += step
        assert got + decoder.flush() == want, data

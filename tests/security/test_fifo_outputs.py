"""Finding 12: a FIFO planted at a name root pdscan writes (--output, --log-file, lock)
must be refused at once, not block pdscan forever in open()."""
import os
import signal

import pytest

from pdscan.safefile import UnsafePath, open_private


@pytest.fixture
def alarm():
    def hang(signum, frame):
        raise TimeoutError("open_private blocked on the FIFO")
    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(5)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("mode", ["w", "a", "r+"])
def test_open_private_refuses_a_fifo_without_blocking(tmp_path, alarm, mode):
    fifo = tmp_path / "pdscan-report.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(UnsafePath, match="not a regular file"):
        open_private(fifo, mode)


def test_open_private_descriptor_blocks_again_for_writes(tmp_path):
    fd = open_private(tmp_path / "out.log")
    try:
        assert os.get_blocking(fd)
    finally:
        os.close(fd)


def test_a_fifo_given_as_a_key_file_is_refused_without_blocking(tmp_path, alarm):
    from pdscan.errors import PdscanError
    from pdscan.remediate.keys import load_public_key
    fifo = tmp_path / "it.pub"
    os.mkfifo(fifo)
    with pytest.raises(PdscanError, match="not a regular file"):
        load_public_key(fifo)

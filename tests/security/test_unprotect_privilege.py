"""unprotect runs as root on a file anyone holding IT's public key can make: the header must
not hand out set-uid bits or root ownership."""
from __future__ import annotations

import os
import stat

import pytest
from Crypto.PublicKey import RSA

from pdscan.remediate.protect import protect_file, unprotect_file
from pdscan.remediate.protected_format import DamagedFile, Header, key_id, new_header, write_body

USER = 4242
SHELL = b"#!/bin/sh\nexec /bin/sh -p\n"

needs_root = pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0,
                                reason="giving a file to another uid needs root")


@pytest.fixture(scope="module")
def key():
    return RSA.generate(2048)


@needs_root
def test_a_setuid_mode_in_the_header_is_not_restored_and_the_owner_is_the_files(tmp_path, key):
    path = tmp_path / "tool"
    path.write_bytes(SHELL)
    os.chmod(path, 0o4755)
    protect_file(path, key.publickey())  # the header now says 4755, as an attacker's would
    os.chown(path, USER, USER)
    unprotect_file(path, key)
    st = os.stat(path)
    assert path.read_bytes() == SHELL
    assert stat.S_IMODE(st.st_mode) == 0o755
    assert (st.st_uid, st.st_gid) == (USER, USER)


@needs_root
def test_unprotect_to_output_gives_the_copy_to_the_protected_files_owner(tmp_path, key):
    path, out = tmp_path / "tool", tmp_path / "copy"
    path.write_bytes(SHELL)
    os.chmod(path, 0o6775)
    protect_file(path, key.publickey())
    os.chown(path, USER, USER)
    unprotect_file(path, key, out)
    st = os.stat(out)
    assert stat.S_IMODE(st.st_mode) == 0o775 and (st.st_uid, st.st_gid) == (USER, USER)


def test_a_header_mode_with_file_type_bits_is_refused(tmp_path, key):
    header, data_key = new_header(key.publickey(), len(SHELL), 0o755, 0)
    forged = Header(key_id(key), header.wrapped_key, header.base_nonce, header.size, 0o170777,
                    header.mtime_ns, header.chunk_size)
    path = tmp_path / "forged"
    with open(path, "wb") as f:
        f.write(forged.pack())
        with open(tmp_path / "src", "wb+") as src:
            src.write(SHELL)
            src.seek(0)
            write_body(src, f, forged, data_key)  # valid tags: only the mode field is wrong
    sealed = path.read_bytes()
    with pytest.raises(DamagedFile, match="mode 170777 is not a set of permission bits"):
        unprotect_file(path, key)
    assert path.read_bytes() == sealed
    assert {p.name for p in tmp_path.iterdir()} == {"forged", "src"}  # no plain text left beside it

"""A real LUKS2 container made by cryptsetup: signature, luksDump, and (where device-mapper is
allowed) opened, formatted, mounted and found by volume_for_path."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from pdscan.sources.volumes import cryptsetup, probe_device, volume_for_path


@pytest.fixture
def luks2_file(tmp_path):
    if shutil.which("cryptsetup") is None:
        pytest.skip("cryptsetup binary not installed (Debian: apt-get install cryptsetup-bin)")
    image, key = tmp_path / "container.img", tmp_path / "key"
    with open(image, "wb") as f:
        f.truncate(32 << 20)
    key.write_bytes(os.urandom(32))
    subprocess.run(["cryptsetup", "luksFormat", "--type", "luks2", "--batch-mode", "--pbkdf", "pbkdf2",
                    "--pbkdf-force-iterations", "1000", "--key-file", str(key), str(image)],
                   check=True, capture_output=True, timeout=120)
    return image, key


def test_real_luks2_container_probe_and_dump(luks2_file):
    image, _ = luks2_file
    assert probe_device(str(image)) == (True, "luks")
    dump = subprocess.run(["cryptsetup", "luksDump", str(image)], check=True, capture_output=True,
                          text=True, timeout=60).stdout
    info = cryptsetup.parse_luks_dump(dump)
    assert (info.version, info.cipher, info.keyslots) == (2, "aes-xts-plain64", 1)
    assert cryptsetup.describe_container(str(image), "luks") == info


def test_real_luks2_container_file_is_reported_encrypted_by_scan(luks2_file):
    """The same container file, found by `pdscan scan`: an item encrypted with luks, not read."""
    import json
    from pdscan.cli import main
    import contextlib
    import io
    image, key = luks2_file
    key.unlink()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["scan", str(image.parent), "--format", "jsonl", "--jobs", "1"])
    [item] = [json.loads(line) for line in out.getvalue().splitlines() if '"type": "item"' in line]
    assert (code, item["encrypted"], item["encryption"], item["findings"]) == (0, True, "luks", [])


def test_real_luks2_container_opened_and_mounted(luks2_file, tmp_path):
    image, key = luks2_file
    name = f"pdscan-test-{os.getpid()}"
    opened = subprocess.run(["cryptsetup", "open", "--key-file", str(key), str(image), name],
                            check=False, capture_output=True, text=True, timeout=60)
    if opened.returncode != 0:
        reason = " / ".join(dict.fromkeys(line for line in opened.stderr.splitlines() if line.strip()))
        pytest.skip(f"cryptsetup open not permitted here: {reason}")
    mountdir = tmp_path / "mnt"
    mountdir.mkdir()
    mounted = False
    try:
        subprocess.run(["mkfs.ext4", "-q", f"/dev/mapper/{name}"], check=True, capture_output=True,
                       timeout=60)
        subprocess.run(["mount", f"/dev/mapper/{name}", str(mountdir)], check=True, capture_output=True,
                       timeout=60)
        mounted = True
        vol = volume_for_path(str(mountdir))
        assert (vol.mountpoint, vol.fstype, vol.encrypted, vol.encryption) == \
            (str(mountdir), "ext4", True, "luks")
        assert vol.device == f"/dev/mapper/{name}"
    finally:
        if mounted:
            subprocess.run(["umount", str(mountdir)], check=False, capture_output=True, timeout=60)
        subprocess.run(["cryptsetup", "close", name], check=False, capture_output=True, timeout=60)

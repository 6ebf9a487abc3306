"""The shred procedure: refusals, the plan round trip, assurance from mountinfo/sysfs,
the bytes gone from a real ext4 image, and a shred killed part-way."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from pdscan.privacy import install_key, key_path
from pdscan.remediate.assurance import assess
from pdscan.remediate.plan import PlanError, entry_for, read_plan, write_plan
from pdscan.remediate.shred import TEMP_PREFIX, AuditLog, Shredder
from tests.conftest import ROOT

SECRET = b"Name: Carol White, NI number AB 12 34 56 C, date of birth 05/06/1970\n"


def make(path, data=SECRET):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def audit_records(path) -> list:
    with open(path, encoding="ascii") as f:
        return [json.loads(line) for line in f]


@pytest.fixture
def audit(tmp_path):
    return AuditLog(str(tmp_path / "audit.jsonl"), install_key(key_path()))


# -- the plan ---------------------------------------------------------------------

def test_plan_round_trips(tmp_path):
    import datetime as dt
    entries = [entry_for(make(tmp_path / "a.txt"), "staff-files", "staff-files: 6y after modified", "why"),
               entry_for(make(tmp_path / "b c.txt", b"x"), "payroll", "payroll: 6y", "because")]
    write_plan(str(tmp_path / "plan.json"), entries, dt.date(2026, 11, 29), "policies.toml")
    plan = read_plan(str(tmp_path / "plan.json"))
    assert plan.entries == tuple(entries) and plan.as_of == "2026-11-29" and plan.policy == "policies.toml"
    assert entries[0].sha256 == hashlib.sha256(SECRET).hexdigest()


@pytest.mark.parametrize("doc, message", [
    ({"format": "other", "version": 1, "entries": []}, "not a pdscan deletion plan"),
    ({"format": "pdscan-deletion-plan", "version": 3, "entries": []}, "version 3 is not supported"),
    ({"format": "pdscan-deletion-plan", "version": 1, "entries": []}, "carries no signature"),
    ({"format": "pdscan-deletion-plan", "version": 2, "entries": [{"path": "/x"}]}, "entries[0]: field 'size'"),
])
def test_a_bad_plan_is_refused_whole(tmp_path, doc, message):
    (tmp_path / "p.json").write_text(json.dumps(doc))
    with pytest.raises(PlanError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_plan(str(tmp_path / "p.json"))


# -- refusals --------------------------------------------------------------------------

def planned(path):
    return entry_for(path, "staff-files", "staff-files: 6y", "test")


def test_deletes_an_unchanged_file_and_logs_no_personal_data(tmp_path, audit):
    path = make(tmp_path / "Carol White.txt")
    outcome = Shredder(audit, dry_run=False).shred(planned(path))
    assert outcome.result == "deleted" and not os.path.lexists(path)
    assert not [n for n in os.listdir(tmp_path) if n.startswith(TEMP_PREFIX)]
    log = (tmp_path / "audit.jsonl").read_text()
    assert "Carol" not in log and "AB 12" not in log and str(tmp_path) not in log
    start, done = audit_records(tmp_path / "audit.jsonl")
    assert (start["action"], done["action"], done["result"]) == ("start", "done", "deleted")
    for field in ("time", "host", "user", "path_hash", "size", "sha256_before", "method", "assurance"):
        assert field in done
    assert done["sha256_before"] == hashlib.sha256(SECRET).hexdigest()
    assert oct(os.stat(tmp_path / "audit.jsonl").st_mode & 0o777) == "0o600"


def test_dry_run_checks_but_changes_nothing(tmp_path, audit):
    path = make(tmp_path / "a.txt")
    before = os.stat(path)
    outcome = Shredder(audit, dry_run=True).shred(planned(path))
    assert outcome.result == "would-delete" and outcome.assurance is not None
    with open(path, "rb") as f:
        assert os.stat(path).st_mtime_ns == before.st_mtime_ns and f.read() == SECRET
    assert not (tmp_path / "audit.jsonl").exists()


@pytest.mark.parametrize("change", ["append", "same-size", "touch"])
def test_a_file_changed_after_planning_is_refused_and_kept(tmp_path, audit, change):
    path = make(tmp_path / "a.txt")
    entry = planned(path)
    if change == "append":
        with open(path, "ab") as f:
            f.write(b"more")
    elif change == "same-size":
        data = bytearray(SECRET)
        data[0] ^= 1
        st = os.stat(path)
        with open(path, "r+b") as f:
            f.write(bytes(data))
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size and mtime: only the digest tells
    else:
        os.utime(path, (1, 1))
    outcome = Shredder(audit, dry_run=False).shred(entry)
    assert outcome.result == "refused" and outcome.reason.startswith("changed since the plan")
    assert os.path.exists(path)
    (record,) = audit_records(tmp_path / "audit.jsonl")
    assert record["result"] == "refused" and record["reason"] == outcome.reason


def test_refuses_symlinks_hard_links_and_odd_paths(tmp_path, audit):
    real = make(tmp_path / "real.txt")
    shredder = Shredder(audit, dry_run=False)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    entry = planned(real)
    assert "symbolic link" in shredder.shred(_with_path(entry, str(link))).reason
    os.link(real, tmp_path / "second-name.txt")
    assert "2 hard links" in shredder.shred(entry).reason
    os.unlink(tmp_path / "second-name.txt")
    relinked = tmp_path / "via"
    relinked.symlink_to(tmp_path)
    assert "symbolic link" in shredder.shred(_with_path(entry, str(relinked / "real.txt"))).reason
    assert "canonical" in shredder.shred(_with_path(entry, str(tmp_path / "x" / ".." / "real.txt"))).reason
    assert "archive member" in shredder.shred(_with_path(entry, real + "!/inner.csv")).reason
    assert "no longer exists" in shredder.shred(_with_path(entry, str(tmp_path / "gone.txt"))).reason
    assert os.path.exists(real)


def _with_path(entry, path):
    return type(entry)(**{**entry.__dict__, "path": path})


@pytest.mark.parametrize("folder, service", [("OneDrive - College", "OneDrive"), ("Dropbox", "Dropbox"),
                                             ("Google Drive", "Google Drive")])
def test_refuses_cloud_synced_folders_and_says_why(tmp_path, audit, folder, service):
    path = make(tmp_path / folder / "HR" / "a.txt")
    outcome = Shredder(audit, dry_run=False).shred(planned(path))
    assert outcome.result == "refused" and f"in a {service} folder" in outcome.reason
    assert "version" in outcome.reason and os.path.exists(path)


# -- assurance ----------------------------------------------------------------------------

def fake_host(tmp_path, fstype, options="rw", source="/dev/sda1", rotational="1", discard="0", vendor="ATA"):
    tmp_path.mkdir(parents=True, exist_ok=True)
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(f"27 1 8:1 / / rw - ext4 /dev/sda2 rw\n"
                         f"30 27 8:1 / /data {options} - {fstype} {source} {options}\n")
    sys_root = tmp_path / "sys"
    disk = sys_root / "block" / "sda"
    (disk / "queue").mkdir(parents=True)
    (disk / "device").mkdir()
    (disk / "sda1").mkdir()
    (disk / "queue" / "rotational").write_text(rotational + "\n")
    (disk / "queue" / "discard_max_bytes").write_text(discard + "\n")
    (disk / "device" / "vendor").write_text(vendor + "\n")
    (sys_root / "class" / "block").mkdir(parents=True)
    (sys_root / "class" / "block" / "sda1").symlink_to(disk / "sda1")
    return str(mountinfo), str(sys_root)


@pytest.mark.parametrize("fstype, options, rotational, discard, level, words", [
    ("ext4", "rw,relatime", "1", "0", "in-place", "rotating disk"),
    ("xfs", "rw", "1", "0", "in-place", "xfs overwrites"),
    ("ext4", "rw,data=journal", "1", "0", "weak", "data=journal"),
    ("btrfs", "rw,compress=zstd:3", "1", "0", "weak", "copy-on-write"),
    ("btrfs", "rw,compress=zstd:3", "1", "0", "weak", "compresses"),
    ("zfs", "rw", "1", "0", "weak", "copy-on-write"),
    ("f2fs", "rw,compress_algorithm=lz4", "0", "0", "weak", "log-structured"),
    ("ext4", "rw,discard", "0", "4096", "weak", "TRIM"),
    ("ext4", "rw", "0", "0", "weak", "wear levelling"),
    ("mysteryfs", "rw", "1", "0", "unknown", "cannot see"),
])
def test_assurance_from_mount_and_device(tmp_path, fstype, options, rotational, discard, level, words):
    mountinfo, sys_root = fake_host(tmp_path, fstype, options, rotational=rotational, discard=discard)
    got = assess("/data/HR/a.txt", mountinfo, sys_root)
    assert got.level == level and words in "; ".join(got.reasons), got
    if level != "in-place":
        assert "crypto-erase" in got.text()


def test_assurance_never_claims_more_than_it_sees(tmp_path):
    mountinfo, sys_root = fake_host(tmp_path, "ext4", vendor="QEMU HARDDISK")
    assert assess("/data/a", mountinfo, sys_root).level == "unknown"
    mountinfo, sys_root = fake_host(tmp_path / "n", "nfs4", source="server:/export")
    assert assess("/data/a", mountinfo, sys_root).level == "unknown"
    mountinfo, sys_root = fake_host(tmp_path / "o", "overlay", source="overlay")
    assert assess("/data/a", mountinfo, sys_root).level == "weak"
    assert assess("/data/a", str(tmp_path / "no-such-mountinfo"), sys_root).level == "unknown"


# -- a real filesystem image -------------------------------------------------------------

def _mount_loop(image, mountpoint) -> str:
    """'' when mounted, else why not."""
    if not shutil.which("mount") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "loop mounts need root and mount(8)"
    done = subprocess.run(["mount", "-o", "loop", str(image), str(mountpoint)], capture_output=True, text=True,
                          check=False)
    return "" if done.returncode == 0 else f"mount -o loop refused here: {done.stderr.strip()}"


@pytest.mark.skipif(not (shutil.which("mkfs.ext4") and shutil.which("debugfs")),
                    reason="e2fsprogs (mkfs.ext4, debugfs) not installed")
def test_the_original_bytes_are_gone_from_an_ext4_image(tmp_path):
    marker = b"PDSCAN-SHRED-MARKER-" + os.urandom(8).hex().encode()
    secret = tmp_path / "src.txt"
    secret.write_bytes((marker + b" " + SECRET) * 2000)  # ~180 KB: many blocks
    image = tmp_path / "fs.img"
    with open(image, "wb") as f:
        f.truncate(16 * 1024 * 1024)
    subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], check=True)
    # Written without mounting, by debugfs, as a college file server would hold it.
    subprocess.run(["debugfs", "-w", "-R", f"write {secret} learner.txt", str(image)], check=True,
                   capture_output=True)
    assert marker in image.read_bytes()
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    why = _mount_loop(image, mnt)
    if why:
        pytest.skip(why)
    try:
        plan = tmp_path / "plan.json"
        import datetime as dt
        write_plan(str(plan), [planned(str(mnt / "learner.txt"))], dt.date(2026, 11, 29))
        from tests.commands.college import run
        r = run("shred", "--plan", plan, "--yes", "--audit-log", tmp_path / "audit.jsonl")
        assert r.code == 0 and "deleted" in r.out and "assurance: " in r.out, r
        assert "loop device backed by a file" in r.out
    finally:
        subprocess.run(["umount", str(mnt)], check=True)
    assert marker not in image.read_bytes()
    listing = subprocess.run(["debugfs", "-R", "ls -l /", str(image)], capture_output=True, text=True,
                             check=True).stdout
    assert "learner.txt" not in listing


# -- interrupted -------------------------------------------------------------------------

SHRED_SCRIPT = """
import argparse, sys
from pdscan.commands import shred
p = argparse.ArgumentParser(); sub = p.add_subparsers()
shred.add_parser(sub)
a = p.parse_args(sys.argv[1:]); sys.exit(a.run(a))
"""


def _shred_process(plan, log, env):
    return subprocess.Popen([sys.executable, "-c", SHRED_SCRIPT, "shred", "--plan", str(plan), "--yes",
                             "--audit-log", str(log)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def test_a_killed_shred_leaves_a_state_the_audit_log_describes(tmp_path):
    import datetime as dt
    big = tmp_path / "data" / "export.csv"
    big.parent.mkdir()
    with open(big, "wb") as f:
        for _ in range(200):
            f.write(os.urandom(1024 * 1024))
    entry = planned(str(big))
    write_plan(str(tmp_path / "plan.json"), [entry], dt.date(2026, 11, 29))
    log = tmp_path / "audit.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = _shred_process(tmp_path / "plan.json", log, env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and b'"start"' in log.read_bytes():
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    records = audit_records(log)
    last = records[-1]
    leftovers = [n for n in os.listdir(big.parent) if n.startswith(TEMP_PREFIX)]
    if os.path.exists(big):
        # Killed before the rename: the file is intact, and the log says only that it started.
        assert _sha256(big) == entry.sha256 and last["action"] == "start" and not leftovers
    elif last["action"] == "start":
        # Killed mid-overwrite: the name is gone; what is left is the random name the log gives.
        assert leftovers in ([last["temp"]], [])
    else:
        assert last["action"] == "done" and not leftovers
    # Running the same plan again finishes the job and says so.
    again = _shred_process(tmp_path / "plan.json", log, env)
    again.communicate(timeout=120)
    final = audit_records(log)[-1]
    assert not os.path.exists(big) and not [n for n in os.listdir(big.parent) if n.startswith(TEMP_PREFIX)]
    if last["action"] == "start" and not os.path.exists(big) and leftovers:
        assert again.returncode == 0 and final["action"] == "done" and final["note"] == "finished an interrupted shred"

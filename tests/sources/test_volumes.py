"""Linux volume discovery: lsblk outputs (pairs, tree, JSON), a fake sysfs + mountinfo tree,
and the public list_volumes/volume_for_path on this host."""
from __future__ import annotations

from pathlib import Path

import pytest

from pdscan.sources.volumes import Volume, cryptsetup, linux, list_volumes, lsblk, volume_for_path
from pdscan.sources.volumes.record import run_tool
from pdscan.sources.volumes.sysfs import parse_mountinfo

from ..conftest import FIXTURES

COMMANDS = FIXTURES / "commands"


def capture(name: str) -> str:
    return (COMMANDS / name).read_text(encoding="utf-8")


def _summary(volumes):
    return [(v.device, v.mountpoint, v.fstype, v.removable, v.encrypted, v.encryption) for v in volumes]


def test_lsblk_pairs_usb_flash_disk():
    devs = lsblk.parse_lsblk_pairs(capture("lsblk-pairs_usb-flash-disk_loxberry-issue205.txt"))
    assert devs["sda1"].parents == ("sda",) and devs["mmcblk0p2"].parents == ("mmcblk0",)
    assert _summary(linux.build_volumes(devs, removable_only=False)) == [
        ("/dev/sda1", None, "vfat", True, False, None),
        ("/dev/mmcblk0p2", "/", "ext4", False, False, None),
        ("/dev/mmcblk0p1", "/boot", "vfat", False, False, None),
    ]
    assert _summary(linux.build_volumes(devs)) == [("/dev/sda1", None, "vfat", True, False, None)]


def test_lsblk_tree_with_crypt():
    devs = lsblk.parse_lsblk_tree(capture("lsblk-tree_with-crypt_openmediavault-issue443.txt"))
    assert devs["vdc-crypt"].parents == ("vdc",) and devs["vda5"].parents == ("vda",)
    assert devs["vdc-crypt"].size == 1008 << 20
    got = {v.device: v for v in linux.build_volumes(devs, removable_only=False)}
    assert sorted(got) == ["/dev/sr0", "/dev/vda1", "/dev/vda2", "/dev/vda5", "/dev/vdb1", "/dev/vdc",
                           "/dev/vdd", "/dev/vde1", "/dev/vdf1", "/dev/vdg"]
    vdc = got["/dev/vdc"]
    assert (vdc.mountpoint, vdc.encrypted, vdc.encryption) == \
        ("/srv/dev-disk-by-label-crypttest", True, "dm-crypt")
    assert vdc.note == "dm-crypt holder vdc-crypt; mounted at /srv/dev-disk-by-label-crypttest"
    # The plain tree has no FSTYPE column: a mounted partition is "could not tell", not "plain".
    assert (got["/dev/vdb1"].encrypted, got["/dev/vdg"].encrypted) == (None, None)
    assert [v.device for v in linux.build_volumes(devs)] == ["/dev/sr0"]


def test_lsblk_json_local_capture_has_no_removable_volume():
    devs = lsblk.parse_lsblk_json(capture("local-capture_lsblk-json_vm-no-removable.txt"))
    assert linux.build_volumes(devs) == []
    assert _summary(linux.build_volumes(devs, removable_only=False)) == [
        ("/dev/vda", "/", None, False, None, None)]  # zram0 (size 0) is not a volume


def test_lsblk_json_laptop_with_usb_sticks():
    devs = lsblk.parse_lsblk_json(capture("ours_lsblk-json_laptop-usb-sticks.json"))
    assert devs["dm-1"].path == "/dev/mapper/luks-3e874a28-7415-4f8c-9757-b3f28a96c4d2"
    assert _summary(linux.build_volumes(devs)) == [
        ("/dev/sda1", "/media/u/STICK", "vfat", True, False, None),
        ("/dev/sdb1", "/media/u/SAFE", "crypto_LUKS", True, True, "luks"),  # a USB disk: RM 0, HOTPLUG 1
        ("/dev/sdc", None, "exfat", True, False, None),  # superfloppy: no partition table
    ]
    every = {v.device: v for v in linux.build_volumes(devs, removable_only=False)}
    assert "/dev/loop0" not in every
    root = every["/dev/nvme0n1p2"]
    assert (root.mountpoint, root.removable, root.encrypted, root.encryption) == ("/", False, True, "luks")
    assert root.note == "dm-crypt holder dm-0 (crypto_LUKS); ext4 mounted at /"
    assert every["/dev/nvme0n1p1"].encrypted is False
    assert every["/dev/sda1"].label == "STICK"


def test_lsblk_json_old_string_format_with_bitlocker_stick():
    devs = lsblk.parse_lsblk_json(capture("ours_lsblk-json_util-linux-2.33-strings.json"))
    [stick] = linux.build_volumes(devs)
    assert stick == Volume("/dev/sdb1", None, "BitLocker", 8052015104, True, True, "bitlocker", None,
                           "BitLocker container; not opened")
    [internal] = [v for v in linux.build_volumes(devs, removable_only=False) if not v.removable]
    assert (internal.mountpoint, internal.encrypted) == ("/", False)


# --- Linux: a fake sysfs + mountinfo tree ---------------------------------------------------

MOUNTINFO = """\
22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
23 22 259:1 / /boot/efi rw,relatime shared:2 - vfat /dev/nvme0n1p1 rw,fmask=0077
24 22 0:30 / /tmp rw,nosuid,nodev shared:3 - tmpfs tmpfs rw,size=8151808k
40 22 8:17 / /media/u/STICK rw,nosuid,nodev,relatime shared:40 - vfat /dev/sdb1 rw,uid=1000,gid=1000
41 22 253:0 / /media/u/SAFE rw,nosuid,nodev,relatime shared:41 - ext4 /dev/mapper/luks-3e874a28 rw
42 22 8:17 /photos /home/u/my\\040photos rw,relatime shared:40 - vfat /dev/sdb1 rw
43 22 0:52 / /media/u/FUSE rw,nosuid,nodev,relatime shared:42 - fuse.exfat /dev/sdb1 rw,user_id=0
"""
USB_PORT = "devices/pci0000:00/0000:00:14.0/usb2/2-1"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def _disk(sys: Path, devpath: str, name: str, majmin: str, sectors: int, removable: str) -> Path:
    real = sys / devpath / "block" / name
    for attr, value in (("dev", majmin), ("size", str(sectors)), ("removable", removable)):
        _write(real / attr, value)
    (sys / "block").mkdir(exist_ok=True)
    (sys / "block" / name).symlink_to(real)
    return real


def _part(disk: Path, name: str, majmin: str, sectors: int, holders: tuple[str, ...] = ()) -> None:
    for attr, value in (("dev", majmin), ("size", str(sectors)), ("partition", "1")):
        _write(disk / name / attr, value)
    (disk / name / "holders").mkdir()
    for holder in holders:
        (disk / name / "holders" / holder).touch()


@pytest.fixture
def fake_host(tmp_path):
    """nvme0n1 internal (vfat ESP + ext4 root); sdb USB stick, vfat; sdc USB disk, LUKS2 under dm-0."""
    sys, dev = tmp_path / "sys", tmp_path / "dev"
    nvme = _disk(sys, "devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0", "nvme0n1", "259:0",
                 1000215216, "0")
    _part(nvme, "nvme0n1p1", "259:1", 1048576)
    _part(nvme, "nvme0n1p2", "259:2", 999164592)
    sdb = _disk(sys, f"{USB_PORT}/2-1:1.0/host6/target6:0:0/6:0:0:0", "sdb", "8:16", 30277632, "1")
    _part(sdb, "sdb1", "8:17", 30275584)
    _write(sys / "devices/pci0000:00/0000:00:14.0/usb2/2-2/removable", "removable")  # the port: HOTPLUG
    sdc = _disk(sys, "devices/pci0000:00/0000:00:14.0/usb2/2-2/2-2:1.0/host7/target7:0:0/7:0:0:0",
                "sdc", "8:32", 1953525168, "0")
    _part(sdc, "sdc1", "8:33", 1953521664, holders=("dm-0",))
    dm0 = sys / "devices/virtual/block/dm-0"
    _write(dm0 / "dev", "253:0")
    _write(dm0 / "size", "1953488896")
    _write(dm0 / "removable", "0")
    _write(dm0 / "dm/uuid", "CRYPT-LUKS2-3e874a2874154f8c9757b3f28a96c4d2-luks-3e874a28")
    _write(dm0 / "dm/name", "luks-3e874a28")
    (dm0 / "slaves").mkdir()
    (dm0 / "slaves" / "sdc1").touch()
    (sys / "block" / "dm-0").symlink_to(dm0)
    loop = sys / "devices/virtual/block/loop0"
    _write(loop / "dev", "7:0")
    _write(loop / "size", "151352")
    (sys / "block" / "loop0").symlink_to(loop)
    dev.mkdir()
    (dev / "sdb1").write_bytes(bytes(65536))  # readable, no signature: vfat comes from mountinfo
    (dev / "sdc1").write_bytes(b"LUKS\xba\xbe\x00\x02" + bytes(65528))  # LUKS2 magic, as cryptsetup writes it
    _write(tmp_path / "mountinfo", MOUNTINFO.rstrip("\n"))
    return {"sys_root": str(sys), "mountinfo": str(tmp_path / "mountinfo"), "dev_root": str(dev)}


def test_fake_sysfs_removable_volumes(fake_host):
    vols = linux.list_volumes(use_lsblk=False, **fake_host)
    assert vols == [
        Volume("/dev/sdb1", "/media/u/STICK", "vfat", 30275584 * 512, True, False, None, None,
               "plain vfat filesystem, no encryption layer"),
        Volume("/dev/sdc1", "/media/u/SAFE", "crypto_LUKS", 1953521664 * 512, True, True, "luks", None,
               "dm-crypt holder dm-0 (LUKS2); ext4 mounted at /media/u/SAFE"),
    ]


def test_fake_sysfs_all_volumes(fake_host):
    vols = {v.device: v for v in linux.list_volumes(removable_only=False, use_lsblk=False, **fake_host)}
    assert sorted(vols) == ["/dev/nvme0n1p1", "/dev/nvme0n1p2", "/dev/sdb1", "/dev/sdc1"]
    root = vols["/dev/nvme0n1p2"]
    assert (root.mountpoint, root.fstype, root.removable, root.encrypted) == ("/", "ext4", False, False)
    devs = linux.read_sysfs(fake_host["sys_root"])
    # sdc reports removable=0 (a USB disk) but its USB port is "removable": lsblk's HOTPLUG
    assert [(k, devs[k].rm, devs[k].hotplug, devs[k].tran) for k in ("nvme0n1", "sdb", "sdc")] == [
        ("nvme0n1", False, False, None), ("sdb", True, False, "usb"), ("sdc", False, True, "usb")]
    assert devs["dm-0"].parents == ("sdc1",) and devs["dm-0"].type == "crypt"


def test_fake_sysfs_volume_for_path(fake_host):
    safe = linux.volume_for_path("/media/u/SAFE/Documents/marks.xlsx", **fake_host)
    assert safe == Volume("/dev/mapper/luks-3e874a28", "/media/u/SAFE", "ext4", 1953488896 * 512, True, True,
                          "luks", None, "dm-crypt mapping dm-0 (LUKS2); ext4 mounted at /media/u/SAFE")
    stick = linux.volume_for_path("/media/u/STICK", **fake_host)
    assert (stick.device, stick.removable, stick.encrypted) == ("/dev/sdb1", True, False)
    bind = linux.volume_for_path("/home/u/my photos/2024", **fake_host)
    assert (bind.device, bind.mountpoint) == ("/dev/sdb1", "/home/u/my photos")
    home = linux.volume_for_path("/home/u", **fake_host)
    assert (home.device, home.removable, home.encrypted) == ("/dev/nvme0n1p2", False, False)
    fuse = linux.volume_for_path("/media/u/FUSE/x", **fake_host)  # plain FUSE: 0:N, source names it
    assert (fuse.device, fuse.fstype, fuse.removable) == ("/dev/sdb1", "fuse.exfat", True)
    tmp = linux.volume_for_path("/tmp/x", **fake_host)
    assert (tmp.device, tmp.fstype, tmp.encrypted) == ("tmpfs", "tmpfs", None)


def test_fake_sysfs_merged_with_lsblk_labels(fake_host, monkeypatch):
    row = lsblk.BlockDev(kname="sdb1", path="/dev/sdb1", type="part", fstype="vfat", label="STICK")
    monkeypatch.setattr(linux, "run_lsblk", lambda: {"sdb1": row})
    stick = linux.list_volumes(**fake_host)[0]
    assert (stick.device, stick.label, stick.removable) == ("/dev/sdb1", "STICK", True)


def test_mountinfo_escapes_and_stacking():
    mounts = parse_mountinfo(MOUNTINFO + "44 22 8:33 / /media/u/STICK rw - exfat /dev/sdc1 rw\n")
    assert mounts[5].mountpoint == "/home/u/my photos"
    assert linux.mount_for_path("/media/u/STICK/a", mounts).source == "/dev/sdc1"  # the later mount wins
    assert linux.mount_for_path("/media/u/STICKY", mounts).mountpoint == "/"


# --- tools that are missing or fail ---------------------------------------------------------

def test_missing_tool_is_none_not_a_crash(monkeypatch):
    assert run_tool(["pdscan-no-such-tool-xyz"]) is None
    assert run_tool(["false"]) is None
    assert cryptsetup.describe_container("/nonexistent", "veracrypt") is None
    monkeypatch.setattr(linux, "run_lsblk", lambda: None)
    assert isinstance(list_volumes(removable_only=False), list)


def test_this_host_root_volume_is_found():
    vol = volume_for_path("/")
    assert vol is not None and vol.mountpoint == "/"

"""`pdscan watch`: end to end as a subprocess, plus the debouncer and the per-path handling in-process.

Every wait has a deadline, so a hang fails in seconds instead of stalling the suite.
"""
from __future__ import annotations

import getpass
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from pdscan import config as configuration
from pdscan.model import ItemResult
from pdscan.records import to_json
from pdscan.session import Session
from pdscan.watch import FILE, FOLDER, UNSETTLED, Pending, Watcher

SRC = Path(__file__).resolve().parents[1] / "src"
NI_TEXT = "Learner: Zoe Bronte\nNational Insurance number: AB 12 34 56 C\n"
CLASS_LIST = ("Name,Date of birth,ULN,Postcode\n"
              "Zoe Bronte,14/03/2007,1000000004,LS1 4AP\n"
              "Amir Malik,02/11/2006,1000000012,BD7 1DP\n")
STARTUP = 30  # seconds: importing and compiling the detectors on a slow machine
SETTLE = 10  # seconds for a settled file's record to appear


class WatchProcess:
    """`python -m pdscan watch ...` with its output read by threads, so nothing blocks."""

    def __init__(self, tmp_path: Path, *args):
        env = dict(os.environ, PDSCAN_DATA_DIR=str(tmp_path / "data"),
                   PYTHONPATH=os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p))
        self.proc = subprocess.Popen([sys.executable, "-m", "pdscan", "watch", *map(str, args)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.out: queue.Queue = queue.Queue()
        self.err: list = []
        self.records: list = []
        self.lines: list = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.out.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.err.append), daemon=True).start()
        self._wait(lambda: any("watching" in line for line in self.err), STARTUP, "the ready line")

    @staticmethod
    def _pump(stream, put) -> None:
        for line in stream:
            put(line)

    def _drain(self) -> None:
        while True:
            try:
                line = self.out.get_nowait()
            except queue.Empty:
                return
            self.lines.append(line)
            if line.startswith("{"):  # --format jsonl
                self.records.append(json.loads(line))

    def _wait(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.proc.poll() is not None:
                pytest.fail(f"pdscan watch exited ({self.proc.returncode}) waiting for {what}:\n{''.join(self.err)}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; stderr:\n{''.join(self.err)}")
            time.sleep(0.05)
            self._drain()

    def wait_for(self, condition, what: str, timeout: float = SETTLE) -> list:
        self._wait(lambda: condition(self.records), timeout, what)
        return self.records

    def quiet_for(self, seconds: float) -> list:
        """Collect whatever else arrives in the next `seconds`."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(0.05)
            self._drain()
        return self.records

    def stop(self, sig=signal.SIGTERM, timeout: float = 20) -> int:
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail(f"pdscan watch did not stop on {sig!r}")
        time.sleep(0.2)  # let the reader threads take the last lines
        self._drain()
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def start_watch(tmp_path):
    started = []

    def start(*args) -> WatchProcess:
        started.append(WatchProcess(tmp_path, *args))
        return started[-1]

    yield start
    for proc in started:
        proc.kill()


def media(tmp_path: Path) -> Path:
    """An empty mount root, so that nothing the test creates looks like a new volume."""
    path = tmp_path / "media"
    path.mkdir(exist_ok=True)
    return path


def items_for(records, path) -> list:
    return [r for r in records if r["type"] == "item" and r["path"] == str(path)]


def has_item(path):
    return lambda records: bool(items_for(records, path))


def assert_clean_stop(watcher: WatchProcess, sig=signal.SIGTERM) -> dict:
    assert watcher.stop(sig) == 0, "".join(watcher.err)
    assert watcher.records and watcher.records[-1]["type"] == "summary", watcher.records[-3:]
    assert [r["type"] for r in watcher.records].count("summary") == 1
    return watcher.records[-1]


# -- end to end ---------------------------------------------------------------------------


def test_new_files_are_scanned_once_each_after_they_settle(tmp_path, start_watch):
    watched = tmp_path / "watched"
    watched.mkdir()
    w = start_watch(watched, "--format", "jsonl", "--debounce", "0.5", "--mount-root", media(tmp_path))
    (watched / "learner.txt").write_text(NI_TEXT)
    (watched / "timetable.txt").write_text("Monday: Maths\n")
    records = w.wait_for(lambda rs: has_item(watched / "learner.txt")(rs) and has_item(watched / "timetable.txt")(rs),
                         "both files")
    [learner] = items_for(records, watched / "learner.txt")
    assert "uk.nino" in [f["detector"] for f in learner["findings"]]
    assert "AB 12 34 56 C" not in json.dumps(records)
    [plain] = items_for(records, watched / "timetable.txt")
    assert plain["findings"] == []

    slow = watched / "slowly-written.txt"
    with open(slow, "w") as f:  # five writes, each well inside the quiet time
        for part in range(5):
            f.write(f"part {part} {NI_TEXT}")
            f.flush()
            time.sleep(0.15)
    w.wait_for(has_item(slow), "the slowly written file")
    records = w.quiet_for(1.5)
    [item] = items_for(records, slow)
    assert item["size"] == slow.stat().st_size  # scanned whole, after the last write
    summary = assert_clean_stop(w)
    assert summary["files"] == 3 and summary["errors"] == 0


@pytest.mark.slow
def test_a_burst_of_files_is_scanned_exactly_once_each(tmp_path, start_watch):
    watched = tmp_path / "watched"
    watched.mkdir()
    w = start_watch(watched, "--format", "jsonl", "--debounce", "0.5", "--mount-root", media(tmp_path))
    burst = watched / "burst"
    burst.mkdir()
    names = [burst / f"note-{i:04d}.txt" for i in range(2000)]
    for i, path in enumerate(names):
        path.write_text(f"note {i}\n")
    w.wait_for(lambda rs: sum(r["type"] == "item" for r in rs) >= len(names), "2,000 items", timeout=60)
    records = w.quiet_for(1.5)
    counts = Counter(r["path"] for r in records if r["type"] == "item")
    assert set(counts) == {str(p) for p in names}
    assert set(counts.values()) == {1}, [p for p, n in counts.items() if n > 1][:5]

    shutil.rmtree(burst)  # a watched folder deleted under the watch: nothing to report, nothing breaks
    after = watched / "after.txt"
    after.write_text("still watching\n")
    w.wait_for(has_item(after), "a file written after the folder was deleted")
    summary = assert_clean_stop(w)
    assert summary["errors"] == 0 and summary["files"] == len(names) + 1


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores file permissions")
def test_an_unreadable_file_is_an_error_record_and_the_watch_goes_on(tmp_path, start_watch):
    watched = tmp_path / "watched"
    watched.mkdir()
    w = start_watch(watched, "--format", "jsonl", "--debounce", "0.5", "--mount-root", media(tmp_path))
    locked = watched / "locked.txt"
    locked.write_text(NI_TEXT)
    locked.chmod(0)
    w.wait_for(lambda rs: any(r["type"] == "error" and r["path"] == str(locked) for r in rs), "the error record")
    (watched / "after.txt").write_text("hello\n")
    w.wait_for(has_item(watched / "after.txt"), "a file after the error")
    assert assert_clean_stop(w)["errors"] == 1


def test_a_new_volume_under_a_mount_root_gets_the_usb_check(tmp_path, start_watch):
    watched = tmp_path / "watched"
    watched.mkdir()
    w = start_watch(watched, "--format", "jsonl", "--debounce", "0.5", "--mount-root", media(tmp_path))
    stick = media(tmp_path) / "STICK"
    stick.mkdir()
    (stick / "class-list.csv").write_text(CLASS_LIST)
    records = w.wait_for(lambda rs: any(r["type"] == "volume" for r in rs), "the volume verdict")
    [volume] = [r for r in records if r["type"] == "volume"]
    assert volume["mountpoint"] == str(stick) and volume["verdict"] == "FAIL"
    assert [v["rule"] for v in volume["violations"]] == ["unencrypted-removable-volume"]
    assert items_for(records, stick / "class-list.csv")

    # udisks mounts at /media/USER/LABEL, creating /media/USER on first use: one level deeper.
    user_stick = media(tmp_path) / getpass.getuser() / "USER-STICK"
    user_stick.mkdir(parents=True)
    (user_stick / "timetable.txt").write_text("Monday: Maths\n")
    records = w.wait_for(lambda rs: sum(r["type"] == "volume" for r in rs) == 2, "the second volume")
    [second] = [r for r in records if r["type"] == "volume" and r["mountpoint"] == str(user_stick)]
    assert second["verdict"] == "PASS"
    summary = assert_clean_stop(w, signal.SIGINT)
    assert summary["volumes"] == 2 and summary["volumes_failed"] == 1


def test_text_output_is_written_as_it_comes_and_the_summary_last(tmp_path, start_watch):
    watched = tmp_path / "watched"
    watched.mkdir()
    w = start_watch(watched, "--debounce", "0.5", "--mount-root", media(tmp_path))
    (watched / "learner.txt").write_text(NI_TEXT)
    w._wait(lambda: any("learner.txt" in line for line in w.lines), SETTLE, "the text finding")
    assert w.stop() == 0, "".join(w.err)
    text = "".join(w.lines)
    assert "uk.nino" in text and "AB 12 34 56 C" not in text
    assert text.index("learner.txt") < text.index("Scanned 1 files")


def test_a_missing_path_is_a_usage_error(tmp_path):
    env = dict(os.environ, PDSCAN_DATA_DIR=str(tmp_path),
               PYTHONPATH=os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p))
    done = subprocess.run([sys.executable, "-m", "pdscan", "watch", str(tmp_path / "nope")],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 2 and "no such file or folder" in done.stderr


@pytest.mark.parametrize("args, message", [
    (["--format", "json"], "use --format text or jsonl"),
    (["--debounce", "-1"], "--debounce must be 0 or more"),
    (["--mount-root", "/no/such/mount/root"], "not a folder: /no/such/mount/root"),
])
def test_option_errors_exit_2(cli, monkeypatch, tmp_path, args, message):
    from pdscan import cli as cli_module
    from pdscan.commands import watch as watch_command
    if watch_command not in cli_module.COMMANDS:
        monkeypatch.setattr(cli_module, "COMMANDS", cli_module.COMMANDS + (watch_command,))
    result = cli("watch", tmp_path, *args)
    assert result.code == 2 and message in result.err, result


# -- in-process: the debouncer and one path's handling --------------------------------------


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_pending_keeps_one_entry_per_path_and_waits_for_quiet():
    clock = Clock()
    pending = Pending(clock)
    for _ in range(1000):
        pending.touch("/w/a", FILE)
    pending.touch("/w/b", FILE)
    assert len(pending) == 2
    assert pending.pop_settled(2.0)[0] is None
    clock.now += 1.5
    pending.touch("/w/a", FILE)  # written again: quiet time starts over, b is now first
    clock.now += 0.6
    assert pending.pop_settled(2.0)[0] == ("/w/b", FILE)
    assert pending.pop_settled(2.0)[0] is None
    clock.now += 1.5
    assert pending.pop_settled(2.0)[0] == ("/w/a", FILE)
    assert len(pending) == 0


class ListSink:
    """The records in their JSONL form, as a script reading the watch would see them."""

    def __init__(self):
        self.records, self.summary = [], None

    def begin(self):
        pass

    def record(self, record):
        self.records.append(to_json(record))

    def end(self, summary):
        self.summary = summary


@pytest.fixture
def handled(tmp_path):
    """A Watcher that is not observing: feed it paths by hand, read what its sink got."""
    cfg = configuration.build(jobs=1, exclude=["*.tmp"])
    watcher = Watcher(cfg, [tmp_path], mount_roots=[], debounce=0)
    sink = ListSink()
    watcher.session = Session([sink])
    return watcher, sink


def test_a_permission_error_is_an_error_record(handled, tmp_path, monkeypatch):
    watcher, sink = handled
    secret = tmp_path / "secret.txt"
    secret.write_text(NI_TEXT)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("pdscan.sources.filesystem.open_readonly", refuse)
    watcher._handle(str(secret), FILE)
    assert [(r["type"], r["error"]) for r in sink.records] == [("error", "permission denied")]


def test_vanished_excluded_linked_and_unchanged_paths(handled, tmp_path):
    watcher, sink = handled
    watcher._handle(str(tmp_path / "gone.txt"), FILE)
    (tmp_path / "draft.tmp").write_text(NI_TEXT)
    watcher._handle(str(tmp_path / "draft.tmp"), FILE)
    (tmp_path / "real.txt").write_text("hello\n")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    watcher._handle(str(tmp_path / "link.txt"), FILE)
    assert sink.records == []
    watcher._handle(str(tmp_path / "real.txt"), FILE)
    watcher._handle(str(tmp_path / "real.txt"), FILE)  # a second event, same content: not rescanned
    assert [r["path"] for r in sink.records] == [str(tmp_path / "real.txt")]
    assert set(watcher.session.summary.skipped) == {"excluded by pattern", "symbolic link (use --follow-symlinks)"}


def test_a_folder_moved_in_queues_its_files(handled, tmp_path):
    watcher, _sink = handled
    moved = tmp_path / "moved"
    (moved / "deeper").mkdir(parents=True)
    (moved / "a.txt").write_text("a\n")
    (moved / "deeper" / "b.txt").write_text("b\n")
    watcher._handle(str(moved), FOLDER)
    assert len(watcher.pending) == 2
    watcher._handle(str(moved), FILE)  # a folder's own change event alone queues nothing more
    assert len(watcher.pending) == 2


class StopDuringScan:
    """A scanner that is sent stop signals while it works (the handler is called as a signal would)."""

    def __init__(self, watcher, signals: int):
        self.watcher, self.signals, self.scanned = watcher, signals, []

    def scan_file(self, ref):
        for _ in range(self.signals):
            self.watcher.request_stop()
        self.scanned.append(ref.path)
        return [ItemResult(ref.path, None, "text/plain", ref.size, None, False)]


def test_one_stop_signal_finishes_the_item_in_hand_and_stops(handled, tmp_path):
    watcher, sink = handled
    for name in ("first.txt", "second.txt"):
        (tmp_path / name).write_text("x\n")
        watcher.pending.touch(str(tmp_path / name), FILE)
    watcher.scanner = StopDuringScan(watcher, signals=1)
    watcher.run(watcher.session)
    assert [(r["type"], r["path"]) for r in sink.records] == [("item", str(tmp_path / "first.txt"))]
    assert watcher.session.summary.skipped == {UNSETTLED: 1}


def test_a_second_stop_signal_abandons_the_item_with_an_error_record(handled, tmp_path):
    watcher, sink = handled
    (tmp_path / "huge.txt").write_text("x\n")
    watcher.pending.touch(str(tmp_path / "huge.txt"), FILE)
    watcher.scanner = StopDuringScan(watcher, signals=2)
    watcher.run(watcher.session)
    assert watcher.scanner.scanned == []
    assert [(r["type"], r["error"]) for r in sink.records] == [("error", "not scanned: pdscan watch was stopped")]

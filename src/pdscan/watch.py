"""`pdscan watch`: scan new and changed files, and new removable volumes, as they appear.

watchdog's threads only note *which* path changed: one entry per path, however
many events it gets, so a burst of ten thousand files costs ten thousand short
strings. The main thread takes a path once it has been quiet for the debounce
time (a file still being written is scanned once, after it settles), looks at
it again on disk and sends it through the same pipeline as `pdscan scan`. A
new folder directly in a mount root is a new volume and gets the `usb` check.
"""
from __future__ import annotations

import getpass
import os
import signal
import stat
import sys
import threading
import time
from collections import OrderedDict

from watchdog.events import (EVENT_TYPE_CLOSED, EVENT_TYPE_CREATED, EVENT_TYPE_MODIFIED, EVENT_TYPE_MOVED,
                             DirCreatedEvent, DirMovedEvent, FileClosedEvent, FileCreatedEvent,
                             FileModifiedEvent, FileMovedEvent, FileSystemEventHandler)
from watchdog.observers import Observer

from .errors import PdscanError
from .model import ErrorRecord, Summary
from .pipeline import Scanner
from .session import Session
from .sources.filesystem import FileRef, Skipped, Walker
from .volume_check import check_volume, named_volume

FILE, FOLDER, VOLUME = "file", "folder", "volume"
IDLE_WAIT = 0.2  # seconds between looks at the stop flag when nothing is due
SEEN_LIMIT = 50_000  # scanned-file signatures kept to drop events that changed nothing
UNSETTLED = "changed, not yet scanned when the watch stopped"
# Only what can mean new content: opens, reads and attribute changes never reach the handler.
EVENTS = [FileCreatedEvent, DirCreatedEvent, FileModifiedEvent, FileMovedEvent, DirMovedEvent, FileClosedEvent]


def default_mount_roots() -> list:
    """Where desktops mount removable volumes: /media[/USER] (Debian, Ubuntu), /run/media/USER
    (Fedora, openSUSE), /Volumes (macOS). Only the ones that exist."""
    user = getpass.getuser()
    candidates = ("/media", f"/media/{user}", f"/run/media/{user}", "/Volumes")
    return [path for path in candidates if os.path.isdir(path)]


class Pending:
    """Paths waiting to settle, in order of their latest event; one entry per path."""

    def __init__(self, clock=time.monotonic):
        self._due: dict = {}
        self._lock = threading.Lock()
        self._clock = clock

    def __len__(self) -> int:
        return len(self._due)

    def touch(self, path: str, kind: str) -> None:
        with self._lock:
            # Re-inserted at the end, so the first entry is always the one quiet longest.
            self._due.pop(path, None)
            self._due[path] = (self._clock(), kind)

    def pop_settled(self, quiet: float):
        """((path, kind), 0) for the path quiet longest if it has been quiet for `quiet`
        seconds, else (None, seconds worth waiting before asking again)."""
        with self._lock:
            if not self._due:
                return None, IDLE_WAIT
            path, (when, kind) = next(iter(self._due.items()))
            wait = when + quiet - self._clock()
            if wait > 0:
                return None, min(wait, IDLE_WAIT)
            del self._due[path]
            return (path, kind), 0.0


class Seen:
    """What recently scanned files looked like, so an event that changed nothing (a
    second close, a new folder's walk reporting a file again) does not rescan it."""

    def __init__(self, limit: int = SEEN_LIMIT):
        self._signatures: OrderedDict = OrderedDict()
        self._limit = limit

    @staticmethod
    def _signature(ref: FileRef) -> tuple:
        return ref.device, ref.inode, ref.size, ref.mtime_ns, ref.ctime_ns

    def unchanged(self, ref: FileRef) -> bool:
        return self._signatures.get(ref.path) == self._signature(ref)

    def remember(self, ref: FileRef) -> None:
        self._signatures[ref.path] = self._signature(ref)
        self._signatures.move_to_end(ref.path)
        if len(self._signatures) > self._limit:
            self._signatures.popitem(last=False)


class _Changes(FileSystemEventHandler):
    """On watchdog's thread: note the path, nothing else."""

    def __init__(self, pending: Pending):
        self.pending = pending

    def on_any_event(self, event) -> None:
        kind = FOLDER if event.is_directory else FILE
        if event.event_type == EVENT_TYPE_MOVED:
            self.pending.touch(os.fsdecode(event.dest_path), kind)
        elif event.event_type in (EVENT_TYPE_CREATED, EVENT_TYPE_CLOSED) or (
                event.event_type == EVENT_TYPE_MODIFIED and not event.is_directory):
            self.pending.touch(os.fsdecode(event.src_path), kind)


class _NewVolumes(FileSystemEventHandler):
    """On watchdog's thread: a folder appearing directly in a mount root is a volume."""

    def __init__(self, pending: Pending, root: str):
        self.pending = pending
        self.root = root

    def on_any_event(self, event) -> None:
        if not event.is_directory or event.event_type not in (EVENT_TYPE_CREATED, EVENT_TYPE_MOVED):
            return
        path = os.fsdecode(event.dest_path if event.event_type == EVENT_TYPE_MOVED else event.src_path)
        if os.path.dirname(path) == self.root:
            self.pending.touch(path, VOLUME)


class _Abandon(BaseException):
    """Raised by a second stop signal into the scan in hand (BaseException: the
    pipeline's catch-all for one bad item must not swallow it)."""


class Watcher:
    def __init__(self, cfg, paths, mount_roots=None, debounce: float = 2.0):
        self.cfg = cfg
        self.paths = [os.path.abspath(p) for p in paths]
        roots = default_mount_roots() if mount_roots is None else mount_roots
        self.mount_roots = [os.path.abspath(p) for p in roots]
        self.debounce = debounce
        self.pending = Pending()
        self.seen = Seen()
        self.scanner = Scanner(cfg)
        self.walker = Walker(cfg.walk)
        self.observer = None  # made by start(): on Linux it opens inotify at once
        self.session: Session | None = None
        # Plain flags, not threading.Event: a signal handler that takes a lock can deadlock.
        self._stopping = False
        self._busy = False

    # -- starting and stopping -------------------------------------------------------

    def start(self) -> None:
        for path in self.paths + self.mount_roots:
            if not os.path.isdir(path):
                raise PdscanError(f"not a folder: {path}")
        self.observer = Observer()
        self.observer.start()
        for path in self.paths:
            self._schedule(_Changes(self.pending), path, recursive=True)
        for root in self.mount_roots:
            self._schedule(_NewVolumes(self.pending, root), root, recursive=False)
        roots = f" and {len(self.mount_roots)} mount root(s) for new volumes" if self.mount_roots else ""
        print(f"pdscan: watching {len(self.paths)} path(s){roots}", file=sys.stderr, flush=True)

    def _schedule(self, handler, path: str, recursive: bool) -> None:
        try:
            self.observer.schedule(handler, path, recursive=recursive, event_filter=EVENTS)
        except OSError as exc:  # e.g. the inotify watch limit (fs.inotify.max_user_watches)
            self.stop_observer()
            raise PdscanError(f"cannot watch {path}: {exc.strerror or exc}") from exc

    def stop_observer(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=10)

    def request_stop(self, signum=None, frame=None) -> None:
        """Signal handler: the first signal stops after the item in hand, a second abandons it."""
        if self._stopping and self._busy:
            raise _Abandon()
        self._stopping = True

    # -- the loop ------------------------------------------------------------------------

    def run(self, session: Session) -> None:
        self.session = session
        while not self._stopping:
            entry, wait = self.pending.pop_settled(self.debounce)
            if entry is None:
                time.sleep(wait)
                continue
            try:
                self._handle(*entry)
            except _Abandon:
                break
        if self.pending:
            self.session.summary.skipped[UNSETTLED] = len(self.pending)

    def _handle(self, path: str, kind: str) -> None:
        if kind == VOLUME:
            self._new_volume(path)
        elif self.cfg.walk.exclude and self.cfg.walk.exclude.matches(path):
            self.session.summary.skip("excluded by pattern")
        else:
            self._changed(path, kind)

    def _changed(self, path: str, kind: str) -> None:
        try:
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                if not self.cfg.walk.follow_symlinks:
                    self.session.summary.skip("symbolic link (use --follow-symlinks)")
                    return
                st = os.stat(path)
        except FileNotFoundError:
            return  # gone before it settled (a temporary file, a deleted folder): nothing to scan
        except OSError as exc:
            self._emit_error(ErrorRecord(path, None, f"cannot read: {exc.strerror or exc}"))
            return
        if stat.S_ISDIR(st.st_mode):
            if kind == FOLDER:
                self._new_folder(path)
            return
        for event in self.walker.walk([path]):
            self._take(event)

    def _new_folder(self, path: str) -> None:
        """A folder created or moved in: queue what is inside. On Linux watchdog reports
        the files too; elsewhere a moved-in folder arrives as one event."""
        for event in self.walker.walk([path]):
            if isinstance(event, ErrorRecord):
                self._emit_error(event)
            else:
                self.pending.touch(event.path, FILE)

    def _take(self, event) -> None:
        if isinstance(event, FileRef):
            self._scan(event)
        elif isinstance(event, Skipped):
            self.session.summary.skip(event.reason)
        else:
            self._emit_error(event)

    def _scan(self, ref: FileRef) -> None:
        if self.seen.unchanged(ref):
            return
        self._busy = True
        try:
            records = self.scanner.scan_file(ref)
        except _Abandon:
            records = [ErrorRecord(ref.path, None, "not scanned: pdscan watch was stopped")]
        except Exception as exc:  # one bad file never stops the watch
            records = [ErrorRecord(ref.path, None, f"internal error: {type(exc).__name__}")]
        finally:
            self._busy = False
        if all(isinstance(r, ErrorRecord) for r in records) and not os.path.lexists(ref.path):
            return  # deleted while it was being read
        self.seen.remember(ref)
        for record in records:
            self.session.emit(record)

    def _emit_error(self, error: ErrorRecord) -> None:
        if os.path.lexists(error.path):  # a vanished path is not an error
            self.session.emit(error)

    # -- new volumes -----------------------------------------------------------------------

    def _new_volume(self, path: str) -> None:
        if not os.path.isdir(path):
            return  # unplugged again before it settled
        if os.path.basename(path) == getpass.getuser():
            self._add_user_mount_root(path)
            return
        self._busy = True
        try:
            check_volume(self.session, self.cfg, named_volume(path))
        except _Abandon:
            self._emit_error(ErrorRecord(path, None, "volume not checked: pdscan watch was stopped"))
            raise
        except (PdscanError, OSError) as exc:
            self._emit_error(ErrorRecord(path, None, f"cannot check volume: {exc}"))
        finally:
            self._busy = False

    def _add_user_mount_root(self, path: str) -> None:
        """udisks mounts at /media/USER/LABEL and creates /media/USER on first use."""
        self.mount_roots.append(path)
        self._schedule(_NewVolumes(self.pending, path), path, recursive=False)
        for name in sorted(os.listdir(path)):
            if os.path.isdir(os.path.join(path, name)):
                self.pending.touch(os.path.join(path, name), VOLUME)


def watch(cfg, sinks, paths, mount_roots=None, debounce: float = 2.0) -> Summary:
    """Run until SIGINT or SIGTERM; the sinks get every record as it is made, and the
    summary last."""
    watcher = Watcher(cfg, paths, mount_roots, debounce)
    # Handlers first: a stop signal that comes right after the ready line is still clean.
    handlers = {sig: signal.signal(sig, watcher.request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        watcher.start()
        session = Session(sinks)
        try:
            watcher.run(session)
        finally:
            watcher.stop_observer()
            summary = session.close()
    finally:
        for sig, previous in handlers.items():
            signal.signal(sig, previous)
    return summary

"""Running without anyone watching: one scan at a time, low priority, a log file.

A scheduled scan must not pile up behind a slow one, must not slow the
person using the machine, and must leave a trace somewhere other than a
terminal no one reads. The log holds paths and counts only, never content.
"""
from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import platform
import sys
from pathlib import Path

from .errors import PdscanError
from .privacy import data_dir
from .safefile import open_private, open_private_text, private_dir

LOGGER = "pdscan"
LOG_BYTES = 1024 * 1024
LOG_BACKUPS = 5

IOPRIO_WHO_PROCESS = 1
IOPRIO_CLASS_IDLE = 3
IOPRIO_CLASS_SHIFT = 13
# ioprio_set has no libc wrapper; its number depends on the architecture.
SYS_IOPRIO_SET = {"x86_64": 251, "amd64": 251, "aarch64": 30, "arm64": 30, "i386": 289, "i686": 289}
BELOW_NORMAL_PRIORITY_CLASS = 0x4000


def default_lock_path() -> Path:
    return data_dir() / "scan.lock"


def default_log_path() -> Path:
    return private_dir(data_dir() / "logs") / "pdscan.log"


def _try_lock(fd: int) -> bool:
    if os.name == "nt":
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        pid = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:  # Windows: the holder's locked byte cannot be read
        pid = ""
    return pid if pid.isdigit() else "unknown"


@contextlib.contextmanager
def run_lock(path=None):
    """Hold an exclusive lock on `path` for the block, or refuse at once if another process holds it.

    flock/msvcrt locks go with the process: a scan killed by shutdown leaves no stale lock."""
    path = Path(path) if path else default_lock_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = open_private(path, "r+")  # beside a --db in a shared folder: never through a planted link
    try:
        if not _try_lock(fd):
            raise PdscanError(f"another pdscan scan is running (lock {path} held by pid {_holder(fd)}); "
                              "not starting a second one")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        yield path
    finally:
        os.close(fd)  # releases the lock


def lower_priority() -> None:
    """Lowest CPU priority, and the idle I/O class where the OS has one; best effort.

    Worker processes started afterwards inherit both."""
    if os.name == "nt":
        try:
            import ctypes
            kernel32 = ctypes.windll.kernel32
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), BELOW_NORMAL_PRIORITY_CLASS)
        except (AttributeError, OSError):
            pass
        return
    try:
        os.nice(19)
    except (AttributeError, OSError):
        pass
    number = SYS_IOPRIO_SET.get(platform.machine().lower())
    if sys.platform.startswith("linux") and number is not None:
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall(number, IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT)
        except (AttributeError, OSError):
            pass


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Log files name the files that hold personal data: owner-only, rotated ones included."""

    def _open(self):
        return open_private_text(self.baseFilename, "a")


@contextlib.contextmanager
def setup_log(path=None):
    """Send the "pdscan" logger to a rotating file for the block; the logger is yielded."""
    path = Path(path) if path else default_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = _PrivateRotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS,
                                              encoding="utf-8")
    except OSError as exc:
        raise PdscanError(f"cannot open log file {path}: {exc.strerror or exc}") from exc
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s pid %(process)d: %(message)s"))
    logger = logging.getLogger(LOGGER)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # to the file only, never to a terminal
    try:
        yield logger
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
        handler.close()

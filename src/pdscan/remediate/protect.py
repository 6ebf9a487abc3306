"""Protect a file in place (encrypt it for IT's key) and restore it (unprotect).

protect_file(PATH) does, in this order:

 1. lstat PATH; refuse a symbolic link, folder, device, pipe or socket, and a file with
    more than one hard link (replacing one name would leave the plain text readable
    through the others, and overwriting it would destroy their content).
 2. Open PATH read-write without following links, check it is the inode just checked,
    refuse it if it already starts with the PDSCAN-PROTECTED magic. Write access is
    needed to overwrite the plain text later, so a read-only file is refused now.
 3. Create NAME.pdscan-tmp-<random> in the same folder, mode 0600 (same folder means same
    filesystem, so step 8 is a rename); refuse if the folder does not allow it.
 4. Stream the header and the encrypted chunks into the temp file; fsync it.
 5. Refuse if PATH changed while it was read (size, mtime, ctime, bytes read).
 6. Verify the temp file: drop its pages from the cache where the OS allows, re-read it,
    compare the header, and decrypt every chunk with the data key still in memory,
    checking every tag, index, the final-chunk flag and the total size (plain text
    discarded). What this cannot check is that the RSA-wrapped key opens with the
    private key, which IT alone holds.
 7. Give the temp file the original's permission bits (and owner, where allowed).
 8. os.replace(temp, PATH), then fsync the folder. If the rename fails (another
    filesystem, Windows with the file open, sticky folder), refuse: nothing was changed.
 9. Overwrite the old inode's bytes through the descriptor opened in step 2 (random data,
    fsync, truncate), then close it; it has no name any more and is freed on close.

Crash analysis (the name PATH always holds either the plain text or the complete,
verified encrypted file, never neither):
 - before 8: PATH is the untouched original; at worst a NAME.pdscan-tmp-* file of
   cipher text is left beside it (harmless; remove_stale_temps clears it on the next run).
 - 8 itself: a rename is atomic; after recovery PATH is one file or the other.
 - during 9: PATH is already the encrypted file; the unnamed old inode is reclaimed at
   recovery with its plain text not (fully) overwritten in the freed blocks.
Overwriting before the rename (the usual shred order) would leave a window where PATH
holds overwritten garbage and the only copy is under the temp name; holding the old
inode open across the rename avoids that. A write by another program between step 5
and step 8 is lost; step 5 makes that window small.

unprotect_file(FILE) decrypts to a temp file beside the target, verifies every chunk
before writing it and the final flag and total size before the replace, restores the
original permission bits (0o777 only: the header is written by anyone with the public
key, so never set-uid/set-gid) and mtime, gives it to the owner of FILE, then
os.replace()s it over FILE (or onto --output, which must not exist). A damaged file or
a wrong key leaves FILE untouched.
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
import time

from ..errors import ItemError
from .folder import names
from .overwrite import Refused, fsync_dir, overwrite_and_unlink, overwrite_fd
from .protected import (
    CHUNK_SIZE,
    DamagedFile,
    is_protected,
    new_header,
    read_body,
    read_header,
    unwrap_key,
    write_body,
)

TEMP_MARK = ".pdscan-tmp-"
TEMP_TAIL = "[a-z0-9_]{8}"  # what tempfile.mkstemp puts after the prefix


def protect_file(path, public_key, chunk_size: int = CHUNK_SIZE) -> None:
    """Replace `path` by its encryption for `public_key`.

    Raises Refused if the file was left untouched, ItemError if it was protected but
    the old plain text could not be overwritten."""
    path = os.path.abspath(os.fspath(path))
    before = _candidate(path)
    fd = _open_original(path, before)
    try:
        tmp = _encrypt_beside(path, fd, before, public_key, chunk_size)
        _switch(tmp, path, before)
        try:
            overwrite_fd(fd)
        except OSError as exc:
            raise ItemError(f"protected, but overwriting the old plain text failed: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def _candidate(path) -> os.stat_result:
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise Refused(exc.strerror or str(exc)) from None
    if stat.S_ISLNK(info.st_mode):
        raise Refused("is a symbolic link: name the file it points to (replacing the link would leave that file as it is)")
    if stat.S_ISDIR(info.st_mode):
        raise Refused("is a folder: name the files to protect")
    if not stat.S_ISREG(info.st_mode):
        raise Refused("is not a regular file (device, pipe or socket)")
    if info.st_nlink > 1:
        raise Refused(f"has {info.st_nlink} hard links: replacing this name would leave the plain text readable "
                      "through the other links, and overwriting it would destroy their content; "
                      "remove the other links first")
    return info


def _open_original(path, before) -> int:
    if _already_protected(path):
        raise Refused("is already protected")
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise Refused(f"cannot open it for writing, needed to overwrite the plain text: {exc.strerror or exc}") from None
    now = os.fstat(fd)
    if (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
        os.close(fd)
        raise Refused("was replaced while being checked")
    return fd


def _already_protected(path) -> bool:
    try:
        return is_protected(path)
    except OSError:
        return False  # unreadable: the read-write open below says why


def _encrypt_beside(path, fd, before, public_key, chunk_size) -> str:
    """Write, fsync and verify the encrypted copy in a temp file beside `path`; return its name."""
    tmp_fd, tmp = _make_temp(path)
    try:
        with open(tmp_fd, "w+b") as out:
            header, data_key = new_header(public_key, before.st_size, before.st_mode, before.st_mtime_ns, chunk_size)
            out.write(header.pack())
            os.lseek(fd, 0, os.SEEK_SET)
            with open(fd, "rb", closefd=False) as src:
                done = write_body(src, out, header, data_key)
            out.flush()
            os.fsync(out.fileno())
            _check_unchanged(fd, before, done)
            _verify(out, header, data_key)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise Refused(f"could not write the encrypted copy ({exc.strerror or exc}); left unchanged") from None
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp


def _make_temp(path):
    folder, name = os.path.split(path)
    try:
        return tempfile.mkstemp(prefix=name + TEMP_MARK, dir=folder)  # O_EXCL, mode 0600
    except OSError as exc:
        raise Refused(f"cannot create a temporary file in {folder} (needed to replace the file atomically): "
                      f"{exc.strerror or exc}") from None


def _check_unchanged(fd, before, done: int) -> None:
    now = os.fstat(fd)
    same = (now.st_size, now.st_mtime_ns, now.st_ctime_ns) == (before.st_size, before.st_mtime_ns, before.st_ctime_ns)
    if not same or done != before.st_size:
        raise Refused("changed while it was being encrypted; try again when it is not in use")


def _verify(out, header, data_key) -> None:
    out.seek(0)
    if hasattr(os, "posix_fadvise"):
        # Read back what reached the disk, not the copy still in the page cache.
        os.posix_fadvise(out.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    try:
        if read_header(out) != header or read_body(out, None, header, data_key) != header.size:
            raise DamagedFile("the header or size read back differs from what was written")
    except DamagedFile as exc:
        raise Refused(f"the encrypted copy failed verification ({exc}); left unchanged") from None


def _switch(tmp, path, before) -> None:
    """Atomically put the encrypted temp file in place of `path`."""
    try:
        os.chmod(tmp, stat.S_IMODE(before.st_mode) & 0o777)
        _copy_owner(tmp, before)
        os.replace(tmp, path)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise Refused(f"cannot replace it atomically ({exc.strerror or exc}); left unchanged") from None
    fsync_dir(os.path.dirname(path))


def _copy_owner(tmp, before) -> None:
    """Give `tmp` (a path or a descriptor) the owner of `before` (only root can give a file away)."""
    if not hasattr(os, "chown"):
        return
    try:
        os.chown(tmp, before.st_uid, before.st_gid)
    except PermissionError:
        pass  # not root: the file belongs to whoever ran pdscan, who could read the plain text anyway


def unprotect_file(path, private_key, output=None) -> str:
    """Restore the plain text of protected `path` (in place, or into new file `output`); returns the target.

    The header comes from whoever holds IT's public key, so it is not trusted for privilege:
    only the permission bits 0o777 are restored (never set-uid, set-gid or sticky), and the
    restored file belongs to the owner of the protected file, not to whoever runs unprotect."""
    path = os.path.abspath(os.fspath(path))
    target = os.path.abspath(os.fspath(output)) if output else path
    with open(_open_protected(path, output, target), "rb") as src:
        owner = os.fstat(src.fileno())
        header = read_header(src)
        data_key = unwrap_key(header, private_key)
        tmp = _decrypt_beside(target, src, header, data_key, owner)
    try:
        if output and os.path.lexists(target):
            raise Refused(f"{output} appeared meanwhile; will not overwrite it")
        os.replace(tmp, target)
    except BaseException:
        _discard_plain(tmp)
        raise
    fsync_dir(os.path.dirname(target))
    return target


def _open_protected(path, output, target) -> int:
    # In place, the name itself is replaced: it must not be a link (to a file elsewhere).
    flags = os.O_RDONLY | (0 if output else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not output and os.path.islink(path):
            raise Refused("is a symbolic link: name the file it points to, or use --output") from None
        raise Refused(exc.strerror or str(exc)) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Refused("is not a regular file")
    if output and os.path.lexists(target):
        os.close(fd)
        raise Refused(f"{output} exists; will not overwrite it")
    return fd


def _decrypt_beside(target, src, header, data_key, owner) -> str:
    tmp_fd, tmp = _make_temp(target)
    try:
        with open(tmp_fd, "wb") as out:
            read_body(src, out, header, data_key)  # a bad chunk raises before its bytes are written
            out.flush()
            os.fsync(out.fileno())
            _copy_owner(out.fileno(), owner)  # the protected file's owner, not whoever runs unprotect
            os.fchmod(out.fileno(), header.mode & 0o777)
        os.utime(tmp, ns=(time.time_ns(), header.mtime_ns))
    except BaseException:
        _discard_plain(tmp)
        raise
    return tmp


def remove_stale_temps(path) -> list:
    """Overwrite and remove what a killed protect/unprotect of `path` left beside it; returns the names.

    Only names of pdscan's exact pattern for this file (NAME.pdscan-tmp-XXXXXXXX) that are
    regular files with one link, owned by the user running pdscan: a killed unprotect leaves
    (part of) the plain text there, and nothing else is touched."""
    folder, name = os.path.split(os.path.abspath(os.fspath(path)))
    pattern = re.compile(re.escape(name + TEMP_MARK) + TEMP_TAIL)
    try:
        dir_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return []  # the protect/unprotect itself says why the folder cannot be used
    try:
        removed = [entry for entry in os.listdir(dir_fd) if pattern.fullmatch(entry) and _remove_own(entry, dir_fd)]
        if removed:
            os.fsync(dir_fd)
        return removed
    finally:
        os.close(dir_fd)


def _remove_own(entry: str, dir_fd: int) -> bool:
    flags = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(entry, os.O_RDONLY | flags, dir_fd=dir_fd)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or st.st_uid != os.geteuid():
            return False
        os.fchmod(fd, 0o600)  # it may carry the restored file's read-only mode
        writable = os.open(entry, os.O_WRONLY | flags, dir_fd=dir_fd)
        try:
            if not names(entry, dir_fd, st) or not names(entry, dir_fd, os.fstat(writable)):
                return False
            overwrite_fd(writable)
            os.unlink(entry, dir_fd=dir_fd)
        finally:
            os.close(writable)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _discard_plain(tmp) -> None:
    """Remove a temp file holding (part of) the plain text, overwriting it first where possible."""
    try:
        os.chmod(tmp, 0o600)  # it may already carry a read-only original mode
        overwrite_and_unlink(tmp)
    except (OSError, ItemError):
        _unlink_quietly(tmp)


def _unlink_quietly(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass

"""Protect a file in place (encrypt it for IT's key) and restore it (unprotect).

protect_file(PATH) does, in this order, every step relative to PATH's folder opened
once by descriptor without following links (folder.open_folder; a path through a
symbolic link is refused), because the user who owns that folder can swap any name in
it at any moment:

 1. lstat PATH; refuse a symbolic link, folder, device, pipe or socket, and a file with
    more than one hard link (replacing one name would leave the plain text readable
    through the others, and overwriting it would destroy their content).
 2. Open PATH read-write without following links, check it is the inode just checked,
    refuse it if it already starts with the PDSCAN-PROTECTED magic. Write access is
    needed to overwrite the plain text later, so a read-only file is refused now.
 3. Create NAME.pdscan-tmp-<random> in the same folder, O_EXCL|O_NOFOLLOW, mode 0600, and
    hold it open (same folder means same filesystem, so step 8 is a rename); refuse if the
    folder does not allow it. From here on the temp file is reached only by its descriptor;
    its name is only renamed or unlinked, and only while it names the inode held open.
 4. Stream the header and the encrypted chunks into the temp file; fsync it.
 5. Refuse if PATH changed while it was read (size, mtime, ctime, bytes read).
 6. Verify the temp file: drop its pages from the cache where the OS allows, re-read it,
    compare the header, and decrypt every chunk with the data key still in memory,
    checking every tag, index, the final-chunk flag and the total size (plain text
    discarded). What this cannot check is that the RSA-wrapped key opens with the
    private key, which IT alone holds.
 7. Give the temp file the original's permission bits (and owner, where allowed) with
    fchmod/fchown.
 8. Rename temp to PATH within the folder descriptor, fsync the folder, and check PATH is
    now the inode written. If the rename fails (another filesystem, Windows with the file
    open, sticky folder), refuse: nothing was changed. If the check fails (the temp name
    was swapped in the instant before the rename), report it and keep the old inode's
    bytes (step 9 is skipped).
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
key, so never set-uid/set-gid) and mtime, gives it to the owner of FILE (all through the
temp file's descriptor), then renames it over FILE within the folder descriptor (or onto --output, which must not exist). A damaged file or
a wrong key leaves FILE untouched.
"""
from __future__ import annotations

import os
import re
import secrets
import stat
import string
import time

from ..errors import ItemError
from .folder import ThroughLink, names, open_folder
from .overwrite import Refused, overwrite_fd
from .protected_format import (
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
TEMP_TAIL = "[a-z0-9_]{8}"  # the random part of a temp name (the same as tempfile.mkstemp's)
TEMP_ALPHABET = string.ascii_lowercase + string.digits + "_"
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def protect_file(path, public_key, chunk_size: int = CHUNK_SIZE) -> None:
    """Replace `path` by its encryption for `public_key`.

    Raises Refused if the file was left untouched, ItemError if it was protected but
    the old plain text could not be overwritten."""
    folder, name = os.path.split(os.path.abspath(os.fspath(path)))
    dir_fd = _open_folder(folder)
    try:
        before = _candidate(name, dir_fd)
        fd = _open_original(name, dir_fd, before)
        try:
            temp = _encrypt_beside(name, dir_fd, fd, before, public_key, chunk_size)
            _switch(temp, name, before)
            try:
                overwrite_fd(fd)
            except OSError as exc:
                raise ItemError(f"protected, but overwriting the old plain text failed: {exc.strerror or exc}") from exc
        finally:
            os.close(fd)
    finally:
        os.close(dir_fd)


def _open_folder(folder) -> int:
    """The folder by descriptor, reached without links: every later step acts relative to it."""
    try:
        return open_folder(folder)
    except ThroughLink:
        raise Refused(f"its folder path passes through a symbolic link: name the real path "
                      f"({os.path.realpath(folder)})") from None
    except OSError as exc:
        raise Refused(exc.strerror or str(exc)) from None


def _candidate(name, dir_fd) -> os.stat_result:
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
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


def _open_original(name, dir_fd, before) -> int:
    if _already_protected(name, dir_fd):
        raise Refused("is already protected")
    try:
        fd = _open_same(name, dir_fd, os.O_RDWR, before)
    except OSError as exc:
        raise Refused(f"cannot open it for writing, needed to overwrite the plain text: {exc.strerror or exc}") from None
    if fd is None:
        raise Refused("was replaced while being checked")
    return fd


def _open_same(name, dir_fd, flags, before):
    """`name` opened without following a link and without blocking on a FIFO swapped in;
    None if it is no longer the inode `before` describes."""
    fd = os.open(name, flags | NOFOLLOW | NONBLOCK | CLOEXEC | getattr(os, "O_BINARY", 0), dir_fd=dir_fd)
    now = os.fstat(fd)
    if (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
        os.close(fd)
        return None
    os.set_blocking(fd, True)
    return fd


def _already_protected(name, dir_fd) -> bool:
    try:
        fd = os.open(name, os.O_RDONLY | NOFOLLOW | NONBLOCK | CLOEXEC, dir_fd=dir_fd)
    except OSError:
        return False  # unreadable: the read-write open says why
    try:
        return is_protected(fd)
    except OSError:
        return False
    finally:
        os.close(fd)


class Temp:
    """NAME.pdscan-tmp- plus 8 random characters, created exclusively in the folder `dir_fd` and held open.

    Whoever can write the folder can swap the name for a symlink at any moment, so after
    creation the name is only renamed or unlinked (both act on the link itself, never its
    target), and only while it still names the inode held open; the rest goes through `fd`."""

    def __init__(self, name: str, fd: int, dir_fd: int, plain: bool):
        self.name, self.fd, self.dir_fd, self.plain = name, fd, dir_fd, plain

    def is_named(self, name=None) -> bool:
        return names(name or self.name, self.dir_fd, os.fstat(self.fd))

    def rename_to(self, name: str) -> None:
        if not self.is_named():
            raise Refused("its temporary file was replaced by someone else meanwhile; left unchanged")
        os.replace(self.name, name, src_dir_fd=self.dir_fd, dst_dir_fd=self.dir_fd)
        os.fsync(self.dir_fd)
        if not self.is_named(name):
            # The temp name was swapped between the check and the rename: what now holds the
            # name is not ours. Nothing followed it; say so rather than claim success.
            raise ItemError("someone replaced its temporary file during the final rename: the name now "
                            "holds their file, not the one pdscan wrote; check the folder")

    def discard(self) -> None:
        """Remove the temp file; plain text is overwritten first, through the descriptor."""
        try:
            if self.plain:
                overwrite_fd(self.fd)
        except OSError:
            pass
        finally:
            try:
                if self.is_named():
                    os.unlink(self.name, dir_fd=self.dir_fd)
            except OSError:
                pass
            self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _make_temp(name, dir_fd, plain: bool) -> Temp:
    """Same folder means same filesystem, so the final step is a rename."""
    while True:
        candidate = name + TEMP_MARK + "".join(secrets.choice(TEMP_ALPHABET) for _ in range(8))
        try:
            return Temp(candidate, _create_exclusive(candidate, dir_fd), dir_fd, plain)
        except FileExistsError:
            continue
        except OSError as exc:
            raise Refused(f"cannot create a temporary file in its folder (needed to replace the file "
                          f"atomically): {exc.strerror or exc}") from None


def _create_exclusive(name, dir_fd) -> int:
    return os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL | NOFOLLOW | CLOEXEC | getattr(os, "O_BINARY", 0),
                   0o600, dir_fd=dir_fd)


def _encrypt_beside(name, dir_fd, fd, before, public_key, chunk_size) -> Temp:
    """Write, fsync and verify the encrypted copy in a temp file beside the original."""
    temp = _make_temp(name, dir_fd, plain=False)
    try:
        with open(temp.fd, "w+b", closefd=False) as out:
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
        temp.discard()
        raise Refused(f"could not write the encrypted copy ({exc.strerror or exc}); left unchanged") from None
    except BaseException:
        temp.discard()
        raise
    return temp


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


def _switch(temp: Temp, name, before) -> None:
    """Atomically put the encrypted temp file in place of `name`."""
    try:
        os.fchmod(temp.fd, stat.S_IMODE(before.st_mode) & 0o777)
        _copy_owner(temp.fd, before)
        temp.rename_to(name)
    except OSError as exc:
        temp.discard()
        raise Refused(f"cannot replace it atomically ({exc.strerror or exc}); left unchanged") from None
    except Refused:
        temp.discard()
        raise
    finally:
        temp.close()


def _copy_owner(fd: int, before) -> None:
    """Give the open file `fd` the owner of `before` (only root can give a file away)."""
    if not hasattr(os, "fchown"):
        return
    try:
        os.fchown(fd, before.st_uid, before.st_gid)
    except PermissionError:
        pass  # not root: the file belongs to whoever ran pdscan, who could read the plain text anyway


def unprotect_file(path, private_key, output=None) -> str:
    """Restore the plain text of protected `path` (in place, or into new file `output`); returns the target.

    The header comes from whoever holds IT's public key, so it is not trusted for privilege:
    only the permission bits 0o777 are restored (never set-uid, set-gid or sticky), and the
    restored file belongs to the owner of the protected file, not to whoever runs unprotect."""
    path = os.path.abspath(os.fspath(path))
    target = os.path.abspath(os.fspath(output)) if output else path
    folder, name = os.path.split(target)
    dir_fd = _open_folder(folder)
    try:
        with open(_open_protected(path, output, name, dir_fd), "rb") as src:
            owner = os.fstat(src.fileno())
            header = read_header(src)
            data_key = unwrap_key(header, private_key)
            temp = _decrypt_beside(name, dir_fd, src, header, data_key, owner)
        try:
            if output and _exists(name, dir_fd):
                raise Refused(f"{output} appeared meanwhile; will not overwrite it")
            temp.rename_to(name)
        except BaseException:
            temp.discard()
            raise
        temp.close()
    finally:
        os.close(dir_fd)
    return target


def _exists(name, dir_fd) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _open_protected(path, output, name, dir_fd) -> int:
    """The protected file, read-only. In place, the name itself is replaced: it must not be a
    link (to a file elsewhere), and is opened in the folder held open."""
    try:
        if output:
            fd = os.open(path, os.O_RDONLY | NONBLOCK | CLOEXEC)
        else:
            fd = os.open(name, os.O_RDONLY | NOFOLLOW | NONBLOCK | CLOEXEC, dir_fd=dir_fd)
    except OSError as exc:
        if not output and os.path.islink(path):
            raise Refused("is a symbolic link: name the file it points to, or use --output") from None
        raise Refused(exc.strerror or str(exc)) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Refused("is not a regular file")
    os.set_blocking(fd, True)
    if output and _exists(name, dir_fd):
        os.close(fd)
        raise Refused(f"{output} exists; will not overwrite it")
    return fd


def _decrypt_beside(name, dir_fd, src, header, data_key, owner) -> Temp:
    temp = _make_temp(name, dir_fd, plain=True)
    try:
        with open(temp.fd, "wb", closefd=False) as out:
            read_body(src, out, header, data_key)  # a bad chunk raises before its bytes are written
            out.flush()
        _copy_owner(temp.fd, owner)  # the protected file's owner, not whoever runs unprotect
        os.fchmod(temp.fd, header.mode & 0o777)
        os.utime(temp.fd, ns=(time.time_ns(), header.mtime_ns))
        os.fsync(temp.fd)
    except BaseException:
        temp.discard()
        raise
    return temp


def remove_stale_temps(path) -> list:
    """Overwrite and remove what a killed protect/unprotect of `path` left beside it; returns the names.

    Only names of pdscan's exact pattern for this file (NAME.pdscan-tmp- plus 8 random characters) that are
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

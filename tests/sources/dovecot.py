"""A private Dovecot IMAP server on loopback, for the IMAP source tests.

Config, sockets, state, log and index files live in one temporary folder;
the server listens on 127.0.0.1 on free ports and `stop()` ends it and
removes the folder. Each user has a Maildir++ at `users/<user>/Maildir`;
Dovecot keeps its index and uidlist files apart in `users/<user>/index`,
so the Maildir holds mail only and a test can compare it file by file.

Run as root (as on the developers' machines and in CI), Dovecot refuses
mail access as uid 0, so the mail belongs to `nobody`. That is why the
folder is made under /tmp with mkdtemp and opened up to 0755: pytest's
tmp_path sits under a 0700 folder nobody cannot enter (and its long paths
would strain the unix socket names under base_dir).
"""
from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable, Optional

DOVECOT = "/usr/sbin/dovecot"
IMAP = "/usr/lib/dovecot/imap"  # from dovecot-imapd; dovecot-core alone has no IMAP server
MISSING = "dovecot-imapd not installed (apt-get install dovecot-imapd)"
PASSWORD = "Corr3ct-horse-battery"
START_TIMEOUT = 10.0


def installed() -> bool:
    return os.access(DOVECOT, os.X_OK) and os.access(IMAP, os.X_OK)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mail_owner() -> tuple:
    """(uid, gid) of the mail and Dovecot's (login user, internal user, internal group).

    As root: nobody's mail, Debian's dovenull/dovecot for Dovecot's own
    processes. Otherwise everything runs as the caller, who cannot switch."""
    if os.getuid() != 0:
        me = pwd.getpwuid(os.getuid())
        group = grp.getgrgid(me.pw_gid).gr_name
        return me.pw_uid, me.pw_gid, me.pw_name, me.pw_name, group
    nobody = pwd.getpwnam("nobody")
    login = "dovenull" if _user_exists("dovenull") else "nobody"
    internal = "dovecot" if _user_exists("dovecot") else "nobody"
    return nobody.pw_uid, nobody.pw_gid, login, internal, grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


class Dovecot:
    """`Dovecot(users).start()`; mail for a user with `add_maildir(user, build)`, then `url(user)`."""

    def __init__(self, users, tls: Optional[tuple] = None):
        self.users = tuple(users)
        self.tls = tls  # (certificate file, key file): also STARTTLS on the imap port, and an imaps port
        self.root = Path(tempfile.mkdtemp(prefix="pdscan-dovecot-"))
        self.root.chmod(0o755)
        self.uid, self.gid, self.login_user, self.internal_user, self.internal_group = _mail_owner()
        self.port = free_port()
        self.imaps_port = free_port() if tls else 0  # 0: no imaps listener (not Dovecot's default 993)
        self.process: Optional[subprocess.Popen] = None

    @property
    def log(self) -> Path:
        return self.root / "dovecot.log"

    def url(self, user: str, scheme: str = "imap", path: str = "") -> str:
        port = self.imaps_port if scheme == "imaps" else self.port
        return f"{scheme}://{user}@127.0.0.1:{port}{path}"

    def maildir(self, user: str) -> Path:
        return self.root / "users" / user / "Maildir"

    def add_maildir(self, user: str, build: Callable[[Path], object]) -> Path:
        """Build a user's Maildir with `build(path)` and hand it to the mail uid."""
        path = self.maildir(user)
        build(path)
        for where, dirs, files in os.walk(self.root / "users" / user):
            os.chown(where, self.uid, self.gid)
            for name in files:
                os.chown(os.path.join(where, name), self.uid, self.gid)
        return path

    def _config(self) -> str:
        root = self.root
        home = f"{root}/users/%u"
        if self.tls:
            cert, key = self.tls
            ssl = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\nssl_min_protocol = TLSv1.2\n"
        else:
            ssl = "ssl = no\n"
        return f"""\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
{ssl}
# Plain-text passwords are fine here: loopback only, a throwaway user.
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {self.login_user}
default_internal_user = {self.internal_user}
default_internal_group = {self.internal_group}
first_valid_uid = 1
mail_location = maildir:{home}/Maildir:LAYOUT=maildir++:INDEX={home}/index:CONTROL={home}/index

# No chroot: only root may chroot, and a developer may run the tests as themselves.
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
    ssl = yes
  }}
}}
# No growing delays after the wrong-password test: the other tests log in right after it.
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={home}
}}
"""

    def start(self) -> "Dovecot":
        conf = self.root / "dovecot.conf"
        conf.write_text(self._config())
        (self.root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{PASSWORD}\n" for u in self.users))
        for user in self.users:
            home = self.root / "users" / user
            (home / "index").mkdir(parents=True, exist_ok=True)
            os.chown(home, self.uid, self.gid)
            os.chown(home / "index", self.uid, self.gid)
        with open(self.root / "stderr.log", "wb") as err:
            self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdin=subprocess.DEVNULL,
                                            stdout=err, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited with {self.process.returncode}:\n{self._logs()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"dovecot did not answer on port {self.port}:\n{self._logs()}")
            time.sleep(0.05)

    def _logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in (self.root / "stderr.log", self.log) if p.exists())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

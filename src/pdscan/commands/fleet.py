"""`pdscan fleet init|add-endpoint|push`: the college's central store on PostgreSQL.

`init` (the database owner) creates or upgrades the schema, the roles `pdscan_endpoint` and
`pdscan_reporting` and row-level security (sinks/central_roles.py); `add-endpoint` makes one
endpoint's login; `push` uploads the endpoint's complete local scans (sinks/push.py), as every
`scan --unattended` does at its end when the policy names a central store.
"""
from __future__ import annotations

import os
import re
import secrets
import socket

from ..config import build
from ..display import shown
from ..errors import ConfigError
from ..safefile import open_private_text
from ..sinks.central import Connection, is_url
from ..sinks.central_roles import ENDPOINT, REPORTING, scram_verifier, secure
from ..sinks.push import push_to
from ..sinks.store import CentralStore, current, default_path

URL_HELP = ("the central store, postgresql://[USER@]HOST[:PORT]/DATABASE (credentials from a libpq service file, "
            "PGPASSFILE or PG* variables; a password in the URL is refused)")


def add_parser(sub) -> None:
    p = sub.add_parser("fleet", help="the college's central store: set it up, add endpoints, push scans to it",
                       description="A central PostgreSQL store that every endpoint pushes its complete scans to. "
                                   "The server enforces who sees what: an endpoint's login inserts and reads its "
                                   "own rows only; pdscan_reporting reads everything and writes nothing.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True,
                               help="init: schema, roles, row-level security; add-endpoint: an endpoint's login; "
                                    "push: upload complete local scans")
    init = actions.add_parser("init", help="create or upgrade the central store (run by the database owner)")
    init.add_argument("--db", metavar="URL", required=True, help=URL_HELP)
    add = actions.add_parser("add-endpoint", help="create an endpoint's login in pdscan_endpoint")
    add.add_argument("name", nargs="?", help="the endpoint's login, which names it in reports (default: this "
                                             "host's name)")
    add.add_argument("--db", metavar="URL", required=True, help=URL_HELP)
    add.add_argument("--pgpass-out", metavar="FILE",
                     help="give the login a new random password and write it to FILE (a new file, readable by "
                          "you only) as a libpq password file line, to install as the endpoint's PGPASSFILE; "
                          "without it the login has no password (certificate or Kerberos logins)")
    push = actions.add_parser("push", help="upload the complete local scans the central store does not hold")
    push.add_argument("--db", metavar="URL", help=f"{URL_HELP}; default: the policy's [store] central")
    push.add_argument("--store", metavar="FILE", help="the local store (default: pdscan.db in the per-user data "
                                                      "folder)")
    push.add_argument("--policy", metavar="FILE", help="site policy file (its [store] central)")
    p.set_defaults(run=run_fleet)


def run_fleet(args) -> int:
    return {"init": _init, "add-endpoint": _add_endpoint, "push": _push}[args.action](args)


def _url(text: str) -> str:
    if not is_url(text):
        raise ConfigError(f"--db must be a postgresql:// URL for `pdscan fleet` (got {shown(text)})")
    return text


def _init(args) -> int:
    store = CentralStore(_url(args.db))  # migrated by the owner on open
    try:
        conn = store.conn
        conn.execute("BEGIN")
        secure(conn)  # again: a table a later migration added is secured too
        conn.execute("COMMIT")
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
                              " AND rowsecurity").fetchone()[0]
        migrations = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
        print(f"central store {shown(args.db)}: schema current ({migrations} migrations), roles {ENDPOINT} and "
              f"{REPORTING}, row-level security on {tables} tables")
    finally:
        store.close()
    return 0


# A login name as PostgreSQL takes one (at most 63 bytes, not reserved for the server's own roles).
_NAME = re.compile(r"(?!pg_)[^\x00-\x1f\"]{1,63}")


def _add_endpoint(args) -> int:
    name = args.name or socket.gethostname()
    if not _NAME.fullmatch(name) or len(name.encode("utf-8")) > 63 or name in (ENDPOINT, REPORTING):
        raise ConfigError(f"{shown(name)} cannot be an endpoint's login (1 to 63 bytes, no quote or control "
                          f"character, not pg_..., not {ENDPOINT} or {REPORTING})")
    if args.pgpass_out and os.path.lexists(args.pgpass_out):
        raise ConfigError(f"{shown(args.pgpass_out)} exists: --pgpass-out writes a new file")
    conn = Connection(_url(args.db))
    try:
        current(conn, may_migrate=False)
        from psycopg import sql
        role = sql.Identifier(name).as_string(conn.raw)
        found = conn.execute("SELECT rolsuper OR rolbypassrls, pg_has_role(oid, ?, 'MEMBER') FROM pg_roles"
                             " WHERE rolname = ?", (REPORTING, name)).fetchall()
        if found and any(found[0]):
            raise ConfigError(f"{shown(name)} is a superuser, bypasses row-level security or reports: it cannot "
                              "be an endpoint")
        conn.execute(f"{'ALTER' if found else 'CREATE'} ROLE {role} LOGIN")
        conn.execute(f"GRANT {ENDPOINT} TO {role}")
        if args.pgpass_out:
            password = secrets.token_urlsafe(24)
            conn.execute(f"ALTER ROLE {role} PASSWORD '{scram_verifier(password)}'")
            info = conn.raw.info
            fields = [info.host, str(info.port), info.dbname, name, password]
            with open_private_text(args.pgpass_out) as out:
                out.write(":".join(f.replace("\\", "\\\\").replace(":", "\\:") for f in fields) + "\n")
    finally:
        conn.close()
    said = f"; its password is in {shown(args.pgpass_out)} (the endpoint's PGPASSFILE)" if args.pgpass_out else \
        "; it has no password (give it a certificate or Kerberos login in pg_hba.conf)"
    print(f"endpoint login {shown(name)} {'updated' if found else 'created'} in {ENDPOINT}{said}")
    return 0


def central_of(args) -> str:
    url = args.db or build(args.policy).policy.central_store
    if not url:
        raise ConfigError("no central store: give --db URL, or set [store] central in the policy")
    return _url(url)


def _push(args) -> int:
    url = central_of(args)
    done = push_to(url, args.store or default_path())
    print(f"pushed {done.sent} scan(s) to {shown(url)}"
          + (f" ({done.present} it already held)" if done.present else ""))
    return 0

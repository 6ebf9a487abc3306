"""Least privilege on the central store, enforced by the server: two group roles and row-level security.

`pdscan_endpoint`: each member is one endpoint, known by its login. Every row carries the login that
wrote it (`endpoint`, set by the server); an endpoint inserts rows and reads back its own only,
attaches rows only to its own scans and items, may finish its own scans (complete, ended, counts)
and updates or deletes nothing else. `pdscan_reporting`: reads everything, writes nothing. The
database owner (who runs `pdscan fleet init`) is not subject to the policies.

`secure` is idempotent and covers every table of the schema, so a table a later migration adds is
secured by the next `fleet init`; until then no grant names it and the two roles cannot read it.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

ENDPOINT = "pdscan_endpoint"
REPORTING = "pdscan_reporting"
SCRAM_ITERATIONS = 4096
# Columns an endpoint may change, in its own scans only: what finishing a scan writes.
FINISH = ("complete", "ended", "counts")

_ROLES = f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ENDPOINT}') THEN CREATE ROLE {ENDPOINT} NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{REPORTING}') THEN CREATE ROLE {REPORTING} NOLOGIN; END IF;
END $$"""


def _tables(conn) -> dict:
    """table → its columns, for every table of the store's schema but the migrations list."""
    tables: dict = {}
    for table, column in conn.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c"
            " JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
            " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
            " AND c.table_name <> 'schema_migrations'"):
        tables.setdefault(table, set()).add(column)
    return tables


def _mine(table: str, columns: set) -> str:
    """The row is this login's, and so is the scan or item it hangs on."""
    own = "endpoint = session_user"
    for column, parent in (("scan_id", "scans"), ("item_id", "items")):
        if column in columns:
            own += (f" AND EXISTS (SELECT 1 FROM {parent} p WHERE p.id = {table}.{column}"
                    " AND p.endpoint = session_user)")
    return own


def secure(conn) -> None:
    """The roles, the `endpoint` column, the policies and the grants, on every table (see the module)."""
    conn.execute(_ROLES)
    tables = _tables(conn)
    for table, columns in sorted(tables.items()):  # first every column: the policies name the parents'
        if "endpoint" not in columns:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN endpoint TEXT NOT NULL DEFAULT session_user")
    for table, columns in sorted(tables.items()):
        conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_endpoint ON {table}(endpoint)")
        conn.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for policy in ("pdscan_endpoint_read", "pdscan_endpoint_insert", "pdscan_endpoint_finish",
                       "pdscan_reporting_read"):
            conn.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
        conn.execute(f"CREATE POLICY pdscan_endpoint_read ON {table} FOR SELECT TO {ENDPOINT}"
                     " USING (endpoint = session_user)")
        conn.execute(f"CREATE POLICY pdscan_endpoint_insert ON {table} FOR INSERT TO {ENDPOINT}"
                     f" WITH CHECK ({_mine(table, columns)})")
        conn.execute(f"CREATE POLICY pdscan_reporting_read ON {table} FOR SELECT TO {REPORTING} USING (true)")
        conn.execute(f"REVOKE ALL ON {table} FROM {ENDPOINT}, {REPORTING}")
        conn.execute(f"GRANT SELECT, INSERT ON {table} TO {ENDPOINT}")
        conn.execute(f"GRANT SELECT ON {table} TO {REPORTING}")
        if "id" in columns:
            conn.execute(f"GRANT USAGE ON SEQUENCE {_sequence(conn, table)} TO {ENDPOINT}")
    if "scans" in tables:
        conn.execute(f"CREATE POLICY pdscan_endpoint_finish ON scans FOR UPDATE TO {ENDPOINT}"
                     " USING (endpoint = session_user) WITH CHECK (endpoint = session_user)")
        conn.execute(f"GRANT UPDATE ({', '.join(FINISH)}) ON scans TO {ENDPOINT}")
        conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS scans_endpoint_uid ON scans(endpoint, uid)")
    conn.execute(f"GRANT SELECT ON schema_migrations TO {ENDPOINT}, {REPORTING}")


def _sequence(conn, table: str) -> str:
    return conn.execute("SELECT pg_get_serial_sequence(?, 'id')", (table,)).fetchone()[0]


def scram_verifier(password: str) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores (RFC 7677), made here: the server, its logs and its
    statement statistics never see the password itself."""
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, SCRAM_ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = base64.b64encode
    return (f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt).decode()}"
            f"${b64(hashlib.sha256(client_key).digest()).decode()}:{b64(server_key).decode()}")

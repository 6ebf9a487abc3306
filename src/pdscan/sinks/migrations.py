"""The store's schema as named migrations, applied in order on open: one set for both dialects.

A migration is (name, steps): SQL statements, a function of the
connection, or {dialect: steps} where the dialects differ. Portable SQL
(CREATE TABLE with TEXT/INTEGER/REAL columns, ALTER TABLE ADD COLUMN, CREATE
INDEX) is written once, for SQLite, and `to_postgresql` turns it into the
central store's (sinks/central.py). Applied names are kept in
`schema_migrations`, and on SQLite their count in `PRAGMA user_version` so
that other tools can tell the version at a glance. Never edit a released
migration: add a new one.
"""
from __future__ import annotations

import re
import time

from ..errors import ConfigError
from .central_roles import secure

# Nothing here may hold a raw personal value: masked samples and keyed hashes only.
INITIAL = (
    """CREATE TABLE scans (
        id INTEGER PRIMARY KEY, host TEXT, user TEXT, started TEXT NOT NULL, ended TEXT,
        version TEXT NOT NULL, detector_fingerprint TEXT NOT NULL, policy_fingerprint TEXT NOT NULL,
        complete INTEGER NOT NULL DEFAULT 0, counts TEXT)""",
    """CREATE TABLE items (
        id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        path TEXT NOT NULL, member TEXT, size INTEGER, mtime TEXT, mtime_ns INTEGER, ctime_ns INTEGER,
        inode INTEGER, device INTEGER, mime TEXT, encrypted INTEGER, encryption TEXT)""",
    """CREATE TABLE findings (
        id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        detector TEXT NOT NULL, count INTEGER NOT NULL, confidence TEXT NOT NULL,
        samples TEXT NOT NULL, keys TEXT NOT NULL)""",
    """CREATE TABLE violations (
        id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        rule TEXT NOT NULL, severity TEXT NOT NULL, detail TEXT)""",
    """CREATE TABLE volumes (
        id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        device TEXT, mountpoint TEXT, fstype TEXT, removable INTEGER, encrypted INTEGER,
        encryption TEXT, verdict TEXT, violations TEXT)""",
    """CREATE TABLE errors (
        id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        path TEXT NOT NULL, member TEXT, error TEXT NOT NULL)""",
    "CREATE INDEX items_scan ON items(scan_id, path)",
    "CREATE INDEX findings_item ON findings(item_id)",
    "CREATE INDEX violations_item ON violations(item_id)",
    "CREATE INDEX errors_scan ON errors(scan_id, path)",
)

# Mail scans (interface.md "message" records): addresses may be kept, bodies never.
MESSAGES = (
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        path TEXT NOT NULL, folder TEXT, message_id TEXT, date TEXT, sender TEXT,
        classification TEXT, score REAL, findings TEXT, violations TEXT)""",
    "CREATE INDEX messages_scan ON messages(scan_id)",
)

# What `scan --incremental` needs to rebuild a record without opening the file.
INCREMENTAL = (
    "ALTER TABLE scans ADD COLUMN roots TEXT",
    "ALTER TABLE items ADD COLUMN encryption_note TEXT",
    "ALTER TABLE items ADD COLUMN personal INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE items ADD COLUMN unread TEXT",
    "ALTER TABLE items ADD COLUMN volume_encrypted INTEGER",
    "ALTER TABLE findings ADD COLUMN locations TEXT",
)

# `pdscan retention` verdicts, one row per judged item, as fields (interface.md "retention" object);
# `severity` is the retention-expired violation's when the item is past its period, else NULL.
RETENTION = (
    """CREATE TABLE retention (
        id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        category TEXT NOT NULL, evidence TEXT NOT NULL, clock TEXT NOT NULL, clock_from TEXT NOT NULL,
        age TEXT NOT NULL, age_days INTEGER NOT NULL, expires TEXT NOT NULL, expired INTEGER NOT NULL,
        action TEXT NOT NULL, rule TEXT NOT NULL, as_of TEXT NOT NULL, severity TEXT)""",
    "CREATE INDEX retention_item ON retention(item_id)",
)

# Which key and which written forms (detect/hash_forms.py) made a scan's keyed hashes: hashes
# compare only under both, so `locate` and `scan --incremental` look at both (never the key itself).
KEY_IDS = (
    "ALTER TABLE scans ADD COLUMN key_id TEXT",
    "ALTER TABLE scans ADD COLUMN hash_form INTEGER",
)

# Which check a scan row is (model.KINDS_OF_CHECK): an endpoint's state is the latest complete
# result per (host, kind, root), so a mail run never replaces a file scan. NULL: a files scan.
RUN_KIND = (
    "ALTER TABLE scans ADD COLUMN kind TEXT",
    "CREATE INDEX scans_started ON scans(started)",
)

# Triage (`pdscan accept`, policy/triage.py): each decision as made, keyed by host, path, member and
# the file's content hash, never deleted (`store prune` leaves them); its history (accepted, revoked,
# lapsed: who, when, why) in decision_events, the audit trail. An item's `accepted` object (JSON, as
# interface.md writes it) holds the violations a decision covered, which `violations` then leaves out.
# Portable SQL only: the PostgreSQL store runs these migrations too.
DECISIONS = (
    """CREATE TABLE decisions (
        id INTEGER PRIMARY KEY, host TEXT NOT NULL, path TEXT NOT NULL, member TEXT,
        content_hash TEXT NOT NULL, status TEXT NOT NULL, rule TEXT, detectors TEXT NOT NULL,
        reason TEXT NOT NULL, decided_by TEXT, decided_at TEXT NOT NULL, until TEXT,
        state TEXT NOT NULL)""",
    """CREATE TABLE decision_events (
        id INTEGER PRIMARY KEY, decision_id INTEGER NOT NULL REFERENCES decisions(id),
        event TEXT NOT NULL, event_by TEXT, event_at TEXT NOT NULL, detail TEXT)""",
    "CREATE INDEX decisions_item ON decisions(host, path)",
    "CREATE INDEX decision_events_decision ON decision_events(decision_id)",
    "ALTER TABLE items ADD COLUMN accepted TEXT",
)

# personal-data-sent-outside: where a message took others' personal data (interface.md `sent_outside`,
# JSON: destination kind, masked recipients), so reports count by destination kind. Portable SQL.
SENT_OUTSIDE = (
    "ALTER TABLE messages ADD COLUMN sent_outside TEXT",
)

# A scan's own id, kept wherever the scan goes (`fleet push` is idempotent by it), and which central
# store acknowledged it (host:port/database; NULL until pushed).
SCAN_IDS = (
    "ALTER TABLE scans ADD COLUMN uid TEXT",
    "ALTER TABLE scans ADD COLUMN pushed TEXT",
    "CREATE INDEX scans_uid ON scans(uid)",
)

# The central store only: the endpoint that wrote each row (its login), row-level security and the
# two group roles (sinks/central_roles.py). A local SQLite store has one writer and needs none of it.
FLEET = {"sqlite": (), "postgresql": secure}

# The central store's report reads each scan's items in id order: an index that serves both the scan's
# filter and that order keeps the plan right before the server has statistics (a fleet's first pushes)
# instead of a walk of every endpoint's items per scan. SQLite finds a scan's rows by items_scan as it is.
ITEMS_IN_ORDER = {"sqlite": (), "postgresql": ("CREATE INDEX items_scan_order ON items(scan_id, id)",)}

MIGRATIONS = (
    ("0001_initial", INITIAL),
    ("0002_messages", MESSAGES),
    ("0003_incremental", INCREMENTAL),
    ("0004_retention", RETENTION),
    ("0005_key_ids", KEY_IDS),
    ("0006_run_kind", RUN_KIND),
    ("0007_decisions", DECISIONS),
    ("0008_sent_outside", SENT_OUTSIDE),
    ("0009_scan_ids", SCAN_IDS),
    ("0010_fleet", FLEET),
    ("0011_items_in_order", ITEMS_IN_ORDER),
)

# Portable DDL, as the central store needs it: 64-bit integers (inode numbers, nanosecond times),
# identity keys, double precision, `user` quoted (a reserved word there), and text compared byte by
# byte as SQLite compares it (the path range scans of store.previous depend on that order).
_POSTGRESQL = (
    (re.compile(r"\bINTEGER PRIMARY KEY( AUTOINCREMENT)?", re.I), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b", re.I), "BIGINT"),
    (re.compile(r"\bREAL\b", re.I), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
    (re.compile(r"\bTEXT\b(?! COLLATE)", re.I), 'TEXT COLLATE "C"'),
    (re.compile(r'(?<!["\w])user(?!["\w])'), '"user"'),
)


def to_postgresql(sql: str) -> str:
    """A portable SQLite statement as PostgreSQL's (only the DDL needs it: queries are written for both)."""
    if not re.match(r"\s*(CREATE|ALTER)\s+TABLE", sql, re.I):
        return sql
    for pattern, replacement in _POSTGRESQL:
        sql = pattern.sub(replacement, sql)
    return sql


def dialect_of(conn) -> str:
    return getattr(conn, "dialect", "sqlite")


def _applied(conn) -> list:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)")
    order = "rowid" if dialect_of(conn) == "sqlite" else "applied, name"
    return [row[0] for row in conn.execute(f"SELECT name FROM schema_migrations ORDER BY {order}")]


def applied_names(conn) -> list:
    """The migrations a store has, read without writing (an endpoint's login may not create tables)."""
    if dialect_of(conn) == "sqlite":
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchall()
    else:
        exists = conn.execute("SELECT to_regclass('schema_migrations')").fetchone()[0]
    return [row[0] for row in conn.execute("SELECT name FROM schema_migrations")] if exists else []


def _run(conn, steps) -> None:
    dialect = dialect_of(conn)
    if isinstance(steps, dict):
        steps = steps[dialect]
    if callable(steps):
        steps(conn)
        return
    for sql in steps:
        conn.execute(to_postgresql(sql) if dialect == "postgresql" else sql)


def migrate(conn, migrations=MIGRATIONS) -> list:
    """Apply what is missing, each migration in its own transaction. Returns the names applied.

    The connection must be in autocommit mode (isolation_level=None): the
    transactions here are explicit, and IMMEDIATE (on PostgreSQL: an advisory
    lock) so two processes opening a new store at once do not both migrate it."""
    names = [name for name, _ in migrations]
    sqlite = dialect_of(conn) == "sqlite"
    done = []
    for name, steps in migrations:
        conn.execute("BEGIN IMMEDIATE" if sqlite else "BEGIN")
        try:
            if not sqlite:  # one migrator at a time; DDL is transactional there too
                conn.execute("SELECT pg_advisory_xact_lock(7265746)")
            applied = _applied(conn)
            unknown = [n for n in applied if n not in names]
            if unknown:
                raise ConfigError(f"the store was written by a newer pdscan (migration {unknown[0]!r})")
            if name not in applied:
                _run(conn, steps)
                conn.execute("INSERT INTO schema_migrations VALUES (?, ?)",
                             (name, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
                if sqlite:
                    conn.execute(f"PRAGMA user_version = {len(applied) + 1}")
                done.append(name)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return done

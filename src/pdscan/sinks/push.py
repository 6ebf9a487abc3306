"""Offline first: an endpoint's complete local scans, uploaded to the central store when it can be reached.

Each scan goes up in one transaction (a push cut half-way leaves nothing of that scan on the server)
under its own id (`scans.uid`): a scan the server already holds is not sent again, so a retried push
never duplicates one, even when the acknowledgement was lost. A scan is marked `pushed` locally
(with the central store's host:port/database) only after the server committed it.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass

from ..display import shown
from ..errors import ConfigError, PdscanError
from .central import CentralStoreError, Connection, conninfo
from .store import Store, current

# The tables a scan's rows are in, each after the one it hangs on, and the column naming the parent.
SCAN_TABLES = (("items", "scan_id"), ("volumes", "scan_id"), ("errors", "scan_id"), ("messages", "scan_id"))
ITEM_TABLES = ("findings", "violations", "retention")
NOT_SENT = {"id", "pushed", "endpoint"}  # kept here, or set by the server


@dataclass
class Pushed:
    sent: int = 0       # scans the server took in this push
    present: int = 0    # scans it already held (acknowledged again)


def _columns_sqlite(conn: sqlite3.Connection, table: str) -> list:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


class Pusher:
    def __init__(self, local: sqlite3.Connection, central: Connection):
        self.local, self.central = local, central
        self.columns: dict = {}  # table → the columns both stores have, in the local order
        for table in ("scans", *(t for t, _ in SCAN_TABLES), *ITEM_TABLES):
            there = {name for (name,) in central.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = ?", (table,))}
            self.columns[table] = [c for c in _columns_sqlite(local, table) if c in there and c not in NOT_SENT]

    def pending(self) -> list:
        """(local id, uid) of the complete scans this central store has not acknowledged, oldest first."""
        # A scan from before scan ids were kept gets one now, once.
        self.local.execute("UPDATE scans SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL")
        return self.local.execute("SELECT id, uid FROM scans WHERE complete = 1 AND pushed IS NOT ? ORDER BY id",
                                  (self.central.target,)).fetchall()

    def push(self) -> Pushed:
        """Every pending scan, one transaction each; a failure stops the push (the rest wait)."""
        result = Pushed()
        for local_id, uid in self.pending():
            if self.push_scan(local_id, uid):
                result.sent += 1
            else:
                result.present += 1
            self.local.execute("UPDATE scans SET pushed = ? WHERE id = ?", (self.central.target, local_id))
        return result

    def push_scan(self, local_id: int, uid: str) -> bool:
        """One scan, whole or not at all; False when the server already held it."""
        central = self.central
        central.execute("BEGIN")
        try:
            if central.execute("SELECT 1 FROM scans WHERE uid = ?", (uid,)).fetchone():
                central.execute("ROLLBACK")
                return False
            scan_id = self._copy_scan(local_id)
            item_ids = self._copy_items(local_id, scan_id)
            for table, _ in SCAN_TABLES[1:]:
                self.copy(table, "scan_id", {local_id: scan_id},
                          f"SELECT {self._select(table)} FROM {table} t WHERE t.scan_id = ? ORDER BY t.id", local_id)
            for table in ITEM_TABLES:
                self.copy(table, "item_id", item_ids,
                          f"SELECT {self._select(table)} FROM {table} t JOIN items i ON i.id = t.item_id"
                          " WHERE i.scan_id = ? ORDER BY t.id", local_id)
            central.execute("COMMIT")
        except BaseException:
            if not central.raw.closed:
                try:
                    central.raw.execute("ROLLBACK")
                except central.errors:
                    pass  # the connection is gone: the server rolled the scan back itself
            raise
        return True

    def _select(self, table: str) -> str:
        return ", ".join(f't."{c}"' for c in self.columns[table])  # quoted: `user` is a reserved word there

    def _insert(self, table: str, columns) -> str:
        names = ", ".join(f'"{c}"' for c in columns)
        return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"

    def _copy_scan(self, local_id: int) -> int:
        columns = self.columns["scans"]
        row = self.local.execute(f"SELECT {self._select('scans')} FROM scans t WHERE t.id = ?", (local_id,)).fetchone()
        return self.central.execute(self._insert("scans", columns), row).lastrowid

    def _copy_items(self, local_id: int, scan_id: int) -> dict:
        """The scan's items under ids the server hands out now; local item id → central item id."""
        columns = self.columns["items"]
        rows = self.local.execute(f"SELECT t.id, {self._select('items')} FROM items t WHERE t.scan_id = ?"
                                  " ORDER BY t.id", (local_id,)).fetchall()
        if not rows:
            return {}
        ids = [n for (n,) in self.central.execute(
            "SELECT nextval(pg_get_serial_sequence('items', 'id')) FROM generate_series(1, ?)", (len(rows),))]
        mapping = {row[0]: new for row, new in zip(rows, ids)}
        at = columns.index("scan_id")
        self.central.executemany(self._insert("items", ["id", *columns]),
                                 [(mapping[row[0]], *row[1:at + 1], scan_id, *row[at + 2:]) for row in rows])
        return mapping

    def copy(self, table: str, parent: str, ids: dict, select: str, local_id: int) -> None:
        """The rows `select` reads, their parent column (`scan_id`, `item_id`) mapped to the central ids."""
        columns = self.columns[table]
        at = columns.index(parent)
        rows = [(*row[:at], ids[row[at]], *row[at + 1:]) for row in self.local.execute(select, (local_id,))]
        if rows:
            self.central.executemany(self._insert(table, columns), rows)


def push_to(url: str, local_path) -> Pushed:
    """Push the local store's complete scans to the central store at `url`."""
    conninfo(url)  # a URL that is refused is refused before anything else is looked at
    if not os.path.isfile(local_path):
        raise ConfigError(f"{shown(local_path)}: no such store")
    local = Store(local_path)
    try:
        central = Connection(url)
        try:
            current(central, may_migrate=False)
            pusher = Pusher(local.conn, central)
            try:
                return pusher.push()
            except CentralStoreError as exc:
                left = len(pusher.pending())
                raise PdscanError(f"{exc}; the push stopped, {left} complete scan(s) wait for the next push") \
                    from None
        finally:
            central.close()
    finally:
        local.close()

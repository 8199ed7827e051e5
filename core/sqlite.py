"""The small SQLite stores beside the warehouse (settings, PDCA actions, users): one way to open them."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

BUSY_TIMEOUT_MS = 30_000


def connect_wal(path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """A connection in autocommit mode and WAL journal mode (several processes read and write at once),
    waiting up to busy_timeout_ms for a lock."""
    con = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None)
    try:
        con.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        _use_wal(con, busy_timeout_ms)
    except BaseException:
        con.close()
        raise
    return con


def _use_wal(con: sqlite3.Connection, busy_timeout_ms: int) -> None:
    """Switch the file to WAL (stays so). SQLite answers "locked" at once, without waiting, when a second
    writer opens a new file at the same moment (no busy handler there, to rule out a deadlock): retry, as
    long as the busy timeout."""
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            con.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)

"""Reading the tablet's SQLite files even when the disk is full.

In WAL mode the first connection after the last one closed must create the `-wal` and `-shm`
files before it can read anything; on a full disk that fails ("disk I/O error") and the tablet
could not even show its day. The database file itself is whole then (the last connection
checkpointed into it before deleting the WAL), so it is read as it is on disk, read-only.
tests/reliability/test_disk_full.py.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)


def open_for_reading(path: Path) -> sqlite3.Connection:
    """A connection to read `path`: the normal one, or on failure the file as it is on disk."""
    conn = sqlite3.connect(path, timeout=10)
    try:
        conn.execute("PRAGMA schema_version").fetchone()  # opens the WAL index
    except sqlite3.OperationalError as exc:
        with contextlib.suppress(sqlite3.Error):
            conn.close()
        if not path.exists():
            raise
        log.warning("%s: %s; reading the file as it is on disk", path.name, exc)
        return sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
    return conn

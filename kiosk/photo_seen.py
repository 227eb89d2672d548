"""Which photos the beneficiary has already looked at on this tablet, across restarts.

A photo is "Nouvelle" in the album until it has been shown full screen once. The ids are kept in
a small SQLite file next to the photo cache (a few bytes per photo; a power cut loses at most
the last mark). Blocking: call from a worker thread.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Collection, Iterator
from pathlib import Path


class SeenPhotos:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS seen (photo_id INTEGER PRIMARY KEY)")

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self._path, timeout=10)
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def ids(self) -> frozenset[int]:
        with self._lock, self._connect() as conn:
            return frozenset(row[0] for row in conn.execute("SELECT photo_id FROM seen"))

    def mark(self, photo_ids: Collection[int]) -> None:
        with self._lock, self._connect() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO seen (photo_id) VALUES (?)", [(i,) for i in photo_ids]
            )

    def retain_only(self, photo_ids: Collection[int]) -> None:
        """Forget photos that left the album (so the table does not grow for ever)."""
        keep = set(photo_ids)
        with self._lock, self._connect() as conn:
            gone = [row[0] for row in conn.execute("SELECT photo_id FROM seen")]
            conn.executemany(
                "DELETE FROM seen WHERE photo_id = ?", [(i,) for i in gone if i not in keep]
            )

    def wipe(self) -> None:
        with self._lock, self._connect() as conn:
            conn.execute("DELETE FROM seen")

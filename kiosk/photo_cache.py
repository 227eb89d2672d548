"""The tablet's photo files on disk: content-addressed, within a disk budget, never half written.

- A file is named by the SHA-256 the backend gives (`display_hash`, `thumb_hash`: the backend's
  store is content-addressed too), so the same JPEG is kept once and a file is checked against
  its own name when read. A truncated or damaged file (power cut on a card that lied about its
  flush, a bad sector) is detected, deleted and reported missing, so that it is downloaded
  again: it is never shown.
- Writes go through `common.atomic_file` (a temporary file beside the final name, fsync,
  os.replace, the directory flushed): after a power cut a file is either whole or absent, and
  a temporary file left by the cut is removed at the next start.
- The budget is in bytes. When a write takes the cache over it, the least recently used files
  go first (never the one just written, nor those the caller pins: the current album).
- The index is a small SQLite database (`index.sqlite3`): size and last use of each file.
  File times are not used for the LRU order because SD cards are mounted `noatime` or
  `relatime` (no reliable access time) and touching mtimes on every show would write to the
  card anyway; SQLite in WAL mode writes a few bytes and survives power cuts. The files stay
  the truth: at start-up, files missing from the index are adopted and rows whose file is
  gone are dropped.

Every method blocks on the disk: call them from a worker thread, never from the GUI thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from common.atomic_file import leftovers, write_atomically

log = logging.getLogger(__name__)

DEFAULT_BUDGET_BYTES = 300 * 1024 * 1024  # a few hundred display photos on a small SD card
_HASH = re.compile(r"^[0-9a-f]{64}$")
_SUFFIX = ".jpg"


class CorruptDownload(Exception):
    """The bytes received do not match the hash they were asked by: nothing was stored."""


def is_hash(value: str) -> bool:
    return bool(_HASH.match(value))


class PhotoCache:
    def __init__(
        self,
        root: Path,
        budget_bytes: int = DEFAULT_BUDGET_BYTES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._root = root
        self._files = root / "files"
        self._old_tmp = root / "tmp"  # where temporary files went before common.atomic_file
        self._db = root / "index.sqlite3"
        self._budget = max(0, int(budget_bytes))
        self._clock = clock
        self._lock = threading.RLock()
        self._last_tick = 0.0
        self._files.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS files ("
                " hash TEXT PRIMARY KEY, size INTEGER NOT NULL, last_used REAL NOT NULL)"
            )
        self._recover()

    # -- configuration --------------------------------------------------------------------
    @property
    def budget_bytes(self) -> int:
        return self._budget

    def set_budget(self, budget_bytes: int, keep: Collection[str] = ()) -> None:
        with self._lock:
            self._budget = max(0, int(budget_bytes))
            self._evict(set(keep))

    # -- reading --------------------------------------------------------------------------
    def path_for(self, key: str) -> Path:
        if not is_hash(key):
            raise ValueError(f"not a SHA-256 hex digest: {key!r}")
        return self._files / key[:2] / f"{key}{_SUFFIX}"

    def contains(self, key: str) -> bool:
        """Whether a file for `key` is on disk (its content is checked only by `read`)."""
        return is_hash(key) and self.path_for(key).is_file()

    def read(self, key: str) -> bytes | None:
        """The bytes of `key`, checked against the hash; None when absent or damaged (a damaged
        file is removed so that it is downloaded again)."""
        if not is_hash(key):
            return None
        path = self.path_for(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            self._forget(key)
            return None
        except OSError as exc:
            log.warning("photo cache: cannot read %s (%s)", key, exc)
            return None
        if hashlib.sha256(data).hexdigest() != key:
            log.warning("photo cache: %s is damaged (%d bytes); dropped", key, len(data))
            self.remove(key)
            return None
        self._touch(key)
        return data

    def size_of(self, key: str) -> int | None:
        with self._lock, self._connect() as conn:
            row = conn.execute("SELECT size FROM files WHERE hash = ?", (key,)).fetchone()
        return None if row is None else int(row[0])

    def keys(self) -> set[str]:
        with self._lock, self._connect() as conn:
            return {row[0] for row in conn.execute("SELECT hash FROM files")}

    def total_bytes(self) -> int:
        with self._lock, self._connect() as conn:
            return int(conn.execute("SELECT COALESCE(SUM(size), 0) FROM files").fetchone()[0])

    # -- writing --------------------------------------------------------------------------
    def put(self, key: str, data: bytes, keep: Collection[str] = ()) -> Path:
        """Store `data` as `key` (CorruptDownload if it is not what `key` names), then evict
        least recently used files beyond the budget, sparing `key` and `keep`."""
        if not is_hash(key):
            raise ValueError(f"not a SHA-256 hex digest: {key!r}")
        if hashlib.sha256(data).hexdigest() != key:
            raise CorruptDownload(f"{len(data)} bytes do not match {key}")
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
        with self._lock:
            with self._connect() as conn:
                conn.execute(
                    "INSERT INTO files (hash, size, last_used) VALUES (?, ?, ?)"
                    " ON CONFLICT (hash) DO UPDATE SET size = excluded.size,"
                    " last_used = excluded.last_used",
                    (key, len(data), self._tick()),
                )
            self._evict({key, *keep})
        return path

    def fetch(self, key: str, download: Callable[[], bytes], keep: Collection[str] = ()) -> bytes:
        """The bytes of `key`, from disk or else from `download()` (whose errors propagate;
        CorruptDownload when it returns something else than `key`)."""
        data = self.read(key)
        if data is not None:
            return data
        data = download()
        self.put(key, data, keep)
        return data

    def remove(self, key: str) -> None:
        if not is_hash(key):
            return
        with contextlib.suppress(FileNotFoundError):
            self.path_for(key).unlink()
        self._forget(key)

    def retain_only(self, wanted: Collection[str]) -> int:
        """Delete every file not in `wanted` (photos deleted or hidden by the family must
        leave the tablet too); returns how many went."""
        wanted = set(wanted)
        gone = [key for key in self.keys() if key not in wanted]
        for key in gone:
            self.remove(key)
        return len(gone)

    def wipe(self) -> None:
        """Every file goes (the tablet was revoked)."""
        for key in self.keys():
            self.remove(key)
        self._recover()

    # -- internals ------------------------------------------------------------------------
    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self._db, timeout=10)
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def _tick(self) -> float:
        # Strictly increasing, so that two uses within the clock's resolution keep their order.
        with self._lock:
            self._last_tick = max(self._clock(), self._last_tick + 1e-6)
            return self._last_tick

    def _touch(self, key: str) -> None:
        with self._lock, self._connect() as conn:
            conn.execute("UPDATE files SET last_used = ? WHERE hash = ?", (self._tick(), key))

    def _forget(self, key: str) -> None:
        with self._lock, self._connect() as conn:
            conn.execute("DELETE FROM files WHERE hash = ?", (key,))

    def _evict(self, keep: set[str]) -> None:
        with self._lock:
            with self._connect() as conn:
                rows = conn.execute("SELECT hash, size FROM files ORDER BY last_used").fetchall()
            total = sum(size for _key, size in rows)
            for key, size in rows:
                if total <= self._budget:
                    break
                if key in keep:
                    continue
                self.remove(key)
                total -= size
                log.info("photo cache: evicted %s (%d bytes) to stay within budget", key, size)

    def _recover(self) -> None:
        """Make the index match the files: after a crash either may be one step ahead."""
        stale = [p for d in self._files.glob("??") for p in leftovers(d)]
        stale += list(self._old_tmp.glob("*.part"))
        for path in stale:
            with contextlib.suppress(OSError):
                path.unlink()
        with contextlib.suppress(OSError):
            self._old_tmp.rmdir()
        on_disk: dict[str, Path] = {}
        for path in self._files.glob(f"??/*{_SUFFIX}"):
            key = path.name.removesuffix(_SUFFIX)
            if is_hash(key):
                on_disk[key] = path
        with self._lock, self._connect() as conn:
            indexed = {row[0] for row in conn.execute("SELECT hash FROM files")}
            for key in indexed - on_disk.keys():
                conn.execute("DELETE FROM files WHERE hash = ?", (key,))
            for key in on_disk.keys() - indexed:
                stat = on_disk[key].stat()
                # Adopted with their write time: the oldest go first if space is short.
                conn.execute(
                    "INSERT INTO files (hash, size, last_used) VALUES (?, ?, ?)",
                    (key, stat.st_size, stat.st_mtime),
                )

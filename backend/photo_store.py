"""Processed photo files on disk, by content address: `<photo_dir>/ab/cd/<sha256>.jpg`.

The key of a file is the SHA-256 of its bytes, so the same bytes are stored once and a key
always names the same content (which is what makes `Cache-Control: immutable` and
`ETag: <key>` right).

Writes are atomic: the bytes go to a temporary file in the final directory (its name starts
with a dot and never looks like a key), which is flushed and fsync'ed, then renamed over the
final name with `os.replace`, and the directory is fsync'ed so that the rename itself survives
a power cut. A crash at any point leaves either no file or the whole file at the final path,
never part of one. Reads only ever look up `<64 hex digits>.jpg`, so a temporary file left by
a crash is never served (`remove_stale_temporaries` clears them).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from pathlib import Path

_KEY = re.compile(r"^[0-9a-f]{64}$")
SUFFIX = ".jpg"
TEMP_PREFIX = ".tmp-"


class InvalidKey(ValueError):
    pass


def key_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class PhotoStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise InvalidKey(f"not a content key: {key!r}")
        return self.root / key[:2] / key[2:4] / f"{key}{SUFFIX}"

    def put(self, data: bytes) -> str:
        """Store `data` (if not there already) and return its key."""
        key = key_of(data)
        final = self.path_for(key)
        if final.is_file() and final.stat().st_size == len(data):
            return key  # same key, same size: the same bytes (written atomically before)
        self._make_dirs(final.parent)
        fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".part", dir=final.parent)
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, final)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
        _fsync_dir(final.parent)
        return key

    def _make_dirs(self, directory: Path) -> None:
        """Create `directory` and its parents, fsync'ing each parent whose entries changed."""
        missing = []
        current = directory
        while not current.exists():
            missing.append(current)
            if current == self.root or current.parent == current:
                break
            current = current.parent
        for path in reversed(missing):
            with contextlib.suppress(FileExistsError):
                path.mkdir(mode=0o750)
            _fsync_dir(path.parent)

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def read(self, key: str) -> bytes | None:
        """The stored bytes, or None if there is no such file."""
        try:
            return self.path_for(key).read_bytes()
        except FileNotFoundError:
            return None

    def remove(self, key: str) -> None:
        path = self.path_for(key)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            _fsync_dir(path.parent)

    def remove_stale_temporaries(self, older_than_seconds: float = 3600) -> int:
        """Delete temporary files left by a crash mid-write; returns how many."""
        if not self.root.is_dir():
            return 0
        limit = time.time() - older_than_seconds
        removed = 0
        for temp in self.root.glob(f"*/*/{TEMP_PREFIX}*"):
            with contextlib.suppress(FileNotFoundError):
                if temp.stat().st_mtime < limit:
                    temp.unlink()
                    removed += 1
        return removed

"""Files the tablet replaces whole: written beside, flushed, then renamed over the old one, so
that a power cut leaves the previous file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, temporary_dir: Path, prefix: str) -> None:
    """Replace `path` with `data`. `temporary_dir` must be on the same file system (the
    rename is atomic only there). OSError when the disk refuses; nothing half-written stays."""
    fd, tmp_name = tempfile.mkstemp(dir=temporary_dir, prefix=prefix, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise

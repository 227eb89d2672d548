"""Files replaced whole, the one way the tablet and the appliance write them.

Written to a temporary file beside the target (same directory, so the same file system: the
rename is atomic only there), flushed to the disk, renamed over the target, and the directory
flushed too (so the rename itself survives a power cut). A power cut leaves the old file or
the new one, never half of one; a failure leaves no temporary file behind.

The file has `mode` from its first byte (a credential is 0600: nobody else ever reads it, not
even while it is being written); the umask does not change it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

# Temporary files are ".<target name>.<random>.tmp" in the target's directory: hidden, and
# found again by this suffix if a power cut left one (`leftovers`).
TEMP_SUFFIX = ".tmp"


def write_atomically(
    path: Path, data: bytes, *, mode: int = 0o644, exclusive: bool = False, durable: bool = True
) -> None:
    """Replace `path` with `data` (its directory must exist). OSError when the disk refuses;
    then `path` is as it was and no temporary file stays.

    `exclusive`: create `path` only if it does not exist yet (FileExistsError otherwise, and
    the file there is left alone): for a value made once, where the first writer wins.
    `durable=False`: no flush to the disk (two fsyncs, tens of milliseconds on an SD card):
    still whole after a crash of the program, not necessarily after a power cut. For a note
    written on the GUI thread that only a restarted program reads (the screen shown)."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), mode)  # mkstemp made it 0600: exactly `mode`, no umask
            out.write(data)
            out.flush()
            if durable:
                os.fsync(out.fileno())
        if exclusive:
            os.link(tmp_name, path)  # atomic too, and refuses an existing name
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    if durable:
        fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Make a rename, creation or removal in `directory` durable. Best effort: a directory
    that cannot be opened (some file systems) is left to the kernel."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def leftovers(directory: Path) -> list[Path]:
    """Temporary files a power cut left in `directory` mid-write (safe to delete)."""
    return sorted(directory.glob(f".*{TEMP_SUFFIX}"))

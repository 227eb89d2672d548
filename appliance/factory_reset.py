"""Factory reset: the tablet forgets the home it was in, and shows the pairing screen again.

The credential goes first (so a reset cut short by a power failure never leaves a paired
tablet with half its data), then the local store and the outbox are emptied through their own
code (an SQLite file still open elsewhere sees empty tables, not a deleted inode), then every
other file of the data directory goes too (photos, caches, the SQLite files themselves, so
nothing lingers in free pages).

Kept: the device identity (it names the hardware, see appliance/firstboot.py) and the
validated first-boot settings (the backend address belongs to the organisation, not to the
home). Stop the tablet first (`systemctl stop foyer-kiosk`): a running tablet would keep its
credential in memory.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path

from appliance.layout import DEVICE_ID_FILE
from kiosk.outbox import Outbox
from kiosk.store import LocalStore
from provisioning import credentials
from provisioning.saved_settings import SAVED_SETTINGS

log = logging.getLogger(__name__)

KEPT = frozenset({DEVICE_ID_FILE, SAVED_SETTINGS})


def factory_reset(data_dir: Path) -> list[str]:
    """Wipe `data_dir`; returns the names removed, for the log."""
    if not data_dir.is_dir():
        return []
    credentials.erase(data_dir)
    for kind in (LocalStore, Outbox):
        try:
            kind(data_dir).wipe()
        except sqlite3.DatabaseError as exc:  # a damaged file is deleted below all the same
            log.warning("factory reset: %s: %s", kind.__name__, exc)
    removed = []
    for entry in sorted(data_dir.iterdir()):
        if entry.name in KEPT:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
        removed.append(entry.name)
    log.info("factory reset of %s: removed %s", data_dir, ", ".join(removed) or "nothing")
    return removed

"""One sync step: ask the backend, apply the answer to the local store. No Qt, no timers."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from kiosk.client_errors import CursorExpired, Revoked, Unreachable
from kiosk.store import LocalState, LocalStore

if TYPE_CHECKING:  # the HTTP library loads after the first screen (docs/performance.md)
    from kiosk.device_client import DeviceClient

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 25.0


class Outcome(Enum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    UNREACHABLE = "unreachable"
    REVOKED = "revoked"


@dataclass(frozen=True)
class SyncResult:
    outcome: Outcome
    state: LocalState | None = None  # the new local state when CHANGED
    reason: str = ""


class Syncer:
    def __init__(self, client: DeviceClient, store: LocalStore) -> None:
        self._client = client
        self._store = store

    def run_once(self, wait: float = LONG_POLL_SECONDS) -> SyncResult:
        cursor = self._store.cursor()
        try:
            try:
                payload = self._client.sync(cursor, wait)
            except CursorExpired:
                log.info("sync: cursor %s unknown to the backend; full sync", cursor)
                self._store.forget_cursor()
                payload = self._client.sync(None, 0)
        except Revoked:
            log.warning("sync: credential refused (revoked); wiping local data")
            self._store.wipe()
            return SyncResult(Outcome.REVOKED)
        except Unreachable as exc:
            return SyncResult(Outcome.UNREACHABLE, reason=str(exc))
        if payload.get("cursor") == cursor and not _carries_changes(payload):
            return SyncResult(Outcome.UNCHANGED)
        try:
            self._store.apply(payload)
        except (KeyError, TypeError, ValueError) as exc:
            log.error("sync: answer could not be applied (%s); keeping the last good state", exc)
            return SyncResult(Outcome.UNREACHABLE, reason=f"bad sync answer: {exc}")
        except sqlite3.Error as exc:
            # Disk full or failing: the transaction is rolled back, the last state stays, and
            # the caller backs off instead of fetching the same answer again at once.
            log.error("sync: local store could not be written (%s); keeping the last state", exc)
            return SyncResult(Outcome.UNREACHABLE, reason=f"local store: {exc}")
        return SyncResult(Outcome.CHANGED, self._store.load())


def _carries_changes(payload: dict[str, object]) -> bool:
    if payload.get("full") or payload.get("beneficiary"):
        return True
    for key in ("upserts", "deletes"):
        section = payload.get(key)
        if isinstance(section, dict) and any(section.values()):
            return True
    return False

"""The tablet's outbox: every write made on the tablet waits here until the backend has it.

Mood check-ins, quick replies, read receipts and visit records are written to this SQLite
queue first (synchronous=FULL: once `enqueue` returns, a power cut cannot lose it), then sent
in order with their idempotency key. The backend applies a key once, so resending after a
lost answer is harmless: sent twice, applied once.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.client_errors import Revoked, Unreachable
from kiosk.sqlite_read import open_for_reading

if TYPE_CHECKING:  # the HTTP library loads after the first screen (docs/performance.md)
    from kiosk.device_client import DeviceClient

log = logging.getLogger(__name__)

FILE_NAME = "outbox.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    state TEXT NOT NULL DEFAULT 'pending'  -- pending, or rejected (the backend said no)
);
"""


@dataclass(frozen=True)
class Entry:
    seq: int
    key: str
    type: str
    data: dict[str, Any]
    created_at: datetime
    attempts: int


class Outbox:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / FILE_NAME
        try:
            if not self._set_up():
                with self._connect() as conn:
                    conn.executescript(SCHEMA)
        except sqlite3.OperationalError as exc:
            if not self.path.exists():
                raise
            # Disk full: what is queued can still be read and sent (tests/reliability/).
            log.error("outbox: could not be set up (%s); reading it as it is", exc)

    def _set_up(self) -> bool:
        """Whether the queue's table is already there, asked without writing: at every start
        but the first it is, and a write transaction (synchronous=FULL: fsyncs) then the WAL's
        checkpoint at close cost tens of ms before home is painted (docs/performance.md)."""
        if not self.path.exists():
            return False
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            row = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'"
            ).fetchone()
            return row is not None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            with conn:
                yield conn

    def enqueue(self, action_type: str, data: dict[str, Any], now: datetime | None = None) -> str:
        """Queue a write; returns its idempotency key. Durable when this returns."""
        import uuid  # here: it loads `platform`, which home's first picture does not need

        key = str(uuid.uuid4())
        created = (now or datetime.now(UTC)).isoformat()
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO outbox (key, type, data, created_at) VALUES (?, ?, ?, ?)",
                (key, action_type, json.dumps(data, separators=(",", ":")), created),
            )
        return key

    def pending(self, limit: int = 100) -> list[Entry]:
        with closing(open_for_reading(self.path)) as conn:
            rows = conn.execute(
                "SELECT seq, key, type, data, created_at, attempts FROM outbox "
                "WHERE state = 'pending' ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            Entry(seq, key, kind, json.loads(data), datetime.fromisoformat(created), attempts)
            for seq, key, kind, data, created, attempts in rows
        ]

    def pending_count(self) -> int:
        with closing(open_for_reading(self.path)) as conn:
            (count,) = conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE state = 'pending'"
            ).fetchone()
        return int(count)

    def rejected(self) -> list[tuple[str, str, str]]:
        """(key, type, reason) of writes the backend refused: kept for the maintenance screen."""
        with closing(open_for_reading(self.path)) as conn:
            rows = conn.execute(
                "SELECT key, type, COALESCE(last_error, '') FROM outbox "
                "WHERE state = 'rejected' ORDER BY seq"
            ).fetchall()
        return [(str(k), str(t), str(e)) for k, t, e in rows]

    def delivered(self, key: str) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM outbox WHERE key = ?", (key,))

    def failed(self, key: str, reason: str) -> None:
        with self._connect() as conn:
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE key = ?",
                (reason[:500], key),
            )

    def reject(self, key: str, reason: str) -> None:
        with self._connect() as conn:
            conn.execute(
                "UPDATE outbox SET state = 'rejected', attempts = attempts + 1, last_error = ? "
                "WHERE key = ?",
                (reason[:500], key),
            )

    def wipe(self) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM outbox")


class FlushOutcome(Enum):
    EMPTY = "empty"  # everything delivered (or refused for good)
    UNREACHABLE = "unreachable"  # stopped at the first entry that could not be sent
    REVOKED = "revoked"


# Answers that mean "not now", not "never": the entry stays queued.
RETRY_STATUSES = frozenset({408, 409, 425, 429})


def flush(outbox: Outbox, client: DeviceClient) -> FlushOutcome:
    """Send queued writes in order until the queue is empty or the backend is out of reach."""
    try:
        return _flush(outbox, client)
    except sqlite3.Error as exc:
        # The outbox file cannot be written (disk full): what was delivered but not yet
        # removed goes again later, and the backend applies its key once. Retry with backoff.
        log.error("outbox: local queue could not be updated (%s); retrying later", exc)
        return FlushOutcome.UNREACHABLE


def _flush(outbox: Outbox, client: DeviceClient) -> FlushOutcome:
    while True:
        batch = outbox.pending()
        if not batch:
            return FlushOutcome.EMPTY
        for entry in batch:
            try:
                status, body = client.post_action(entry.type, entry.data, entry.key)
            except Revoked:
                return FlushOutcome.REVOKED
            except Unreachable as exc:
                outbox.failed(entry.key, str(exc))
                return FlushOutcome.UNREACHABLE
            if 200 <= status < 300:
                outbox.delivered(entry.key)
            elif status in RETRY_STATUSES:
                outbox.failed(entry.key, f"HTTP {status}")
                return FlushOutcome.UNREACHABLE
            else:
                # Refused for good (invalid, forbidden): keep it aside, never block the queue.
                reason = str(body.get("detail", f"HTTP {status}"))
                log.warning("outbox: %s %s refused: %s", entry.type, entry.key, reason)
                outbox.reject(entry.key, reason)

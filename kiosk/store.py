"""The tablet's local store: what it shows when the network is gone.

One SQLite file. Every sync is applied in one transaction, so a power cut leaves the state
before or after it, never between. A connection per call: calls come from the sync worker
and, at start-up, from the GUI thread, and opening this small file costs well under a frame.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.recurrence import AgendaEvent

FILE_NAME = "store.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
"""
DEFAULT_TZ = "Europe/Paris"


@dataclass(frozen=True)
class Beneficiary:
    id: int
    first_name: str
    last_name: str
    timezone: str

    @property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(DEFAULT_TZ)


@dataclass(frozen=True)
class LocalState:
    beneficiary: Beneficiary | None
    events: tuple[AgendaEvent, ...]
    cursor: str | None


def event_from_payload(p: dict[str, Any]) -> AgendaEvent:
    return AgendaEvent(
        id=int(p["id"]),
        title=str(p["title"]),
        start_local=datetime.fromisoformat(p["start_local"]),
        duration=timedelta(minutes=int(p["duration_minutes"])),
        tz=ZoneInfo(p["timezone"]),
        kind=str(p.get("kind", "visit")),
        who=str(p.get("who", "")),
        rrule=p.get("rrule") or None,
        exdates=frozenset(datetime.fromisoformat(d) for d in p.get("exdates", [])),
    )


class LocalStore:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / FILE_NAME
        with self._connect() as conn:
            conn.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a sync acknowledged here survives a power cut (the cursor moves with it).
            conn.execute("PRAGMA synchronous=FULL")
            with conn:  # one transaction
                yield conn

    def load(self) -> LocalState:
        with self._connect() as conn:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            rows = conn.execute("SELECT payload FROM events ORDER BY id").fetchall()
        events = []
        for (payload,) in rows:
            try:
                events.append(event_from_payload(json.loads(payload)))
            except (ValueError, KeyError, TypeError, ZoneInfoNotFoundError):
                continue  # one bad row must not hide the rest of the day
        beneficiary = None
        if "beneficiary" in meta:
            b = json.loads(meta["beneficiary"])
            beneficiary = Beneficiary(
                int(b["id"]), str(b["first_name"]), str(b["last_name"]), str(b["timezone"])
            )
        return LocalState(beneficiary, tuple(events), meta.get("cursor"))

    def cursor(self) -> str | None:
        with self._connect() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'cursor'").fetchone()
        return None if row is None else str(row[0])

    def apply(self, payload: dict[str, Any]) -> None:
        """Apply a sync answer (snapshot or delta) atomically, cursor included."""
        upserts = payload.get("upserts", {}).get("events", [])
        deletes = payload.get("deletes", {}).get("events", [])
        for event in upserts:  # validate before touching anything
            event_from_payload(event)
        with self._connect() as conn:
            if payload.get("full"):
                conn.execute("DELETE FROM events")
            conn.executemany(
                "INSERT INTO events (id, payload) VALUES (?, ?) "
                "ON CONFLICT(id) DO UPDATE SET payload = excluded.payload",
                [(int(e["id"]), json.dumps(e)) for e in upserts],
            )
            conn.executemany("DELETE FROM events WHERE id = ?", [(int(i),) for i in deletes])
            if payload.get("beneficiary"):
                conn.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('beneficiary', ?)",
                    (json.dumps(payload["beneficiary"]),),
                )
            conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('cursor', ?)", (str(payload["cursor"]),)
            )

    def forget_cursor(self) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM meta WHERE key = 'cursor'")

    def wipe(self) -> None:
        """Forget everything (revoked or factory reset)."""
        with self._connect() as conn:
            conn.execute("DELETE FROM events")
            conn.execute("DELETE FROM meta")

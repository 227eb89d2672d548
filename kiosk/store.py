"""The tablet's local store: what it shows when the network is gone.

One SQLite file. Every sync is applied in one transaction, so a power cut leaves the state
before or after it, never between. A connection per call: calls come from the sync worker
and, at start-up, from the GUI thread, and opening this small file costs well under a frame.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common.recurrence import AgendaEvent
from kiosk.sqlite_read import open_for_reading

log = logging.getLogger(__name__)

FILE_NAME = "store.sqlite3"
# Version 2: every synced kind (events, messages, photos…) in one table. Version 1 kept only
# events; it is upgraded by starting over with a full sync (the backend has everything).
SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
"""
DEFAULT_TZ = "Europe/Paris"
EVENTS = "events"


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return row.fetchone() is not None


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
    # Every synced kind ("events", "messages", "photos"…), as the backend sent them, by id.
    records: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)

    def of(self, kind: str) -> tuple[dict[str, Any], ...]:
        return self.records.get(kind, ())


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
        try:
            self._set_up()
        except sqlite3.OperationalError as exc:
            if not self.path.exists():
                raise
            # Disk full: the file as it is still shows the day; writes will say why they fail.
            log.error("store: could not be set up (%s); reading it as it is", exc)

    def _set_up(self) -> None:
        if self._up_to_date():
            return
        with self._connect() as conn:
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            if version < SCHEMA_VERSION:
                # Older layout: drop it and sync again from scratch (no cursor, no data).
                conn.executescript(
                    "DROP TABLE IF EXISTS events; DROP TABLE IF EXISTS records;"
                    "DELETE FROM meta WHERE key = 'cursor';"
                    if _has_table(conn, "meta")
                    else "DROP TABLE IF EXISTS events; DROP TABLE IF EXISTS records;"
                )
            conn.executescript(SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _up_to_date(self) -> bool:
        """Whether the file already has this schema, asked without writing: at every start but
        the first it has, and the write transaction (synchronous=FULL: fsyncs) then the WAL's
        checkpoint at close cost tens of ms before home is painted (tablet start,
        docs/performance.md)."""
        if not self.path.exists():
            return False
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            return (
                version == SCHEMA_VERSION
                and _has_table(conn, "meta")
                and _has_table(conn, "records")
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a sync acknowledged here survives a power cut (the cursor moves with it).
            conn.execute("PRAGMA synchronous=FULL")
            with conn:  # one transaction
                yield conn

    def load(self) -> LocalState:
        with closing(open_for_reading(self.path)) as conn:
            conn.execute("BEGIN")  # one snapshot for both reads
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            rows = conn.execute("SELECT kind, payload FROM records ORDER BY kind, id").fetchall()
        events = []
        records: dict[str, list[dict[str, Any]]] = {}
        for kind, payload in rows:
            try:
                record = json.loads(payload)
                if kind == EVENTS:
                    events.append(event_from_payload(record))
                # Events too, as sent: their instructions are shown in the professional view.
                records.setdefault(kind, []).append(record)
            except (ValueError, KeyError, TypeError, ZoneInfoNotFoundError):
                continue  # one bad row must not hide the rest of the day
        beneficiary = None
        if "beneficiary" in meta:
            b = json.loads(meta["beneficiary"])
            beneficiary = Beneficiary(
                int(b["id"]), str(b["first_name"]), str(b["last_name"]), str(b["timezone"])
            )
        return LocalState(
            beneficiary,
            tuple(events),
            meta.get("cursor"),
            {kind: tuple(items) for kind, items in records.items()},
        )

    def cursor(self) -> str | None:
        with closing(open_for_reading(self.path)) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'cursor'").fetchone()
        return None if row is None else str(row[0])

    def apply(self, payload: dict[str, Any]) -> None:
        """Apply a sync answer (snapshot or delta) atomically, cursor included.

        A snapshot names every kind and replaces each whole; a delta touches only the kinds
        it names. Records are kept as sent, so kinds the tablet does not show yet are kept
        for the screens that will.
        """
        upserts: dict[str, list[dict[str, Any]]] = payload.get("upserts") or {}
        deletes: dict[str, list[int]] = payload.get("deletes") or {}
        if not isinstance(upserts, dict) or not isinstance(deletes, dict):
            raise ValueError("upserts and deletes must be objects")
        rows = []
        for kind, items in upserts.items():
            for item in items:
                if kind == EVENTS:
                    event_from_payload(item)  # validate before touching anything
                rows.append((str(kind), int(item["id"]), json.dumps(item)))
        gone = [(str(kind), int(i)) for kind, ids in deletes.items() for i in ids]
        with self._connect() as conn:
            if payload.get("full"):
                conn.execute("DELETE FROM records")
            conn.executemany(
                "INSERT INTO records (kind, id, payload) VALUES (?, ?, ?) "
                "ON CONFLICT(kind, id) DO UPDATE SET payload = excluded.payload",
                rows,
            )
            conn.executemany("DELETE FROM records WHERE kind = ? AND id = ?", gone)
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
            conn.execute("DELETE FROM records")
            conn.execute("DELETE FROM meta")

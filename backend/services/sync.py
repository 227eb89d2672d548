"""What a tablet receives on sync: a full snapshot, or the changes since its cursor.

Shape (version 1):
    {"cursor": "42", "full": bool,
     "beneficiary": {...} | null,                  # present when full or when it changed
     "upserts": {"events": [...], "messages": [...], ...},
     "deletes": {"events": [ids], "messages": [ids], ...}}

Each kind of synced record is declared once with `register(SyncedKind(...))` by the module
that owns it; this module knows none of them but the beneficiary itself. Every kind journals its
writes with `services.changes.record_change`: a delta is empty exactly when the journal holds
nothing after the cursor for the beneficiary, which is what `quick_check` reads to answer the
common idle poll with one indexed query (docs/performance.md, backend scale).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    func,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from backend.errors import Gone, Invalid
from backend.models import Beneficiary, Change, Device
from backend.services.changes import latest_change_id

Payload = dict[str, Any]

# A journal gap (`mark_restored`) is a row of this beneficiary id, which no beneficiary has.
GAP_MARK = 0
GAP_SIZE = 1_000_000_000


@dataclass(frozen=True)
class SyncedKind:
    """One kind of record delivered to tablets.

    key: its name in the payload ("events"); entity: its name in the change journal
    ("event"); load_all: every record the tablet may hold (snapshot); load_some: those of the
    given ids the tablet may hold *now* — an id journaled but not returned is sent as deleted
    (so a record that was hidden, deleted or is not for the tablet's eyes disappears).
    """

    key: str
    entity: str
    load_all: Callable[[Session, Beneficiary, Device], list[Payload]]
    load_some: Callable[[Session, Beneficiary, Device, set[int]], list[Payload]]


_KINDS: dict[str, SyncedKind] = {}


def register(kind: SyncedKind) -> None:
    _KINDS[kind.entity] = kind


def kinds() -> list[SyncedKind]:
    return sorted(_KINDS.values(), key=lambda k: k.key)


def beneficiary_payload(beneficiary: Beneficiary) -> Payload:
    return {
        "id": beneficiary.id,
        "first_name": beneficiary.first_name,
        "last_name": beneficiary.last_name,
        "timezone": beneficiary.timezone,
        "place_name": beneficiary.place_name,
        "latitude": beneficiary.latitude,
        "longitude": beneficiary.longitude,
    }


def parse_cursor(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    # isascii: str.isdigit() is also true for "²" or "①", which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise Invalid("Curseur de synchronisation invalide.")
    return int(raw)


def snapshot(session: Session, beneficiary: Beneficiary, device: Device) -> Payload:
    # Cursor first: a change committed while we read is then sent again next time (harmless),
    # never skipped.
    cursor = latest_change_id(session, beneficiary.id)
    # A snapshot names every kind, so the tablet replaces each one whole.
    upserts = {kind.key: kind.load_all(session, beneficiary, device) for kind in kinds()}
    deletes: dict[str, list[Any]] = {kind.key: [] for kind in kinds()}
    return {
        "cursor": str(cursor),
        "full": True,
        "beneficiary": beneficiary_payload(beneficiary),
        "upserts": upserts,
        "deletes": deletes,
    }


def delta(session: Session, beneficiary: Beneficiary, device: Device, cursor: int) -> Payload:
    """Changes after `cursor`. 410 Gone when the cursor is unknown to this server."""
    if cursor > latest_change_id(session) or in_journal_gap(session, cursor):
        # A cursor from the future, or from the changes a restore lost: the database was
        # restored or replaced. Start over.
        raise Gone("Curseur inconnu : resynchronisation complète nécessaire.")
    rows = session.execute(
        select(Change.entity, Change.entity_id, func.max(Change.id))
        .where(Change.beneficiary_id == beneficiary.id, Change.id > cursor)
        .group_by(Change.entity, Change.entity_id)
    ).all()
    if not rows:
        return empty_delta(cursor)
    touched: dict[str, set[int]] = {}
    for entity, entity_id, _ in rows:
        touched.setdefault(entity, set()).add(entity_id)
    # A delta names only the kinds that changed; a missing key means "nothing new".
    upserts: dict[str, list[Any]] = {}
    deletes: dict[str, list[Any]] = {}
    for kind in kinds():
        ids = touched.get(kind.entity)
        if not ids:
            continue
        # The present state decides: a record written then deleted is simply a deletion.
        alive = kind.load_some(session, beneficiary, device, ids)
        upserts[kind.key] = sorted(alive, key=lambda p: p["id"])
        deletes[kind.key] = sorted(ids - {p["id"] for p in alive})
    return {
        "cursor": str(max(row[2] for row in rows)),
        "full": False,
        "beneficiary": beneficiary_payload(beneficiary) if "beneficiary" in touched else None,
        "upserts": upserts,
        "deletes": deletes,
    }


def in_journal_gap(session: Session, cursor: int) -> bool:
    """Whether `cursor` names a change a restore lost (`mark_restored`)."""
    gap = select(func.count()).where(
        Change.beneficiary_id == GAP_MARK, Change.id > cursor, Change.entity_id < cursor
    )
    return bool(session.scalar(gap))


def mark_restored(session: Session) -> tuple[int, int]:
    """After a restore from a backup: the tablets may hold cursors of changes made after the
    backup, which the restore lost — ids that new changes would now be given again, so that
    such a tablet would skip the new changes and keep what the restore removed. Every id from
    the journal's last one to a billion further is declared a gap: a cursor in it gets 410 and
    its tablet syncs whole again; new changes are numbered after it.

    The gap is a row of the journal itself (beneficiary GAP_MARK, which no one has: no tablet
    ever reads it; entity_id = where the gap starts, id = where it ends), so that the checks
    find it through the (beneficiary_id, id) index. Returns (start, end)."""
    start = latest_change_id(session)
    end = start + GAP_SIZE
    session.add(
        Change(id=end, beneficiary_id=GAP_MARK, entity="journal_gap", entity_id=start, op="gap")
    )
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        # An explicit id does not move PostgreSQL's sequence (SQLite's rowid follows by itself).
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('changes', 'id'), :end)"), {"end": end}
        )
    return start, end


def empty_delta(cursor: int) -> Payload:
    return {"cursor": str(cursor), "full": False, "beneficiary": None, "upserts": {}, "deletes": {}}


def is_empty(payload: Payload) -> bool:
    return (
        payload["beneficiary"] is None
        and not any(payload["upserts"].values())
        and not any(payload["deletes"].values())
    )


@dataclass(frozen=True)
class QuickCheck:
    """What one indexed query tells of a tablet's poll: whose it is, and whether the journal
    holds anything after its cursor (`unchanged` False also for a cursor from the future,
    which the full read answers with 410)."""

    device_id: int
    beneficiary_id: int
    unchanged: bool


# One round trip: the unrevoked device by its credential's hash (unique index), its
# beneficiary's last change (index on changes(beneficiary_id, id)) and the journal's last one
# (primary key). Built once: SQLAlchemy caches its compiled form.
_QUICK = select(
    Device.id,
    Device.beneficiary_id,
    Device.last_seen_at,
    select(func.max(Change.id))
    .where(Change.beneficiary_id == Device.beneficiary_id)
    .scalar_subquery(),
    select(func.max(Change.id)).scalar_subquery(),
    # Whether the cursor falls in a journal gap (`mark_restored`): its tablet must start over.
    select(func.count())
    .where(
        # Written into the SQL: only the two named parameters are passed to the driver.
        Change.beneficiary_id == literal_column(str(GAP_MARK)),
        Change.id > bindparam("cursor"),
        Change.entity_id < bindparam("cursor"),
    )
    .scalar_subquery(),
).where(Device.credential_hash == bindparam("digest"), Device.revoked_at.is_(None))

_SEEN = (
    update(Device)
    .where(Device.id == bindparam("device_id"))
    .values(last_seen_at=bindparam("seen", type_=Device.last_seen_at.type))
)


_COMPILED: dict[str, tuple[str, tuple[str, ...] | None]] = {}


def _quick_row(connection: Connection, digest: str, cursor_id: int) -> tuple[Any, ...] | None:
    """`_QUICK`'s row, run on the driver's own cursor with its SQL compiled once per dialect:
    SQLAlchemy's execution around it cost three times the query's own client CPU on
    PostgreSQL (110 µs against 33 µs, docs/performance.md). Its one typed column is read back
    as `UTCDateTime` does: naive UTC made aware (SQLite gives it as text)."""
    dialect = connection.dialect
    compiled = _COMPILED.get(dialect.name)
    if compiled is None:
        done = _QUICK.compile(dialect=dialect)
        order = tuple(done.positiontup or ()) if dialect.positional else None
        compiled = _COMPILED[dialect.name] = (str(done), order)
    sql, order = compiled
    values = {"digest": digest, "cursor": cursor_id}
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, values if order is None else tuple(values[n] for n in order))
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        return None
    seen = row[2]
    if isinstance(seen, str):
        seen = datetime.fromisoformat(seen)
    if seen is not None:
        seen = seen.replace(tzinfo=UTC)
    return (row[0], row[1], seen, row[3], row[4], row[5])


def quick_check(
    connection: Connection, digest: str, cursor: int, now: datetime, resolution: timedelta
) -> QuickCheck | None:
    """The lean unchanged check of a poll with a cursor, on an autocommit connection: None
    when no unrevoked device holds this credential (SHA-256 `digest`). Notes the tablet seen
    at `now` when its last note is `resolution` old, as the full read does."""
    row = _quick_row(connection, digest, cursor)
    if row is None:
        return None
    device_id, beneficiary_id, last_seen, latest_here, latest, in_gap = row
    if last_seen is None or now - last_seen >= resolution:
        connection.execute(_SEEN, {"device_id": device_id, "seen": now})
    unchanged = (latest_here or 0) <= cursor <= (latest or 0) and not in_gap
    return QuickCheck(device_id, beneficiary_id, unchanged)


class QuickChecks:
    """Runs `quick_check` on a few threads of its own, each with one autocommit connection
    kept open: no pool checkout, no transaction and no ORM per poll (docs/performance.md).

    `threads` connections are taken from the engine's pool for the process's life (two of a
    worker's share on PostgreSQL). A connection that fails is dropped and the error raised: the
    next check opens a new one (a restarted PostgreSQL costs one failed poll per thread)."""

    def __init__(self, engine: Engine, threads: int = 2) -> None:
        self._engine = engine
        self._local = threading.local()
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="sync-check")
        self._lock = threading.Lock()
        self._open: set[Connection] = set()
        self._closed = False

    def _connection(self) -> Connection:
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._engine.connect()
            connection.execution_options(isolation_level="AUTOCOMMIT")
            with self._lock:
                if self._closed:
                    connection.close()
                    raise RuntimeError("the server is stopping")
                self._open.add(connection)
            self._local.connection = connection
        return connection

    def _run(self, digest: str, cursor: int, now: datetime, resolution: timedelta) -> Any:
        connection = self._connection()
        try:
            return quick_check(connection, digest, cursor, now, resolution)
        except Exception:
            self._local.connection = None
            with self._lock:
                self._open.discard(connection)
            with contextlib.suppress(Exception):
                connection.invalidate()
                connection.close()
            raise

    async def check(
        self, digest: str, cursor: int, now: datetime, resolution: timedelta
    ) -> QuickCheck | None:
        loop = asyncio.get_running_loop()
        result: QuickCheck | None = await loop.run_in_executor(
            self._executor, self._run, digest, cursor, now, resolution
        )
        return result

    def close(self) -> None:
        with self._lock:
            self._closed = True
            connections = list(self._open)
            self._open.clear()
        self._executor.shutdown(wait=True, cancel_futures=True)
        for connection in connections:
            with contextlib.suppress(Exception):
                connection.close()

"""What a tablet receives on sync: a full snapshot, or the changes since its cursor.

Shape (version 1):
    {"cursor": "42", "full": bool,
     "beneficiary": {...} | null,                  # present when full or when it changed
     "upserts": {"events": [...], "messages": [...], ...},
     "deletes": {"events": [ids], "messages": [ids], ...}}

Each kind of synced record is declared once with `register(SyncedKind(...))` by the module
that owns it; this module knows none of them but the beneficiary itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.errors import Gone, Invalid
from backend.models import Beneficiary, Change, Device
from backend.services.changes import latest_change_id

Payload = dict[str, Any]


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
    if cursor > latest_change_id(session):
        # A cursor from the future: the database was restored or replaced. Start over.
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


def empty_delta(cursor: int) -> Payload:
    return {"cursor": str(cursor), "full": False, "beneficiary": None, "upserts": {}, "deletes": {}}


def is_empty(payload: Payload) -> bool:
    return (
        payload["beneficiary"] is None
        and not any(payload["upserts"].values())
        and not any(payload["deletes"].values())
    )

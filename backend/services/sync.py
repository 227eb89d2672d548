"""What a tablet receives on sync: a full snapshot, or the changes since its cursor.

Shape (version 1):
    {"cursor": "42", "full": bool,
     "beneficiary": {...} | null,                  # present when full or when it changed
     "upserts": {"events": [...]}, "deletes": {"events": [ids]}}
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.errors import Gone, Invalid
from backend.models import Beneficiary, Change, Event
from backend.services.agenda import events_of, exdates_of
from backend.services.changes import latest_change_id

SYNCED_ENTITIES = ("events",)


def beneficiary_payload(beneficiary: Beneficiary) -> dict[str, Any]:
    return {
        "id": beneficiary.id,
        "first_name": beneficiary.first_name,
        "last_name": beneficiary.last_name,
        "timezone": beneficiary.timezone,
        "place_name": beneficiary.place_name,
        "latitude": beneficiary.latitude,
        "longitude": beneficiary.longitude,
    }


def event_payload(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "title": event.title,
        "kind": event.kind,
        "who": event.who,
        "start_local": event.start_local.isoformat(),
        "timezone": event.timezone,
        "duration_minutes": event.duration_minutes,
        "rrule": event.rrule,
        "exdates": [d.isoformat() for d in exdates_of(event)],
    }


def parse_cursor(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    # isascii: str.isdigit() is also true for "²" or "①", which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise Invalid("Curseur de synchronisation invalide.")
    return int(raw)


def snapshot(session: Session, beneficiary: Beneficiary) -> dict[str, Any]:
    # Cursor first: a change committed while we read is then sent again next time (harmless),
    # never skipped.
    cursor = latest_change_id(session, beneficiary.id)
    return {
        "cursor": str(cursor),
        "full": True,
        "beneficiary": beneficiary_payload(beneficiary),
        "upserts": {"events": [event_payload(e) for e in events_of(session, beneficiary.id)]},
        "deletes": {"events": []},
    }


def delta(session: Session, beneficiary: Beneficiary, cursor: int) -> dict[str, Any]:
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
    new_cursor = max(row[2] for row in rows)
    touched: dict[str, set[int]] = {}
    for entity, entity_id, _ in rows:
        touched.setdefault(entity, set()).add(entity_id)
    result: dict[str, Any] = {
        "cursor": str(new_cursor),
        "full": False,
        "beneficiary": None,
        "upserts": {"events": []},
        "deletes": {"events": []},
    }
    if "beneficiary" in touched:
        result["beneficiary"] = beneficiary_payload(beneficiary)
    event_ids = touched.get("event", set())
    if event_ids:
        # The present state decides: an event written then deleted is simply a deletion.
        alive = list(
            session.scalars(
                select(Event).where(Event.id.in_(event_ids), Event.beneficiary_id == beneficiary.id)
            )
        )
        result["upserts"]["events"] = [event_payload(e) for e in sorted(alive, key=lambda e: e.id)]
        result["deletes"]["events"] = sorted(event_ids - {e.id for e in alive})
    return result


def empty_delta(cursor: int) -> dict[str, Any]:
    return {
        "cursor": str(cursor),
        "full": False,
        "beneficiary": None,
        "upserts": {"events": []},
        "deletes": {"events": []},
    }


def is_empty(payload: dict[str, Any]) -> bool:
    return (
        payload["beneficiary"] is None
        and not any(payload["upserts"].values())
        and not any(payload["deletes"].values())
    )

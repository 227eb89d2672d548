"""Beneficiaries and their agenda events. Every event write is journaled for sync."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import Invalid, NotFound
from backend.models import Beneficiary, Device, Event, User, utcnow
from backend.policy import Permission
from backend.services import access, sync
from backend.services.changes import record_change
from kiosk.recurrence import AgendaEvent, RecurrenceError, normalize_rrule

EVENT_KINDS = ("visit", "appointment", "family", "other")


def zone(name: str) -> ZoneInfo:
    if name not in _known_zones():
        raise Invalid(f"Fuseau horaire inconnu : {name}.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(f"Fuseau horaire inconnu : {name}.") from exc


_ZONES: set[str] = set()


def _known_zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def create_beneficiary(
    session: Session,
    care_manager: User,
    first_name: str,
    last_name: str,
    timezone: str,
    place_name: str,
    latitude: float | None,
    longitude: float | None,
) -> Beneficiary:
    zone(timezone)
    beneficiary = Beneficiary(
        first_name=first_name,
        last_name=last_name,
        timezone=timezone,
        place_name=place_name,
        latitude=latitude,
        longitude=longitude,
        care_manager_id=care_manager.id,
    )
    session.add(beneficiary)
    session.flush()
    record_change(session, beneficiary.id, "beneficiary", beneficiary.id, "upsert")
    return beneficiary


def to_wall_clock(moment: datetime, tz: ZoneInfo) -> datetime:
    """An aware moment as wall-clock time in tz; a naive one is taken as already in tz."""
    if moment.tzinfo is None:
        return moment.replace(microsecond=0)
    return moment.astimezone(tz).replace(tzinfo=None, microsecond=0)


def _check_event_fields(kind: str, duration_minutes: int) -> None:
    if kind not in EVENT_KINDS:
        raise Invalid(f"Type de rendez-vous inconnu : {kind}.")
    if not 1 <= duration_minutes <= 24 * 60:
        raise Invalid("La durée doit être comprise entre 1 minute et 24 heures.")


def _rule(rule: str | None) -> str | None:
    if rule is None or not rule.strip():
        return None
    try:
        return normalize_rrule(rule)
    except RecurrenceError as exc:
        raise Invalid(str(exc)) from exc


def create_event(
    session: Session,
    beneficiary: Beneficiary,
    *,
    title: str,
    kind: str,
    who: str,
    start: datetime,
    duration_minutes: int,
    rrule: str | None,
    exdates: list[datetime],
) -> Event:
    tz = zone(beneficiary.timezone)
    _check_event_fields(kind, duration_minutes)
    event = Event(
        beneficiary_id=beneficiary.id,
        title=title,
        kind=kind,
        who=who,
        start_local=to_wall_clock(start, tz),
        duration_minutes=duration_minutes,
        timezone=beneficiary.timezone,
        rrule=_rule(rrule),
        exdates=json.dumps(sorted(to_wall_clock(d, tz).isoformat() for d in exdates)),
    )
    session.add(event)
    session.flush()
    record_change(session, beneficiary.id, "event", event.id, "upsert")
    return event


def update_event(session: Session, event: Event, changes: dict[str, object]) -> Event:
    tz = zone(event.timezone)
    for name, value in changes.items():
        if name == "start":
            assert isinstance(value, datetime)
            event.start_local = to_wall_clock(value, tz)
        elif name == "rrule":
            event.rrule = _rule(value if isinstance(value, str) else None)
        elif name == "exdates":
            assert isinstance(value, list)
            event.exdates = json.dumps(sorted(to_wall_clock(d, tz).isoformat() for d in value))
        elif name in ("title", "kind", "who", "duration_minutes"):
            setattr(event, name, value)
        else:
            raise Invalid(f"Champ inconnu : {name}.")
    _check_event_fields(event.kind, event.duration_minutes)
    event.updated_at = utcnow()
    record_change(session, event.beneficiary_id, "event", event.id, "upsert")
    return event


def delete_event(session: Session, event: Event) -> None:
    record_change(session, event.beneficiary_id, "event", event.id, "delete")
    session.delete(event)


def event_for(session: Session, user: User, event_id: int, permission: Permission) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound("Rendez-vous introuvable.")
    try:
        access.require(session, user, event.beneficiary_id, permission)
    except NotFound as exc:
        raise NotFound("Rendez-vous introuvable.") from exc
    return event


def events_of(session: Session, beneficiary_id: int) -> list[Event]:
    return list(
        session.scalars(
            select(Event).where(Event.beneficiary_id == beneficiary_id).order_by(Event.id)
        )
    )


def exdates_of(event: Event) -> list[datetime]:
    return [datetime.fromisoformat(s) for s in json.loads(event.exdates)]


def as_agenda_event(event: Event) -> AgendaEvent:
    return AgendaEvent(
        id=event.id,
        title=event.title,
        start_local=event.start_local,
        duration=timedelta(minutes=event.duration_minutes),
        tz=ZoneInfo(event.timezone),
        kind=event.kind,
        who=event.who,
        rrule=event.rrule,
        exdates=frozenset(exdates_of(event)),
    )


def event_payload(event: Event) -> dict[str, Any]:
    """An event as the tablet holds it (instructions included: the tablet shows them only in
    its professional view)."""
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


def _sync_all(session: Session, beneficiary: Beneficiary, _device: Device) -> list[dict[str, Any]]:
    return [event_payload(e) for e in events_of(session, beneficiary.id)]


def _sync_some(
    session: Session, beneficiary: Beneficiary, _device: Device, ids: set[int]
) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Event).where(Event.id.in_(ids), Event.beneficiary_id == beneficiary.id)
    )
    return [event_payload(e) for e in rows]


sync.register(sync.SyncedKind("events", "event", _sync_all, _sync_some))

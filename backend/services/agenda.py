"""Beneficiaries and their agenda events. Every event write is journaled for sync.

An event may name who comes (`person_id`, someone of the beneficiary's circle, and/or
`organisation_id`, an organisation the beneficiary is shared with); `who` stays the words
shown. It may carry `instructions` for the professionals, which family and friends never see.

One occurrence of a recurring event is moved or changed as in RFC 5545 (RECURRENCE-ID): an
*override* row (recurrence_parent_id + recurrence_start_local) replaces it, and the parent
lists the original start in its exdates. The tablet then needs nothing special: the exdate
removes the original, and the override is an ordinary one-off event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil import rrule as dateutil_rrule
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import Invalid, NotFound
from backend.models import (
    Beneficiary,
    BeneficiaryShare,
    Device,
    Event,
    Organisation,
    User,
    utcnow,
)
from backend.policy import Permission, allowed
from backend.services import access, audit, sync
from backend.services.changes import record_change
from common.recurrence import AgendaEvent, RecurrenceError, normalize_rrule

EVENT_KINDS = ("visit", "appointment", "family", "other")
MAX_INSTRUCTIONS = 4000
MAX_WHO = 200
# Occurrences are looked for within these years; far beyond, date arithmetic overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2200

# How a profession reads after a name in `who` ("Claire, infirmière").
PROFESSION_LABELS = {
    "nurse": "infirmière",
    "doctor": "médecin",
    "physiotherapist": "kinésithérapeute",
    "speech_therapist": "orthophoniste",
    "home_aide": "aide à domicile",
    "volunteer": "bénévole",
    "care_manager": "conseil autonomie",
}

# Fields of an event that one occurrence may change (the series' rule stays the parent's).
OCCURRENCE_FIELDS = (
    "title",
    "kind",
    "who",
    "start",
    "duration_minutes",
    "instructions",
    "person_id",
    "organisation_id",
)


def zone(name: str) -> ZoneInfo:
    if name not in _known_zones():
        raise Invalid("Fuseau horaire inconnu : {name}.", name=name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid("Fuseau horaire inconnu : {name}.", name=name) from exc


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


def _check_event_fields(kind: str, duration_minutes: int, instructions: str) -> None:
    if kind not in EVENT_KINDS:
        raise Invalid("Type de rendez-vous inconnu : {kind}.", kind=kind)
    if not 1 <= duration_minutes <= 24 * 60:
        raise Invalid("La durée doit être comprise entre 1 minute et 24 heures.")
    if len(instructions) > MAX_INSTRUCTIONS:
        raise Invalid("Les consignes ne peuvent dépasser {n} caractères.", n=MAX_INSTRUCTIONS)


def _rule(rule: str | None) -> str | None:
    if rule is None or not rule.strip():
        return None
    try:
        return normalize_rrule(rule)
    except RecurrenceError as exc:
        raise Invalid(exc.template, **exc.params) from exc


def dump_exdates(days: Iterable[datetime]) -> str:
    return json.dumps(sorted({d.isoformat() for d in days}))


# --- who comes --------------------------------------------------------------------------------


def check_person(session: Session, beneficiary: Beneficiary, person_id: int | None) -> User | None:
    """The person, if they have a role in the beneficiary's circle; else 422."""
    if person_id is None:
        return None
    person = session.get(User, person_id)
    if person is None or not access.roles_of(session, person, beneficiary):
        raise Invalid("Cette personne ne fait pas partie de l'entourage du bénéficiaire.")
    return person


def check_organisation(
    session: Session, beneficiary: Beneficiary, organisation_id: int | None
) -> Organisation | None:
    """The organisation, if the beneficiary is shared with it; else 422."""
    if organisation_id is None:
        return None
    shared = session.scalar(
        select(BeneficiaryShare.id).where(
            BeneficiaryShare.beneficiary_id == beneficiary.id,
            BeneficiaryShare.organisation_id == organisation_id,
        )
    )
    organisation = session.get(Organisation, organisation_id)
    if shared is None or organisation is None:
        raise Invalid("Cette organisation n'intervient pas auprès du bénéficiaire.")
    return organisation


def default_who(person: User | None, organisation: Organisation | None) -> str:
    """The words shown for who comes: "Claire, infirmière", or the organisation's name."""
    if person is not None:
        label = PROFESSION_LABELS.get(person.profession or "")
        text = f"{person.name}, {label}" if label else person.name
    elif organisation is not None:
        text = organisation.name
    else:
        text = ""
    return " ".join(text.split())[:MAX_WHO]


def _assigned(session: Session, event: Event) -> tuple[User | None, Organisation | None]:
    person = session.get(User, event.person_id) if event.person_id is not None else None
    organisation = (
        session.get(Organisation, event.organisation_id)
        if event.organisation_id is not None
        else None
    )
    return person, organisation


# --- create, update, delete -------------------------------------------------------------------


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
    instructions: str = "",
    person_id: int | None = None,
    organisation_id: int | None = None,
    external_uid: str | None = None,
) -> Event:
    tz = zone(beneficiary.timezone)
    _check_event_fields(kind, duration_minutes, instructions)
    person = check_person(session, beneficiary, person_id)
    organisation = check_organisation(session, beneficiary, organisation_id)
    event = Event(
        beneficiary_id=beneficiary.id,
        title=title,
        kind=kind,
        who=who or default_who(person, organisation),
        start_local=to_wall_clock(start, tz),
        duration_minutes=duration_minutes,
        timezone=beneficiary.timezone,
        rrule=_rule(rrule),
        exdates=dump_exdates(to_wall_clock(d, tz) for d in exdates),
        instructions=instructions,
        person_id=person_id,
        organisation_id=organisation_id,
        external_uid=external_uid,
    )
    session.add(event)
    session.flush()
    record_change(session, beneficiary.id, "event", event.id, "upsert")
    return event


def update_event(session: Session, event: Event, changes: dict[str, object]) -> Event:
    tz = zone(event.timezone)
    beneficiary = session.get(Beneficiary, event.beneficiary_id)
    assert beneficiary is not None
    old_default = default_who(*_assigned(session, event))
    for name, value in changes.items():
        if name == "start":
            assert isinstance(value, datetime)
            event.start_local = to_wall_clock(value, tz)
        elif name == "rrule":
            event.rrule = _rule(value if isinstance(value, str) else None)
            if event.rrule is not None and event.recurrence_parent_id is not None:
                raise Invalid("Une occurrence modifiée ne peut pas devenir récurrente.")
        elif name == "exdates":
            assert isinstance(value, list)
            # The starts replaced by overrides stay excluded, or they would show twice.
            kept = [o.recurrence_start_local for o in overrides_of(session, event)]
            event.exdates = dump_exdates(
                [to_wall_clock(d, tz) for d in value] + [d for d in kept if d is not None]
            )
        elif name == "person_id":
            check_person(session, beneficiary, value if isinstance(value, int) else None)
            event.person_id = value if isinstance(value, int) else None
        elif name == "organisation_id":
            check_organisation(session, beneficiary, value if isinstance(value, int) else None)
            event.organisation_id = value if isinstance(value, int) else None
        elif name in ("title", "kind", "who", "duration_minutes", "instructions"):
            setattr(event, name, value)
        else:
            raise Invalid("Champ inconnu : {name}.", name=name)
    _check_event_fields(event.kind, event.duration_minutes, event.instructions)
    # `who` follows the person or organisation when it was empty or their default words.
    if not event.who or ("who" not in changes and event.who == old_default):
        event.who = default_who(*_assigned(session, event))
    event.updated_at = utcnow()
    record_change(session, event.beneficiary_id, "event", event.id, "upsert")
    return event


def delete_event(session: Session, event: Event) -> None:
    """Delete an event; a recurring one takes its changed occurrences with it."""
    overrides = overrides_of(session, event)
    for override in overrides:
        record_change(session, override.beneficiary_id, "event", override.id, "delete")
        session.delete(override)
    if overrides:
        # Before the parent: in one statement, the database's cascade would delete them first.
        session.flush()
    record_change(session, event.beneficiary_id, "event", event.id, "delete")
    session.delete(event)


# --- one occurrence of a recurring event (RECURRENCE-ID) --------------------------------------


def overrides_of(session: Session, event: Event) -> list[Event]:
    if event.id is None:
        return []
    return list(
        session.scalars(
            select(Event).where(Event.recurrence_parent_id == event.id).order_by(Event.id)
        )
    )


def override_at(session: Session, parent: Event, occurrence_start: datetime) -> Event | None:
    return session.scalar(
        select(Event).where(
            Event.recurrence_parent_id == parent.id,
            Event.recurrence_start_local == occurrence_start,
        )
    )


def is_occurrence(rrule: str | None, start_local: datetime, wall_start: datetime) -> bool:
    """True when the rule from `start_local` produces this wall-clock start (exdates not
    considered)."""
    if rrule is None:
        return False
    if not FIRST_YEAR <= wall_start.year <= LAST_YEAR or wall_start < start_local:
        return False
    rule = dateutil_rrule.rrulestr(rrule, dtstart=start_local)
    assert isinstance(rule, dateutil_rrule.rrule)
    found = rule.after(wall_start - timedelta(seconds=1))
    return found == wall_start


def _occurrence_of(event: Event, occurrence_start: datetime) -> datetime:
    if event.rrule is None:
        raise Invalid("Ce rendez-vous n'est pas récurrent : modifiez-le directement.")
    if not FIRST_YEAR <= occurrence_start.year <= LAST_YEAR:
        raise NotFound("Cette série n'a pas d'occurrence à cette date et heure.")
    wall = to_wall_clock(occurrence_start, ZoneInfo(event.timezone))
    if not is_occurrence(event.rrule, event.start_local, wall):
        raise NotFound("Cette série n'a pas d'occurrence à cette date et heure.")
    return wall


def _add_exdate(session: Session, parent: Event, wall: datetime) -> None:
    days = set(exdates_of(parent))
    if wall not in days:
        parent.exdates = dump_exdates([*days, wall])
        parent.updated_at = utcnow()
        record_change(session, parent.beneficiary_id, "event", parent.id, "upsert")


def edit_occurrence(
    session: Session, parent: Event, occurrence_start: datetime, changes: dict[str, object]
) -> tuple[Event, bool]:
    """Change one occurrence: creates (or updates) its override. Returns it, and whether it
    was created."""
    unknown = set(changes) - set(OCCURRENCE_FIELDS)
    if unknown:
        raise Invalid("Champ inconnu : {name}.", name=sorted(unknown)[0])
    wall = _occurrence_of(parent, occurrence_start)
    override = override_at(session, parent, wall)
    created = override is None
    if override is None:
        override = Event(
            beneficiary_id=parent.beneficiary_id,
            title=parent.title,
            kind=parent.kind,
            who=parent.who,
            start_local=wall,
            duration_minutes=parent.duration_minutes,
            timezone=parent.timezone,
            rrule=None,
            exdates="[]",
            instructions=parent.instructions,
            person_id=parent.person_id,
            organisation_id=parent.organisation_id,
            recurrence_parent_id=parent.id,
            recurrence_start_local=wall,
        )
        session.add(override)
        session.flush()
    update_event(session, override, changes)
    _add_exdate(session, parent, wall)
    return override, created


def cancel_occurrence(session: Session, parent: Event, occurrence_start: datetime) -> None:
    """Cancel one occurrence: an exdate on the parent, and its override (if any) deleted."""
    wall = _occurrence_of(parent, occurrence_start)
    override = override_at(session, parent, wall)
    if override is not None:
        delete_event(session, override)
    _add_exdate(session, parent, wall)


# --- reading ----------------------------------------------------------------------------------


def event_for(session: Session, user: User, event_id: int, permission: Permission) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound("Rendez-vous introuvable.")
    try:
        access.require(session, user, event.beneficiary_id, permission)
    except NotFound as exc:
        raise NotFound("Rendez-vous introuvable.") from exc
    return event


def events_of(
    session: Session, beneficiary_id: int, *, after_id: int | None = None, limit: int | None = None
) -> list[Event]:
    query = select(Event).where(Event.beneficiary_id == beneficiary_id)
    if after_id is not None:
        query = query.where(Event.id > after_id)
    query = query.order_by(Event.id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def may_view_instructions(session: Session, user: User, beneficiary: Beneficiary) -> bool:
    return allowed(access.roles_of(session, user, beneficiary), Permission.VIEW_INSTRUCTIONS)


def audit_instructions(
    session: Session, user: User, action: str, beneficiary_id: int, event_id: int | None
) -> None:
    """Care instructions are health data: who read or changed them goes to the audit log."""
    audit.record(
        session,
        action=action,
        entity="event_instructions",
        entity_id=event_id,
        beneficiary_id=beneficiary_id,
        user_id=user.id,
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
    its professional view).

    The optional keys (instructions, person_id, organisation_id, recurrence_parent_id,
    recurrence_start_local) are present only when set: an absent key means empty. An upsert
    replaces the tablet's record whole, so a cleared field disappears with its key.
    """
    payload: dict[str, Any] = {
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
    if event.instructions:
        payload["instructions"] = event.instructions
    if event.person_id is not None:
        payload["person_id"] = event.person_id
    if event.organisation_id is not None:
        payload["organisation_id"] = event.organisation_id
    if event.recurrence_parent_id is not None and event.recurrence_start_local is not None:
        payload["recurrence_parent_id"] = event.recurrence_parent_id
        payload["recurrence_start_local"] = event.recurrence_start_local.isoformat()
    return payload


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

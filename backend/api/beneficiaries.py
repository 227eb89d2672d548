"""Beneficiaries and their agenda, for the care manager who follows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backend.api.deps import MAX_ID, CareManager, CurrentUser, PathId, SessionDep
from backend.errors import Invalid
from backend.models import Beneficiary, Event, User
from backend.policy import Permission
from backend.services import access, agenda, beneficiaries
from backend.text import LINE, MULTILINE
from common.recurrence import occurrences_between

router = APIRouter(prefix="/api/v1", tags=["agenda"])

# Stripped *before* the length check, so that "   " is refused as empty; then the text rule.
Name100 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), LINE
]
Text200 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE
]
Optional200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), LINE]
Instructions = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=agenda.MAX_INSTRUCTIONS), MULTILINE
]
Code = Annotated[str, StringConstraints(max_length=40), LINE]
Rule = Annotated[str, StringConstraints(max_length=500), LINE]
Zone = Annotated[str, StringConstraints(max_length=64), LINE]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
# Occurrences are asked for within these years; far beyond, date arithmetic overflows.
FIRST_YEAR, LAST_YEAR = agenda.FIRST_YEAR, agenda.LAST_YEAR


class BeneficiaryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    first_name: Name100
    last_name: Name100
    timezone: Zone = "Europe/Paris"
    place_name: Optional200 = ""
    latitude: Annotated[float | None, Field(ge=-90, le=90)] = None
    longitude: Annotated[float | None, Field(ge=-180, le=180)] = None


class BeneficiaryUpdate(BaseModel):
    """What changes; the rest stays. `place_name` with `latitude` and `longitude` sets where
    the weather is taken (all three, or `place_name` "" with both null to clear it). The
    console locates a town by its name instead (Open-Meteo's geocoding)."""

    model_config = ConfigDict(extra="forbid")
    first_name: Name100 | None = None
    last_name: Name100 | None = None
    timezone: Zone | None = None
    place_name: Optional200 | None = None
    latitude: Annotated[float | None, Field(ge=-90, le=90)] = None
    longitude: Annotated[float | None, Field(ge=-180, le=180)] = None


class BeneficiaryOut(BaseModel):
    id: int
    first_name: str
    last_name: str
    timezone: str
    place_name: str
    latitude: float | None
    longitude: float | None

    @classmethod
    def of(cls, b: Beneficiary) -> BeneficiaryOut:
        return cls(
            id=b.id,
            first_name=b.first_name,
            last_name=b.last_name,
            timezone=b.timezone,
            place_name=b.place_name,
            latitude=b.latitude,
            longitude=b.longitude,
        )


class EventCreate(BaseModel):
    """`start` with an offset is converted to the beneficiary's wall-clock time; without an
    offset it is taken as wall-clock time in the beneficiary's time zone."""

    model_config = ConfigDict(extra="forbid")
    title: Text200
    kind: Code = "visit"
    who: Optional200 = ""
    start: datetime
    duration_minutes: Annotated[int, Field(ge=1, le=1440)]
    rrule: Rule | None = None
    exdates: Annotated[list[datetime], Field(max_length=500)] = []
    # For the professionals only: family and friends never see them.
    instructions: Instructions = ""
    # Who comes: a person of the circle and/or an organisation the beneficiary is shared
    # with. When `who` is empty it is filled from them ("Claire, infirmière").
    person_id: RowId | None = None
    organisation_id: RowId | None = None


class EventUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Text200 | None = None
    kind: Code | None = None
    who: Optional200 | None = None
    start: datetime | None = None
    duration_minutes: Annotated[int | None, Field(ge=1, le=1440)] = None
    rrule: Rule | None = None
    exdates: Annotated[list[datetime] | None, Field(max_length=500)] = None
    instructions: Instructions | None = None  # null clears them
    person_id: RowId | None = None
    organisation_id: RowId | None = None


class OccurrenceUpdate(BaseModel):
    """What changes for one occurrence; the rest stays as in the series."""

    model_config = ConfigDict(extra="forbid")
    title: Text200 | None = None
    kind: Code | None = None
    who: Optional200 | None = None
    start: datetime | None = None
    duration_minutes: Annotated[int | None, Field(ge=1, le=1440)] = None
    instructions: Instructions | None = None
    person_id: RowId | None = None
    organisation_id: RowId | None = None


class EventOut(BaseModel):
    id: int
    beneficiary_id: int
    title: str
    kind: str
    who: str
    start: datetime  # aware, the first occurrence, in the event's time zone
    timezone: str
    duration_minutes: int
    rrule: str | None
    exdates: list[datetime]
    # null for whoever may not see them (family, friends, volunteers).
    instructions: str | None
    person_id: int | None
    organisation_id: int | None
    # For a changed occurrence of a recurring event: the series, and the start it replaces.
    recurrence_parent_id: int | None
    recurrence_start: datetime | None

    @classmethod
    def of(cls, e: Event, *, show_instructions: bool = False) -> EventOut:
        tz = ZoneInfo(e.timezone)
        replaced = e.recurrence_start_local
        return cls(
            id=e.id,
            beneficiary_id=e.beneficiary_id,
            title=e.title,
            kind=e.kind,
            who=e.who,
            start=e.start_local.replace(tzinfo=tz),
            timezone=e.timezone,
            duration_minutes=e.duration_minutes,
            rrule=e.rrule,
            exdates=[d.replace(tzinfo=tz) for d in agenda.exdates_of(e)],
            instructions=e.instructions if show_instructions else None,
            person_id=e.person_id,
            organisation_id=e.organisation_id,
            recurrence_parent_id=e.recurrence_parent_id,
            recurrence_start=replaced.replace(tzinfo=tz) if replaced is not None else None,
        )


class OccurrenceOut(BaseModel):
    event_id: int
    title: str
    kind: str
    who: str
    start: datetime
    end: datetime


@router.post("/beneficiaries", response_model=BeneficiaryOut, status_code=201)
def create_beneficiary(
    body: BeneficiaryCreate, user: CareManager, session: SessionDep
) -> BeneficiaryOut:
    b = agenda.create_beneficiary(
        session,
        user,
        body.first_name,
        body.last_name,
        body.timezone,
        body.place_name,
        body.latitude,
        body.longitude,
    )
    return BeneficiaryOut.of(b)


@router.get("/beneficiaries", response_model=list[BeneficiaryOut])
def list_beneficiaries(user: CurrentUser, session: SessionDep) -> list[BeneficiaryOut]:
    """Everyone whose circle the caller belongs to."""
    return [BeneficiaryOut.of(b) for b in access.visible_beneficiaries(session, user)]


@router.get("/beneficiaries/{beneficiary_id}", response_model=BeneficiaryOut)
def get_beneficiary(
    beneficiary_id: PathId, user: CurrentUser, session: SessionDep
) -> BeneficiaryOut:
    return BeneficiaryOut.of(
        access.require(session, user, beneficiary_id, Permission.VIEW_BENEFICIARY)
    )


@router.patch("/beneficiaries/{beneficiary_id}", response_model=BeneficiaryOut)
def update_beneficiary(
    beneficiary_id: PathId, body: BeneficiaryUpdate, user: CurrentUser, session: SessionDep
) -> BeneficiaryOut:
    """Their care manager only (edit_beneficiary). Changing the time zone keeps the agenda's
    wall-clock times."""
    current = beneficiaries.for_edit(session, user, beneficiary_id)
    sent = body.model_dump(exclude_unset=True)
    location = None
    if {"place_name", "latitude", "longitude"} & sent.keys():
        if not {"place_name", "latitude", "longitude"} <= sent.keys():
            raise Invalid("Donnez ensemble place_name, latitude et longitude.")
        location = beneficiaries.Location(body.place_name or "", body.latitude, body.longitude)
    return BeneficiaryOut.of(
        beneficiaries.update(
            session,
            user,
            beneficiary_id,
            first_name=body.first_name or current.first_name,
            last_name=body.last_name or current.last_name,
            timezone=body.timezone or current.timezone,
            location=location,
        )
    )


def _out(session: SessionDep, user: User, event: Event) -> EventOut:
    """An event as `user` may see it; a read of instructions is audited."""
    beneficiary = session.get(Beneficiary, event.beneficiary_id)
    assert beneficiary is not None
    show = agenda.may_view_instructions(session, user, beneficiary)
    if show and event.instructions:
        agenda.audit_instructions(session, user, "read", event.beneficiary_id, event.id)
    return EventOut.of(event, show_instructions=show)


@router.post("/beneficiaries/{beneficiary_id}/events", response_model=EventOut, status_code=201)
def create_event(
    beneficiary_id: PathId, body: EventCreate, user: CurrentUser, session: SessionDep
) -> EventOut:
    beneficiary = access.require(session, user, beneficiary_id, Permission.EDIT_AGENDA)
    event = agenda.create_event(
        session,
        beneficiary,
        title=body.title,
        kind=body.kind,
        who=body.who,
        start=body.start,
        duration_minutes=body.duration_minutes,
        rrule=body.rrule,
        exdates=body.exdates,
        instructions=body.instructions,
        person_id=body.person_id,
        organisation_id=body.organisation_id,
    )
    if event.instructions:
        agenda.audit_instructions(session, user, "create", beneficiary_id, event.id)
    return EventOut.of(event, show_instructions=True)


@router.get("/beneficiaries/{beneficiary_id}/events", response_model=list[EventOut])
def list_events(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    after_id: Annotated[int | None, Query(ge=0, le=MAX_ID, description="Cursor: last id seen")] = (
        None
    ),
) -> list[EventOut]:
    """Events by id; the next page starts after the last id of this one."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.VIEW_AGENDA)
    show = agenda.may_view_instructions(session, user, beneficiary)
    events = agenda.events_of(session, beneficiary_id, after_id=after_id, limit=limit)
    if show and any(e.instructions for e in events):
        agenda.audit_instructions(session, user, "read", beneficiary_id, None)
    return [EventOut.of(e, show_instructions=show) for e in events]


@router.get("/beneficiaries/{beneficiary_id}/occurrences", response_model=list[OccurrenceOut])
def list_occurrences(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    start: Annotated[datetime, Query(description="Aware ISO 8601 datetime")],
    end: Annotated[datetime, Query(description="Aware ISO 8601 datetime")],
) -> list[OccurrenceOut]:
    """Recurring events expanded between two instants, with the same code as the tablet."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.VIEW_AGENDA)
    tz = ZoneInfo(beneficiary.timezone)
    if not (FIRST_YEAR <= start.year <= LAST_YEAR and FIRST_YEAR <= end.year <= LAST_YEAR):
        raise Invalid(
            "Les dates doivent être entre {first} et {last}.", first=FIRST_YEAR, last=LAST_YEAR
        )
    start, end = (d if d.tzinfo else d.replace(tzinfo=tz) for d in (start, end))
    if end <= start or (end - start).days > 366:
        raise Invalid("La période doit être positive et d'au plus un an.")
    events = [agenda.as_agenda_event(e) for e in agenda.events_of(session, beneficiary_id)]
    return [
        OccurrenceOut(
            event_id=o.event_id, title=o.title, kind=o.kind, who=o.who, start=o.start, end=o.end
        )
        for o in occurrences_between(events, start, end)
    ]


@router.get("/events/{event_id}", response_model=EventOut)
def get_event(event_id: PathId, user: CurrentUser, session: SessionDep) -> EventOut:
    return _out(session, user, agenda.event_for(session, user, event_id, Permission.VIEW_AGENDA))


@router.patch("/events/{event_id}", response_model=EventOut)
def update_event(
    event_id: PathId, body: EventUpdate, user: CurrentUser, session: SessionDep
) -> EventOut:
    event = agenda.event_for(session, user, event_id, Permission.EDIT_AGENDA)
    changes = body.model_dump(exclude_unset=True)
    for required in ("title", "kind", "start", "duration_minutes", "exdates", "who"):
        if required in changes and changes[required] is None:
            raise Invalid("Le champ {field} ne peut pas être vide.", field=required)
    if "exdates" in changes:
        changes["exdates"] = body.exdates
    if "instructions" in changes:
        changes["instructions"] = changes["instructions"] or ""
        agenda.audit_instructions(session, user, "update", event.beneficiary_id, event.id)
    return EventOut.of(agenda.update_event(session, event, changes), show_instructions=True)


@router.delete("/events/{event_id}", status_code=204)
def delete_event(event_id: PathId, user: CurrentUser, session: SessionDep) -> Response:
    """Deleting a recurring event deletes its changed occurrences too."""
    agenda.delete_event(session, agenda.event_for(session, user, event_id, Permission.EDIT_AGENDA))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


OccurrenceStart = Annotated[
    datetime,
    Path(
        description="The wall-clock start of the occurrence in the event's time zone "
        "(e.g. 2026-11-25T11:00:00); with an offset, it is converted to it."
    ),
]


@router.put("/events/{event_id}/occurrences/{occurrence_start}", response_model=EventOut)
def edit_occurrence(
    event_id: PathId,
    occurrence_start: OccurrenceStart,
    body: OccurrenceUpdate,
    user: CurrentUser,
    session: SessionDep,
) -> EventOut:
    """Change one occurrence of a recurring event (RFC 5545 RECURRENCE-ID): the answer is the
    override, a one-off event that replaces it (created, or updated if it already exists)."""
    parent = agenda.event_for(session, user, event_id, Permission.EDIT_AGENDA)
    changes = body.model_dump(exclude_unset=True)
    for required in ("title", "kind", "start", "duration_minutes", "who"):
        if required in changes and changes[required] is None:
            raise Invalid("Le champ {field} ne peut pas être vide.", field=required)
    if "instructions" in changes:
        changes["instructions"] = changes["instructions"] or ""
    override, _created = agenda.edit_occurrence(session, parent, occurrence_start, changes)
    if "instructions" in changes:
        agenda.audit_instructions(session, user, "update", override.beneficiary_id, override.id)
    return EventOut.of(override, show_instructions=True)


@router.delete("/events/{event_id}/occurrences/{occurrence_start}", status_code=204)
def cancel_occurrence(
    event_id: PathId, occurrence_start: OccurrenceStart, user: CurrentUser, session: SessionDep
) -> Response:
    """Cancel one occurrence of a recurring event (and drop its changes, if any)."""
    parent = agenda.event_for(session, user, event_id, Permission.EDIT_AGENDA)
    agenda.cancel_occurrence(session, parent, occurrence_start)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

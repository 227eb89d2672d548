"""Professionals' visits (arrival, departure, the visits log) and their personal tablet PIN.

On the tablet, arrival and departure go through POST /api/v1/device/actions (types "arrival"
and "departure", with the professional's user id and PIN).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from backend.api.deps import CurrentUser, NowDep, PathId, SessionDep
from backend.api.device_actions import register_action
from backend.errors import Invalid
from backend.models import VisitRecord
from backend.policy import Permission
from backend.services import access, visits
from backend.text import LINE

router = APIRouter(prefix="/api/v1", tags=["visits"])

register_action("arrival", visits.arrival_action)
register_action("departure", visits.departure_action)

FIRST_YEAR, LAST_YEAR = 1900, 2200


class PinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pin: Annotated[str, Field(pattern=r"^[0-9]{4,8}$", examples=["4821"]), LINE]


class VisitOut(BaseModel):
    id: int
    beneficiary_id: int
    user_id: int
    event_id: int | None
    occurrence_start: datetime | None
    arrived_at: datetime
    departed_at: datetime | None
    source: str
    late: bool

    @classmethod
    def of(cls, r: VisitRecord) -> VisitOut:
        return cls(
            id=r.id,
            beneficiary_id=r.beneficiary_id,
            user_id=r.user_id,
            event_id=r.event_id,
            occurrence_start=r.occurrence_start,
            arrived_at=r.arrived_at,
            departed_at=r.departed_at,
            source=r.source,
            late=visits.is_late(r),
        )


class PlannedOut(BaseModel):
    event_id: int
    title: str
    who: str
    kind: str
    start: datetime
    end: datetime


class LogEntryOut(BaseModel):
    status: str  # on_time, late, missed, cancelled, upcoming, in_progress, unplanned
    late: bool
    planned: PlannedOut | None
    visit: VisitOut | None
    visitor_name: str | None
    reason: str | None = None  # why it did not happen: no_answer, refused, forgotten, cancelled


Reason = Literal["no_answer", "refused", "forgotten", "cancelled"]


class AbsenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event_id: Annotated[int, Field(ge=1, le=visits.MAX_ID)]
    occurrence_start: datetime  # as the visits log gives it (planned.start)
    reason: Reason


class AbsenceOut(BaseModel):
    event_id: int
    occurrence_start: datetime
    reason: str
    reason_text: str  # in French: "pas de réponse"…
    recorded_by_id: int | None
    recorded_at: datetime


@router.post("/me/pin", status_code=204)
def set_my_pin(body: PinIn, user: CurrentUser, session: SessionDep) -> Response:
    """Set (or change) the caller's own PIN for the tablet; only its argon2 hash is kept."""
    visits.set_pin(session, user, body.pin)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/beneficiaries/{beneficiary_id}/visits/arrival", response_model=VisitOut, status_code=201
)
def record_arrival(
    beneficiary_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> VisitOut:
    """The caller arrives at the beneficiary's home now."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.RECORD_VISIT)
    return VisitOut.of(visits.arrive(session, beneficiary, user, now, "console"))


@router.post("/beneficiaries/{beneficiary_id}/visits/departure", response_model=VisitOut)
def record_departure(
    beneficiary_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> VisitOut:
    """The caller leaves: closes their open visit."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.RECORD_VISIT)
    return VisitOut.of(visits.depart(session, beneficiary, user, now))


@router.put("/beneficiaries/{beneficiary_id}/visits/absence", response_model=AbsenceOut)
def record_absence(
    beneficiary_id: PathId, body: AbsenceIn, user: CurrentUser, session: SessionDep, now: NowDep
) -> AbsenceOut:
    """Why a planned visit did not happen (set or change): no_answer (pas de réponse), refused
    (refusée par la personne), forgotten (oubliée), cancelled (annulée; the only one before the
    visit's start). 409 when an arrival is recorded for it; 404 for no such occurrence."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.RECORD_VISIT)
    absence = visits.record_absence(
        session, beneficiary, user, body.event_id, body.occurrence_start, body.reason, now
    )
    return AbsenceOut(
        event_id=absence.event_id,
        occurrence_start=absence.occurrence_start,
        reason=absence.reason,
        reason_text=visits.REASONS[absence.reason],
        recorded_by_id=absence.recorded_by_id,
        recorded_at=absence.recorded_at,
    )


@router.delete("/beneficiaries/{beneficiary_id}/visits/absence", status_code=204)
def clear_absence(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    event_id: Annotated[int, Query(ge=1, le=visits.MAX_ID)],
    occurrence_start: Annotated[datetime, Query()],
) -> Response:
    """Take back the reason given for a planned visit."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.RECORD_VISIT)
    visits.clear_absence(session, beneficiary, user, event_id, occurrence_start, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/beneficiaries/{beneficiary_id}/visits", response_model=list[LogEntryOut])
def visit_log(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    start: Annotated[datetime | None, Query(description="ISO 8601; default: today 00:00")] = None,
    end: Annotated[datetime | None, Query(description="ISO 8601; default: start + 1 day")] = None,
) -> list[LogEntryOut]:
    """Planned visits and recorded ones in [start, end) (at most 366 days), in time order."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.VIEW_VISITS)
    tz = ZoneInfo(beneficiary.timezone)
    for moment in (start, end):
        if moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise Invalid(
                "Les dates doivent être entre {first} et {last}.", first=FIRST_YEAR, last=LAST_YEAR
            )
    if start is None:
        start = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    elif start.tzinfo is None:
        start = start.replace(tzinfo=tz)
    if end is None:
        end = start + timedelta(days=1)
    elif end.tzinfo is None:
        end = end.replace(tzinfo=tz)
    entries = visits.visit_log(session, beneficiary, start, end, now)
    return [
        LogEntryOut(
            status=e.status,
            late=e.late,
            planned=PlannedOut(
                event_id=e.occurrence.event_id,
                title=e.occurrence.title,
                who=e.occurrence.who,
                kind=e.occurrence.kind,
                start=e.occurrence.start,
                end=e.occurrence.end,
            )
            if e.occurrence
            else None,
            visit=VisitOut.of(e.record) if e.record else None,
            visitor_name=e.visitor_name,
            reason=e.reason,
        )
        for e in entries
    ]

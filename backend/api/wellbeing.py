"""Well-being: readings by professionals, the series and weekly summary, mood-drop alerts.

The tablet's mood check-ins arrive through POST /api/v1/device/actions (type "mood").
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from backend.api.deps import MAX_ID, CurrentUser, NowDep, PathId, SessionDep
from backend.api.device_actions import register_action
from backend.errors import Invalid
from backend.models import Alert
from backend.policy import Permission
from backend.services import access, wellbeing
from backend.text import MULTILINE

router = APIRouter(prefix="/api/v1", tags=["wellbeing"])

register_action("mood", wellbeing.mood_action)

FIRST_YEAR, LAST_YEAR = 1900, 2200


class ReadingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    score: Annotated[int, Field(ge=1, le=5, strict=True)]
    note: Annotated[str, Field(max_length=wellbeing.MAX_NOTE_LENGTH), MULTILINE] = ""


class ReadingOut(BaseModel):
    id: int
    beneficiary_id: int
    score: int
    note: str
    recorded_at: datetime
    author_user_id: int
    alert_created: bool


class SeriesItemOut(BaseModel):
    type: str
    id: int
    score: int
    recorded_at: datetime
    tags: list[str]
    note: str | None
    author_user_id: int | None
    author_name: str | None


class SeriesOut(BaseModel):
    start: datetime
    end: datetime
    items: list[SeriesItemOut]


class WeekOut(BaseModel):
    week: str
    start: datetime
    end: datetime
    mood_count: int
    mood_mean: float | None
    mood_min: int | None
    tags: dict[str, int]
    reading_count: int
    reading_mean: float | None


class AlertOut(BaseModel):
    id: int
    beneficiary_id: int
    kind: str
    message: str
    created_at: datetime
    acknowledged_at: datetime | None

    @classmethod
    def of(cls, a: Alert) -> AlertOut:
        return cls(
            id=a.id,
            beneficiary_id=a.beneficiary_id,
            kind=a.kind,
            message=a.message,
            created_at=a.created_at,
            acknowledged_at=a.acknowledged_at,
        )


def _aware(moment: datetime, tz: ZoneInfo) -> datetime:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise Invalid(
            "Les dates doivent être entre {first} et {last}.", first=FIRST_YEAR, last=LAST_YEAR
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


@router.post(
    "/beneficiaries/{beneficiary_id}/wellbeing/readings",
    response_model=ReadingOut,
    status_code=201,
)
def record_reading(
    beneficiary_id: PathId, body: ReadingIn, user: CurrentUser, session: SessionDep, now: NowDep
) -> ReadingOut:
    """A professional's well-being reading (1 to 5, and a plain-text note)."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.RECORD_READING)
    reading, alert = wellbeing.record_reading(
        session, user, beneficiary, body.score, body.note, now
    )
    return ReadingOut(
        id=reading.id,
        beneficiary_id=reading.beneficiary_id,
        score=reading.score,
        note=reading.note,
        recorded_at=reading.recorded_at,
        author_user_id=reading.author_user_id,
        alert_created=alert is not None,
    )


@router.get("/beneficiaries/{beneficiary_id}/wellbeing", response_model=SeriesOut)
def get_series(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    start: Annotated[datetime | None, Query(description="ISO 8601; default: end − 30 days")] = None,
    end: Annotated[datetime | None, Query(description="ISO 8601; default: now + 5 min")] = None,
) -> SeriesOut:
    """Moods and readings in [start, end), oldest first; at most 366 days at once."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.VIEW_WELLBEING)
    tz = ZoneInfo(beneficiary.timezone)
    # By default up to a little after now: a tablet's clock may be slightly ahead.
    end = _aware(end, tz) if end is not None else now + wellbeing.FUTURE_TOLERANCE
    start = _aware(start, tz) if start is not None else end - timedelta(days=30)
    items = wellbeing.series(session, user, beneficiary, start, end, now)
    return SeriesOut(
        start=start,
        end=end,
        items=[SeriesItemOut(**item.__dict__) for item in items],
    )


@router.get("/beneficiaries/{beneficiary_id}/wellbeing/weekly", response_model=list[WeekOut])
def get_weekly(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    weeks: Annotated[int, Query(ge=1, le=wellbeing.MAX_WEEKS)] = 8,
) -> list[WeekOut]:
    """Per ISO week of the beneficiary's time zone, the current week last."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.VIEW_WELLBEING)
    return [WeekOut(**w) for w in wellbeing.weekly(session, user, beneficiary, weeks, now)]


@router.get("/beneficiaries/{beneficiary_id}/alerts", response_model=list[AlertOut])
def list_alerts(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    open_only: Annotated[bool, Query(alias="open")] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[AlertOut]:
    """Newest first; `before_id` pages back; `open=true` keeps the unacknowledged ones."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.VIEW_ALERTS)
    rows = wellbeing.alerts(
        session,
        user,
        beneficiary,
        open_only=open_only,
        limit=limit,
        before_id=before_id,
        now=now,
    )
    return [AlertOut.of(a) for a in rows]


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut)
def acknowledge_alert(
    alert_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> AlertOut:
    """Mark an alert as seen (a second call changes nothing)."""
    return AlertOut.of(wellbeing.acknowledge(session, user, alert_id, now))

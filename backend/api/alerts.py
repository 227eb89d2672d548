"""Alerts (an unconfirmed reminder, a mood trend, a tablet offline…) and how each person wants
to hear of them by e-mail.

Who sees what is decided in `backend.services.alerts`: the care managers see every alert of
their beneficiaries, a named recipient the alerts naming them; to anyone else an alert does not
exist (404). Whoever sees an alert may take it on, close it with a note, reopen it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backend.api.deps import MAX_ID, CurrentUser, NowDep, PathId, SessionDep
from backend.services import alerts, mail
from backend.text import LINE, MultiLineText

router = APIRouter(prefix="/api/v1", tags=["alerts"])

State = Literal["open", "taken", "closed"]


class AlertOut(BaseModel):
    id: int
    beneficiary_id: int
    beneficiary_name: str
    kind: str  # reminder_missed, wellbeing_trend, tablet_offline…
    message: str  # French, no health detail
    critical: bool
    state: State
    created_at: datetime
    taken_by_id: int | None
    taken_by_name: str | None
    taken_at: datetime | None
    closed_at: datetime | None
    closed_by_id: int | None  # None with closed_at set: closed by the system
    closed_by_name: str | None
    close_note: str
    named: bool  # the caller is one of its named recipients

    @classmethod
    def of(cls, v: alerts.AlertView) -> AlertOut:
        return cls(
            id=v.id,
            beneficiary_id=v.beneficiary_id,
            beneficiary_name=v.beneficiary_name,
            kind=v.kind,
            message=v.message,
            critical=v.critical,
            state=v.state,  # type: ignore[arg-type]
            created_at=v.created_at,
            taken_by_id=v.taken_by_id,
            taken_by_name=v.taken_by_name,
            taken_at=v.taken_at,
            closed_at=v.closed_at,
            closed_by_id=v.closed_by_id,
            closed_by_name=v.closed_by_name,
            close_note=v.close_note,
            named=v.named,
        )


class EventOut(BaseModel):
    at: datetime
    action: str  # opened, taken, closed, reopened, auto_closed, notified
    actor_user_id: int | None  # None: the system
    actor_name: str | None
    note: str


class AlertDetailOut(AlertOut):
    history: list[EventOut]


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Required and at most 2000 characters once stripped: the service says so in French.
    note: MultiLineText


class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: MultiLineText = ""


HourMinute = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5), LINE]


class NotificationsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email_mode: Literal["immediate", "digest", "never"]
    digest_hour: Annotated[int, Field(ge=0, le=23, strict=True)] = mail.DEFAULT_DIGEST_HOUR
    # "21:00" and "08:00": during them only critical alerts are e-mailed; null: none.
    quiet_start: HourMinute | None = None
    quiet_end: HourMinute | None = None
    timezone: Annotated[str, StringConstraints(max_length=64), LINE] = mail.DEFAULT_TIMEZONE


class NotificationsOut(BaseModel):
    email_mode: Literal["immediate", "digest", "never"]
    digest_hour: int
    quiet_start: str | None
    quiet_end: str | None
    timezone: str

    @classmethod
    def of(cls, p: mail.Preferences) -> NotificationsOut:
        return cls(
            email_mode=p.email_mode,  # type: ignore[arg-type]
            digest_hour=p.digest_hour,
            quiet_start=p.quiet_start,
            quiet_end=p.quiet_end,
            timezone=p.timezone,
        )


@router.get("/alerts", response_model=list[AlertOut])
def list_alerts(
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    beneficiary_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    state: Annotated[list[State] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[AlertOut]:
    """The alerts the caller sees, newest first (`before_id` pages back): open and taken ones
    unless `state` says otherwise (repeatable: `?state=closed`); of one beneficiary with
    `beneficiary_id` (404 outside its circle)."""
    states = tuple(dict.fromkeys(state)) if state else alerts.ACTIVE
    rows = alerts.list_for_user(
        session,
        user,
        now=now,
        beneficiary_id=beneficiary_id,
        states=states,
        limit=limit,
        before_id=before_id,
    )
    return [AlertOut.of(v) for v in rows]


@router.get("/alerts/{alert_id}", response_model=AlertDetailOut)
def get_alert(
    alert_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> AlertDetailOut:
    """One alert and its history, oldest step first."""
    view = alerts.get(session, user, alert_id, now)
    events = alerts.history(session, user, alert_id, now)
    return AlertDetailOut(
        **AlertOut.of(view).model_dump(),
        history=[
            EventOut(
                at=e.at,
                action=e.action,
                actor_user_id=e.actor_user_id,
                actor_name=e.actor_name,
                note=e.note,
            )
            for e in events
        ],
    )


@router.post("/alerts/{alert_id}/take", response_model=AlertOut)
def take_alert(alert_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep) -> AlertOut:
    """ "Prise en charge par" the caller (409 when closed: reopen it first)."""
    return AlertOut.of(alerts.take(session, user, alert_id, now))


@router.post("/alerts/{alert_id}/close", response_model=AlertOut)
def close_alert(
    alert_id: PathId, body: CloseIn, user: CurrentUser, session: SessionDep, now: NowDep
) -> AlertOut:
    """Close with a note saying what was done (409 when already closed)."""
    return AlertOut.of(alerts.close(session, user, alert_id, body.note, now))


@router.post("/alerts/{alert_id}/reopen", response_model=AlertOut)
def reopen_alert(
    alert_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    body: ReopenIn | None = None,
) -> AlertOut:
    """Open a closed alert again (409 when it is not closed)."""
    note = body.note if body is not None else ""
    return AlertOut.of(alerts.reopen(session, user, alert_id, now, note))


@router.get("/me/notifications", response_model=NotificationsOut)
def get_notifications(user: CurrentUser, session: SessionDep) -> NotificationsOut:
    """How the caller hears of alerts by e-mail."""
    return NotificationsOut.of(mail.get_preferences(session, user))


@router.put("/me/notifications", response_model=NotificationsOut)
def put_notifications(
    body: NotificationsIn, user: CurrentUser, session: SessionDep, now: NowDep
) -> NotificationsOut:
    """At once, a daily digest at `digest_hour`, or never; quiet hours in `timezone` (both
    times or neither), during which only critical alerts are e-mailed."""
    preferences = mail.set_preferences(
        session,
        user,
        email_mode=body.email_mode,
        digest_hour=body.digest_hour,
        quiet_start=body.quiet_start,
        quiet_end=body.quiet_end,
        timezone=body.timezone,
        now=now,
    )
    return NotificationsOut.of(preferences)

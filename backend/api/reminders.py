"""Reminders (docs/reminders.md): list, create, read, change, pause, resume and delete a
beneficiary's reminders, their adherence per week, and who besides the care manager may
manage them (reminder editors).

Rights are decided by `backend.services.reminders` (VIEW_REMINDERS to read; MANAGE_REMINDERS or
a delegation to write; the care manager alone grants a delegation). The tablet receives the
reminders through its sync (kind "reminders") and confirms one through POST
/api/v1/device/actions (type "reminder_done").
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backend.api.deps import MAX_ID, CurrentUser, NowDep, PathId, SessionDep
from backend.api.device_actions import register_action
from backend.services import reminders
from backend.text import LINE, MULTILINE
from common import reminders as schedule

router = APIRouter(prefix="/api/v1", tags=["reminders"])

register_action("reminder_done", reminders.confirm_action)

# Stripped before the length check ("   " is empty), then the text rule. Markup is text: it is
# kept as typed and escaped where it is shown.
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=schedule.MAX_TITLE),
    LINE,
]
Detail = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=schedule.MAX_DETAIL), MULTILINE
]
Code = Annotated[str, StringConstraints(max_length=40), LINE]
Rule = Annotated[str, StringConstraints(max_length=500), LINE]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
# Bounds here only keep numbers storable; the service says the real ranges in French.
Minutes = Annotated[int, Field(ge=0, le=100_000)]

Responses = dict[int | str, dict[str, Any]]
FOUND: Responses = {404: {"description": "No such beneficiary or reminder, or outside the circle."}}
FORBIDDEN: Responses = {403: {"description": "In the circle, without the right to do this."}}
WRITE_ERRORS: Responses = {
    **FOUND,
    **FORBIDDEN,
    422: {
        "description": "Refused, with the reason in French: the title (empty, longer than "
        "120 characters, a control character), the kind, the schedule (a rule due more than "
        "12 times a day or finer than daily, a day some months lack), the repeat and alert "
        "delays, a person to alert outside the circle."
    },
}
ACTIVE_LIMIT: Responses = {
    409: {
        "description": f"The beneficiary already has {schedule.MAX_ACTIVE_PER_BENEFICIARY} "
        "active reminders: pause or delete one first."
    }
}


class ReminderCreate(BaseModel):
    """`start` with an offset is converted to the beneficiary's wall-clock time; without one it
    is wall-clock time in the beneficiary's time zone (seconds are dropped). `rrule` repeats it
    (DAILY, WEEKLY, MONTHLY, YEARLY; BYHOUR and BYMINUTE for several times a day, at most 12;
    no end needed). `escalate_after_minutes`: alert the care managers and `watcher_ids` (people
    of the circle) when it is not confirmed this long after the due time."""

    model_config = ConfigDict(extra="forbid")
    title: Title
    kind: Code = schedule.Kind.OTHER.value  # medication, appointment, drink, other
    detail: Detail = ""
    start: datetime
    rrule: Rule | None = None
    confirm_wanted: bool = True
    repeat_every_minutes: Minutes = 10
    repeat_count: Minutes = 3
    escalate_after_minutes: Minutes | None = None
    critical: bool = False
    watcher_ids: Annotated[list[RowId], Field(max_length=reminders.MAX_WATCHERS)] = []


class ReminderUpdate(BaseModel):
    """What changes; the rest stays. `rrule: null` makes it a single time,
    `escalate_after_minutes: null` removes the alert, `watcher_ids` replaces the list."""

    model_config = ConfigDict(extra="forbid")
    title: Title | None = None
    kind: Code | None = None
    detail: Detail | None = None
    start: datetime | None = None
    rrule: Rule | None = None
    confirm_wanted: bool | None = None
    repeat_every_minutes: Minutes | None = None
    repeat_count: Minutes | None = None
    escalate_after_minutes: Minutes | None = None
    critical: bool | None = None
    watcher_ids: Annotated[list[RowId] | None, Field(max_length=reminders.MAX_WATCHERS)] = None


class ReminderOut(BaseModel):
    id: int
    beneficiary_id: int
    title: str  # as typed: escape it where it is shown
    kind: str
    kind_label: str  # in French: "Médicament"…
    detail: str
    start: datetime  # aware, in the beneficiary's zone: the first due time as written
    start_local: datetime  # the same, wall-clock (what the tablet receives)
    timezone: str
    rrule: str | None
    confirm_wanted: bool
    repeat_every_minutes: int
    repeat_count: int
    escalate_after_minutes: int | None
    critical: bool
    paused: bool
    paused_at: datetime | None
    version: int
    watcher_ids: list[int]
    next_due: datetime | None  # null when paused or when it will not come again
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, info: reminders.ReminderInfo) -> ReminderOut:
        r = info.reminder
        return cls(
            id=r.id,
            beneficiary_id=r.beneficiary_id,
            title=r.title,
            kind=r.kind,
            kind_label=info.kind_label,
            detail=r.detail,
            start=info.start,
            start_local=r.start_local,
            timezone=info.tz.key,
            rrule=r.rrule,
            confirm_wanted=r.confirm_wanted,
            repeat_every_minutes=r.repeat_every_minutes,
            repeat_count=r.repeat_count,
            escalate_after_minutes=r.escalate_after_minutes,
            critical=r.critical,
            paused=info.paused,
            paused_at=r.paused_at,
            version=r.version,
            watcher_ids=info.watcher_ids,
            next_due=info.next_due,
            created_by_id=r.created_by_id,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


class CountsOut(BaseModel):
    expected: int
    confirmed: int  # "C'est fait" within the window
    late: int  # after it
    missed: int  # not confirmed, and the tablet was there to say so
    unknown: int  # not confirmed, the tablet offline since before it
    pending: int  # due, its window still open
    confirmed_share: float | None  # (confirmed + late) / (confirmed + late + missed)

    @classmethod
    def of(cls, c: reminders.Counts) -> CountsOut:
        return cls(
            expected=c.expected,
            confirmed=c.confirmed,
            late=c.late,
            missed=c.missed,
            unknown=c.unknown,
            pending=c.pending,
            confirmed_share=c.confirmed_share,
        )


class WeekOut(BaseModel):
    week: str  # ISO week in the beneficiary's zone: "2026-W49"
    start: datetime
    end: datetime
    counts: CountsOut

    @classmethod
    def of(cls, w: reminders.WeekAdherence) -> WeekOut:
        return cls(week=w.week, start=w.start, end=w.end, counts=CountsOut.of(w.counts))


class ReminderAdherenceOut(BaseModel):
    reminder_id: int
    title: str
    kind: str
    paused: bool
    total: CountsOut
    weeks: list[WeekOut]


class AdherenceOut(BaseModel):
    weeks: list[WeekOut]  # oldest first, the current week (up to now) last
    reminders: list[ReminderAdherenceOut]


class EditorOut(BaseModel):
    user_id: int
    name: str
    granted_by_id: int | None
    granted_at: datetime
    effective: bool  # false once the person no longer views reminders (left the circle…)

    @classmethod
    def of(cls, e: reminders.EditorInfo) -> EditorOut:
        return cls(
            user_id=e.user_id,
            name=e.name,
            granted_by_id=e.granted_by_id,
            granted_at=e.granted_at,
            effective=e.effective,
        )


B = "/beneficiaries/{beneficiary_id}/reminders"


# Fixed paths first: "/reminders/adherence" must not be read as a reminder's id.
@router.get(f"{B}/adherence", response_model=AdherenceOut, responses={**FOUND, **FORBIDDEN})
def get_adherence(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    weeks: Annotated[int, Query(ge=1, le=reminders.MAX_WEEKS)] = 4,
) -> AdherenceOut:
    """Per ISO week (the last `weeks`, this one up to now) and per reminder: the occurrences of
    the reminders that ask "C'est fait", by outcome."""
    result = reminders.adherence(session, user, beneficiary_id, weeks, now)
    return AdherenceOut(
        weeks=[WeekOut.of(w) for w in result.weeks],
        reminders=[
            ReminderAdherenceOut(
                reminder_id=r.reminder_id,
                title=r.title,
                kind=r.kind,
                paused=r.paused,
                total=CountsOut.of(r.total),
                weeks=[WeekOut.of(w) for w in r.weeks],
            )
            for r in result.reminders
        ],
    )


@router.get(f"{B}/editors", response_model=list[EditorOut], responses={**FOUND, **FORBIDDEN})
def list_editors(beneficiary_id: PathId, user: CurrentUser, session: SessionDep) -> list[EditorOut]:
    """The people the care manager allowed to manage the reminders."""
    return [EditorOut.of(e) for e in reminders.list_editors(session, user, beneficiary_id)]


@router.put(
    f"{B}/editors/{{user_id}}",
    response_model=EditorOut,
    responses={
        **FOUND,
        **FORBIDDEN,
        422: {"description": "Not a family member or health professional of the circle."},
    },
)
def grant_editor(
    beneficiary_id: PathId, user_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> EditorOut:
    """Allow a family member or a health professional of the circle to create, edit, pause and
    delete the reminders (the care manager only; granting twice changes nothing)."""
    return EditorOut.of(reminders.grant_editor(session, user, beneficiary_id, user_id, now))


@router.delete(f"{B}/editors/{{user_id}}", status_code=204, responses={**FOUND, **FORBIDDEN})
def revoke_editor(
    beneficiary_id: PathId, user_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> Response:
    """Withdraw a delegation (the care manager only; 404 when there is none)."""
    reminders.revoke_editor(session, user, beneficiary_id, user_id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(B, response_model=list[ReminderOut], responses={**FOUND, **FORBIDDEN})
def list_reminders(
    beneficiary_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> list[ReminderOut]:
    """The active reminders by next due time, then the paused ones."""
    return [ReminderOut.of(i) for i in reminders.list_reminders(session, user, beneficiary_id, now)]


@router.post(
    B, response_model=ReminderOut, status_code=201, responses={**WRITE_ERRORS, **ACTIVE_LIMIT}
)
def create_reminder(
    beneficiary_id: PathId,
    body: ReminderCreate,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
) -> ReminderOut:
    """A new reminder, sent to the tablet at once; nothing is kept when it is refused."""
    info = reminders.create_reminder(
        session,
        user,
        beneficiary_id,
        title=body.title,
        kind=body.kind,
        detail=body.detail,
        start=body.start,
        rrule=body.rrule,
        confirm_wanted=body.confirm_wanted,
        repeat_every_minutes=body.repeat_every_minutes,
        repeat_count=body.repeat_count,
        escalate_after_minutes=body.escalate_after_minutes,
        critical=body.critical,
        watcher_ids=body.watcher_ids,
        now=now,
    )
    return ReminderOut.of(info)


@router.get(f"{B}/{{reminder_id}}", response_model=ReminderOut, responses={**FOUND, **FORBIDDEN})
def get_reminder(
    beneficiary_id: PathId, reminder_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> ReminderOut:
    return ReminderOut.of(reminders.get_reminder(session, user, beneficiary_id, reminder_id, now))


@router.patch(f"{B}/{{reminder_id}}", response_model=ReminderOut, responses=WRITE_ERRORS)
def update_reminder(
    beneficiary_id: PathId,
    reminder_id: PathId,
    body: ReminderUpdate,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
) -> ReminderOut:
    """Change what is sent; the rest stays. Refused whole, or kept whole."""
    changes = body.model_dump(exclude_unset=True)
    info = reminders.update_reminder(session, user, beneficiary_id, reminder_id, changes, now)
    return ReminderOut.of(info)


@router.delete(f"{B}/{{reminder_id}}", status_code=204, responses={**FOUND, **FORBIDDEN})
def delete_reminder(
    beneficiary_id: PathId, reminder_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> Response:
    """Delete it and its history (the alerts it raised stay); the tablet drops it."""
    reminders.delete_reminder(session, user, beneficiary_id, reminder_id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    f"{B}/{{reminder_id}}/pause", response_model=ReminderOut, responses={**FOUND, **FORBIDDEN}
)
def pause_reminder(
    beneficiary_id: PathId, reminder_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> ReminderOut:
    """Stop showing it (the tablet drops it) and alerting about it, until resumed."""
    return ReminderOut.of(reminders.pause_reminder(session, user, beneficiary_id, reminder_id, now))


@router.post(
    f"{B}/{{reminder_id}}/resume",
    response_model=ReminderOut,
    responses={**FOUND, **FORBIDDEN, **ACTIVE_LIMIT},
)
def resume_reminder(
    beneficiary_id: PathId, reminder_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> ReminderOut:
    """Show it again from now on."""
    return ReminderOut.of(
        reminders.resume_reminder(session, user, beneficiary_id, reminder_id, now)
    )

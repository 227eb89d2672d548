"""Signs of life (backend.services.signs_of_life): the care manager's rules and today's state,
and the tablet's "Oui, je vais bien" (device action `checkin_answer`).

- `GET /api/v1/beneficiaries/{id}/signs-of-life`: the rules, today's state, what was learnt.
- `PUT /api/v1/beneficiaries/{id}/signs-of-life`: replace the rules (the care manager).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from backend.api.deps import CurrentUser, NowDep, PathId, SessionDep
from backend.api.device_actions import register_action
from backend.models import Beneficiary
from backend.services import access, signs_of_life
from backend.text import LINE

router = APIRouter(prefix="/api/v1", tags=["signs of life"])

register_action("checkin_answer", signs_of_life.checkin_answer_action)

HHMM = r"^\d{1,2}:\d{2}$"


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    checkin_enabled: StrictBool = False
    checkin_start: Annotated[str, Field(pattern=HHMM, examples=["08:00"]), LINE] = "08:00"
    checkin_end: Annotated[str, Field(pattern=HHMM, examples=["11:00"]), LINE] = "11:00"
    inactivity_enabled: StrictBool = False
    inactivity_grace_minutes: StrictInt = Field(
        default=signs_of_life.DEFAULT_GRACE_MINUTES, ge=0, le=signs_of_life.MAX_GRACE_MINUTES
    )
    # A fixed rule ("alerter si aucun toucher avant 11 h") instead of the learned usual time.
    inactivity_deadline: Annotated[str | None, Field(pattern=HHMM, examples=["11:00"]), LINE] = None


class SettingsOut(BaseModel):
    checkin_enabled: bool
    checkin_start: str
    checkin_end: str
    inactivity_enabled: bool
    inactivity_grace_minutes: int
    inactivity_deadline: str | None
    updated_at: datetime | None
    updated_by_id: int | None

    @classmethod
    def of(cls, s: signs_of_life.Settings) -> SettingsOut:
        return cls(
            checkin_enabled=s.checkin_enabled,
            checkin_start=s.checkin_start,
            checkin_end=s.checkin_end,
            inactivity_enabled=s.inactivity_enabled,
            inactivity_grace_minutes=s.inactivity_grace_minutes,
            inactivity_deadline=s.inactivity_deadline,
            updated_at=s.updated_at,
            updated_by_id=s.updated_by_id,
        )


class UsualOut(BaseModel):
    category: str = Field(description='"weekdays" (Monday–Friday) or "weekend"')
    usual_first_touch: str | None = Field(description='"08:00"; null while learning')
    samples: int
    remaining_days: int


class TodayOut(BaseModel):
    day: date
    checkin: str = Field(description="off, waiting, answered, missed, quiet")
    answered_at: datetime | None
    window_end: datetime | None
    inactivity: str = Field(description="off, learning, waiting, seen, missed, quiet")
    deadline: datetime | None
    last_sign_at: datetime | None


class SignsOfLifeOut(BaseModel):
    settings: SettingsOut
    today: TodayOut
    learnt: list[UsualOut]


def _usual(u: signs_of_life.Usual) -> UsualOut:
    hhmm = None if u.minutes is None else f"{u.minutes // 60:02d}:{u.minutes % 60:02d}"
    return UsualOut(
        category=u.category, usual_first_touch=hhmm, samples=u.samples, remaining_days=u.remaining
    )


def _out(session: SessionDep, beneficiary: Beneficiary, now: datetime) -> SignsOfLifeOut:
    settings = signs_of_life.get_settings(session, beneficiary.id)
    today = signs_of_life.today(session, beneficiary, now)
    return SignsOfLifeOut(
        settings=SettingsOut.of(settings),
        today=TodayOut(
            day=today.day,
            checkin=today.checkin,
            answered_at=today.answered_at,
            window_end=today.window_end,
            inactivity=today.inactivity,
            deadline=today.deadline,
            last_sign_at=today.last_sign_at,
        ),
        learnt=[_usual(today.weekdays), _usual(today.weekend)],
    )


@router.get("/beneficiaries/{beneficiary_id}/signs-of-life", response_model=SignsOfLifeOut)
def get_signs_of_life(
    beneficiary_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> SignsOfLifeOut:
    """The rules, today's check-in and sign of life, and the usual first touch learnt."""
    beneficiary = access.require(session, user, beneficiary_id, signs_of_life.PERMISSION)
    return _out(session, beneficiary, now)


@router.put("/beneficiaries/{beneficiary_id}/signs-of-life", response_model=SignsOfLifeOut)
def put_signs_of_life(
    beneficiary_id: PathId, body: SettingsIn, user: CurrentUser, session: SessionDep, now: NowDep
) -> SignsOfLifeOut:
    """Replace the rules; each is off until switched on. The tablet gets the window by sync."""
    beneficiary = access.require(session, user, beneficiary_id, signs_of_life.PERMISSION)
    signs_of_life.set_settings(
        session,
        user,
        beneficiary,
        checkin_enabled=body.checkin_enabled,
        checkin_start=body.checkin_start,
        checkin_end=body.checkin_end,
        inactivity_enabled=body.inactivity_enabled,
        inactivity_grace_minutes=body.inactivity_grace_minutes,
        inactivity_deadline=body.inactivity_deadline,
        now=now,
    )
    return _out(session, beneficiary, now)

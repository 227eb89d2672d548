"""Family engagement, for the care manager (backend.services.engagement): when each relative
last wrote, sent a photo or answered, and the gentle e-mail after some days of silence.

- `GET /api/v1/beneficiaries/{id}/engagement`
- `PUT /api/v1/beneficiaries/{id}/engagement/nudges/{user_id}` `{"after_days": 14}` (or null:
  no e-mail)
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from backend.api.deps import CurrentUser, NowDep, PathId, SessionDep
from backend.models import Beneficiary
from backend.services import access, engagement

router = APIRouter(prefix="/api/v1", tags=["engagement"])


class ContactOut(BaseModel):
    user_id: int
    name: str
    relation: str
    last_message_at: datetime | None
    last_photo_at: datetime | None
    last_answer_at: datetime | None
    last_contact_at: datetime | None
    since: str = Field(examples=["il y a 3 semaines"])
    nudge_after_days: int | None
    nudged_at: datetime | None


class EngagementOut(BaseModel):
    summary: str = Field(examples=["Marie : il y a 2 jours · Luc : il y a 3 semaines"])
    contacts: list[ContactOut]


class NudgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    after_days: StrictInt | None = Field(ge=engagement.MIN_DAYS, le=engagement.MAX_DAYS)


def _out(session: SessionDep, beneficiary: Beneficiary, now: datetime) -> EngagementOut:
    tz = ZoneInfo(beneficiary.timezone)
    found = engagement.contacts(session, beneficiary)
    return EngagementOut(
        summary=engagement.summary(found, now, tz),
        contacts=[
            ContactOut(
                user_id=c.user.id,
                name=c.user.name,
                relation=c.relation,
                last_message_at=c.last_message_at,
                last_photo_at=c.last_photo_at,
                last_answer_at=c.last_answer_at,
                last_contact_at=c.last_contact_at,
                since=engagement.since_words(c.last_contact_at, now, tz),
                nudge_after_days=c.nudge_days,
                nudged_at=c.nudged_at,
            )
            for c in found
        ],
    )


@router.get("/beneficiaries/{beneficiary_id}/engagement", response_model=EngagementOut)
def get_engagement(
    beneficiary_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> EngagementOut:
    """Each relative's last message, photo and answer; the longest silent first."""
    beneficiary = access.require(session, user, beneficiary_id, engagement.PERMISSION)
    engagement.ensure_planned(session, beneficiary, now)
    return _out(session, beneficiary, now)


@router.put(
    "/beneficiaries/{beneficiary_id}/engagement/nudges/{user_id}", response_model=EngagementOut
)
def put_nudge(
    beneficiary_id: PathId,
    user_id: PathId,
    body: NudgeIn,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
) -> EngagementOut:
    """E-mail this relative, gently, after `after_days` without contact (null: never)."""
    beneficiary = access.require(session, user, beneficiary_id, engagement.PERMISSION)
    engagement.set_nudge(session, user, beneficiary, user_id, body.after_days, now)
    return _out(session, beneficiary, now)

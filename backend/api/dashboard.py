"""The care manager's dashboard: all their beneficiaries at a glance, most urgent first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from backend.api.deps import CareManager, NowDep, SessionDep
from backend.services import dashboard
from backend.text import LINE

router = APIRouter(prefix="/api/v1", tags=["dashboard"])


class TabletOut(BaseModel):
    id: int
    name: str
    online: bool
    last_seen_at: datetime | None
    offline_since: datetime | None  # last_seen_at when offline (None if never seen)


class MoodOut(BaseModel):
    score: int
    recorded_at: datetime


class NextVisitOut(BaseModel):
    event_id: int
    title: str
    who: str
    start: datetime
    end: datetime


class DashboardRowOut(BaseModel):
    beneficiary_id: int
    first_name: str
    last_name: str
    tablets: list[TabletOut]
    unread_health_messages: int
    last_mood: MoodOut | None
    mood_trend: str | None  # up, down, flat; None without check-ins in both weeks
    next_visit: NextVisitOut | None
    late_visits_today: int
    missed_visits_today: int
    open_alerts: int

    @classmethod
    def of(cls, r: dashboard.Row) -> DashboardRowOut:
        b, mood, visit = r.beneficiary, r.last_mood, r.next_visit
        return cls(
            beneficiary_id=b.id,
            first_name=b.first_name,
            last_name=b.last_name,
            tablets=[
                TabletOut(
                    id=t.id,
                    name=t.name,
                    online=t.online,
                    last_seen_at=t.last_seen_at,
                    offline_since=None if t.online else t.last_seen_at,
                )
                for t in r.tablets
            ],
            unread_health_messages=r.unread_health,
            last_mood=MoodOut(score=mood.score, recorded_at=mood.recorded_at) if mood else None,
            mood_trend=r.mood_trend,
            next_visit=NextVisitOut(
                event_id=visit.event_id,
                title=visit.title,
                who=visit.who,
                start=visit.start,
                end=visit.end,
            )
            if visit
            else None,
            late_visits_today=r.late_today,
            missed_visits_today=r.missed_today,
            open_alerts=r.open_alerts,
        )


@router.get("/dashboard", response_model=list[DashboardRowOut])
def get_dashboard(
    user: CareManager,
    session: SessionDep,
    now: NowDep,
    q: Annotated[str | None, Query(max_length=100, description="Search on the name"), LINE] = None,
) -> list[DashboardRowOut]:
    """Every beneficiary the caller follows as care manager, most urgent first: open alerts,
    missed visits today, late visits today, offline tablets, unread health messages."""
    return [DashboardRowOut.of(r) for r in dashboard.dashboard(session, user, q, now)]

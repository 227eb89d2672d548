"""The visits log of a beneficiary: planned visits and recorded arrivals and departures,
on time, late, missed, a week at a time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from backend.api.deps import NowDep, PathId, SessionDep
from backend.console.formatting import week_start
from backend.console.web import ConsoleUser, beneficiary_page, render
from backend.errors import Invalid
from backend.policy import Permission
from backend.services import agenda, visits
from common.recurrence import day_bounds

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {
    "on_time": "à l'heure",
    "late": "en retard",
    "missed": "manquée",
    "upcoming": "à venir",
    "in_progress": "en cours",
    "unplanned": "non prévue",
}


@router.get("/b/{beneficiary_id}/visits", response_class=HTMLResponse)
def visits_page(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    week: Annotated[date | None, Query()] = None,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.VIEW_VISITS)
    first = week_start(week or now.astimezone(page.tz).date())
    if not agenda.FIRST_YEAR < first.year < agenda.LAST_YEAR:
        raise Invalid("Cette semaine est hors du calendrier.")
    start, _ = day_bounds(first, page.tz)
    end, _ = day_bounds(first + timedelta(days=7), page.tz)
    entries = visits.visit_log(session, page.beneficiary, start, end, now)
    return render(
        request,
        "visits.html",
        **page.context("visits"),
        entries=entries,
        labels=STATUS_LABELS,
        first=first,
        previous=first - timedelta(days=7),
        next_week=first + timedelta(days=7),
    )

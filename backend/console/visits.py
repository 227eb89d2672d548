"""A professional's own visit from the console: "Arrivée" or "Départ" (only the one that makes
sense: "Départ" while their arrival is open), and why a planned visit of these two days did
not happen (pas de réponse, refusée, oubliée, annulée). The visits log itself is
`backend.console.beneficiary.visits_page`; the rights are the services' (RECORD_VISIT)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from backend.api.deps import MAX_ID, NowDep, PathId, SessionDep
from backend.console.web import (
    ConsoleUser,
    Csrf,
    beneficiary_page,
    error_text,
    redirect,
    render,
    undo,
)
from backend.errors import ServiceError
from backend.models import Beneficiary, User, VisitRecord
from backend.policy import Permission
from backend.services import visits
from backend.text import LINE
from common.recurrence import Occurrence, day_bounds

router = APIRouter(include_in_schema=False)

NOTICES = {
    "arrival": "Arrivée enregistrée.",
    "departure": "Départ enregistré. Bonne journée !",
    "reason": "Motif enregistré.",
    "cleared": "Motif retiré.",
}
# Reasons as the form offers them ("annulée" is the only one before the visit's start).
REASON_CHOICES = list(visits.REASONS.items())


def _visit_page(
    request: Request,
    session: SessionDep,
    user: User,
    beneficiary_id: int,
    now: datetime,
    status_code: int = 200,
    **context: object,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.RECORD_VISIT)
    today = now.astimezone(page.tz).date()
    start, _ = day_bounds(today - timedelta(days=1), page.tz)
    _, end = day_bounds(today, page.tz)
    entries = visits.visit_log(session, page.beneficiary, start, end, now)
    open_visit = visits.open_visit(session, page.beneficiary, user, now)
    # Planned visits nobody came to: those that have started, and later ones (to cancel).
    not_done = [
        e
        for e in entries
        if e.occurrence is not None and e.record is None and e.status != "unplanned"
    ]
    return render(
        request,
        "visit.html",
        status_code,
        **page.context("visits"),
        open_visit=open_visit,
        matched=_matched(session, page.beneficiary, open_visit),
        not_done=not_done,
        reasons=REASON_CHOICES,
        now=now,
        **context,
    )


def _matched(
    session: SessionDep, beneficiary: Beneficiary, record: VisitRecord | None
) -> Occurrence | None:
    """The planned visit an open arrival was matched to, if any (its title and time)."""
    if record is None or record.event_id is None or record.occurrence_start is None:
        return None
    try:
        return visits.planned_occurrence(
            session, beneficiary, record.event_id, record.occurrence_start
        )
    except ServiceError:
        return None  # the visit was deleted or moved since


@router.get("/b/{beneficiary_id}/visit", response_class=HTMLResponse)
def visit_page(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    done: Annotated[str, Query(max_length=10), LINE] = "",
) -> Response:
    return _visit_page(request, session, user, beneficiary_id, now, notice=NOTICES.get(done))


def _act(
    request: Request,
    session: SessionDep,
    user: User,
    beneficiary_id: int,
    now: datetime,
    done: str,
    arrival: bool,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.RECORD_VISIT)
    try:
        if arrival:
            visits.arrive(session, page.beneficiary, user, now, "console")
        else:
            visits.depart(session, page.beneficiary, user, now)
    except ServiceError as exc:
        undo(session, exc)
        return _visit_page(
            request,
            session,
            user,
            beneficiary_id,
            now,
            exc.status_code,
            error=error_text(request, exc),
        )
    return redirect(f"/b/{beneficiary_id}/visit?done={done}")


@router.post("/b/{beneficiary_id}/visit/arrival", dependencies=[Csrf])
def arrival(
    beneficiary_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, now: NowDep
) -> Response:
    return _act(request, session, user, beneficiary_id, now, "arrival", arrival=True)


@router.post("/b/{beneficiary_id}/visit/departure", dependencies=[Csrf])
def departure(
    beneficiary_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, now: NowDep
) -> Response:
    return _act(request, session, user, beneficiary_id, now, "departure", arrival=False)


@router.post("/b/{beneficiary_id}/visit/absence", dependencies=[Csrf])
def absence(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    event_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    occurrence_start: Annotated[datetime, Form()],
    reason: Annotated[str, Form(max_length=20), LINE] = "",
) -> Response:
    """A reason for a planned visit that did not happen; an empty reason takes it back."""
    page = beneficiary_page(session, user, beneficiary_id, Permission.RECORD_VISIT)
    try:
        if reason:
            visits.record_absence(
                session, page.beneficiary, user, event_id, occurrence_start, reason, now
            )
        else:
            visits.clear_absence(session, page.beneficiary, user, event_id, occurrence_start, now)
    except ServiceError as exc:
        undo(session, exc)
        return _visit_page(
            request,
            session,
            user,
            beneficiary_id,
            now,
            exc.status_code,
            error=error_text(request, exc),
        )
    return redirect(f"/b/{beneficiary_id}/visit?done={'reason' if reason else 'cleared'}")

"""Well-being of a beneficiary: a chart drawn on the server (SVG, readable without any
script), the same values as a table (for screen readers and printing), and the alerts still
open (or taken on) that the person sees, each with its state and a link to its page
(`/alerts/{id}`, backend/console/alerts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from backend.api.deps import NowDep, PathId, SessionDep
from backend.console import alerts as alert_pages
from backend.console.web import ConsoleUser, Csrf, beneficiary_page, language, redirect, render
from backend.policy import Permission
from backend.services import alerts as alerts_service
from backend.services import wellbeing

router = APIRouter(include_in_schema=False)

DAYS = 30
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 32
MIN_SCORE, MAX_SCORE = 1, 5


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    score: int
    kind: str  # mood or reading
    at: datetime


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[Point]
    moods_path: str
    grid: list[tuple[float, int]]  # y, score
    ticks: list[tuple[float, datetime]]  # x, day
    left: int
    right: int
    bottom: int


def chart(items: list[wellbeing.SeriesItem], start: datetime, end: datetime) -> Chart:
    """Positions of each value: time across, score (1 to 5) up."""
    span = (end - start).total_seconds()
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x_of(moment: datetime) -> float:
        return round(LEFT + plot_w * (moment - start).total_seconds() / span, 1)

    def y_of(score: int) -> float:
        return round(TOP + plot_h * (MAX_SCORE - score) / (MAX_SCORE - MIN_SCORE), 1)

    points = [
        Point(x_of(i.recorded_at), y_of(i.score), i.score, i.type, i.recorded_at) for i in items
    ]
    moods = [p for p in points if p.kind == "mood"]
    path = " ".join(f"{'M' if n == 0 else 'L'}{p.x},{p.y}" for n, p in enumerate(moods))
    grid = [(y_of(s), s) for s in range(MIN_SCORE, MAX_SCORE + 1)]
    ticks = [
        (x_of(start + timedelta(days=d)), start + timedelta(days=d)) for d in range(0, DAYS + 1, 7)
    ]
    return Chart(WIDTH, HEIGHT, points, path, grid, ticks, LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM)


@router.get("/b/{beneficiary_id}/wellbeing", response_class=HTMLResponse)
def wellbeing_page(
    beneficiary_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, now: NowDep
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.VIEW_WELLBEING)
    end = now + wellbeing.FUTURE_TOLERANCE
    start = end - timedelta(days=DAYS)
    items = wellbeing.series(session, user, page.beneficiary, start, end, now)
    # Those the person sees (all of them for a care manager, those naming them for the
    # others), open ones first, each with its state in words.
    lang = language(request)
    alerts = [
        alert_pages.Shown(
            v,
            page.tz,
            alert_pages.kind_label(v.kind),
            alert_pages.state_line(v, page.tz, now, lang),
        )
        for v in alert_pages.order(
            alerts_service.list_for_user(
                session, user, now=now, beneficiary_id=page.beneficiary.id, limit=20
            )
        )
    ]
    return render(
        request,
        "wellbeing.html",
        **page.context("wellbeing"),
        items=list(reversed(items)),
        chart=chart(items, start, end),
        alerts=alerts,
        tag_words=wellbeing.MOOD_TAGS,  # "happy" is said « content·e » (or "happy" in English)
    )


# The well-being page's former "J'ai vu cette alerte" (it closes the alert with "Vu."): the page
# now leads to the alert's own page, where closing asks what was done.
@router.post("/alerts/{alert_id}/acknowledge", dependencies=[Csrf])
def acknowledge(alert_id: PathId, user: ConsoleUser, session: SessionDep, now: NowDep) -> Response:
    alert = wellbeing.acknowledge(session, user, alert_id, now)
    return redirect(f"/b/{alert.beneficiary_id}/wellbeing")

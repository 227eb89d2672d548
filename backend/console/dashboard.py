"""The first page after sign-in: a care manager's dashboard, or the people one follows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from backend.api.deps import NowDep, SessionDep
from backend.console.formatting import name_matches
from backend.console.web import ConsoleUser, render
from backend.services import access, dashboard

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Care managers: everyone they follow, most urgent first (the dashboard service decides
    the order). Everyone: the other people whose circle they belong to."""
    rows = dashboard.dashboard(session, user, q or None, now) if user.role == "care_manager" else []
    followed = {r.beneficiary.id for r in rows}
    others = [
        b
        for b in access.visible_beneficiaries(session, user)
        if b.id not in followed and (not q or name_matches(b.first_name, b.last_name, q))
    ]
    return render(request, "dashboard.html", rows=rows, others=others, q=q, now=now)

"""The first page after sign-in: a care manager's dashboard, or the people one follows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from backend.api.deps import NowDep, SessionDep, StateDep, care_manager
from backend.console.formatting import name_matches
from backend.console.web import (
    ConsoleUser,
    Csrf,
    error_text,
    language,
    redirect,
    render,
    undo,
)
from backend.errors import Invalid, ServiceError
from backend.services import access, agenda, beneficiaries, dashboard, geocoding
from backend.text import LINE

router = APIRouter(include_in_schema=False)
# The alerts pages (/alerts, /alerts/{id}) come with the dashboard, whose rows lead to them.


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    q: Annotated[str, Query(max_length=100), LINE] = "",
) -> Response:
    """Care managers: everyone they follow, most urgent first (the dashboard service decides
    the order; each tablet's health is said in the page's language). Everyone: the other
    people whose circle they belong to."""
    rows = (
        dashboard.dashboard(session, user, q or None, now, language(request))
        if user.role == "care_manager"
        else []
    )
    followed = {r.beneficiary.id for r in rows}
    others = [
        b
        for b in access.visible_beneficiaries(session, user)
        if b.id not in followed and (not q or name_matches(b.first_name, b.last_name, q))
    ]
    return render(request, "dashboard.html", rows=rows, others=others, q=q, now=now, draft={})


@router.post("/beneficiaries", dependencies=[Csrf])
def create_beneficiary(
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    first_name: Annotated[str, Form(max_length=100), LINE] = "",
    last_name: Annotated[str, Form(max_length=100), LINE] = "",
    place_name: Annotated[str, Form(max_length=200), LINE] = "",
    timezone: Annotated[str, Form(max_length=64), LINE] = "Europe/Paris",
) -> Response:
    """A new person to follow (care managers, as the API's POST /beneficiaries)."""
    care_manager(user)
    try:
        if not first_name.strip() or not last_name.strip():
            raise Invalid("Indiquez le prénom et le nom de la personne.")
        beneficiary = agenda.create_beneficiary(
            session,
            user,
            first_name.strip(),
            last_name.strip(),
            timezone.strip() or "Europe/Paris",
            place_name.strip(),
            None,
            None,
        )
    except ServiceError as exc:
        undo(session, exc)
        rows = dashboard.dashboard(session, user, None, now, language(request))
        return render(
            request,
            "dashboard.html",
            exc.status_code,
            rows=rows,
            others=[],
            q="",
            now=now,
            error=error_text(request, exc),
            draft={"first_name": first_name, "last_name": last_name, "place_name": place_name},
        )
    if not beneficiary.place_name:
        return redirect(f"/b/{beneficiary.id}")
    # The town becomes the weather's coordinates; when it is several places (or none, or
    # Open-Meteo is away), the edit page says so and offers the choice.
    try:
        located = beneficiaries.locate(session, state.settings, beneficiary.place_name, None, now)
    except geocoding.Unavailable:
        return redirect(f"/b/{beneficiary.id}/edit?locate=1")
    if located.place is None:
        return redirect(f"/b/{beneficiary.id}/edit?locate=1")
    place = located.place
    beneficiary.place_name = place.label
    beneficiary.latitude, beneficiary.longitude = place.latitude, place.longitude
    if place.timezone and timezone.strip() in ("", "Europe/Paris"):
        beneficiary.timezone = place.timezone
    return redirect(f"/b/{beneficiary.id}")

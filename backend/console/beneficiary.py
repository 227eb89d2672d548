"""A beneficiary's own page: the visits log (planned visits and recorded arrivals and
departures, on time, late, missed, a week at a time), and the edit page of their details (name,
town located for the weather, time zone) for their care manager."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from backend.api.deps import MAX_ID, NowDep, PathId, SessionDep, StateDep
from backend.config import Settings
from backend.console.formatting import week_start
from backend.console.web import (
    ConsoleUser,
    Csrf,
    beneficiary_page,
    error_text,
    redirect,
    render,
    undo,
)
from backend.errors import Invalid, ServiceError
from backend.models import Beneficiary, User
from backend.policy import Permission
from backend.services import agenda, beneficiaries, geocoding, visits
from backend.text import LINE
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


# --- the beneficiary's details --------------------------------------------------------------

# Time zones offered first (metropolitan France, overseas, neighbours); any other known zone
# is accepted as well.
TIME_ZONES = {
    "Europe/Paris": "France métropolitaine (Europe/Paris)",
    "Indian/Reunion": "La Réunion (Indian/Reunion)",
    "Indian/Mayotte": "Mayotte (Indian/Mayotte)",
    "America/Guadeloupe": "Guadeloupe (America/Guadeloupe)",
    "America/Martinique": "Martinique (America/Martinique)",
    "America/Cayenne": "Guyane (America/Cayenne)",
    "America/Miquelon": "Saint-Pierre-et-Miquelon (America/Miquelon)",
    "Pacific/Noumea": "Nouvelle-Calédonie (Pacific/Noumea)",
    "Pacific/Tahiti": "Polynésie française (Pacific/Tahiti)",
    "Europe/Brussels": "Belgique (Europe/Brussels)",
    "Europe/Luxembourg": "Luxembourg (Europe/Luxembourg)",
    "Europe/Zurich": "Suisse (Europe/Zurich)",
}


NOT_FOUND = (
    "Aucune commune trouvée pour « {typed} ». Vérifiez l'orthographe, ou indiquez le code postal."
)


def _edit_page(
    request: Request,
    session: Session,
    user: User,
    beneficiary: Beneficiary,
    status_code: int = 200,
    *,
    draft: dict[str, str] | None = None,
    choices: list[geocoding.Place] | None = None,
    error: str | None = None,
    notice: str | None = None,
) -> Response:
    page = beneficiary_page(session, user, beneficiary.id, Permission.EDIT_BENEFICIARY)
    b = page.beneficiary
    values = {
        "first_name": b.first_name,
        "last_name": b.last_name,
        "place_name": b.place_name,
        "timezone": b.timezone,
        **(draft or {}),
    }
    zones = dict(TIME_ZONES)
    if values["timezone"] not in zones:
        zones[values["timezone"]] = values["timezone"]
    return render(
        request,
        "beneficiary_edit.html",
        status_code,
        **page.context("edit"),
        v=values,
        zones=zones,
        choices=choices or [],
        error=error,
        notice=notice,
    )


@router.get("/b/{beneficiary_id}/edit", response_class=HTMLResponse)
def edit_page(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    saved: bool = False,
    locate: bool = False,
) -> Response:
    """`locate=1` (after a creation whose town was not one place): look the town up again
    and offer the choice."""
    beneficiary = beneficiaries.for_edit(session, user, beneficiary_id)
    notice = "Modifications enregistrées : la tablette les reçoit à sa prochaine synchronisation."
    if not (locate and beneficiary.place_name and beneficiary.latitude is None):
        return _edit_page(request, session, user, beneficiary, notice=notice if saved else None)
    try:
        located = beneficiaries.locate(session, state.settings, beneficiary.place_name, None, now)
    except geocoding.Unavailable as exc:
        return _edit_page(request, session, user, beneficiary, error=error_text(request, exc))
    if located.not_found:
        error = error_text(request, Invalid(NOT_FOUND, typed=beneficiary.place_name))
        return _edit_page(request, session, user, beneficiary, error=error)
    return _edit_page(
        request,
        session,
        user,
        beneficiary,
        choices=located.choices,
        notice="Plusieurs communes portent ce nom : choisissez la bonne pour la météo.",
    )


def _location_for(
    session: Session,
    settings: Settings,
    beneficiary: Beneficiary,
    typed: str,
    place_id: int,
    now: NowDep,
) -> tuple[beneficiaries.Location | None, str | None, list[geocoding.Place]]:
    """What the form's town becomes: (location to store or None to keep, the place's time
    zone, the choices when it is several places)."""
    if not typed:
        return beneficiaries.Location("", None, None), None, []
    if typed == beneficiary.place_name and beneficiary.latitude is not None and not place_id:
        return None, None, []  # unchanged and already located
    located = beneficiaries.locate(session, settings, typed, place_id or None, now)
    if located.place is not None:
        place = located.place
        location = beneficiaries.Location(place.label, place.latitude, place.longitude)
        return location, place.timezone or None, []
    if located.not_found:
        raise Invalid(NOT_FOUND, typed=typed)
    return None, None, located.choices


@router.post("/b/{beneficiary_id}/edit", dependencies=[Csrf])
def save_details(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    first_name: Annotated[str, Form(max_length=100), LINE] = "",
    last_name: Annotated[str, Form(max_length=100), LINE] = "",
    place_name: Annotated[str, Form(max_length=200), LINE] = "",
    timezone: Annotated[str, Form(max_length=64), LINE] = "",
    place_id: Annotated[int, Form(ge=0, le=MAX_ID)] = 0,
) -> Response:
    beneficiary = beneficiaries.for_edit(session, user, beneficiary_id)
    typed = " ".join(place_name.split())
    draft = {
        "first_name": first_name,
        "last_name": last_name,
        "place_name": typed,
        "timezone": timezone.strip() or beneficiary.timezone,
    }
    try:
        location, place_zone, choices = _location_for(
            session, state.settings, beneficiary, typed, place_id, now
        )
        if choices:  # several places: nothing saved until one is chosen
            return _edit_page(
                request,
                session,
                user,
                beneficiary,
                draft=draft,
                choices=choices,
                notice="Plusieurs communes portent ce nom : choisissez la bonne pour la météo.",
            )
        zone_name = draft["timezone"]
        # The town's time zone, unless the care manager chose another one in this form.
        if place_zone and zone_name == beneficiary.timezone:
            zone_name = place_zone
        beneficiaries.update(
            session,
            user,
            beneficiary_id,
            first_name=first_name,
            last_name=last_name,
            timezone=zone_name,
            location=location,
        )
    except ServiceError as exc:
        undo(session, exc)
        fresh = beneficiaries.for_edit(session, user, beneficiary_id)
        return _edit_page(
            request,
            session,
            user,
            fresh,
            exc.status_code,
            draft=draft,
            error=error_text(request, exc),
        )
    return redirect(f"/b/{beneficiary_id}/edit?saved=1")

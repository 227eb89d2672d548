"""An organisation's tablets, for its managers (issue 18): /o/{organisation_id}/fleet.

Every tablet of the organisation with its person, its version, its health in plain words and
its last contact; the counts at the top; filters « Hors ligne depuis plus de 24 h », « Version
ancienne », « Mise à jour en échec »; sorted by last contact (or by person), a page of
`fleet.PAGE_SIZE` at a time: an organisation of 2,000 tablets costs the same few statements
as one of ten (`backend.services.fleet`). The menu's « Parc de tablettes » (`fleet_menu`)
leads here through /fleet, for the people who manage an organisation.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import object_session

from backend.api.deps import NowDep, PathId, SessionDep
from backend.console import web
from backend.console.web import ConsoleUser, language, redirect, render
from backend.errors import NotFound
from backend.models import User
from backend.services import fleet
from backend.text import LINE

router = APIRouter(include_in_schema=False)

FILTER_LABELS = {
    "": "Toutes les tablettes",
    "offline": "Hors ligne depuis plus de 24 h",
    "old": "Version ancienne",
    "failed": "Mise à jour en échec",
}
SORT_LABELS = {
    "contact_old": "Dernier contact le plus ancien d'abord",
    "contact_new": "Dernier contact le plus récent d'abord",
    "name": "Par personne (nom)",
}
Show = Annotated[str, Query(max_length=10, pattern="^(|offline|old|failed)$"), LINE]
Sort = Annotated[str, Query(max_length=12, pattern="^(contact_old|contact_new|name)$"), LINE]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


@router.get("/fleet", response_class=HTMLResponse)
def my_fleets(request: Request, user: ConsoleUser, session: SessionDep) -> Response:
    """The menu's link: the one organisation one manages, or the list of them."""
    organisations = fleet.managed_organisations(session, user)
    if not organisations:
        raise NotFound("Organisation introuvable.")
    if len(organisations) == 1:
        return redirect(f"/o/{organisations[0].id}/fleet")
    return render(request, "fleet_choose.html", organisations=organisations)


@router.get("/o/{organisation_id}/fleet", response_class=HTMLResponse)
def fleet_page(
    organisation_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    show: Show = "",
    sort: Sort = "contact_old",
    page: PageNumber = 1,
) -> Response:
    organisation = fleet.managed_organisation(session, user, organisation_id)
    versions = fleet.versions(session, organisation_id)
    expected = fleet.expected_version(session, organisation_id)
    old = fleet.old_versions(versions, expected)
    counts = fleet.counts(session, organisation_id, old, now)
    found = fleet.tablets(
        session,
        organisation_id,
        now,
        show=show,
        old=old,
        sort=sort,
        page=page,
        lang=language(request),
    )

    def link(**changes: object) -> str:
        """This page's address with some of its choices changed (the others kept)."""
        params = {"show": show, "sort": sort, "page": found.page} | changes
        kept = {k: v for k, v in params.items() if v not in ("", None, 1, "contact_old")}
        query = urlencode(kept)
        return f"/o/{organisation_id}/fleet" + (f"?{query}" if query else "")

    return render(
        request,
        "fleet.html",
        organisation=organisation,
        org_tab="fleet",
        counts=counts,
        found=found,
        show=show,
        sort=sort,
        filters=FILTER_LABELS,
        sorts=SORT_LABELS,
        newest=fleet.newest([v.version for v in versions if v.version]),
        expected=expected,
        now=now,
        link=link,
    )


def fleet_menu(user: User | None) -> bool:
    """For base.html: whether the menu shows « Parc de tablettes » (the person manages an
    organisation). Read in the page's own session, as `alerts_menu`; an error page rendered
    after that session ended shows the menu without it."""
    if user is None:
        return False
    session = object_session(user)
    if session is None:
        return False
    return fleet.manages_any(session, user)


web.template_global("fleet_menu", fleet_menu)

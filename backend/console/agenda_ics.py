"""The agenda as iCalendar, from the console (as the API's `backend/api/ics.py`):

- export: download the agenda as a .ics file (whoever sees the agenda: instructions are never
  in it), and, for those who edit the agenda, a secret subscription link for a family's
  calendar app (shown once; a new one replaces it; it can be turned off);
- import: a home-care service's planning export (.ics, at most 1 MB); each VEVENT creates or
  updates the event with its UID, and the page says what was created, updated, left and
  skipped (with the reason).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.api.deps import PathId, SessionDep, StateDep
from backend.api.ics import read_planning
from backend.console.web import (
    SECURITY_HEADERS,
    ConsoleUser,
    Csrf,
    CsrfQuery,
    beneficiary_page,
    error_text,
    redirect,
    render,
    undo,
)
from backend.errors import Conflict, Invalid, ServiceError
from backend.models import User
from backend.policy import Permission
from backend.services import ics
from backend.text import LINE

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    session: Session,
    user: User,
    beneficiary_id: int,
    status_code: int = 200,
    **context: object,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.VIEW_AGENDA)
    context.setdefault("feed_url", None)
    context.setdefault("summary", None)
    context.setdefault("filename", "")
    return render(
        request,
        "agenda_ics.html",
        status_code,
        **page.context("agenda"),
        feed_on=page.beneficiary.ics_token_hash is not None,
        **context,
    )


@router.get("/b/{beneficiary_id}/agenda/ics", response_class=HTMLResponse)
def ics_page(
    beneficiary_id: PathId, request: Request, user: ConsoleUser, session: SessionDep
) -> Response:
    off = request.query_params.get("feed") == "off"
    notice = "Lien d'abonnement désactivé : les agendas abonnés ne se mettent plus à jour."
    return _page(request, session, user, beneficiary_id, notice=notice if off else None)


@router.get("/b/{beneficiary_id}/agenda.ics")
def download(beneficiary_id: PathId, user: ConsoleUser, session: SessionDep) -> Response:
    """The agenda as a file, for whoever sees it (instructions are never in it)."""
    page = beneficiary_page(session, user, beneficiary_id, Permission.VIEW_AGENDA)
    b = page.beneficiary
    name = f"agenda-{b.first_name}-{b.last_name}".lower().replace(" ", "-")
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c == "-") else "_" for c in name)
    return Response(
        ics.build_feed(session, b),
        media_type="text/calendar; charset=utf-8",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="{ascii_name}.ics"',
        },
    )


@router.post("/b/{beneficiary_id}/agenda/ics/feed", dependencies=[Csrf])
def create_feed(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    state: StateDep,
) -> Response:
    """A new secret subscription link, shown this once; the previous one stops working."""
    page = beneficiary_page(session, user, beneficiary_id, Permission.EDIT_AGENDA)
    token = ics.new_feed_token(page.beneficiary)
    url = f"{state.settings.public_url}/api/v1/ics/{token}.ics"
    return _page(request, session, user, beneficiary_id, feed_url=url)


@router.post("/b/{beneficiary_id}/agenda/ics/feed/off", dependencies=[Csrf])
def disable_feed(beneficiary_id: PathId, user: ConsoleUser, session: SessionDep) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.EDIT_AGENDA)
    ics.disable_feed(page.beneficiary)
    return redirect(f"/b/{beneficiary_id}/agenda/ics?feed=off")


@router.post("/b/{beneficiary_id}/agenda/ics/import", dependencies=[CsrfQuery])
def import_planning(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    file: Annotated[UploadFile | None, File()] = None,
    prune: Annotated[str, Form(max_length=10), LINE] = "",
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.EDIT_AGENDA)
    try:
        if file is None or not file.filename:
            raise Invalid("Choisissez le fichier .ics du planning à importer.")
        data = read_planning(file)
        try:
            summary = ics.import_calendar(
                session, page.beneficiary, data, file.filename, prune=bool(prune)
            )
            session.flush()
        except IntegrityError as exc:  # the same planning imported twice at the same moment
            raise Conflict("Un autre import de ce planning est en cours : réessayez.") from exc
    except ServiceError as exc:
        undo(session, exc)
        return _page(
            request, session, user, beneficiary_id, exc.status_code, error=error_text(request, exc)
        )
    return _page(
        request,
        session,
        user,
        beneficiary_id,
        summary=summary,
        filename=file.filename,
    )

"""The agenda as iCalendar: a secret feed URL for family calendars, and the import of a
home-care service's planning export (.ics)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from backend.api.deps import CurrentUser, PathId, SessionDep, StateDep
from backend.errors import Conflict, Invalid, NotFound
from backend.policy import Permission
from backend.services import access, ics
from backend.text import LINE

router = APIRouter(prefix="/api/v1", tags=["ics"])

ICS_MEDIA_TYPES = {
    "text/calendar",
    "application/ics",
    "text/x-vcalendar",
    "text/plain",
    "application/octet-stream",
}


def read_planning(file: UploadFile) -> bytes:
    """The uploaded planning's bytes, once its type and size are checked (400 otherwise);
    the API and the console import alike."""
    media_type = (file.content_type or "").split(";")[0].strip().lower()
    if media_type and media_type not in ICS_MEDIA_TYPES:
        raise Invalid("Le fichier doit être un calendrier iCalendar (.ics).")
    data = file.file.read(ics.MAX_IMPORT_BYTES + 1)
    if len(data) > ics.MAX_IMPORT_BYTES:
        raise Invalid("Le fichier dépasse 1 Mo.")
    return data


class FeedOut(BaseModel):
    url: str


class SkippedOut(BaseModel):
    uid: str
    reason: str


class ImportOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    deleted: int
    skipped: list[SkippedOut]


@router.post("/beneficiaries/{beneficiary_id}/ics-feed", response_model=FeedOut, status_code=201)
def create_feed(
    beneficiary_id: PathId, user: CurrentUser, session: SessionDep, state: StateDep
) -> FeedOut:
    """A new secret feed URL, shown only this once; any previous URL stops working."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.EDIT_AGENDA)
    token = ics.new_feed_token(beneficiary)
    return FeedOut(url=f"{state.settings.public_url}/api/v1/ics/{token}.ics")


@router.delete("/beneficiaries/{beneficiary_id}/ics-feed", status_code=204)
def delete_feed(beneficiary_id: PathId, user: CurrentUser, session: SessionDep) -> Response:
    beneficiary = access.require(session, user, beneficiary_id, Permission.EDIT_AGENDA)
    ics.disable_feed(beneficiary)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/ics/{filename}",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, 404: {}},
)
def get_feed(filename: Annotated[str, LINE], session: SessionDep) -> Response:
    """The agenda for calendar apps. No login: the secret in the URL is the key."""
    token = filename.removesuffix(".ics")
    beneficiary = ics.beneficiary_for_feed(session, token) if filename.endswith(".ics") else None
    if beneficiary is None:
        raise NotFound("Calendrier introuvable.")
    return Response(
        ics.build_feed(session, beneficiary),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@router.post("/beneficiaries/{beneficiary_id}/ics-import", response_model=ImportOut)
def import_planning(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="The planning export (.ics, at most 1 MB)")],
    prune: Annotated[
        bool,
        Query(description="Delete the events of an earlier import of this file now absent"),
    ] = False,
) -> dict[str, Any]:
    """Import a planning: each VEVENT creates or updates the event with its UID."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.EDIT_AGENDA)
    data = read_planning(file)
    try:
        summary = ics.import_calendar(session, beneficiary, data, file.filename or "", prune=prune)
    except IntegrityError as exc:  # the same planning imported twice at the same moment
        raise Conflict("Un autre import de ce planning est en cours : réessayez.") from exc
    return summary.as_dict()

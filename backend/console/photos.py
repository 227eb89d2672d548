"""Photos of a beneficiary: send several at once (from a phone too), caption, hide, delete.

The upload form works without JavaScript (a multipart POST, the page answers with what
happened to each file); `static/console.js` adds a progress bar. Files are streamed to the
photo service exactly as the JSON API does (`backend.api.photos.receive_upload`), so size
limits, formats and re-encoding are the same. The multipart body is not read before the
photo service reads it, so its CSRF token travels in the form's action URL.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from backend.api.deps import MAX_ID, NowDep, PathId, SessionDep, StateDep
from backend.api.photos import MAX_FILES, _file_response, receive_upload
from backend.console.web import (
    ConsoleUser,
    Csrf,
    CsrfQuery,
    beneficiary_page,
    error_text,
    redirect,
    render,
    undo,
)
from backend.errors import ServiceError
from backend.models import User
from backend.photo_store import PhotoStore
from backend.policy import Permission
from backend.services import photos as service

router = APIRouter(include_in_schema=False)


def _store(state: StateDep) -> PhotoStore:
    return PhotoStore(state.settings.photo_dir)


def _gallery(
    request: Request,
    session: SessionDep,
    user: User,
    beneficiary_id: int,
    status_code: int = 200,
    before_id: int | None = None,
    **context: object,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.VIEW_PHOTOS)
    found = service.list_photos(
        session, user, page.beneficiary, before_id=before_id, limit=service.DEFAULT_PAGE
    )
    moderator = "moderate_photos" in page.can
    context.setdefault("results", [])
    if "counts" not in context:
        results = context["results"]
        assert isinstance(results, list)
        context["counts"] = {
            status: sum(1 for r in results if r["status"] == status)
            for status in ("created", "duplicate", "error")
        }
    return render(
        request,
        "photos.html",
        status_code,
        **page.context("photos"),
        photos=found,
        names=service.sender_names(session, found),
        moderator=moderator,
        caption_max=service.CAPTION_MAX,
        older=found[-1].id if len(found) == service.DEFAULT_PAGE else None,
        **context,
    )


@router.get("/b/{beneficiary_id}/photos", response_class=HTMLResponse)
def gallery(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    sent: Annotated[int, Query(ge=0, le=MAX_FILES)] = 0,
    already: Annotated[int, Query(ge=0, le=MAX_FILES)] = 0,
) -> Response:
    """Newest first, a page at a time. `sent` and `already`: the counts of the upload just
    made (the progress script comes back here with them), said at the top of the page."""
    counts = {"created": sent, "duplicate": already, "error": 0}
    return _gallery(request, session, user, beneficiary_id, before_id=before_id, counts=counts)


@router.post("/b/{beneficiary_id}/photos", dependencies=[CsrfQuery])
async def upload(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
) -> Response:
    """One result per file. With `Accept: application/json` (the progress script) the
    results as JSON; otherwise the gallery with them."""
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        page = await run_in_threadpool(
            beneficiary_page, session, user, beneficiary_id, Permission.POST_PHOTOS
        )
        received = await receive_upload(request, state.settings.photo_max_bytes)
        try:
            results = await run_in_threadpool(
                service.upload,
                session,
                _store(state),
                user,
                page.beneficiary,
                received.files,
                received.caption,
                now,
            )
        finally:
            received.close()
    except ServiceError as exc:
        await run_in_threadpool(undo, session, exc)
        if wants_json:
            return JSONResponse({"detail": error_text(request, exc)}, status_code=exc.status_code)
        return await run_in_threadpool(
            _gallery,
            request,
            session,
            user,
            beneficiary_id,
            exc.status_code,
            error=error_text(request, exc),
        )
    summary = [{"filename": r.filename, "status": r.status, "error": r.error} for r in results]
    if wants_json:
        return JSONResponse({"results": summary})
    failed = all(r.status == "error" for r in results)
    return await run_in_threadpool(
        _gallery, request, session, user, beneficiary_id, 422 if failed else 200, results=summary
    )


@router.get("/console/photos/{photo_id}/{variant}")
def photo_file(
    photo_id: PathId,
    variant: Literal["display", "thumbnail"],
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    state: StateDep,
) -> Response:
    """The JPEG for an <img>: the same rules as the API's (hidden and deleted photos 404)."""
    photo, _ = service.photo_for(session, user, photo_id)
    key = photo.display_key if variant == "display" else photo.thumb_key
    return _file_response(request, _store(state), key)


@router.post("/photos/{photo_id}", dependencies=[Csrf])
def update(
    photo_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    caption: Annotated[str | None, Form(max_length=2000)] = None,
    hidden: Annotated[Literal["", "0", "1"], Form()] = "",
) -> Response:
    photo, moderator = service.photo_for(session, user, photo_id)
    beneficiary_id = photo.beneficiary_id
    try:
        service.update_photo(
            session,
            user,
            photo,
            moderator,
            caption=caption,
            hidden=None if hidden == "" else hidden == "1",
            now=now,
        )
    except ServiceError as exc:
        undo(session, exc)
        return _gallery(
            request, session, user, beneficiary_id, exc.status_code, error=error_text(request, exc)
        )
    return redirect(f"/b/{beneficiary_id}/photos#photo-{photo_id}")


@router.post("/photos/{photo_id}/delete", dependencies=[Csrf])
def delete(
    photo_id: PathId, user: ConsoleUser, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    photo, moderator = service.photo_for(session, user, photo_id)
    beneficiary_id = photo.beneficiary_id
    keys = service.delete_photo(session, user, photo, moderator, now)
    session.commit()  # the files go only once the deletion is certain
    service.purge_files(session, _store(state), keys)
    return redirect(f"/b/{beneficiary_id}/photos?deleted=1")

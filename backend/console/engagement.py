"""Family engagement for the care manager (backend.services.engagement): when each relative
last wrote, sent a photo or answered, and the gentle e-mail after some days of silence, switched
on relative by relative. Under the tablets (`manage_circle`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from backend.api.deps import NowDep, PathId, SessionDep
from backend.console.web import (
    ConsoleUser,
    Csrf,
    Page,
    beneficiary_page,
    error_text,
    language,
    redirect,
    render,
    undo,
)
from backend.errors import Invalid, ServiceError
from backend.services import engagement
from backend.text import LINE

router = APIRouter(include_in_schema=False)

RELATION_WORDS = {"family": "famille", "friend": "ami·e", "neighbour": "voisin·e"}


def _page(
    request: Request,
    session: SessionDep,
    page: Page,
    now: NowDep,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = language(request)
    found = engagement.contacts(session, page.beneficiary)
    rows = [
        {
            "c": c,
            "since": engagement.since_words(c.last_contact_at, now, page.tz, lang),
            "message": engagement.since_words(c.last_message_at, now, page.tz, lang),
            "photo": engagement.since_words(c.last_photo_at, now, page.tz, lang),
            "answer": engagement.since_words(c.last_answer_at, now, page.tz, lang),
            "relation": RELATION_WORDS.get(c.relation, c.relation),
        }
        for c in found
    ]
    return render(
        request,
        "engagement.html",
        status_code,
        **page.context("tablets"),
        section="engagement",
        summary=engagement.summary(found, now, page.tz, lang),
        rows=rows,
        low=engagement.MIN_DAYS,
        high=engagement.MAX_DAYS,
        now=now,
        error=error,
        notice=notice,
    )


@router.get("/b/{beneficiary_id}/engagement", response_class=HTMLResponse)
def engagement_page(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    saved: bool = False,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, engagement.PERMISSION)
    engagement.ensure_planned(session, page.beneficiary, now)
    notice = "C'est noté."
    return _page(request, session, page, now, notice=notice if saved else None)


@router.post("/b/{beneficiary_id}/engagement/nudges/{user_id}", dependencies=[Csrf])
def save_nudge(
    beneficiary_id: PathId,
    user_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    after_days: Annotated[str, Form(max_length=10), LINE] = "",
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, engagement.PERMISSION)
    try:
        text = after_days.strip()
        if text and not text.isdigit():
            raise Invalid(
                "Le nombre de jours doit être compris entre {low} et {high}.",
                low=engagement.MIN_DAYS,
                high=engagement.MAX_DAYS,
            )
        engagement.set_nudge(session, user, page.beneficiary, user_id, int(text) if text else None,
                             now)  # fmt: skip
    except ServiceError as exc:
        undo(session, exc)
        return _page(request, session, page, now, error=error_text(request, exc),
                     status_code=exc.status_code)  # fmt: skip
    return redirect(f"/b/{beneficiary_id}/engagement?saved=1")

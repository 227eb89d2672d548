"""Signs of life for the care manager (backend.services.signs_of_life): the rules ("Je vais
bien" each morning, the morning without a touch), today's state and what was learnt of the
person's mornings. Under the tablets (`manage_devices`)."""

from __future__ import annotations

from datetime import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from backend.api.deps import NowDep, PathId, SessionDep
from backend.console.web import (
    ConsoleUser,
    Csrf,
    Page,
    beneficiary_page,
    error_text,
    redirect,
    render,
    undo,
)
from backend.errors import Invalid, ServiceError
from backend.models import User
from backend.services import signs_of_life

router = APIRouter(include_in_schema=False)


def _time(minutes: int | None) -> time | None:
    return None if minutes is None else time(minutes // 60, minutes % 60)


def _page(
    request: Request,
    session: SessionDep,
    page: Page,
    now: NowDep,
    *,
    draft: dict[str, Any] | None = None,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    settings = signs_of_life.get_settings(session, page.beneficiary.id)
    today = signs_of_life.today(session, page.beneficiary, now)
    values = draft or {
        "checkin_enabled": settings.checkin_enabled,
        "checkin_start": settings.checkin_start,
        "checkin_end": settings.checkin_end,
        "inactivity_enabled": settings.inactivity_enabled,
        "inactivity_grace_minutes": settings.inactivity_grace_minutes,
        "inactivity_deadline": settings.inactivity_deadline or "",
    }
    learnt = [{"usual": u, "hour": _time(u.minutes)} for u in (today.weekdays, today.weekend)]
    return render(
        request,
        "signs_of_life.html",
        status_code,
        **page.context("tablets"),
        section="signs",
        settings=settings,
        today=today,
        learnt=learnt,
        v=values,
        now=now,
        error=error,
        notice=notice,
    )


@router.get("/b/{beneficiary_id}/signs-of-life", response_class=HTMLResponse)
def signs_page(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    saved: bool = False,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, signs_of_life.PERMISSION)
    notice = "Réglages enregistrés : la tablette les reçoit à sa prochaine synchronisation."
    return _page(request, session, page, now, notice=notice if saved else None)


@router.post("/b/{beneficiary_id}/signs-of-life", dependencies=[Csrf])
async def save_signs(
    beneficiary_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, now: NowDep
) -> Response:
    form = await request.form()
    return await run_in_threadpool(_save, beneficiary_id, request, user, session, now, form)


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value.strip()[:10] if isinstance(value, str) else ""


def _save(
    beneficiary_id: int,
    request: Request,
    user: User,
    session: SessionDep,
    now: NowDep,
    form: FormData,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, signs_of_life.PERMISSION)
    draft: dict[str, Any] = {
        "checkin_enabled": bool(form.get("checkin_enabled")),
        "checkin_start": _text(form, "checkin_start") or "08:00",
        "checkin_end": _text(form, "checkin_end") or "11:00",
        "inactivity_enabled": bool(form.get("inactivity_enabled")),
        "inactivity_grace_minutes": _text(form, "inactivity_grace_minutes"),
        "inactivity_deadline": _text(form, "inactivity_deadline"),
    }
    try:
        grace_text = draft["inactivity_grace_minutes"] or str(signs_of_life.DEFAULT_GRACE_MINUTES)
        if not grace_text.isdigit():
            raise Invalid(
                "Le délai de grâce doit être un nombre de minutes de 0 à {max}.",
                max=signs_of_life.MAX_GRACE_MINUTES,
            )
        signs_of_life.set_settings(
            session,
            user,
            page.beneficiary,
            checkin_enabled=draft["checkin_enabled"],
            checkin_start=draft["checkin_start"],
            checkin_end=draft["checkin_end"],
            inactivity_enabled=draft["inactivity_enabled"],
            inactivity_grace_minutes=int(grace_text),
            inactivity_deadline=draft["inactivity_deadline"] or None,
            now=now,
        )
    except ServiceError as exc:
        undo(session, exc)
        return _page(
            request, session, page, now, draft=draft, error=error_text(request, exc),
            status_code=exc.status_code,
        )  # fmt: skip
    return redirect(f"/b/{beneficiary_id}/signs-of-life?saved=1")

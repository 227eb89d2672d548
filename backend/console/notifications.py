"""« Mes notifications » (the alert e-mails' footer names it): how one hears of alerts by e-mail.

At once, a daily digest at a chosen hour, or never; quiet hours (from–to, during which only
critical alerts go out); one's time zone. Validated by `backend.services.mail.set_preferences`,
whose refusals are said in the page's language; the form keeps what was typed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from backend.api.deps import NowDep, SessionDep
from backend.console.beneficiary import TIME_ZONES
from backend.console.web import ConsoleUser, Csrf, error_text, redirect, render, undo
from backend.errors import ServiceError
from backend.models import User
from backend.services import mail
from backend.text import LINE

router = APIRouter(include_in_schema=False)

PATH = "/account/notifications"
MODE_LABELS = {
    mail.IMMEDIATE: "Tout de suite : un e-mail par alerte",
    mail.DIGEST: "Un résumé par jour, à l'heure choisie",
    mail.NEVER: "Jamais : je regarde les alertes dans Foyer",
}
_HOUR = re.compile(r"\d{1,2}")

Field = Annotated[str, Form(max_length=64), LINE]


def _page(
    request: Request,
    session: Session,
    user: User,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    if values is None:
        p = mail.get_preferences(session, user)
        values = {
            "email_mode": p.email_mode,
            "digest_hour": str(p.digest_hour),
            "quiet_start": p.quiet_start or "",
            "quiet_end": p.quiet_end or "",
            "timezone": p.timezone,
        }
    zones = dict(TIME_ZONES)
    if values["timezone"] and values["timezone"] not in zones:
        zones[values["timezone"]] = values["timezone"]
    return render(
        request,
        "notifications.html",
        status_code,
        v=values,
        modes=MODE_LABELS,
        zones=zones,
        **context,
    )


@router.get(PATH, response_class=HTMLResponse)
def notifications_page(
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    done: Annotated[str, Query(max_length=10), LINE] = "",
) -> Response:
    notice = "Vos choix de notifications sont enregistrés." if done else None
    return _page(request, session, user, notice=notice)


@router.post(PATH, dependencies=[Csrf])
def save_notifications(
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    email_mode: Field = "",
    digest_hour: Field = "",
    quiet_start: Field = "",
    quiet_end: Field = "",
    timezone: Field = "",
) -> Response:
    values = {
        "email_mode": email_mode,
        "digest_hour": digest_hour.strip(),
        "quiet_start": quiet_start.strip(),
        "quiet_end": quiet_end.strip(),
        "timezone": timezone.strip(),
    }
    # Not a number of at most two digits: the service says what an hour must be.
    hour = int(values["digest_hour"]) if _HOUR.fullmatch(values["digest_hour"]) else -1
    try:
        mail.set_preferences(
            session,
            user,
            email_mode=email_mode,
            digest_hour=hour,
            quiet_start=values["quiet_start"] or None,
            quiet_end=values["quiet_end"] or None,
            timezone=values["timezone"] or mail.DEFAULT_TIMEZONE,
            now=now,
        )
    except ServiceError as exc:
        undo(session, exc)
        return _page(
            request, session, user, values, exc.status_code, error=error_text(request, exc)
        )
    return redirect(f"{PATH}?done=1")

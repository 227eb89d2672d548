"""Alerts in the console: every alert the person may see, across the people they follow
(`/alerts`, filtered by state and by person), and one alert (`/alerts/{id}`): what, whom,
when, its state ("prise en charge par Marie Dupont à 9 h 12", "close : …"), its history, and
the buttons to take it on, close it with a note, reopen it.

Who sees what is decided by `backend.services.alerts` (the care managers every alert of their
beneficiaries, the people an alert names those alerts): to anyone else an alert does not exist
(404). The e-mails link here (`backend.services.mail.ALERT_PATH`); a person signed out is sent
to the login page, which brings them back (`?next=`).

Also the menu's "Alertes" with the count of open ones (`alerts_menu`, a template global), for
whoever sees alerts somewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session, object_session

from backend.api.deps import MAX_ID, NowDep, PathId, SessionDep
from backend.console import formatting, i18n, web
from backend.console.web import ConsoleUser, Csrf, error_text, redirect, render, undo
from backend.errors import NotFound, ServiceError
from backend.models import Beneficiary, User
from backend.services import access, alerts, dashboard
from backend.text import LINE, MULTILINE

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
PARIS = ZoneInfo("Europe/Paris")  # an alert whose beneficiary is gone (never shown: 404)

# The list's filters: what each shows (the services' states).
STATE_FILTERS: dict[str, tuple[str, ...]] = {
    "active": alerts.ACTIVE,
    "open": (alerts.OPEN,),
    "taken": (alerts.TAKEN,),
    "closed": (alerts.CLOSED,),
    "all": alerts.STATES,
}
FILTER_LABELS = {
    "active": "À traiter (ouvertes ou prises en charge)",
    "open": "Ouvertes",
    "taken": "Prises en charge",
    "closed": "Closes",
    "all": "Toutes",
}
StateFilter = Literal["active", "open", "taken", "closed", "all"]

# What an alert is about, by kind (its `message` says the rest, in French).
KIND_LABELS = {
    "reminder_missed": "Rappel non confirmé",
    "mood_drop": "Bien-être",
    "wellbeing_trend": "Bien-être",
    "tablet_offline": "Tablette hors ligne",
    "checkin_missed": "« Je vais bien » sans réponse",
    "no_sign_of_life": "Pas de signe de vie",
}
OTHER_KIND = "Alerte"

NOTICES = {
    "taken": "Vous avez pris cette alerte en charge.",
    "closed": "L'alerte est close.",
    "reopened": "L'alerte est rouverte.",
}

Note = Annotated[str, Form(max_length=5000), MULTILINE]  # the service says "at most 2000" in words


# --- words ----------------------------------------------------------------------------------


def said_at(moment: datetime, tz: ZoneInfo, now: datetime, lang: str) -> str:
    """ "à 9 h 12" today, "le mercredi 4 décembre à 9 h 12" another day (in `tz`); "at 9:12",
    "on Wednesday 4 December at 9:12" in English."""
    english = lang == "en"
    if moment.astimezone(tz).date() == now.astimezone(tz).date():
        return ("at " if english else "à ") + formatting.hour(moment, tz, lang=lang)
    return ("on " if english else "le ") + formatting.when(moment, tz, lang=lang)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, OTHER_KIND)


def _with_note(_: Callable[[str], str], text: str, note: str) -> str:
    return _("{text} : {note}").format(text=text, note=note) if note else text


def state_line(v: alerts.AlertView, tz: ZoneInfo, now: datetime, lang: str) -> str:
    """ "Ouverte", "Prise en charge par Marie Dupont à 9 h 12", "Close par Marie Dupont le
    mercredi 4 décembre à 10 h : Appelé sa fille, tout va bien.", in the page's language."""
    _ = i18n.translator(lang)
    if v.state == alerts.OPEN:
        return _("Ouverte")
    if v.state == alerts.TAKEN:
        name = v.taken_by_name or _("quelqu'un")
        if v.taken_at is None:
            return _("Prise en charge par {name}").format(name=name)
        return _("Prise en charge par {name} {when}").format(
            name=name, when=said_at(v.taken_at, tz, now, lang)
        )
    when = said_at(v.closed_at, tz, now, lang) if v.closed_at is not None else ""
    if v.closed_by_name:
        text = _("Close par {name} {when}").format(name=v.closed_by_name, when=when)
    else:  # by the system (the reminder confirmed late, the tablet back)
        text = _("Close automatiquement {when}").format(when=when)
    return _with_note(_, text.strip(), v.close_note)


EMAIL_NOTE = "E-mail à "  # backend.services.mail writes "E-mail à Claire Dupont"


def event_line(e: alerts.EventView, lang: str) -> str:
    """One step of the history, in the page's language ("Prise en charge par Marie Dupont")."""
    _ = i18n.translator(lang)
    name = e.actor_name or _("quelqu'un")
    if e.action == alerts.OPENED:
        return _("Alerte ouverte")
    if e.action == alerts.TAKEN_EVENT:
        return _("Prise en charge par {name}").format(name=name)
    if e.action == alerts.CLOSED_EVENT:
        return _with_note(_, _("Close par {name}").format(name=name), e.note)
    if e.action == alerts.REOPENED:
        return _with_note(_, _("Rouverte par {name}").format(name=name), e.note)
    if e.action == alerts.AUTO_CLOSED:
        return _with_note(_, _("Close automatiquement"), e.note)
    if e.action == alerts.NOTIFIED:
        who = e.note.removeprefix(EMAIL_NOTE)
        return _("E-mail envoyé à {name}").format(name=who) if who else _("E-mail envoyé")
    return _with_note(_, e.action, e.note)


@dataclass(frozen=True)
class Shown:
    """An alert as a page lists it: the service's view, its beneficiary's time zone, and its
    state in words."""

    view: alerts.AlertView
    tz: ZoneInfo
    kind: str  # French label, said in the page's language by the template
    state: str  # in the page's language


def order(views: list[alerts.AlertView]) -> list[alerts.AlertView]:
    """What needs a person first: open ones (critical first), then taken, then closed; newest
    first within each."""
    rank = {alerts.OPEN: 0, alerts.TAKEN: 1, alerts.CLOSED: 2}
    return sorted(
        views,
        key=lambda v: (rank[v.state], not (v.critical and v.state == alerts.OPEN), -v.id),
    )


# --- the list ---------------------------------------------------------------------------------


def _beneficiary_filter(value: str) -> int | None:
    """The form's "all the people" is an empty value; anything but an id is all of them."""
    value = value.strip()
    if value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_ID:
        return int(value)
    return None


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    state: StateFilter = "active",
    beneficiary: Annotated[str, Query(max_length=12), LINE] = "",
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The alerts `user` sees, of everyone or of one person, in a state; open ones first
    (critical first), newest first; `before` pages back."""
    beneficiary_id = _beneficiary_filter(beneficiary)
    people = access.visible_beneficiaries(session, user)
    views = alerts.list_for_user(
        session,
        user,
        now=now,
        beneficiary_id=beneficiary_id,
        states=STATE_FILTERS[state],
        limit=PAGE_SIZE,
        before_id=before,
    )
    zones = {b.id: ZoneInfo(b.timezone) for b in people}
    lang = web.language(request)
    shown = []
    for v in order(views):
        tz = zones.get(v.beneficiary_id) or PARIS
        shown.append(Shown(v, tz, kind_label(v.kind), state_line(v, tz, now, lang)))
    older = min(v.id for v in views) if len(views) == PAGE_SIZE else None
    return render(
        request,
        "alerts.html",
        alerts=shown,
        people=people,
        state=state,
        beneficiary_id=beneficiary_id,
        filters=FILTER_LABELS,
        older=older,
    )


# --- one alert --------------------------------------------------------------------------------


def _alert_page(
    request: Request,
    session: Session,
    user: User,
    alert_id: int,
    now: datetime,
    status_code: int = 200,
    **context: Any,
) -> Response:
    view = alerts.get(session, user, alert_id, now)
    events = alerts.history(session, user, alert_id, now)
    beneficiary = session.get(Beneficiary, view.beneficiary_id)
    tz = ZoneInfo(beneficiary.timezone) if beneficiary is not None else PARIS
    lang = web.language(request)
    context.setdefault("note", "")
    return render(
        request,
        "alert.html",
        status_code,
        a=view,
        kind=kind_label(view.kind),
        state=state_line(view, tz, now, lang),
        events=[(e, event_line(e, lang)) for e in events],
        tz=tz,
        **context,
    )


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(
    alert_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    done: Annotated[str, Query(max_length=10), LINE] = "",
) -> Response:
    return _alert_page(request, session, user, alert_id, now, notice=NOTICES.get(done))


@dataclass(frozen=True)
class _Asked:
    """One alert asked about in a form: who asks, when, in which request."""

    request: Request
    session: Session
    user: User
    alert_id: int
    now: datetime

    def act(self, action: Callable[[], object], done: str, note: str = "") -> Response:
        """Do it through the service; its refusal (a closed alert taken, a note missing) is
        said on the alert's page, the note typed kept. An alert one does not see stays a
        404."""
        try:
            action()
        except NotFound:
            raise
        except ServiceError as exc:
            undo(self.session, exc)
            return _alert_page(
                self.request,
                self.session,
                self.user,
                self.alert_id,
                self.now,
                exc.status_code,
                error=error_text(self.request, exc),
                note=note,
            )
        return redirect(f"/alerts/{self.alert_id}?done={done}")


def _asked(
    alert_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, now: NowDep
) -> _Asked:
    return _Asked(request, session, user, alert_id, now)


Asked = Annotated[_Asked, Depends(_asked)]


@router.post("/alerts/{alert_id}/take", dependencies=[Csrf])
def take(a: Asked) -> Response:
    return a.act(lambda: alerts.take(a.session, a.user, a.alert_id, a.now), "taken")


@router.post("/alerts/{alert_id}/close", dependencies=[Csrf])
def close(a: Asked, note: Note = "") -> Response:
    return a.act(lambda: alerts.close(a.session, a.user, a.alert_id, note, a.now), "closed", note)


@router.post("/alerts/{alert_id}/reopen", dependencies=[Csrf])
def reopen(a: Asked, note: Note = "") -> Response:
    return a.act(
        lambda: alerts.reopen(a.session, a.user, a.alert_id, a.now, note), "reopened", note
    )


# --- the menu ---------------------------------------------------------------------------------


def alerts_menu(user: User | None) -> int | None:
    """For base.html: None when the menu shows no "Alertes" (signed out, or no alert to see
    anywhere), else the number of open alerts to show beside it (0: none).

    Counted in the page's own database session (the one `user` was loaded in): no second
    connection per page. An error page, rendered once that session has ended, shows the
    menu without it."""
    if user is None:
        return None
    session = object_session(user)
    if session is None:
        return None
    return dashboard.alert_menu(session, user)


web.template_global("alerts_menu", alerts_menu)

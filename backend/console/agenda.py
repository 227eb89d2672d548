"""The agenda of one beneficiary: a week at a time, and the forms to plan and change visits.

Recurrence is chosen with plain words (never, every day, every week on the days ticked, every
month) and shown in French ("tous les lundis et jeudis à 11 h"). One occurrence of a series
can be changed or cancelled alone (the agenda service's overrides).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from backend.api.deps import MAX_ID, NowDep, PathId, SessionDep
from backend.console.formatting import RRULE_DAYS, describe_rrule, rrule_from_form, week_start
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
from backend.models import Event, User
from backend.policy import Permission
from backend.services import agenda, circle
from backend.text import LINE, MULTILINE
from common.recurrence import day_bounds, occurrences_between

router = APIRouter(include_in_schema=False)

KIND_LABELS = {
    "visit": "Visite",
    "appointment": "Rendez-vous",
    "family": "Famille",
    "other": "Autre",
}
REPEATS = {
    "never": "Jamais",
    "daily": "Tous les jours",
    "weekly": "Chaque semaine, les jours cochés",
    "monthly": "Chaque mois, le même jour",
}


@router.get("/b/{beneficiary_id}", response_class=HTMLResponse)
@router.get("/b/{beneficiary_id}/agenda", response_class=HTMLResponse)
def week_view(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    week: Annotated[date | None, Query()] = None,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.VIEW_AGENDA)
    today = now.astimezone(page.tz).date()
    first = week_start(week or today)
    if not agenda.FIRST_YEAR < first.year < agenda.LAST_YEAR:
        raise Invalid("Cette semaine est hors du calendrier.")
    start, _ = day_bounds(first, page.tz)
    end, _ = day_bounds(first + timedelta(days=7), page.tz)
    events = agenda.events_of(session, beneficiary_id)
    by_id = {e.id: e for e in events}
    show_instructions = "view_instructions" in page.can
    if show_instructions and any(e.instructions for e in events):
        agenda.audit_instructions(session, user, "read", beneficiary_id, None)
    found = occurrences_between([agenda.as_agenda_event(e) for e in events], start, end)
    lang = language(request)
    days: list[dict[str, Any]] = []
    for offset in range(7):
        current = first + timedelta(days=offset)
        items = []
        for o in found:
            if o.start.astimezone(page.tz).date() != current:
                continue
            event = by_id.get(o.event_id)
            items.append(
                {
                    "o": o,
                    "event": event,
                    "recurs": bool(event is not None and event.rrule),
                    "rule": describe_rrule(event.rrule, event.start_local, lang=lang)
                    if event is not None and event.rrule
                    else "",
                    "wall": o.start.astimezone(page.tz).replace(tzinfo=None).isoformat(),
                    "instructions": event.instructions
                    if show_instructions and event is not None
                    else "",
                }
            )
        days.append({"date": current, "items": items, "today": current == today})
    return render(
        request,
        "agenda.html",
        **page.context("agenda"),
        days=days,
        first=first,
        previous=first - timedelta(days=7),
        next_week=first + timedelta(days=7),
        kinds=KIND_LABELS,
    )


# --- the event form -----------------------------------------------------------------------------


def _form_values(event: Event | None, page: Page, lang: str) -> dict[str, Any]:
    if event is None:
        return {
            "title": "",
            "kind": "visit",
            "who": "",
            "date": "",
            "time": "",
            "duration": 30,
            "repeat": "never",
            "weekdays": [],
            "until": "",
            "instructions": "",
            "person_id": None,
            "organisation_id": None,
        }
    rule = event.rrule or ""
    parts = dict(p.partition("=")[::2] for p in rule.split(";") if p)
    repeat = {"DAILY": "daily", "WEEKLY": "weekly", "MONTHLY": "monthly"}.get(
        parts.get("FREQ", ""), "never" if not rule else "custom"
    )
    until = parts.get("UNTIL", "")
    return {
        "title": event.title,
        "kind": event.kind,
        "who": event.who,
        "date": event.start_local.date().isoformat(),
        "time": event.start_local.strftime("%H:%M"),
        "duration": event.duration_minutes,
        "repeat": repeat,
        "weekdays": parts.get("BYDAY", "").split(",") if parts.get("BYDAY") else [],
        "until": f"{until[:4]}-{until[4:6]}-{until[6:8]}" if len(until) >= 8 else "",
        "instructions": event.instructions,
        "person_id": event.person_id,
        "organisation_id": event.organisation_id,
        "rule_text": describe_rrule(event.rrule, event.start_local, lang=lang)
        if event.rrule
        else "",
        "rrule": event.rrule,
    }


def _form(
    request: Request,
    session: Session,
    page: Page,
    *,
    event: Event | None,
    values: dict[str, Any],
    status_code: int = 200,
    error: str | None = None,
    occurrence: str | None = None,
) -> Response:
    found = circle.circle_of(session, page.beneficiary)
    people = {found.care_manager.user.id: found.care_manager.user.name}
    for shared in found.organisations:
        people.update({p.user.id: p.user.name for p, _ in shared.staff})
    people.update({p.user.id: p.user.name for p, _ in found.members})
    return render(
        request,
        "event_form.html",
        status_code,
        **page.context("agenda"),
        event=event,
        v=values,
        kinds=KIND_LABELS,
        repeats=REPEATS,
        weekday_codes=RRULE_DAYS,
        error=error,
        occurrence=occurrence,
        people=sorted(people.items(), key=lambda item: item[1].casefold()),
        organisations=[(s.organisation.id, s.organisation.name) for s in found.organisations],
    )


def _parse_start(day: str, at: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(at))
    except ValueError as exc:
        raise Invalid("Indiquez la date et l'heure du rendez-vous.") from exc


def _parse_until(until: str) -> date | None:
    if not until:
        return None
    try:
        return date.fromisoformat(until)
    except ValueError as exc:
        raise Invalid("La date de fin de la répétition est illisible.") from exc


class EventForm:
    """The fields the event form posts, read once."""

    def __init__(
        self,
        title: Annotated[str, Form(max_length=200), LINE] = "",
        kind: Annotated[str, Form(max_length=20), LINE] = "visit",
        who: Annotated[str, Form(max_length=200), LINE] = "",
        day: Annotated[str, Form(alias="date", max_length=10), LINE] = "",
        at: Annotated[str, Form(alias="time", max_length=8), LINE] = "",
        duration: Annotated[int, Form(ge=1, le=1440)] = 30,
        repeat: Annotated[str, Form(max_length=10), LINE] = "never",
        weekdays: Annotated[list[str], Form(max_length=7)] = [],  # noqa: B006 - FastAPI copies it
        until: Annotated[str, Form(max_length=10), LINE] = "",
        instructions: Annotated[str, Form(max_length=agenda.MAX_INSTRUCTIONS), MULTILINE] = "",
        person_id: Annotated[int, Form(ge=0, le=MAX_ID)] = 0,
        organisation_id: Annotated[int, Form(ge=0, le=MAX_ID)] = 0,
    ) -> None:
        self.title = title.strip()
        self.kind = kind
        self.who = who.strip()
        self.day = day
        self.at = at
        self.duration = duration
        self.repeat = repeat
        self.weekdays = [d for d in weekdays if d in RRULE_DAYS]
        self.until = until
        self.instructions = instructions.strip()
        # 0: nobody in particular (the agenda service checks they belong to the circle).
        self.person_id = person_id or None
        self.organisation_id = organisation_id or None

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "who": self.who,
            "date": self.day,
            "time": self.at,
            "duration": self.duration,
            "repeat": self.repeat,
            "weekdays": self.weekdays,
            "until": self.until,
            "instructions": self.instructions,
            "person_id": self.person_id,
            "organisation_id": self.organisation_id,
        }

    def checked(self) -> tuple[datetime, str | None]:
        if not self.title:
            raise Invalid("Donnez un titre au rendez-vous (par exemple « Soins infirmiers »).")
        start = _parse_start(self.day, self.at)
        if self.repeat not in REPEATS:
            raise Invalid("Choisissez une répétition dans la liste.")
        return start, rrule_from_form(self.repeat, self.weekdays, _parse_until(self.until))


@router.get("/b/{beneficiary_id}/agenda/new", response_class=HTMLResponse)
def new_event(
    beneficiary_id: PathId, request: Request, user: ConsoleUser, session: SessionDep
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.EDIT_AGENDA)
    return _form(
        request, session, page, event=None, values=_form_values(None, page, language(request))
    )


def _event_page(session: SessionDep, user: User, event_id: int) -> tuple[Event, Page]:
    event = agenda.event_for(session, user, event_id, Permission.EDIT_AGENDA)
    return event, beneficiary_page(session, user, event.beneficiary_id, Permission.EDIT_AGENDA)


@router.post("/b/{beneficiary_id}/agenda", dependencies=[Csrf])
def create_event(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    form: Annotated[EventForm, Depends()],
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.EDIT_AGENDA)
    try:
        start, rule = form.checked()
        event = agenda.create_event(
            session,
            page.beneficiary,
            title=form.title,
            kind=form.kind,
            who=form.who,
            start=start,
            duration_minutes=form.duration,
            rrule=rule,
            exdates=[],
            instructions=form.instructions,
            person_id=form.person_id,
            organisation_id=form.organisation_id,
        )
        if event.instructions:
            agenda.audit_instructions(session, user, "create", beneficiary_id, event.id)
    except ServiceError as exc:
        undo(session, exc)
        return _form(
            request,
            session,
            page,
            event=None,
            values=form.values(),
            status_code=exc.status_code,
            error=error_text(request, exc),
        )
    return redirect(f"/b/{beneficiary_id}/agenda?week={week_start(start.date())}")


@router.get("/events/{event_id}/edit", response_class=HTMLResponse)
def edit_event_page(
    event_id: PathId, request: Request, user: ConsoleUser, session: SessionDep
) -> Response:
    event, page = _event_page(session, user, event_id)
    if event.instructions:
        agenda.audit_instructions(session, user, "read", event.beneficiary_id, event.id)
    return _form(
        request, session, page, event=event, values=_form_values(event, page, language(request))
    )


@router.post("/events/{event_id}", dependencies=[Csrf])
def update_event(
    event_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    form: Annotated[EventForm, Depends()],
) -> Response:
    event, page = _event_page(session, user, event_id)
    try:
        start, rule = form.checked()
        if form.repeat == "custom":
            rule = event.rrule
        changes: dict[str, object] = {
            "title": form.title,
            "kind": form.kind,
            "who": form.who,
            "start": start,
            "duration_minutes": form.duration,
            "rrule": rule,
            "instructions": form.instructions,
            "person_id": form.person_id,
            "organisation_id": form.organisation_id,
        }
        had_instructions = bool(event.instructions)
        agenda.update_event(session, event, changes)
        if had_instructions or form.instructions:  # instructions are health data: audited
            agenda.audit_instructions(session, user, "update", event.beneficiary_id, event.id)
    except ServiceError as exc:
        undo(session, exc)
        return _form(
            request,
            session,
            page,
            event=event,
            values=form.values(),
            status_code=exc.status_code,
            error=error_text(request, exc),
        )
    return redirect(f"/b/{event.beneficiary_id}/agenda?week={week_start(start.date())}")


@router.post("/events/{event_id}/delete", dependencies=[Csrf])
def delete_event(event_id: PathId, user: ConsoleUser, session: SessionDep) -> Response:
    event, _page = _event_page(session, user, event_id)
    beneficiary_id = event.beneficiary_id
    agenda.delete_event(session, event)
    return redirect(f"/b/{beneficiary_id}/agenda")


# --- one occurrence -----------------------------------------------------------------------------


def _occurrence_start(start: str) -> datetime:
    try:
        return datetime.fromisoformat(start)
    except ValueError as exc:
        raise Invalid("Cette date d'occurrence est illisible.") from exc


@router.get("/events/{event_id}/occurrence", response_class=HTMLResponse)
def occurrence_page(
    event_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    start: Annotated[str, Query(max_length=40), LINE],
) -> Response:
    event, page = _event_page(session, user, event_id)
    wall = _occurrence_start(start)
    values = _form_values(event, page, language(request)) | {
        "date": wall.date().isoformat(),
        "time": wall.strftime("%H:%M"),
        "repeat": "never",
    }
    return _form(request, session, page, event=event, values=values, occurrence=wall.isoformat())


@router.post("/events/{event_id}/occurrence", dependencies=[Csrf])
def edit_occurrence(
    event_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    form: Annotated[EventForm, Depends()],
    occurrence: Annotated[str, Form(max_length=40), LINE] = "",
    cancel: Annotated[str, Form(max_length=5), LINE] = "",
) -> Response:
    event, page = _event_page(session, user, event_id)
    wall = _occurrence_start(occurrence)
    try:
        if cancel:
            agenda.cancel_occurrence(session, event, wall)
            start = wall
        else:
            start, _rule = form.checked()
            agenda.edit_occurrence(
                session,
                event,
                wall,
                {
                    "title": form.title,
                    "kind": form.kind,
                    "who": form.who,
                    "start": start,
                    "duration_minutes": form.duration,
                    "instructions": form.instructions,
                    "person_id": form.person_id,
                    "organisation_id": form.organisation_id,
                },
            )
            if event.instructions or form.instructions:
                agenda.audit_instructions(session, user, "update", event.beneficiary_id, event.id)
    except ServiceError as exc:
        undo(session, exc)
        return _form(
            request,
            session,
            page,
            event=event,
            values=form.values(),
            status_code=exc.status_code,
            error=error_text(request, exc),
            occurrence=occurrence,
        )
    return redirect(f"/b/{event.beneficiary_id}/agenda?week={week_start(start.date())}")

"""Reminders of one beneficiary (issue 15, docs/reminders.md): the list in words ("tous les
jours à 8 h", "une fois, le samedi 5 décembre 2026 à 10 h"), the form to write or change one
(once, every day, some weekdays, several times a day, a rule for experts; "C'est fait" asked
again; whom to alert and after how long), pause, resume, delete after a page that names it, the
care manager's delegation to family and health professionals, and the adherence per week as
an SVG chart drawn here and the same figures as tables.

Rights are the reminders service's (`backend.services.reminders`): VIEW_REMINDERS reads,
`may_manage` writes (the care manager, or whom they delegated to), `may_manage_editors` grants;
the page only decides which forms to show, and every write is decided again by the service.
A form the console cannot read itself (no day ticked, several times a day once) is said in the
page's language with the form kept, before anything reaches the service.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from backend.api.deps import MAX_ID, NowDep, PathId, SessionDep
from backend.console import i18n
from backend.console.formatting import RRULE_DAYS, describe_rrule, hour
from backend.console.messages import RoleWords, roles_in_circle
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
from backend.errors import Forbidden, ServiceError
from backend.models import User
from backend.policy import Permission, allowed
from backend.services import circle, reminders
from backend.text import LINE, MULTILINE, PlainLine
from common import reminders as schedule

router = APIRouter(include_in_schema=False)

# The same refusal as the service's (one message id): the form is not shown to someone who
# could not send it.
NOT_A_MANAGER = (
    "Votre rôle ne permet pas de gérer les rappels : seuls le conseiller autonomie "
    "et les personnes qu'il y autorise les gèrent."
)

KIND_LABELS = {kind.value: label for kind, label in schedule.KIND_LABELS_FR.items()}
REPEATS = {
    "once": "Une fois",
    "daily": "Tous les jours",
    "weekly": "Certains jours de la semaine",
    "custom": "Règle personnalisée (RRULE, pour les experts)",
}
WEEKDAY_WORDS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
WEEKS_CHOICES = (4, 8, 12, 26)
DEFAULT_WEEKS = 8
# What the tablet does by default (common.reminders.Reminder), and a delay people understand.
DEFAULT_REPEAT_EVERY, DEFAULT_REPEAT_COUNT, DEFAULT_ALERT_AFTER = 10, 3, 30
# A rule the simple form says exactly: these parts, the rest is a rule for experts.
SIMPLE_PARTS = {
    "DAILY": {"FREQ", "BYHOUR", "BYMINUTE"},
    "WEEKLY": {"FREQ", "BYDAY", "BYHOUR", "BYMINUTE"},
}

# After a change, the list says what was done (`?done=`); {title} is the reminder's.
NOTICES = {
    "created": "Rappel « {title} » créé : la tablette le reçoit à sa prochaine synchronisation.",
    "updated": "Rappel « {title} » modifié : la tablette reçoit la nouvelle version à sa "
    "prochaine synchronisation.",
    "paused": "« {title} » est en pause : la tablette ne l'affiche plus et personne n'est "
    "prévenu. Reprenez-le quand vous voulez.",
    "resumed": "« {title} » reprend : la tablette l'affiche de nouveau à partir de maintenant.",
    "deleted": "Rappel supprimé, avec l'historique de ses confirmations.",
    "granted": "{name} peut maintenant créer, modifier, mettre en pause et supprimer les rappels.",
    "revoked": "{name} ne gère plus les rappels (elle ou il les voit toujours).",
}


class FormError(Exception):
    """What the console reads wrong in the form itself, before any service: `error` is one of
    the console's own French sentences (its English is in reminders_i18n)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


# --- saying a schedule in words ---------------------------------------------------------------


def _parts(rule: str) -> dict[str, str]:
    return dict(p.split("=", 1) for p in rule.split(";") if "=" in p)


def _numbers(value: str | None) -> list[int] | None:
    if value is None:
        return None
    try:
        return sorted({int(v) for v in value.split(",")})
    except ValueError:
        return None


def times_of_day(rule: str | None, start: datetime) -> list[time]:
    """The wall-clock times at which a rule is due in a day it is due: BYHOUR × BYMINUTE,
    the start's hour or minute for the one absent."""
    parts = _parts(rule or "")
    hours = _numbers(parts.get("BYHOUR")) or [start.hour]
    minutes = _numbers(parts.get("BYMINUTE")) or [start.minute]
    return sorted(time(h, m) for h in hours for m in minutes)


def _and(words: Sequence[str], lang: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + (" and " if lang == "en" else " et ") + words[-1]


def schedule_words(rule: str | None, start: datetime, lang: str) -> str:
    """The schedule in words: "tous les jours à 8 h", "tous les lundis, mercredis et
    vendredis à 18 h", "tous les jours à 8 h, 12 h et 18 h", "une fois, le samedi 5 décembre
    2026 à 10 h" (and in English). `start`: the reminder's wall-clock start."""
    if not rule:
        once = "once, " if lang == "en" else "une fois, "
        return once + describe_rrule(None, start, lang=lang)
    parts = _parts(rule)
    times = times_of_day(rule, start)
    # describe_rrule says one time (the start's): the rule without its hours, then its times.
    base = ";".join(f"{k}={v}" for k, v in parts.items() if k not in ("BYHOUR", "BYMINUTE"))
    text = describe_rrule(base, start, lang=lang)
    if times != [start.time().replace(second=0, microsecond=0)]:
        single = ("at " if lang == "en" else "à ") + hour(start, lang=lang)
        several = ("at " if lang == "en" else "à ") + _and(
            [hour(t, lang=lang) for t in times], lang
        )
        # A rule said as "custom" has no time in its words: its times come after.
        text = text.replace(single, several, 1) if single in text else f"{text} {several}"
    return text


# --- the form ---------------------------------------------------------------------------------


@dataclass
class Values:
    """What the form shows: a reminder's fields, or what was sent (kept on an error)."""

    title: str = ""
    detail: str = ""
    kind: str = schedule.Kind.MEDICATION.value
    date: str = ""
    time: str = ""
    repeat: str = "daily"
    weekdays: list[str] = field(default_factory=list)
    hours: list[int] = field(default_factory=list)  # besides the start's hour
    rrule: str = ""
    confirm: bool = True
    repeat_every: str = str(DEFAULT_REPEAT_EVERY)
    repeat_count: str = str(DEFAULT_REPEAT_COUNT)
    alert: bool = False
    alert_after: str = str(DEFAULT_ALERT_AFTER)
    watchers: list[int] = field(default_factory=list)
    critical: bool = False


def _simple(rule: str, start: datetime) -> tuple[str, list[str], list[int]] | None:
    """(repeat, weekdays, extra hours) when the simple form says this rule exactly, else None
    (a rule for experts, kept as written)."""
    parts = _parts(rule)
    freq = parts.get("FREQ", "")
    if freq not in SIMPLE_PARTS or not set(parts) <= SIMPLE_PARTS[freq]:
        return None
    hours = _numbers(parts.get("BYHOUR")) or [start.hour]
    minutes = _numbers(parts.get("BYMINUTE")) or [start.minute]
    if start.hour not in hours or minutes != [start.minute]:
        return None  # not "the start's time, and also these hours"
    days = parts.get("BYDAY", "").split(",") if parts.get("BYDAY") else []
    if freq == "WEEKLY" and (not days or any(d not in RRULE_DAYS for d in days)):
        return None
    return ("daily" if freq == "DAILY" else "weekly", days, [h for h in hours if h != start.hour])


def values_of(info: reminders.ReminderInfo) -> Values:
    r = info.reminder
    start = r.start_local
    simple = _simple(r.rrule, start) if r.rrule else ("once", [], [])
    repeat, weekdays, hours = simple if simple is not None else ("custom", [], [])
    return Values(
        title=r.title,
        detail=r.detail,
        kind=r.kind,
        date=start.date().isoformat(),
        time=start.strftime("%H:%M"),
        repeat=repeat,
        weekdays=weekdays,
        hours=hours,
        rrule=(r.rrule or "") if repeat == "custom" else "",
        confirm=r.confirm_wanted,
        repeat_every=str(r.repeat_every_minutes),
        repeat_count=str(r.repeat_count),
        alert=r.escalate_after_minutes is not None,
        alert_after=str(r.escalate_after_minutes or DEFAULT_ALERT_AFTER),
        watchers=list(info.watcher_ids),
        critical=r.critical,
    )


def _ints(values: Sequence[str], low: int, high: int) -> list[int]:
    """The numbers sent within [low, high], in order, once each (a forged value is dropped:
    nothing of the form's lists stands for it)."""
    found = set()
    for value in values:
        try:
            number = int(value)
        except ValueError:
            continue
        if low <= number <= high:
            found.add(number)
    return sorted(found)


def _minutes(value: str, error: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise FormError(error=error) from None


class ReminderForm:
    """The fields the reminder form posts, read once. Numbers come as text, so that a wrong
    one is said next to the form (kept) rather than on an error page."""

    def __init__(
        self,
        title: Annotated[str, Form(max_length=1000), LINE] = "",
        detail: Annotated[str, Form(max_length=5000), MULTILINE] = "",
        kind: Annotated[str, Form(max_length=40), LINE] = schedule.Kind.OTHER.value,
        day: Annotated[str, Form(alias="date", max_length=10), LINE] = "",
        at: Annotated[str, Form(alias="time", max_length=8), LINE] = "",
        repeat: Annotated[str, Form(max_length=10), LINE] = "once",
        weekdays: Annotated[list[PlainLine], Form(max_length=7)] = [],  # noqa: B006 - FastAPI copies it
        hours: Annotated[list[PlainLine], Form(max_length=24)] = [],  # noqa: B006
        rrule: Annotated[str, Form(max_length=500), LINE] = "",
        confirm: Annotated[str, Form(max_length=5), LINE] = "",
        repeat_every: Annotated[str, Form(max_length=10), LINE] = "",
        repeat_count: Annotated[str, Form(max_length=10), LINE] = "",
        alert: Annotated[str, Form(max_length=5), LINE] = "",
        alert_after: Annotated[str, Form(max_length=10), LINE] = "",
        watchers: Annotated[list[PlainLine], Form(max_length=200)] = [],  # noqa: B006
        critical: Annotated[str, Form(max_length=5), LINE] = "",
    ) -> None:
        self.values = Values(
            title=title.strip(),
            detail=detail.strip(),
            kind=kind,
            date=day,
            time=at,
            repeat=repeat,
            weekdays=[d for d in RRULE_DAYS if d in weekdays],
            hours=_ints(hours, 0, 23),
            rrule=rrule.strip(),
            confirm=bool(confirm),
            repeat_every=repeat_every.strip() or str(DEFAULT_REPEAT_EVERY),
            repeat_count=repeat_count.strip() or str(DEFAULT_REPEAT_COUNT),
            alert=bool(alert),
            alert_after=alert_after.strip() or str(DEFAULT_ALERT_AFTER),
            watchers=_ints(watchers, 1, MAX_ID),
            critical=bool(critical),
        )

    def start(self) -> datetime:
        try:
            return datetime.combine(
                date.fromisoformat(self.values.date), time.fromisoformat(self.values.time)
            )
        except ValueError:
            raise FormError(error="Indiquez la date et l'heure du rappel.") from None

    def rule(self, start: datetime) -> str | None:
        v = self.values
        extra = sorted(set(v.hours) - {start.hour})
        if v.repeat == "once":
            if extra:
                raise FormError(
                    error="Plusieurs fois par jour : choisissez « Tous les jours » ou « Certains "
                    "jours de la semaine »."
                )
            return None
        if v.repeat == "custom":
            if not v.rrule:
                raise FormError(
                    error="Écrivez la règle (RRULE) ou choisissez une autre répétition."
                )
            if extra:
                raise FormError(
                    error="Avec une règle personnalisée, les heures de la journée s'écrivent "
                    "dans la règle (BYHOUR, BYMINUTE)."
                )
            return v.rrule
        if v.repeat == "daily":
            parts = ["FREQ=DAILY"]
        elif v.repeat == "weekly":
            if not v.weekdays:
                raise FormError(error="Cochez au moins un jour de la semaine.")
            parts = ["FREQ=WEEKLY", "BYDAY=" + ",".join(v.weekdays)]
        else:
            raise FormError(error="Choisissez une répétition dans la liste.")
        if extra:
            hours = sorted({start.hour, *extra})
            parts += [f"BYHOUR={','.join(map(str, hours))}", f"BYMINUTE={start.minute}"]
        return ";".join(parts)

    def fields(self) -> dict[str, Any]:
        """Everything the service's create takes (and update's FIELDS), checked by it."""
        v = self.values
        start = self.start()
        rule = self.rule(start)
        repeat_every = _minutes(
            v.repeat_every, "Redemander toutes les … minutes : écrivez un nombre de minutes."
        )
        repeat_count = _minutes(v.repeat_count, "Nombre de fois : écrivez un nombre.")
        alert_after = (
            _minutes(v.alert_after, "Prévenir après … minutes : écrivez un nombre de minutes.")
            if v.alert
            else None
        )
        return {
            "title": v.title,
            "detail": v.detail,
            "kind": v.kind,
            "start": start,
            "rrule": rule,
            "confirm_wanted": v.confirm,
            "repeat_every_minutes": repeat_every,
            "repeat_count": repeat_count,
            "escalate_after_minutes": alert_after,
            "critical": v.critical,
            # Whom to alert only matters with an alert: without one, nobody is kept.
            "watcher_ids": v.watchers if v.alert else [],
        }


# --- the people of the circle -----------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role: RoleWords  # ("infirmière", "Cabinet infirmier des Lilas"), ("famille", "")
    may_view: bool  # VIEW_REMINDERS
    may_manage: bool  # MANAGE_REMINDERS by role (the care manager)


def people_of(session: Session, page: Page) -> dict[int, Person]:
    """Everyone in the circle, by name: whom a reminder may alert (anyone of it), and whom the
    care manager may make a reminder editor (who views reminders without managing them)."""
    found = circle.circle_of(session, page.beneficiary)
    words = roles_in_circle(session, page.beneficiary)
    persons = [found.care_manager]
    persons += [p for s in found.organisations for p, _ in s.staff]
    persons += [p for p, _ in found.members]
    people: dict[int, Person] = {}
    for p in persons:
        if p.user.id in people:
            continue
        people[p.user.id] = Person(
            p.user.id,
            p.user.name,
            words.get(p.user.id, ("", "")),
            allowed(p.roles, Permission.VIEW_REMINDERS),
            allowed(p.roles, Permission.MANAGE_REMINDERS),
        )
    return dict(sorted(people.items(), key=lambda item: item[1].name.casefold()))


# --- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    info: reminders.ReminderInfo
    when: str  # "tous les jours à 8 h"
    alerted: list[Person]  # the care manager (who sees every alert), then the watchers
    gone_watchers: int  # named on the reminder, no longer in the circle: not alerted

    @property
    def r(self) -> Any:
        return self.info.reminder


def _rows(
    infos: list[reminders.ReminderInfo], people: dict[int, Person], manager_id: int, lang: str
) -> list[Row]:
    rows = []
    for info in infos:
        named = [people[i] for i in info.watcher_ids if i in people and i != manager_id]
        gone = sum(1 for i in info.watcher_ids if i not in people)
        manager = [people[manager_id]] if manager_id in people else []
        rows.append(
            Row(
                info,
                schedule_words(info.reminder.rrule, info.reminder.start_local, lang),
                manager + named,
                gone,
            )
        )
    return rows


def _notice(request: Request, done: str, **params: str) -> str | None:
    template = NOTICES.get(done)
    if template is None:
        return None
    said = i18n.translator(language(request))(template)
    try:
        return said.format(**params)
    except KeyError:  # the reminder or the person is gone since: say it without the name
        return None


def _list_page(
    request: Request,
    session: Session,
    user: User,
    beneficiary_id: int,
    now: datetime,
    *,
    status_code: int = 200,
    done: str = "",
    which: int = 0,
    error: str | None = None,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.VIEW_REMINDERS)
    infos = reminders.list_reminders(session, user, beneficiary_id, now)
    editors = reminders.list_editors(session, user, beneficiary_id)
    manage = reminders.may_manage(session, user, page.beneficiary)
    manage_editors = reminders.may_manage_editors(session, user, page.beneficiary)
    people = people_of(session, page)
    lang = language(request)
    rows = _rows(infos, people, page.beneficiary.care_manager_id, lang)
    editor_ids = {e.user_id for e in editors}
    candidates = [
        p for p in people.values() if p.may_view and not p.may_manage and p.id not in editor_ids
    ]
    params: dict[str, str] = {}
    titles = {row.r.id: row.r.title for row in rows}
    if which in titles:
        params["title"] = titles[which]
    if which in people:
        params["name"] = people[which].name
    return render(
        request,
        "reminders.html",
        status_code,
        **page.context("reminders"),
        rows=rows,
        manage=manage,
        manage_editors=manage_editors,
        editors=editors,
        candidates=candidates,
        people=people,
        kinds=KIND_LABELS,
        notice=_notice(request, done, **params),
        error=error,
        now=now,
    )


def _refused(
    request: Request,
    session: Session,
    user: User,
    beneficiary_id: int,
    now: datetime,
    exc: ServiceError,
) -> Response:
    """A service's refusal of a change made from the list: nothing kept, the list again with
    the refusal above it (and its status). Not allowed or not found stays the console's
    refusal page."""
    if exc.status_code in (403, 404):
        raise exc
    undo(session, exc)
    return _list_page(
        request,
        session,
        user,
        beneficiary_id,
        now,
        status_code=exc.status_code,
        error=error_text(request, exc),
    )


@router.get("/b/{beneficiary_id}/reminders", response_class=HTMLResponse)
def reminders_page(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    done: Annotated[str, Query(max_length=10), LINE] = "",
    which: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    return _list_page(request, session, user, beneficiary_id, now, done=done, which=which)


# --- the care manager's delegation --------------------------------------------------------------


@router.post("/b/{beneficiary_id}/reminders/editors", dependencies=[Csrf])
def grant(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    editor_id: Annotated[int, Form(ge=0, le=MAX_ID)] = 0,
) -> Response:
    try:
        if editor_id == 0:
            raise FormError(error="Choisissez la personne à autoriser.")
        reminders.grant_editor(session, user, beneficiary_id, editor_id, now)
    except FormError as problem:
        return _list_page(
            request, session, user, beneficiary_id, now, status_code=422, error=problem.error
        )
    except ServiceError as exc:
        return _refused(request, session, user, beneficiary_id, now, exc)
    return redirect(f"/b/{beneficiary_id}/reminders?done=granted&which={editor_id}#editors")


@router.post("/b/{beneficiary_id}/reminders/editors/{editor_id}/revoke", dependencies=[Csrf])
def revoke(
    beneficiary_id: PathId, editor_id: PathId, user: ConsoleUser, session: SessionDep, now: NowDep
) -> Response:
    reminders.revoke_editor(session, user, beneficiary_id, editor_id, now)
    return redirect(f"/b/{beneficiary_id}/reminders?done=revoked&which={editor_id}#editors")


# --- writing one ------------------------------------------------------------------------------


def _managed_page(session: Session, user: User, beneficiary_id: int) -> Page:
    """The page for someone who may manage the reminders (else 404 outside the circle, 403
    inside it), for the forms themselves: a form is not shown to who could not send it."""
    page = beneficiary_page(session, user, beneficiary_id, Permission.VIEW_REMINDERS)
    if not reminders.may_manage(session, user, page.beneficiary):
        raise Forbidden(NOT_A_MANAGER)
    return page


def _form(
    request: Request,
    session: Session,
    page: Page,
    *,
    values: Values,
    info: reminders.ReminderInfo | None = None,
    status_code: int = 200,
    error: str | None = None,
) -> Response:
    lang = language(request)
    current = (
        schedule_words(info.reminder.rrule, info.reminder.start_local, lang)
        if info is not None
        else ""
    )
    return render(
        request,
        "reminders_form.html",
        status_code,
        **page.context("reminders"),
        info=info,
        current=current,
        v=values,
        kinds=KIND_LABELS,
        repeats=REPEATS,
        weekdays=list(zip(RRULE_DAYS, WEEKDAY_WORDS, strict=True)),
        people=people_of(session, page),
        limits={
            "title": schedule.MAX_TITLE,
            "detail": schedule.MAX_DETAIL,
            "per_day": schedule.MAX_DUE_PER_DAY,
            "every": schedule.REPEAT_EVERY_RANGE,
            "count": schedule.MAX_REPEAT_COUNT,
            "after": schedule.ESCALATE_AFTER_RANGE,
        },
        error=error,
    )


def _form_refused(
    request: Request,
    session: Session,
    page: Page,
    values: Values,
    problem: FormError | ServiceError,
    *,
    info: reminders.ReminderInfo | None = None,
    reread: Callable[[], reminders.ReminderInfo] | None = None,
) -> Response:
    """The form again, what was typed kept, with why it was refused: the console's own reading
    (422), or the service's refusal, which keeps nothing (`reread`: the reminder as it stays,
    read again once the change is undone)."""
    if isinstance(problem, FormError):
        return _form(
            request, session, page, values=values, info=info, status_code=422, error=problem.error
        )
    undo(session, problem)
    if reread is not None:
        info = reread()
    return _form(
        request,
        session,
        page,
        values=values,
        info=info,
        status_code=problem.status_code,
        error=error_text(request, problem),
    )


@router.get("/b/{beneficiary_id}/reminders/new", response_class=HTMLResponse)
def new_reminder(
    beneficiary_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, now: NowDep
) -> Response:
    page = _managed_page(session, user, beneficiary_id)
    today = now.astimezone(page.tz).date()
    return _form(request, session, page, values=Values(date=today.isoformat()))


@router.post("/b/{beneficiary_id}/reminders", dependencies=[Csrf])
def create(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    form: Annotated[ReminderForm, Depends()],
) -> Response:
    page = _managed_page(session, user, beneficiary_id)
    try:
        info = reminders.create_reminder(session, user, beneficiary_id, now=now, **form.fields())
    except (FormError, ServiceError) as problem:
        return _form_refused(request, session, page, form.values, problem)
    return redirect(f"/b/{beneficiary_id}/reminders?done=created&which={info.reminder.id}")


@router.get("/b/{beneficiary_id}/reminders/{reminder_id}/edit", response_class=HTMLResponse)
def edit_reminder(
    beneficiary_id: PathId,
    reminder_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
) -> Response:
    page = _managed_page(session, user, beneficiary_id)
    info = reminders.get_reminder(session, user, beneficiary_id, reminder_id, now)
    return _form(request, session, page, values=values_of(info), info=info)


@router.post("/b/{beneficiary_id}/reminders/{reminder_id}", dependencies=[Csrf])
def update(
    beneficiary_id: PathId,
    reminder_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    form: Annotated[ReminderForm, Depends()],
) -> Response:
    page = _managed_page(session, user, beneficiary_id)
    info = reminders.get_reminder(session, user, beneficiary_id, reminder_id, now)
    try:
        reminders.update_reminder(session, user, beneficiary_id, reminder_id, form.fields(), now)
    except (FormError, ServiceError) as problem:
        return _form_refused(
            request,
            session,
            page,
            form.values,
            problem,
            info=info,
            reread=lambda: reminders.get_reminder(session, user, beneficiary_id, reminder_id, now),
        )
    return redirect(f"/b/{beneficiary_id}/reminders?done=updated&which={reminder_id}")


def _act(
    request: Request,
    session: Session,
    user: User,
    beneficiary_id: int,
    now: datetime,
    done: str,
    reminder_id: int,
) -> Response:
    act = reminders.pause_reminder if done == "paused" else reminders.resume_reminder
    try:
        act(session, user, beneficiary_id, reminder_id, now)
    except ServiceError as exc:  # the 100 active reminders already: said above the list
        return _refused(request, session, user, beneficiary_id, now, exc)
    return redirect(f"/b/{beneficiary_id}/reminders?done={done}&which={reminder_id}")


@router.post("/b/{beneficiary_id}/reminders/{reminder_id}/pause", dependencies=[Csrf])
def pause(
    beneficiary_id: PathId,
    reminder_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
) -> Response:
    return _act(request, session, user, beneficiary_id, now, "paused", reminder_id)


@router.post("/b/{beneficiary_id}/reminders/{reminder_id}/resume", dependencies=[Csrf])
def resume(
    beneficiary_id: PathId,
    reminder_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
) -> Response:
    return _act(request, session, user, beneficiary_id, now, "resumed", reminder_id)


@router.get("/b/{beneficiary_id}/reminders/{reminder_id}/delete", response_class=HTMLResponse)
def delete_page(
    beneficiary_id: PathId,
    reminder_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Deleting takes its history of confirmations with it: this page names the reminder and
    asks first (a page and a form: it works without JavaScript)."""
    page = _managed_page(session, user, beneficiary_id)
    info = reminders.get_reminder(session, user, beneficiary_id, reminder_id, now)
    when = schedule_words(info.reminder.rrule, info.reminder.start_local, language(request))
    return render(
        request, "reminders_delete.html", **page.context("reminders"), info=info, when=when
    )


@router.post("/b/{beneficiary_id}/reminders/{reminder_id}/delete", dependencies=[Csrf])
def delete(
    beneficiary_id: PathId,
    reminder_id: PathId,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    confirm: Annotated[str, Form(max_length=10), LINE] = "",
) -> Response:
    if confirm != "yes":  # not from the confirmation page: ask there
        return redirect(f"/b/{beneficiary_id}/reminders/{reminder_id}/delete")
    reminders.delete_reminder(session, user, beneficiary_id, reminder_id, now)
    return redirect(f"/b/{beneficiary_id}/reminders?done=deleted")


# --- adherence ----------------------------------------------------------------------------------

# In the order of the bars' parts, with the words of the legend, the tables and the tooltips
# (one, several).
OUTCOMES = (
    ("confirmed", "confirmé à l'heure", "confirmés à l'heure"),
    ("late", "confirmé en retard", "confirmés en retard"),
    ("missed", "manqué", "manqués"),
    (
        "unknown",
        "confirmation inconnue, tablette hors ligne",
        "confirmations inconnues, tablette hors ligne",
    ),
    ("pending", "en attente (délai pas encore écoulé)", "en attente (délai pas encore écoulé)"),
)


@dataclass(frozen=True)
class Segment:
    outcome: str
    x: float  # from 0 to 100: the bar is an SVG of its own, as wide as its row
    width: float
    count: int


@dataclass(frozen=True)
class Bar:
    week: reminders.WeekAdherence
    segments: list[Segment]
    share: str  # "83 %", or "" when nothing is known


def share_text(share: float | None, lang: str) -> str:
    if share is None:
        return ""
    percent = round(share * 100)
    return f"{percent}%" if lang == "en" else f"{percent}\u202f%"


def adherence_bars(weeks: list[reminders.WeekAdherence], lang: str) -> list[Bar]:
    """One bar per week, its parts the shares of each outcome among the occurrences expected
    that week (a week with none has no part). Each bar is drawn as a small SVG in an HTML row
    whose week and share are text: readable at the page's size on a phone as on a desktop."""
    bars = []
    for week in weeks:
        counts = week.counts
        segments = []
        x = 0.0
        for outcome, _one, _many in OUTCOMES:
            count = getattr(counts, outcome)
            if count and counts.expected:
                width = round(100 * count / counts.expected, 2)
                segments.append(Segment(outcome, round(x, 2), width, count))
                x += width
        bars.append(Bar(week, segments, share_text(counts.confirmed_share, lang)))
    return bars


@router.get("/b/{beneficiary_id}/reminders/adherence", response_class=HTMLResponse)
def adherence_page(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    weeks: Annotated[int, Query(ge=1, le=reminders.MAX_WEEKS)] = DEFAULT_WEEKS,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.VIEW_REMINDERS)
    found = reminders.adherence(session, user, beneficiary_id, weeks, now)
    lang = language(request)
    names = ("expected", "confirmed", "late", "missed", "unknown", "pending")
    total = reminders.Counts(**{n: sum(getattr(w.counts, n) for w in found.weeks) for n in names})
    return render(
        request,
        "reminders_adherence.html",
        **page.context("reminders"),
        weeks=weeks,
        choices=WEEKS_CHOICES,
        adherence=found,
        total=total,
        total_share=share_text(total.confirmed_share, lang),
        bars=adherence_bars(found.weeks, lang),
        outcomes=OUTCOMES,
        shares={
            "weeks": [share_text(w.counts.confirmed_share, lang) for w in found.weeks],
            "reminders": [share_text(r.total.confirmed_share, lang) for r in found.reminders],
        },
        kinds=KIND_LABELS,
        now=now,
    )

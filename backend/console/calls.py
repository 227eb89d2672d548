"""Video calls in the console (issue 17, docs/calls.md): the call log and the « Appeler »
button (`/b/{id}/calls`), the approved callers for the care manager (plain forms), and the call
page (`/b/{id}/call` to place a call, `/calls/{id}` for a call of one's own) whose WebRTC is
`backend/static/call.js`. The JSON routes call.js and incoming_calls.js talk to are
`calls_api.py`'s; rights are the service's (`backend.services.calls`, `backend.policy`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from backend.api.deps import MAX_ID, NowDep, PathId, SessionDep
from backend.console import i18n
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
from backend.models import Beneficiary, Call, User
from backend.policy import Permission, allowed
from backend.services import access, calls, circle
from backend.services.consent import PROFESSION_WORDS, RELATION_WORDS
from backend.text import LINE

router = APIRouter(include_in_schema=False)

# An outcome in words (« coupé »: the network ended a call that had been answered).
OUTCOME_WORDS = {
    "completed": "terminé",
    "missed": "manqué",
    "refused": "refusé",
    "busy": "occupé",
    "cancelled": "annulé",
    "failed": "coupé",
}
STATE_WORDS = {"ringing": "ça sonne", "answered": "en cours"}
# /b/{id}/call for someone not approved (a 403, worded as the console's other refusals).
NOT_YET = (
    "Votre accès ne permet pas encore d'appeler {name} en vidéo : demandez à {manager} de "
    "vous y autoriser."
)
NOT_YET_SELF = (
    "Votre accès ne permet pas encore d'appeler {name} en vidéo : ajoutez-vous d'abord aux "
    "personnes autorisées, plus bas."
)
NOTICES = {
    "added": "{name} peut maintenant appeler.",
    "auto_on": "Décrochage automatique activé pour {name}.",
    "auto_off": "Décrochage automatique désactivé pour {name} : la tablette sonnera.",
    "removed": "{name} ne peut plus appeler.",
}


# --- words (pure) -------------------------------------------------------------------------------


def duration_words(seconds: float | None, lang: str = "fr") -> str:
    """ "4 min 12", "42 s", "1 h 03 min" (the English adds its "s": "4 min 12 s")."""
    if seconds is None:
        return ""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}\u00a0h\u00a0{minutes:02d}\u00a0min"
    if minutes:
        tail = "\u00a0s" if lang == "en" else ""
        return f"{minutes}\u00a0min\u00a0{secs:02d}{tail}"
    return f"{secs}\u00a0s"


def outcome_key(state: str, outcome: str | None, end_reason: str | None) -> str:
    """A call's kind: its outcome, « network » for an answered call the network ended, its
    state while not ended."""
    if state != "ended":
        return state
    if outcome == "completed" and end_reason == "network":
        return "network"
    return outcome or "failed"


def outcome_words(key: str) -> str:
    """The French words of an `outcome_key` (the template says them in the page's language)."""
    if key == "network":
        return OUTCOME_WORDS["failed"]
    return OUTCOME_WORDS.get(key) or STATE_WORDS.get(key, key)


@dataclass(frozen=True)
class LogRow:
    at: datetime
    who: str
    direction: str
    outcome: str
    duration: str
    kind: str


# --- the calls page -----------------------------------------------------------------------------


def _calls_page(session: SessionDep, user: User, beneficiary_id: int) -> Page:
    """The page for whoever sees the log, or may call without seeing it (a friend: the button
    only); 404 outside the circle, 403 otherwise (the service's words)."""
    try:
        return beneficiary_page(session, user, beneficiary_id, Permission.VIEW_CALL_LOG)
    except Forbidden:
        return beneficiary_page(session, user, beneficiary_id, Permission.CALL)


def _manager_name(session: SessionDep, beneficiary: Beneficiary) -> str:
    manager = session.get(User, beneficiary.care_manager_id)
    return manager.name if manager is not None else ""


def _candidates(
    session: SessionDep, beneficiary: Beneficiary, approved: set[int]
) -> list[dict[str, Any]]:
    """The circle's people not approved yet: the care manager, the personal members, the
    staff of the organisations it is shared with (the service refuses anyone it must)."""
    found = circle.circle_of(session, beneficiary)
    people: dict[int, dict[str, Any]] = {}

    def add(person: circle.Person, relation: str) -> None:
        user = person.user
        if user.id in approved or user.id in people or not allowed(person.roles, Permission.CALL):
            return
        words = PROFESSION_WORDS.get(user.profession or "") or RELATION_WORDS.get(relation, "")
        people[user.id] = {"user_id": user.id, "name": user.name, "relation": words}

    add(found.care_manager, "")
    for member, relation in found.members:
        add(member, relation)
    for shared in found.organisations:
        for member, _role in shared.staff:
            add(member, "")
    return sorted(people.values(), key=lambda p: (p["name"].casefold(), p["user_id"]))


def _page(
    request: Request,
    session: SessionDep,
    user: User,
    page: Page,
    now: datetime,
    *,
    notice: str | None = None,
    error: str | None = None,
    chosen: int | None = None,
    status_code: int = 200,
) -> Response:
    b = page.beneficiary
    lang = language(request)
    _ = i18n.translator(lang)
    rows: list[LogRow] = []
    if "view_call_log" in page.can:
        for call in calls.call_log(session, user, b.id, now):
            template = "appel à {name}" if call["direction"] == "to_tablet" else "appel de {name}"
            kind = outcome_key(call["state"], call["outcome"], call["end_reason"])
            rows.append(
                LogRow(
                    at=datetime.fromisoformat(call["created_at"]),
                    who=call["caller"]["name"],
                    direction=_(template).replace("{name}", b.first_name),
                    outcome=_(outcome_words(kind)),
                    duration=duration_words(call["duration_seconds"], lang),
                    kind=kind,
                )
            )
    callers: list[dict[str, Any]] = []
    candidates: list[dict[str, Any]] = []
    if "manage_callers" in page.can:
        for caller in calls.callers(session, user, b.id):
            callers.append(
                {
                    "user_id": caller.user.id,
                    "name": caller.user.name,
                    "relation": caller.relation or "",
                    "active": caller.active,
                    "auto_answer": caller.auto_answer,
                    "declined": caller.auto_answer_declined,
                    "declined_at": caller.approval.auto_answer_declined_at,
                }
            )
        candidates = _candidates(session, b, {c["user_id"] for c in callers})
    may_call = calls.person_may_call(session, user, b)
    return render(
        request,
        "calls.html",
        status_code,
        **page.context("calls"),
        rows=rows,
        may_call=may_call,
        show_not_approved="call" in page.can and not may_call and not error,
        manager_name=_manager_name(session, b),
        is_manager=b.care_manager_id == user.id,
        callers=callers,
        candidates=candidates,
        chosen=chosen,
        notice=notice,
        error=error,
    )


@router.get("/b/{beneficiary_id}/calls", response_class=HTMLResponse)
def calls_page(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    done: Annotated[str, Query(max_length=10), LINE] = "",
    who: int | None = None,
) -> Response:
    page = _calls_page(session, user, beneficiary_id)
    notice = None
    person = session.get(User, who) if who is not None and 0 < who <= MAX_ID else None
    # A name only of the circle (the query string is anyone's to write).
    if (
        done in NOTICES
        and person is not None
        and access.roles_of(session, person, page.beneficiary)
    ):
        said = i18n.translator(language(request))(NOTICES[done])
        notice = said.replace("{name}", person.name)
    return _page(request, session, user, page, now, notice=notice)


def _refused(
    request: Request, session: SessionDep, user: User, beneficiary_id: int, now: datetime,
    exc: ServiceError, chosen: int | None = None,
) -> Response:  # fmt: skip
    """A refusal said on the page, in its language; nothing of it kept."""
    undo(session, exc)
    page = _calls_page(session, user, beneficiary_id)
    return _page(
        request, session, user, page, now, error=error_text(request, exc), chosen=chosen,
        status_code=exc.status_code,
    )  # fmt: skip


@router.post("/b/{beneficiary_id}/callers", dependencies=[Csrf])
def add_caller(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    user_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    auto_answer: Annotated[str, Form(max_length=5), LINE] = "",
) -> Response:
    try:
        calls.approve_caller(
            session, user, beneficiary_id, user_id, now, auto_answer=auto_answer == "1"
        )
    except ServiceError as exc:
        return _refused(request, session, user, beneficiary_id, now, exc, chosen=user_id)
    return redirect(f"/b/{beneficiary_id}/calls?done=added&who={user_id}#callers")


@router.post("/b/{beneficiary_id}/callers/{user_id}/auto-answer", dependencies=[Csrf])
def switch_auto_answer(
    beneficiary_id: PathId,
    user_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    auto_answer: Annotated[str, Form(max_length=5), LINE],
) -> Response:
    on = auto_answer == "1"
    try:
        calls.set_auto_answer(session, user, beneficiary_id, user_id, on)
    except ServiceError as exc:
        return _refused(request, session, user, beneficiary_id, now, exc)
    done = "auto_on" if on else "auto_off"
    return redirect(f"/b/{beneficiary_id}/calls?done={done}&who={user_id}#callers")


@router.post("/b/{beneficiary_id}/callers/{user_id}/remove", dependencies=[Csrf])
def remove_caller(
    beneficiary_id: PathId,
    user_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
) -> Response:
    try:
        calls.remove_caller(session, user, beneficiary_id, user_id)
    except ServiceError as exc:
        return _refused(request, session, user, beneficiary_id, now, exc)
    return redirect(f"/b/{beneficiary_id}/calls?done=removed&who={user_id}#callers")


# --- the call page ------------------------------------------------------------------------------


def _call_page(
    request: Request, session: SessionDep, page: Page, *, role: str, call: Call | None
) -> Response:
    lang = language(request)
    kind = "new" if call is None else outcome_key(call.state, call.outcome, call.end_reason)
    seconds = None if call is None else calls.duration_seconds(call)
    return render(
        request,
        "call.html",
        **page.context("calls"),
        role=role,
        call_id=call.id if call is not None else None,
        state=call.state if call is not None else "",
        outcome=(call.outcome or "") if call is not None else "",
        kind=kind,
        direction=call.direction if call is not None else "to_tablet",
        duration=duration_words(seconds, lang),
        manager_name=_manager_name(session, page.beneficiary),
    )


@router.get("/b/{beneficiary_id}/call", response_class=HTMLResponse)
def place_call_page(
    beneficiary_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, now: NowDep
) -> Response:
    """The page that places a call (call.js asks for the camera, then POST /b/{id}/calls).
    Someone not approved gets the calls page (403) saying whom to ask: no camera asked for a
    call the service would refuse."""
    page = _calls_page(session, user, beneficiary_id)
    b = page.beneficiary
    if not calls.person_may_call(session, user, b):
        _ = i18n.translator(language(request))
        said = _(NOT_YET_SELF if b.care_manager_id == user.id else NOT_YET)
        refusal = said.replace("{name}", b.first_name).replace(
            "{manager}", _manager_name(session, b)
        )
        return _page(request, session, user, page, now, error=refusal, status_code=403)
    return _call_page(request, session, page, role="caller", call=None)


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(
    call_id: PathId, request: Request, user: ConsoleUser, session: SessionDep
) -> Response:
    """A call of one's own: the tablet calling (role callee: opening the page answers it), or
    a call one placed, going on or over (its state in words). 404 outside the circle, 403 for
    someone else's call (the service's)."""
    call = calls.call_for_person(session, user, call_id)
    page = beneficiary_page(session, user, call.beneficiary_id, Permission.VIEW_BENEFICIARY)
    role = "callee" if call.direction == "from_tablet" else "caller"
    return _call_page(request, session, page, role=role, call=call)

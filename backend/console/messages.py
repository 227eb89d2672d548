"""The two message spaces of a beneficiary: the daily space the whole circle reads, and the
health space, where each message goes to the people chosen (required) and only they and its
author can open it. The messages service decides who reads what; a page never filters."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from backend.api.deps import MAX_ID, NowDep, PathId, SessionDep
from backend.console.circle import RELATION_LABELS, ROLE_LABELS
from backend.console.web import (
    ConsoleUser,
    Csrf,
    Page,
    beneficiary_page,
    error_text,
    permissions,
    redirect,
    render,
    undo,
)
from backend.errors import ServiceError
from backend.models import Beneficiary, User
from backend.policy import Permission, Role
from backend.services import agenda, circle, messages

router = APIRouter(include_in_schema=False)

Space = Literal["daily", "health"]
PAGE_SIZE = 50


# The strongest role first: a nurse who is also family reads as a nurse here.
ROLE_ORDER = (
    Role.CARE_MANAGER,
    Role.HEALTH_PROFESSIONAL,
    Role.CARE_WORKER,
    Role.VOLUNTEER,
    Role.FAMILY,
    Role.FRIEND,
)


def _role_word(person: circle.Person) -> str:
    """ "infirmière", "médecin", "famille"…: the profession when known, else the role."""
    profession = agenda.PROFESSION_LABELS.get(person.user.profession or "")
    if profession:
        return profession
    role = next((r for r in ROLE_ORDER if r in person.roles), None)
    return ROLE_LABELS.get(role.value, "") if role is not None else ""


RoleWords = tuple[str, str]  # ("infirmière", "Cabinet infirmier des Lilas"): a word, a name


def roles_in_circle(session: Session, beneficiary: Beneficiary) -> dict[int, RoleWords]:
    """user id → how the circle knows them: ("infirmière", "Cabinet Les Tilleuls"),
    ("famille", "")… (a health message goes to named people: the writer must see who each one
    is). The word is French, for the page's catalogue; the name is the organisation's own."""
    found = circle.circle_of(session, beneficiary)
    words: dict[int, RoleWords] = {}
    manager = found.care_manager
    words[manager.user.id] = (_role_word(manager), "")
    for shared in found.organisations:
        for person, _role in shared.staff:
            words.setdefault(person.user.id, (_role_word(person), shared.organisation.name))
    for person, relation in found.members:
        word = _role_word(person) or RELATION_LABELS.get(relation, "").lower()
        words.setdefault(person.user.id, (word, ""))
    return words


def _recipients(
    session: SessionDep, page: Page, user: User, roles: dict[int, RoleWords]
) -> list[tuple[int, str, RoleWords]]:
    """Everyone of the circle but oneself, as the health form offers them: (id, name, role)."""
    found = circle.circle_of(session, page.beneficiary)
    people = [found.care_manager.user]
    people += [p.user for s in found.organisations for p, _ in s.staff]
    people += [p.user for p, _ in found.members]
    seen: dict[int, str] = {}
    for person in people:
        if person.id != user.id:
            seen.setdefault(person.id, person.name)
    ordered = sorted(seen.items(), key=lambda item: item[1].casefold())
    return [(person_id, name, roles.get(person_id, ("", ""))) for person_id, name in ordered]


def _space_page(
    request: Request,
    session: SessionDep,
    user: User,
    beneficiary_id: int,
    space: Space,
    now: NowDep,
    before_id: int | None = None,
    status_code: int = 200,
    **context: object,
) -> Response:
    found, beneficiary = messages.list_messages(
        session, user, beneficiary_id, space=space, before_id=before_id, limit=PAGE_SIZE, now=now
    )
    page = beneficiary_page(session, user, beneficiary_id, Permission.VIEW_BENEFICIARY)
    views = messages.views(session, user, beneficiary, found)
    may_write = ("write_daily" if space == "daily" else "write_health") in page.can
    roles = roles_in_circle(session, beneficiary) if space == "health" else {}
    return render(
        request,
        "messages.html",
        status_code,
        **page.context("health" if space == "health" else "messages"),
        space=space,
        views=views,
        may_write=may_write,
        recipients=_recipients(session, page, user, roles)
        if space == "health" and may_write
        else [],
        roles=roles,
        older=found[-1].id if len(found) == PAGE_SIZE else None,
        **context,
    )


@router.get("/b/{beneficiary_id}/messages", response_class=HTMLResponse)
def space_page(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    space: Space = "daily",
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    return _space_page(request, session, user, beneficiary_id, space, now, before_id)


@router.post("/b/{beneficiary_id}/messages", dependencies=[Csrf])
def write(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    space: Annotated[Space, Form()] = "daily",
    body: Annotated[str, Form(max_length=20000)] = "",
    recipient_ids: Annotated[list[int], Form(max_length=messages.MAX_RECIPIENTS)] = [],  # noqa: B006
    to_beneficiary: Annotated[bool, Form()] = False,
) -> Response:
    try:
        messages.create_message(
            session,
            user,
            beneficiary_id,
            space=space,
            body=body,
            recipient_ids=recipient_ids,
            to_beneficiary=to_beneficiary,
            now=now,
        )
    except ServiceError as exc:
        undo(session, exc)
        return _space_page(
            request,
            session,
            user,
            beneficiary_id,
            space,
            now,
            status_code=exc.status_code,
            error=error_text(request, exc),
            draft=body,
            chosen=set(recipient_ids),
        )
    return redirect(f"/b/{beneficiary_id}/messages?space={space}&sent=1")


@router.get("/messages/{message_id}", response_class=HTMLResponse)
def message_page(
    message_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, now: NowDep
) -> Response:
    """One message; opening it is reading it (a read receipt). A health message that is not
    addressed to the caller does not exist for them (404), whatever the URL."""
    message, beneficiary = messages.read_message(session, user, message_id, now)
    messages.mark_read(session, user, message_id, now)
    view = messages.views(session, user, beneficiary, [message])[0]
    can = permissions(session, user, beneficiary)
    # Who read it: the author always; in the health space its recipients too (the service's
    # rule, asked only when it would answer).
    show_reads = message.author_user_id == user.id or message.space == "health"
    receipts = messages.reads_of(session, user, message_id, now) if show_reads else []
    return render(
        request,
        "message.html",
        b=beneficiary,
        can=can,
        tz=ZoneInfo(beneficiary.timezone),
        tab="health" if message.space == "health" else "messages",
        view=view,
        roles=roles_in_circle(session, beneficiary) if message.space == "health" else {},
        receipts=receipts,
        may_delete=message.author_user_id == user.id
        or (message.space == "daily" and "manage_circle" in can),
    )


@router.post("/messages/{message_id}/delete", dependencies=[Csrf])
def delete(message_id: PathId, user: ConsoleUser, session: SessionDep, now: NowDep) -> Response:
    message, _beneficiary = messages.message_for(session, user, message_id)
    target = f"/b/{message.beneficiary_id}/messages?space={message.space}"
    messages.delete_message(session, user, message_id, now)
    return redirect(target)

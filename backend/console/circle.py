"""The circle around a beneficiary: the care manager, shared organisations and their staff,
people invited personally, pending invitations; for the care manager, inviting, revoking,
removing, and giving someone who lost their password a temporary one."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from backend.api.deps import MAX_ID, NowDep, PathId, SessionDep, StateDep, care_manager
from backend.console.web import (
    ConsoleUser,
    Csrf,
    beneficiary_page,
    error_text,
    redirect,
    render,
    undo,
)
from backend.errors import Invalid, NotFound, ServiceError
from backend.models import User
from backend.policy import PROFESSIONS, Permission
from backend.services import agenda, circle, mail, passwords
from backend.text import LINE

router = APIRouter(include_in_schema=False)

RELATION_LABELS = {
    "family": "Famille",
    "friend": "Ami·e",
    "neighbour": "Voisin·e",
    "professional": "Professionnel·le",
}
ROLE_LABELS = {
    "care_manager": "conseil autonomie",
    "health_professional": "professionnel de santé",
    "care_worker": "aide à domicile",
    "volunteer": "bénévole",
    "family": "famille",
    "friend": "ami ou voisin",
}
ORGANISATION_LABELS = {
    "care_management": "Service de coordination",
    "home_help": "Service d'aide à domicile (SAAD)",
    "nursing": "Soins infirmiers (SSIAD, cabinet)",
    "independent": "Professionnel libéral",
    "association": "Association",
}


def _circle_page(
    request: Request,
    session: SessionDep,
    user: User,
    beneficiary_id: int,
    now: NowDep,
    status_code: int = 200,
    **context: object,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.VIEW_CIRCLE)
    manage = "manage_circle" in page.can
    found = circle.circle_of(session, page.beneficiary)
    invitations = circle.invitations_of(session, page.beneficiary, 50, None) if manage else []
    organisations = circle.organisations_of(session, user, 100, None) if manage else []
    people = [found.care_manager.user]
    people += [p.user for s in found.organisations for p, _ in s.staff]
    people += [p.user for p, _ in found.members]
    resettable = {p.id for p in people if manage and passwords.may_reset(session, user, p)}
    return render(
        request,
        "circle.html",
        status_code,
        **page.context("circle"),
        circle=found,
        manage=manage,
        invitations=[(i, circle.invitation_status(i, now)) for i in invitations],
        organisations=organisations,
        relations=RELATION_LABELS,
        professions={k: agenda.PROFESSION_LABELS.get(k, k) for k in PROFESSIONS},
        role_labels=ROLE_LABELS,
        organisation_kinds=ORGANISATION_LABELS,
        resettable=resettable,
        **context,
    )


@router.get("/b/{beneficiary_id}/circle", response_class=HTMLResponse)
def circle_page(
    beneficiary_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, now: NowDep
) -> Response:
    return _circle_page(request, session, user, beneficiary_id, now)


@router.post("/b/{beneficiary_id}/invitations", dependencies=[Csrf])
def invite(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=254), LINE] = "",
    name: Annotated[str, Form(max_length=200), LINE] = "",
    relation: Annotated[str, Form(max_length=40), LINE] = "family",
    profession: Annotated[str, Form(max_length=40), LINE] = "",
    organisation_id: Annotated[int, Form(ge=0, le=MAX_ID)] = 0,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    try:
        invitation, token = circle.create_invitation(
            session,
            user,
            page.beneficiary,
            email=email,
            name=name.strip() or email,
            relation=relation,
            profession=profession or None,
            organisation_id=organisation_id or None,
            now=now,
            ttl=timedelta(seconds=state.settings.invitation_ttl_seconds),
        )
    except ServiceError as exc:
        undo(session, exc)
        return _circle_page(
            request,
            session,
            user,
            beneficiary_id,
            now,
            exc.status_code,
            error=error_text(request, exc),
        )
    # The link is shown this once (only its digest is kept): no redirect that would lose it.
    return _circle_page(
        request,
        session,
        user,
        beneficiary_id,
        now,
        invitation_link=_invitation_link(state, token),
        invitation_token=token,
        invited=invitation,
    )


def _invitation_link(state: StateDep, token: str) -> str:
    return f"{state.settings.public_url.rstrip('/')}/invitation/{token}"


@router.post("/b/{beneficiary_id}/invitations/{invitation_id}/email", dependencies=[Csrf])
def email_invitation(
    beneficiary_id: PathId,
    invitation_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    token: Annotated[str, Form(max_length=200), LINE] = "",
) -> Response:
    """ "Envoyer par e-mail" under a link just created: the form sends the link's token back
    (the page holds it; the database only its digest), which must be this invitation's, still
    usable. The e-mail is written with its job (`mail.plan_invitation`, once per invitation)
    and the page shows the link again with the confirmation."""
    page = beneficiary_page(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    invitation = circle.invitation_for_token(
        session, token, request.client.host if request.client else "unknown", now
    )
    if invitation.id != invitation_id or invitation.beneficiary_id != page.beneficiary.id:
        raise NotFound("Invitation introuvable.")
    inviter = session.get(User, invitation.invited_by_id) or user
    link = _invitation_link(state, token)
    mail.plan_invitation(session, invitation, link, inviter, page.beneficiary, now)
    return _circle_page(
        request,
        session,
        user,
        beneficiary_id,
        now,
        invitation_link=link,
        invitation_token=token,
        invited=invitation,
        emailed=True,
    )


@router.post("/b/{beneficiary_id}/invitations/{invitation_id}/revoke", dependencies=[Csrf])
def revoke_invitation(
    beneficiary_id: PathId,
    invitation_id: PathId,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    circle.revoke_invitation(session, page.beneficiary, invitation_id, now)
    return redirect(f"/b/{beneficiary_id}/circle")


@router.post("/b/{beneficiary_id}/members/{user_id}/remove", dependencies=[Csrf])
def remove_member(
    beneficiary_id: PathId, user_id: PathId, user: ConsoleUser, session: SessionDep
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    circle.remove_circle_member(session, page.beneficiary, user_id)
    return redirect(f"/b/{beneficiary_id}/circle")


@router.post("/b/{beneficiary_id}/people/{user_id}/reset-password", dependencies=[Csrf])
def reset_password(
    beneficiary_id: PathId,
    user_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
) -> Response:
    beneficiary_page(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    target, temporary = passwords.reset_by_care_manager(session, user, user_id, now)
    return _circle_page(
        request,
        session,
        user,
        beneficiary_id,
        now,
        reset_for=target,
        temporary_password=temporary,
    )


# --- organisations and sharing ------------------------------------------------------------------


@router.post("/b/{beneficiary_id}/organisations", dependencies=[Csrf])
def create_organisation(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    name: Annotated[str, Form(max_length=200), LINE] = "",
    kind: Annotated[str, Form(max_length=40), LINE] = "",
    join: Annotated[str, Form(max_length=10), LINE] = "",
) -> Response:
    """A care manager's new organisation, shared at once with this beneficiary: its staff join
    the circle. Only what the form says: the care manager becomes a member (its manager, with
    its staff's role) only when they ticked "I work there"; they manage it as its creator
    either way."""
    care_manager(user)
    page = beneficiary_page(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    try:
        if not name.strip():
            raise Invalid("Donnez un nom à l'organisation.")
        organisation = circle.create_organisation(
            session, user, name.strip(), kind, join=bool(join)
        )
        circle.share(session, user, page.beneficiary, organisation.id, now)
    except ServiceError as exc:
        undo(session, exc)
        return _circle_page(
            request,
            session,
            user,
            beneficiary_id,
            now,
            exc.status_code,
            error=error_text(request, exc),
        )
    return redirect(f"/b/{beneficiary_id}/circle?organisation={organisation.id}")


@router.post("/b/{beneficiary_id}/shares", dependencies=[Csrf])
def share(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    organisation_id: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    try:
        circle.share(session, user, page.beneficiary, organisation_id, now)
    except ServiceError as exc:
        undo(session, exc)
        return _circle_page(
            request,
            session,
            user,
            beneficiary_id,
            now,
            exc.status_code,
            error=error_text(request, exc),
        )
    return redirect(f"/b/{beneficiary_id}/circle")


@router.post("/b/{beneficiary_id}/shares/{organisation_id}/remove", dependencies=[Csrf])
def unshare(
    beneficiary_id: PathId, organisation_id: PathId, user: ConsoleUser, session: SessionDep
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    circle.unshare(session, page.beneficiary, organisation_id)
    return redirect(f"/b/{beneficiary_id}/circle")


# --- an organisation's staff ----------------------------------------------------------------


def _organisation_page(
    request: Request,
    session: SessionDep,
    user: User,
    organisation_id: int,
    status_code: int = 200,
    **context: object,
) -> Response:
    organisation = circle.organisation_for(session, user, organisation_id)
    manage = circle.may_manage(session, user, organisation)
    return render(
        request,
        "organisation.html",
        status_code,
        organisation=organisation,
        kind=ORGANISATION_LABELS.get(organisation.kind, organisation.kind),
        members=circle.members_of(session, organisation.id),
        manage=manage,
        **context,
    )


@router.get("/organisations/{organisation_id}", response_class=HTMLResponse)
def organisation_page(
    organisation_id: PathId, request: Request, user: ConsoleUser, session: SessionDep
) -> Response:
    """Its staff and their roles; e-mail addresses and changes for its managers only."""
    return _organisation_page(request, session, user, organisation_id)


@router.post("/organisations/{organisation_id}/members", dependencies=[Csrf])
def add_organisation_member(
    organisation_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=254), LINE] = "",
    role: Annotated[str, Form(max_length=20), LINE] = "staff",
) -> Response:
    organisation = circle.organisation_for(session, user, organisation_id, manage=True)
    try:
        circle.add_member(session, organisation, email, role, now)
    except ServiceError as exc:
        undo(session, exc)
        return _organisation_page(
            request, session, user, organisation_id, exc.status_code, error=error_text(request, exc)
        )
    return redirect(f"/organisations/{organisation_id}")


@router.post("/organisations/{organisation_id}/members/{user_id}/remove", dependencies=[Csrf])
def remove_organisation_member(
    organisation_id: PathId,
    user_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
) -> Response:
    """A manager removes someone; anyone may leave (the last manager stays)."""
    try:
        circle.remove_member(session, user, organisation_id, user_id)
    except ServiceError as exc:
        undo(session, exc)
        return _organisation_page(
            request, session, user, organisation_id, exc.status_code, error=error_text(request, exc)
        )
    return redirect("/" if user_id == user.id else f"/organisations/{organisation_id}")

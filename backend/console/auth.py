"""Signing in and out, one's password, the language, and joining a circle by invitation."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from backend.api.deps import NowDep, SessionDep, StateDep
from backend.console import i18n
from backend.console.web import (
    LANG_COOKIE,
    SESSION_COOKIE,
    ConsoleUser,
    Csrf,
    OptionalConsoleUser,
    clear_session_cookie,
    cookie_secure,
    error_text,
    redirect,
    render,
    safe_next,
    set_session_cookie,
    undo,
)
from backend.errors import ServiceError, TooManyAttempts
from backend.models import Beneficiary, User
from backend.services import accounts, circle, mail, passwords, visits
from backend.text import LINE

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=1000), LINE]
InvitationToken = Annotated[str, Path(min_length=1, max_length=200), LINE]


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    next: Annotated[str, Query(max_length=2000), LINE] = "/",
    expired: bool = False,
) -> Response:
    notice = "Votre session a expiré : reconnectez-vous." if expired else None
    return render(request, "login.html", next=safe_next(next), notice=notice, email="")


def _sign_in(request: Request, state: StateDep, user_token: str, target: str) -> Response:
    response = redirect(target)
    set_session_cookie(
        response, request, state.settings, user_token, state.settings.access_token_ttl_seconds
    )
    return response


@router.post("/login", dependencies=[Csrf])
def login(
    request: Request,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=254), LINE] = "",
    password: Text = "",
    next: Annotated[str, Form(max_length=2000), LINE] = "/",
) -> Response:
    ttl = timedelta(seconds=state.settings.access_token_ttl_seconds)
    try:
        result = accounts.login(session, email, password, now, ttl)
    except TooManyAttempts as exc:
        response = render(
            request,
            "login.html",
            429,
            error=error_text(request, exc),
            next=safe_next(next),
            email=email,
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if result is None:
        session.commit()  # keep the failure count
        return render(
            request,
            "login.html",
            401,
            error="Adresse e-mail ou mot de passe incorrect.",
            next=safe_next(next),
            email=email,
        )
    token, _user = result
    return _sign_in(request, state, token, safe_next(next))


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, session: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        passwords.sign_out(session, token)
    response = redirect("/login")
    clear_session_cookie(response)
    return response


@router.post("/lang", dependencies=[Csrf])
def choose_language(
    request: Request,
    state: StateDep,
    lang: Annotated[str, Form(max_length=5), LINE] = i18n.DEFAULT,
    next: Annotated[str, Form(max_length=2000), LINE] = "/",
) -> Response:
    response = redirect(next)
    response.set_cookie(
        LANG_COOKIE,
        lang if lang in i18n.LANGUAGES else i18n.DEFAULT,
        max_age=365 * 24 * 3600,
        samesite="lax",
        secure=cookie_secure(request, state.settings),
        path="/",
    )
    return response


# --- one's account ------------------------------------------------------------------------------


def _account(
    request: Request, session: SessionDep, user: User, status_code: int = 200, **context: Any
) -> Response:
    organisations = circle.organisations_of(session, user, 100, None)
    return render(
        request,
        "account.html",
        status_code,
        organisations=organisations,
        notifications=mail.get_preferences(session, user),
        **context,
    )


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    done: Annotated[str, Query(max_length=10), LINE] = "",
) -> Response:
    notices = {
        "password": "Votre mot de passe a été changé.",
        "name": "Votre nom a été changé.",
        "pin": "Votre code personnel pour la tablette est enregistré.",
    }
    return _account(request, session, user, notice=notices.get(done))


@router.post("/account/name", dependencies=[Csrf])
def change_name(
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    name: Annotated[str, Form(max_length=200), LINE] = "",
) -> Response:
    if not name.strip():
        return _account(request, session, user, 422, error="Le nom ne peut pas être vide.")
    circle.update_profile(session, user, name=name.strip(), profession=None, set_profession=False)
    return redirect("/account?done=name")


@router.post("/account/password", dependencies=[Csrf])
def change_password(
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    current: Text = "",
    new: Text = "",
    confirm: Text = "",
) -> Response:
    if new != confirm:
        return _account(
            request, session, user, 422, error="Les deux nouveaux mots de passe diffèrent."
        )
    try:
        passwords.change_password(
            session, user, current, new, keep_token=request.cookies.get(SESSION_COOKIE)
        )
    except ServiceError as exc:
        undo(session, exc)
        return _account(request, session, user, exc.status_code, error=error_text(request, exc))
    return redirect("/account?done=password")


@router.post("/account/pin", dependencies=[Csrf])
def change_pin(
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    pin: Annotated[str, Form(max_length=64), LINE] = "",
    confirm: Annotated[str, Form(max_length=64), LINE] = "",
) -> Response:
    """Set or change one's personal PIN for the beneficiaries' tablets (only its hash is kept):
    a professional types it there to record arrival and departure, read the visits'
    instructions and the health messages addressed to them."""
    if pin != confirm:
        return _account(request, session, user, 422, error="Les deux codes diffèrent.")
    try:
        visits.set_pin(session, user, pin)
    except ServiceError as exc:
        undo(session, exc)
        return _account(request, session, user, exc.status_code, error=error_text(request, exc))
    return redirect("/account?done=pin")


# --- invitations --------------------------------------------------------------------------------


def _invitation_context(
    session: SessionDep, token: str, request: Request, now: NowDep
) -> dict[str, Any]:
    invitation = circle.invitation_for_token(session, token, _client_ip(request), now)
    inviter = session.get(User, invitation.invited_by_id)
    beneficiary = session.get(Beneficiary, invitation.beneficiary_id)
    assert inviter is not None and beneficiary is not None  # foreign keys
    return {"invitation": invitation, "inviter": inviter, "beneficiary": beneficiary}


@router.get("/invitation/{token}", response_class=HTMLResponse)
def invitation_page(
    token: InvitationToken,
    request: Request,
    session: SessionDep,
    now: NowDep,
    user: OptionalConsoleUser,
) -> Response:
    context = _invitation_context(session, token, request, now)
    return render(
        request, "invitation.html", token=token, name=context["invitation"].name, **context
    )


@router.post("/invitation/{token}", dependencies=[Csrf])
def accept_invitation(
    token: InvitationToken,
    request: Request,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    user: OptionalConsoleUser,
    name: Annotated[str, Form(max_length=200), LINE] = "",
    password: Text = "",
) -> Response:
    try:
        invitation = circle.invitation_for_token(
            session, token, _client_ip(request), now, for_update=True
        )
        beneficiary_id = invitation.beneficiary_id
        email = invitation.email
        circle.accept_invitation(
            session,
            invitation,
            user=user,
            name=name.strip() or None,
            password=password or None,
            now=now,
        )
    except ServiceError as exc:
        undo(session, exc)
        try:
            context = _invitation_context(session, token, request, now)
        except ServiceError:
            raise exc from None
        return render(
            request,
            "invitation.html",
            exc.status_code,
            error=error_text(request, exc),
            token=token,
            name=name,
            **context,
        )
    target = f"/b/{beneficiary_id}"
    if user is not None:
        return redirect(target)
    # A new account: signed in at once with the password just chosen.
    session.flush()
    ttl = timedelta(seconds=state.settings.access_token_ttl_seconds)
    result = accounts.login(session, email, password, now, ttl)
    assert result is not None
    return _sign_in(request, state, result[0], target)

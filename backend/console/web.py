"""What every console page shares: templates, the session cookie, CSRF, who is signed in.

- The session is the access token of the password flow (`accounts.login`), kept in an
  HTTP-only, SameSite=Lax cookie; it is Secure whenever the console is served over HTTPS (the
  request arrived over https, or the public URL is https), and only then, so that a browser on
  http://127.0.0.1 still sends it back. Nothing new is stored: an expired or unknown token is
  "signed out".
- CSRF: every form carries `csrf`, an HMAC of the session token under the server secret
  (`backend.console.secret`); before sign-in, of a random cookie (login forms are protected
  too). A POST without it, or with another, is refused with a 403 page.
- Pages call the services exactly as the JSON API does: rights are decided there
  (`backend.services.access`, `backend.policy`), never here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

import backend
from backend.api.deps import AppState, NowDep, SessionDep
from backend.config import Settings
from backend.console import formatting, i18n
from backend.console.secret import load_or_create
from backend.errors import ServiceError
from backend.models import Beneficiary, User
from backend.policy import Permission, allowed
from backend.services import access, accounts

SESSION_COOKIE = "foyer_session"
ANON_COOKIE = "foyer_csrf"
LANG_COOKIE = "foyer_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"

PACKAGE_DIR = Path(backend.__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,  # text people wrote is shown as text, never as HTML
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# Dates in the page's language (`lang`, given to every template by `render`).
_env.filters["when"] = jinja2.pass_context(
    lambda ctx, moment, tz: formatting.when(moment, tz, lang=ctx.get("lang", "fr"))
)
_env.filters["day"] = jinja2.pass_context(
    lambda ctx, moment, tz=None, year=False: formatting.day(
        moment, tz, year=year, lang=ctx.get("lang", "fr")
    )
)
_env.filters["hour"] = jinja2.pass_context(
    lambda ctx, moment, tz=None: formatting.hour(moment, tz, lang=ctx.get("lang", "fr"))
)
_env.filters["ago"] = jinja2.pass_context(
    lambda ctx, moment, now: formatting.ago(moment, now, lang=ctx.get("lang", "fr"))
)
_env.globals["describe_rrule"] = jinja2.pass_context(
    lambda ctx, rule, start: formatting.describe_rrule(rule, start, lang=ctx.get("lang", "fr"))
)
_env.globals["zone"] = ZoneInfo


def template_global(name: str, value: Any) -> None:
    """`value` as `name` in every console template (an area's helper that base.html calls)."""
    if name in _env.globals:
        raise ValueError(f"template global {name!r} already set")
    _env.globals[name] = value


# Pages hold personal data: not cached, not framed, no third-party anything.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # Invitation and pairing links carry secrets in their URL: never sent on as a Referer.
    "Referrer-Policy": "no-referrer",
}


class LoginRequired(Exception):
    """No valid session: back to the login page (`expired` when there was one)."""

    def __init__(self, expired: bool) -> None:
        super().__init__("login required")
        self.expired = expired


class CsrfRejected(Exception):
    """A form without its token, or with another session's."""


@dataclass(frozen=True)
class ConsoleState:
    secret: bytes


def install_state(app_state: Any, settings: Settings) -> None:
    app_state.console = ConsoleState(secret=load_or_create(settings.data_dir / "console-secret"))


def _console(request: Request) -> ConsoleState:
    state: ConsoleState = request.app.state.console
    return state


# --- cookies and CSRF ---------------------------------------------------------------------------


def cookie_secure(request: Request, settings: Settings) -> bool:
    return request.url.scheme == "https" or settings.public_url.startswith("https://")


def _sign(request: Request, what: str) -> str:
    return hmac.new(_console(request).secret, what.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token forms of this page must send back."""
    session_token = request.cookies.get(SESSION_COOKIE)
    if session_token:
        return _sign(request, "session:" + session_token)
    seed = request.cookies.get(ANON_COOKIE) or getattr(request.state, "new_anon_seed", None)
    if not seed:
        seed = secrets.token_urlsafe(24)
        request.state.new_anon_seed = seed
    return _sign(request, "anonymous:" + seed)


def _expected_tokens(request: Request) -> Iterable[str]:
    session_token = request.cookies.get(SESSION_COOKIE)
    if session_token:
        yield _sign(request, "session:" + session_token)
    seed = request.cookies.get(ANON_COOKIE)
    if seed:
        yield _sign(request, "anonymous:" + seed)


def token_is_valid(request: Request, sent: str | None) -> bool:
    if not sent:
        return False
    return any(hmac.compare_digest(sent, expected) for expected in _expected_tokens(request))


async def check_csrf(request: Request) -> None:
    """A dependency of every POST of a urlencoded form."""
    form = await request.form()  # Starlette keeps it: the route's Form() fields read it again
    sent = form.get(CSRF_FIELD)
    if not token_is_valid(request, sent if isinstance(sent, str) else None):
        raise CsrfRejected()


def check_csrf_query(request: Request) -> None:
    """For multipart uploads, whose body is streamed to the photo service unread: the token
    comes in the form's action URL."""
    if not token_is_valid(request, request.query_params.get(CSRF_FIELD)):
        raise CsrfRejected()


def check_csrf_header(request: Request) -> None:
    """For the console's JSON routes called by its scripts (the video calls): the page's
    token in an `X-CSRF-Token` header (a cross-site form cannot set a header)."""
    if not token_is_valid(request, request.headers.get(CSRF_HEADER)):
        raise CsrfRejected()


Csrf = Depends(check_csrf)
CsrfQuery = Depends(check_csrf_query)
CsrfHeader = Depends(check_csrf_header)


def set_session_cookie(
    response: Response, request: Request, settings: Settings, token: str, max_age: int
) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request, settings),
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


# --- who is signed in -------------------------------------------------------------------------


def console_user(request: Request, session: SessionDep, now: NowDep) -> User:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired(expired=False)
    user = accounts.user_for_token(session, token, now)
    if user is None:
        raise LoginRequired(expired=True)
    request.state.user = user
    return user


ConsoleUser = Annotated[User, Depends(console_user)]


def optional_console_user(request: Request, session: SessionDep, now: NowDep) -> User | None:
    try:
        return console_user(request, session, now)
    except LoginRequired:
        return None


OptionalConsoleUser = Annotated[User | None, Depends(optional_console_user)]


def permissions(session: Session, user: User, beneficiary: Beneficiary) -> frozenset[str]:
    """What `user` may do for this beneficiary, as the policy says: pages show only these."""
    roles = access.roles_of(session, user, beneficiary)
    return frozenset(p.value for p in Permission if allowed(roles, p))


def safe_next(target: str | None) -> str:
    """Only a path of this site (no //host, no scheme): a login link cannot send people away."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_redirect(request: Request, expired: bool) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = request.headers.get("referer", "/")  # the form is lost; its page is not
        target = safe_next(_path_of(target))
    url = f"/login?next={quote(safe_next(target), safe='')}"
    if expired:
        url += "&expired=1"
    response = RedirectResponse(url, status_code=303)
    if expired:
        clear_session_cookie(response)
    return response


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- rendering ----------------------------------------------------------------------------------


def language(request: Request) -> str:
    return i18n.pick(request.cookies.get(LANG_COOKIE))


def error_text(request: Request, exc: ServiceError) -> str:
    """A service's refusal as the page says it, in the page's language (its template's English
    filled with its params, or its French message). Every page that shows a ServiceError, as
    a form error or as an error page, says it through here."""
    return i18n.service_message(exc, language(request))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page in the person's language. `error` and `notice` are the console's own French
    sentences (looked up in `i18n.ENGLISH`) or a service's message already said by
    `error_text`."""
    lang = language(request)
    _ = i18n.translator(lang)
    context.setdefault("user", getattr(request.state, "user", None))
    for key in ("error", "notice"):
        text = context.get(key)
        context[key] = _(text) if isinstance(text, str) and text else None
    html = _env.get_template(template).render(
        request=request,
        lang=lang,
        _=_,
        csrf=csrf_token(request),
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
    seed = getattr(request.state, "new_anon_seed", None)
    if seed:
        state: AppState = request.app.state.foyer
        response.set_cookie(
            ANON_COOKIE,
            seed,
            httponly=True,
            samesite="lax",
            secure=cookie_secure(request, state.settings),
            path="/",
        )
    return response


def redirect(url: str) -> RedirectResponse:
    """After a successful POST: the page to show, fetched anew (a reload does not resend)."""
    return RedirectResponse(safe_next(url), status_code=303)


def undo(session: Session, exc: ServiceError) -> None:
    """A service refused: keep what it asked to keep (a counted guess), drop the rest, so that
    the page rendered with the error commits nothing half done."""
    if exc.keep_changes:
        session.commit()
    else:
        session.rollback()


@dataclass(frozen=True)
class Page:
    """A beneficiary's page as `user` may see it: the tabs shown are the permissions held."""

    beneficiary: Beneficiary
    can: frozenset[str]
    tz: ZoneInfo

    def context(self, tab: str) -> dict[str, Any]:
        return {"b": self.beneficiary, "can": self.can, "tz": self.tz, "tab": tab}


def beneficiary_page(
    session: Session, user: User, beneficiary_id: int, permission: Permission
) -> Page:
    """The beneficiary if `user` holds `permission` (404 outside the circle, 403 without)."""
    beneficiary = access.require(session, user, beneficiary_id, permission)
    return Page(
        beneficiary, permissions(session, user, beneficiary), ZoneInfo(beneficiary.timezone)
    )

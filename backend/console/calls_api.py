"""Video calls, the console's side (docs/calls.md): the JSON routes its call script uses.

Signed in by the session cookie, as every console page; every POST carries the page's CSRF
token in an `X-CSRF-Token` header. Refusals are `{"detail": "…"}` in the console's language
(never the HTML error page: a script reads them), a missing or expired session is a 401.
Rights are decided by `backend.services.calls`, exactly as for the tablet.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from backend.api.calls import signals_answer, wait_for_signals
from backend.api.deps import MAX_ID, AppState, NowDep, PathId, SessionDep, StateDep
from backend.console.web import (
    SESSION_COOKIE,
    CsrfHeader,
    OptionalConsoleUser,
    error_text,
    login_redirect,
    undo,
)
from backend.errors import Invalid, ServiceError
from backend.models import User
from backend.services import accounts, calls

router = APIRouter(include_in_schema=False)

# Not cached; and, opened in a tab rather than fetched, saved rather than shown (what people
# typed is data here, never a page: the same rule as the console's other downloads).
NO_STORE = {
    "Cache-Control": "no-store",
    "Content-Disposition": "attachment",
    "X-Content-Type-Options": "nosniff",
}
# The longest /calls/incoming is held (every console page keeps one open).
MAX_INCOMING_WAIT = 30.0


class _SignedOut(Exception):
    """The session cookie is missing or expired (read inside a long-poll)."""


def _json(payload: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(payload, status_code=status_code, headers=NO_STORE)


def _signed_out(request: Request) -> Response:
    """A script (Accept: application/json) gets a 401 it can read; a person who opened the
    address in a tab is sent to sign in, as by every console page."""
    if "application/json" in request.headers.get("accept", ""):
        return _json({"detail": "Connexion requise."}, 401)
    return login_redirect(request, expired=bool(request.cookies.get(SESSION_COOKIE)))


def _refused(request: Request, exc: ServiceError) -> JSONResponse:
    return JSONResponse(
        {"detail": error_text(request, exc)},
        status_code=exc.status_code,
        headers={**NO_STORE, **exc.headers},
    )


async def json_body(request: Request) -> dict[str, Any] | ServiceError:
    """The request's JSON object (empty when there is no body), or why it cannot be read."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return Invalid("Le corps de la demande doit être un objet JSON.")
    if not isinstance(body, dict):
        return Invalid("Le corps de la demande doit être un objet JSON.")
    return body


Body = Annotated[dict[str, Any] | ServiceError, Depends(json_body)]


def _run(
    request: Request,
    session: Session,
    user: User | None,
    body: dict[str, Any] | ServiceError,
    action: Callable[[User, dict[str, Any]], dict[str, Any]],
    status_code: int = 200,
) -> Response:
    if user is None:
        return _signed_out(request)
    try:
        if isinstance(body, ServiceError):
            raise body
        payload = action(user, body)
    except ServiceError as exc:
        undo(session, exc)  # a busy call stays logged; anything else is dropped
        return _refused(request, exc)
    return _json(payload, status_code)


@router.post("/b/{beneficiary_id}/calls", dependencies=[CsrfHeader])
def start_call(
    beneficiary_id: PathId,
    request: Request,
    session: SessionDep,
    state: StateDep,
    user: OptionalConsoleUser,
    body: Body,
    now: NowDep,
) -> Response:
    """« Appeler Jeanne »: 201 with the call and the ICE servers; 403 not approved; 409 busy."""
    return _run(
        request,
        session,
        user,
        body,
        lambda u, _b: calls.start_from_console(session, state.settings, u, beneficiary_id, now),
        201,
    )


@router.post("/calls/{call_id}/answer", dependencies=[CsrfHeader])
def answer_call(
    call_id: PathId,
    request: Request,
    session: SessionDep,
    state: StateDep,
    user: OptionalConsoleUser,
    body: Body,
    now: NowDep,
) -> Response:
    """« Décrocher » on a call from the tablet (only the person called)."""
    return _run(
        request,
        session,
        user,
        body,
        lambda u, _b: calls.answer(session, state.settings, calls.person(u), call_id, now),
    )


@router.post("/calls/{call_id}/refuse", dependencies=[CsrfHeader])
def refuse_call(
    call_id: PathId,
    request: Request,
    session: SessionDep,
    user: OptionalConsoleUser,
    body: Body,
    now: NowDep,
) -> Response:
    return _run(
        request,
        session,
        user,
        body,
        lambda u, b: calls.refuse(
            session, calls.person(u), call_id, b.get("reason", "refused"), now
        ),
    )


@router.post("/calls/{call_id}/hangup", dependencies=[CsrfHeader])
def hang_up(
    call_id: PathId,
    request: Request,
    session: SessionDep,
    user: OptionalConsoleUser,
    body: Body,
    now: NowDep,
) -> Response:
    return _run(
        request,
        session,
        user,
        body,
        lambda u, b: calls.hang_up(
            session, calls.person(u), call_id, b.get("reason", "hangup"), now
        ),
    )


@router.post("/calls/{call_id}/signals", dependencies=[CsrfHeader])
def post_signal(
    call_id: PathId,
    request: Request,
    session: SessionDep,
    user: OptionalConsoleUser,
    body: Body,
    now: NowDep,
) -> Response:
    """The console's SDP offer (with all its ICE candidates)."""

    def action(u: User, b: dict[str, Any]) -> dict[str, Any]:
        unknown = set(b) - {"kind", "sdp"}
        if unknown:
            raise Invalid("Champ inconnu : {name}.", name=sorted(unknown)[0][:40])
        return calls.post_signal(
            session, calls.person(u), call_id, b.get("kind"), b.get("sdp"), now
        )

    return _run(request, session, user, body, action, 201)


# --- long-polls: no database connection held while waiting ---------------------------------------


def _user_in(session: Session, request: Request, now: datetime) -> User:
    token = request.cookies.get(SESSION_COOKIE)
    user = accounts.user_for_token(session, token, now) if token else None
    if user is None:
        raise _SignedOut()
    return user


def _person_read(
    state: AppState, request: Request, call_id: int, after: int, now: datetime
) -> calls.SignalRead:
    with state.sessions() as session, session.begin():
        user = _user_in(session, request, now)
        return calls.read_signals(session, calls.person(user), call_id, after, now)


@router.get("/calls/incoming")
async def incoming(
    request: Request,
    state: StateDep,
    now: NowDep,
    wait: Annotated[float, Query(ge=0, le=300)] = 0,
) -> Response:
    """Tablet→console calls ringing for the signed-in person; with `wait`, held until one
    comes (every console page keeps this open to show « Jeanne vous appelle »)."""

    def read() -> tuple[list[dict[str, Any]], list[int]]:
        with state.sessions() as session, session.begin():
            user = _user_in(session, request, now)
            return calls.incoming_for(session, user, now), calls.beneficiaries_calling(
                session, user
            )

    try:
        ringing, sources = await run_in_threadpool(read)
        if ringing or wait <= 0:
            return _json({"calls": ringing})
        deadline = time.monotonic() + min(wait, MAX_INCOMING_WAIT)
        tokens = [(b, state.hub.subscribe(b)) for b in sources]
        try:
            while True:
                ringing, _ = await run_in_threadpool(read)
                remaining = deadline - time.monotonic()
                if ringing or remaining <= 0:
                    return _json({"calls": ringing})
                if not tokens:
                    # Nobody can call this person: hold the poll all the same (a page must
                    # not ask again at once), then answer the empty list.
                    await asyncio.sleep(remaining)
                    continue
                waits = [asyncio.ensure_future(ev.wait()) for _b, (_loop, ev) in tokens]
                try:
                    await asyncio.wait(waits, timeout=remaining, return_when="FIRST_COMPLETED")
                finally:
                    for pending in waits:
                        pending.cancel()
                for _b, (_loop, ev) in tokens:
                    ev.clear()
        finally:
            for beneficiary_id, token in tokens:
                state.hub.unsubscribe(beneficiary_id, token)
    except _SignedOut:
        return _signed_out(request)


@router.get("/calls/{call_id}/signals")
async def get_signals(
    call_id: PathId,
    request: Request,
    state: StateDep,
    now: NowDep,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    wait: Annotated[float, Query(ge=0, le=300)] = 0,
) -> Response:
    """The tablet's signals after `after`, and the call; with `wait` (≤ 30 s), held until a
    signal comes or the call's state changes."""
    try:
        read = await wait_for_signals(
            state, lambda: _person_read(state, request, call_id, after, now), wait
        )
    except _SignedOut:
        return _signed_out(request)
    except ServiceError as exc:
        return _refused(request, exc)
    return _json(signals_answer(read))

"""The device protocol: what tablets call. Pairing (RFC 8628) and sync by cursor.

Form-encoded requests and `{"error": …}` answers on the pairing endpoints, exactly as RFC 8628
and RFC 6749 §5.2 describe them, so that any conforming client works.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from backend import security
from backend.api.deps import (
    LAST_SEEN_RESOLUTION,
    AppState,
    NowDep,
    SessionDep,
    StateDep,
    clock_now,
    utc_now,
)
from backend.models import Beneficiary
from backend.services import pairing
from backend.services import sync as sync_service
from backend.text import LINE

router = APIRouter(prefix="/api/v1/device", tags=["device protocol"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _oauth_error(error: str, description: str, status_code: int = 400) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status_code,
        headers=NO_STORE,
    )


@router.post("/authorize")
def authorize(
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    client_id: Annotated[str | None, Form(max_length=200), LINE] = None,
    scope: Annotated[str | None, Form(max_length=1000), LINE] = None,
) -> Response:
    """RFC 8628 §3.1–3.2: a device code and a short user code to show on screen."""
    if not client_id:
        return _oauth_error("invalid_request", "client_id is required.")
    try:
        grant = pairing.start(session, state.settings, client_id, now)
    except pairing.OAuthError as exc:
        return _oauth_error(exc.error, exc.description, exc.status_code)
    return JSONResponse(
        {
            "device_code": grant.device_code,
            "user_code": grant.user_code,
            "verification_uri": grant.verification_uri,
            "verification_uri_complete": grant.verification_uri_complete,
            "expires_in": grant.expires_in,
            "interval": grant.interval,
        },
        headers=NO_STORE,
    )


@router.post("/token")
def token(
    session: SessionDep,
    now: NowDep,
    grant_type: Annotated[str | None, Form(max_length=200), LINE] = None,
    device_code: Annotated[str | None, Form(max_length=200), LINE] = None,
    client_id: Annotated[str | None, Form(max_length=200), LINE] = None,
) -> Response:
    """RFC 8628 §3.4–3.5: poll until a care manager approves, then receive the credential."""
    if not grant_type or not device_code or not client_id:
        return _oauth_error(
            "invalid_request", "grant_type, device_code and client_id are required."
        )
    try:
        issued = pairing.exchange(session, grant_type, device_code, client_id, now)
    except pairing.OAuthError as exc:
        session.commit()  # poll time and slow_down interval must survive the error answer
        return _oauth_error(exc.error, exc.description, exc.status_code)
    return JSONResponse(
        {
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "device_id": issued.device_id,
            "beneficiary_id": issued.beneficiary_id,
        },
        headers=NO_STORE,
    )


def _credential(request: Request) -> str:
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Device credential required.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return credential.strip()


def _unknown_device() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "Unknown or revoked device credential.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def _read(
    state: AppState, credential: str, cursor: int | None, now: datetime
) -> tuple[int, dict[str, Any]]:
    """Authenticate the device and read what it lacks, in one short transaction. `now`: the
    request's clock (the `utc_now` dependency: a test's fixed clock drives "tablet offline")."""
    with state.sessions() as session, session.begin():
        device = pairing.device_for_credential(session, credential)
        if device is None:
            raise _unknown_device()
        if device.last_seen_at is None or now - device.last_seen_at >= LAST_SEEN_RESOLUTION:
            device.last_seen_at = now
        beneficiary = session.get(Beneficiary, device.beneficiary_id)
        assert beneficiary is not None  # devices are deleted with their beneficiary
        if cursor is None:
            return beneficiary.id, sync_service.snapshot(session, beneficiary, device)
        return beneficiary.id, sync_service.delta(session, beneficiary, device, cursor)


async def _quick(
    state: AppState, credential: str, cursor: int, now: datetime
) -> sync_service.QuickCheck:
    """The lean check of a poll with a cursor: one indexed query on a connection of its own
    (no ORM, no transaction to open and close), plus the last-seen note when it is due."""
    digest = security.secret_digest(credential)
    check = await state.quick_checks.check(digest, cursor, now, LAST_SEEN_RESOLUTION)
    if check is None:
        raise _unknown_device()
    return check


def _body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _json(payload: dict[str, Any]) -> Response:
    return Response(
        _body(payload), media_type="application/json", headers={"Cache-Control": "no-store"}
    )


@router.get("/sync")
async def sync(
    request: Request,
    cursor: Annotated[str | None, Query(max_length=20), LINE] = None,
    wait: Annotated[float, Query(ge=0, le=300)] = 0,
) -> Response:
    """Everything on a first sync (no cursor); later only what changed since `cursor`.

    With `wait`, an unchanged state holds the request up to that many seconds (capped by the
    server) and answers as soon as a change is committed, through any worker. An empty delta
    keeps the same cursor; so does a held poll answered early because the server is stopping.
    410 means the cursor is unknown here: sync again without one.
    """
    # The state and the clock without dependencies: each costs FastAPI a resolution, and this
    # route is most of the traffic (docs/performance.md, backend scale).
    state: AppState = request.app.state.foyer
    now = clock_now(request)
    credential = _credential(request)
    since = sync_service.parse_cursor(cursor)
    if since is None:
        _, payload = await run_in_threadpool(_read, state, credential, None, now)
        return _json(payload)
    return _json(await poll(state, credential, since, wait, now))


async def poll(
    state: AppState, credential: str, since: int, wait: float, now: datetime
) -> dict[str, Any]:
    """The answer to a sync with a cursor, held up to `wait` seconds while nothing changes.

    The common case — nothing new — costs one indexed query (`sync_service.quick_check`),
    then nothing until the wait ends; a change wakes the poll through the hub and the full
    read answers it (authenticating the device again). Raises what the full read raises."""
    hub = state.hub
    # Read before the check: if it has not moved once we are subscribed, nothing was
    # committed (and published) between the two, and the check still holds.
    published = hub.publications
    # Seen when it asked: the check notes it (when due); the later full reads of a long-poll
    # note the same instant, already noted.
    check = await _quick(state, credential, since, now)
    if not check.unchanged:
        _, payload = await run_in_threadpool(_read, state, credential, since, now)
        if not _unchanged(payload, since):
            return payload
    if wait <= 0 or hub.stopping:
        return sync_service.empty_delta(since)
    deadline = time.monotonic() + min(wait, state.settings.max_sync_wait_seconds)
    token = hub.subscribe(check.beneficiary_id)
    _loop, woken = token
    try:
        if hub.publications != published:
            woken.set()  # something was published meanwhile, maybe for us: read again
        while not hub.stopping:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(woken.wait(), timeout=remaining)
            except TimeoutError:
                # Nothing was published for this beneficiary while we waited: the check still
                # holds, and costs nothing more (a change the hub missed, say while the
                # PostgreSQL listener reconnected, is read at once by the tablet's next poll).
                break
            woken.clear()
            if hub.stopping:
                break
            # Woken by a change: the full read, which authenticates the device again.
            _, payload = await run_in_threadpool(_read, state, credential, since, now)
            if not _unchanged(payload, since):
                return payload
    finally:
        hub.unsubscribe(check.beneficiary_id, token)
    # Nothing new; or the server is stopping (SIGTERM, a restart): the held poll gets its
    # ordinary answer now rather than being cut when the graceful stop runs out of time.
    return sync_service.empty_delta(since)


def _unchanged(payload: dict[str, Any], since: int) -> bool:
    return payload["cursor"] == str(since) and sync_service.is_empty(payload)


SYNC_PATH = "/api/v1/device/sync"
_WAIT = re.compile(r"\d{1,3}(\.\d{1,6})?")


def _lane_request(scope: Scope) -> tuple[str, int, float] | None:
    """(credential, cursor, wait) of a well-formed `GET /sync?cursor=C[&wait=W]` with a bearer
    credential; None for anything else, which the route itself answers (its 4xx included)."""
    if scope["method"] != "GET" or scope["path"] != SYNC_PATH:
        return None
    params: dict[str, str] = {}
    for part in scope["query_string"].decode("latin-1").split("&"):
        name, _, value = part.partition("=")
        if name not in ("cursor", "wait") or name in params:
            return None
        params[name] = value
    raw_cursor, raw_wait = params.get("cursor", ""), params.get("wait", "0")
    if not (raw_cursor.isascii() and raw_cursor.isdigit() and len(raw_cursor) <= 18):
        return None
    if not _WAIT.fullmatch(raw_wait) or float(raw_wait) > 300:
        return None
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, credential = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and credential.strip():
                return credential.strip(), int(raw_cursor), float(raw_wait)
            return None
    return None


class SyncFastLane:
    """Polls with a cursor answered without FastAPI's routing and dependency resolution.

    Ten thousand tablets poll 400 times a second, nearly always for "nothing new": through
    the framework that cost more than the answer (docs/performance.md, backend scale). This
    pure ASGI middleware, inside the request-id and security-header ones (so the answer
    carries the same headers), runs `poll` — the route's own code — for a well-formed poll
    and sends its JSON. Anything else, and any error (an unknown credential, a cursor from the
    future, a database error), goes to the application untouched, which answers it as ever:
    nothing has been sent by then, and a GET has no body to replay."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = _lane_request(scope) if scope["type"] == "http" else None
        if lane is None:
            await self.app(scope, receive, send)
            return
        credential, since, wait = lane
        application = scope["app"]
        state: AppState = application.state.foyer
        clock = application.dependency_overrides.get(utc_now, utc_now)
        try:
            payload = await poll(state, credential, since, wait, clock())
        except Exception:  # the application answers it, errors included
            await self.app(scope, receive, send)
            return
        body = _body(payload)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(body)).encode()),
                    (b"content-type", b"application/json"),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

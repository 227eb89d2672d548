"""The device protocol: what tablets call. Pairing (RFC 8628) and sync by cursor.

Form-encoded requests and `{"error": …}` answers on the pairing endpoints, exactly as RFC 8628
and RFC 6749 §5.2 describe them, so that any conforming client works.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from backend.api.deps import LAST_SEEN_RESOLUTION, AppState, NowDep, SessionDep, StateDep
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


def _read(
    state: AppState, credential: str, cursor: int | None, now: datetime
) -> tuple[int, dict[str, Any]]:
    """Authenticate the device and read what it lacks, in one short transaction. `now`: the
    request's clock (the `utc_now` dependency: a test's fixed clock drives "tablet offline")."""
    with state.sessions() as session, session.begin():
        device = pairing.device_for_credential(session, credential)
        if device is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "Unknown or revoked device credential.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if device.last_seen_at is None or now - device.last_seen_at >= LAST_SEEN_RESOLUTION:
            device.last_seen_at = now
        beneficiary = session.get(Beneficiary, device.beneficiary_id)
        assert beneficiary is not None  # devices are deleted with their beneficiary
        if cursor is None:
            return beneficiary.id, sync_service.snapshot(session, beneficiary, device)
        return beneficiary.id, sync_service.delta(session, beneficiary, device, cursor)


def _json(payload: dict[str, Any]) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.get("/sync")
async def sync(
    request: Request,
    state: StateDep,
    now: NowDep,
    cursor: Annotated[str | None, Query(max_length=20), LINE] = None,
    wait: Annotated[float, Query(ge=0, le=300)] = 0,
) -> Response:
    """Everything on a first sync (no cursor); later only what changed since `cursor`.

    With `wait`, an unchanged state holds the request up to that many seconds (capped by the
    server) and answers as soon as a change is committed, through any worker. An empty delta
    keeps the same cursor. 410 means the cursor is unknown here: sync again without one.
    """
    credential = _credential(request)
    since = sync_service.parse_cursor(cursor)
    # Seen when it asked: a long-poll's later reads note the same instant, which its first
    # read has noted already (the next poll notes its own).
    beneficiary_id, payload = await run_in_threadpool(_read, state, credential, since, now)
    if since is None or wait <= 0 or not _unchanged(payload, since):
        return _json(payload)
    deadline = time.monotonic() + min(wait, state.settings.max_sync_wait_seconds)
    token = state.hub.subscribe(beneficiary_id)
    try:
        while True:
            # Read again after subscribing: a change committed just before is not missed.
            _, payload = await run_in_threadpool(_read, state, credential, since, now)
            remaining = deadline - time.monotonic()
            if not _unchanged(payload, since) or remaining <= 0:
                return _json(payload)
            _loop, woken = token
            try:
                await asyncio.wait_for(woken.wait(), timeout=remaining)
            except TimeoutError:
                # Nothing was published for this beneficiary while we waited: the empty delta
                # just read still holds. Reading it again would cost a third transaction per
                # unchanged poll (bench/scale.py); a change the hub missed is read at once by
                # the tablet's next sync.
                return _json(payload)
            woken.clear()
    finally:
        state.hub.unsubscribe(beneficiary_id, token)


def _unchanged(payload: dict[str, Any], since: int) -> bool:
    return payload["cursor"] == str(since) and sync_service.is_empty(payload)

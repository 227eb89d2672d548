"""Video calls, the tablet's side (docs/calls.md): place a call to an approved person, answer,
refuse, hang up, and pass the SDPs (the tablet always answers the console's offer).

Rights are decided by `backend.services.calls` (a tablet acts on its beneficiary's calls only).
The signals' long-poll holds no database connection while it waits: like the sync, it reads
in short transactions and waits on the `ChangeHub`, which every state change and every signal
of the call wakes (`record_change`), through whichever worker it was written.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from backend.api.deps import (
    MAX_ID,
    AppState,
    CurrentDevice,
    NowDep,
    PathId,
    SessionDep,
    StateDep,
)
from backend.api.device_actions import register_action
from backend.services import calls, pairing
from backend.text import LINE, MULTILINE

router = APIRouter(prefix="/api/v1/device", tags=["video calls"])

register_action("call_auto_answer", calls.auto_answer_action)

# The longest a signals long-poll is held (the tablet asks for less).
MAX_SIGNAL_WAIT = 30.0

Responses = dict[int | str, dict[str, Any]]
NOT_OURS: Responses = {404: {"description": "No such call for this tablet's beneficiary."}}


class PlaceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: Annotated[int, Field(ge=1, le=MAX_ID)]


class RefuseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(max_length=20), LINE] = "refused"


class HangupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(max_length=20), LINE] = "hangup"


class SignalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Annotated[str, Field(max_length=40), LINE]
    # Line breaks (SDP's CRLF) and text only; its size is checked by the service, which says
    # why in French.
    sdp: Annotated[str, MULTILINE]


@router.post(
    "/calls",
    status_code=status.HTTP_201_CREATED,
    responses={
        403: {"description": "That person is not an approved caller."},
        409: {"description": "The beneficiary is already in a call (logged as busy)."},
    },
)
def place_call(
    body: PlaceIn, session: SessionDep, state: StateDep, device: CurrentDevice, now: NowDep
) -> dict[str, Any]:
    """The beneficiary calls an approved person: it rings in that person's console."""
    return calls.start_from_tablet(session, state.settings, device, body.user_id, now)


@router.post(
    "/calls/{call_id}/answer",
    responses={**NOT_OURS, 409: {"description": "The call no longer rings."}},
)
def answer_call(
    call_id: PathId, session: SessionDep, state: StateDep, device: CurrentDevice, now: NowDep
) -> dict[str, Any]:
    """« Décrocher » (or the auto-answer countdown ran out): the call and the ICE servers."""
    return calls.answer(session, state.settings, calls.tablet(device), call_id, now)


@router.post("/calls/{call_id}/refuse", responses=NOT_OURS)
def refuse_call(
    call_id: PathId,
    session: SessionDep,
    device: CurrentDevice,
    now: NowDep,
    body: RefuseIn | None = None,
) -> dict[str, Any]:
    """« Refuser », or `busy` when the tablet finds itself in a call already."""
    reason = body.reason if body is not None else "refused"
    return calls.refuse(session, calls.tablet(device), call_id, reason, now)


@router.post("/calls/{call_id}/hangup", responses=NOT_OURS)
def hang_up(
    call_id: PathId,
    session: SessionDep,
    device: CurrentDevice,
    now: NowDep,
    body: HangupIn | None = None,
) -> dict[str, Any]:
    """« Raccrocher », or `network` when the connection could not be recovered. Idempotent."""
    reason = body.reason if body is not None else "hangup"
    return calls.hang_up(session, calls.tablet(device), call_id, reason, now)


@router.post(
    "/calls/{call_id}/signals",
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_OURS, 409: {"description": "The call has ended."}},
)
def post_signal(
    call_id: PathId, body: SignalIn, session: SessionDep, device: CurrentDevice, now: NowDep
) -> dict[str, Any]:
    """The tablet's SDP answer (all its ICE candidates in it: no trickle)."""
    return calls.post_signal(session, calls.tablet(device), call_id, body.kind, body.sdp, now)


# --- the signals' long-poll (shared with the console's JSON routes) ------------------------------

Reader = Callable[[], calls.SignalRead]


async def wait_for_signals(state: AppState, read: Reader, wait: float) -> calls.SignalRead:
    """`read` now; with `wait`, again each time the beneficiary's hub wakes, until there is a
    signal, the call's state changed, or `wait` seconds (capped) passed."""
    first = await run_in_threadpool(read)
    if wait <= 0 or first.signals or first.ended:
        return first
    deadline = time.monotonic() + min(wait, MAX_SIGNAL_WAIT)
    token = state.hub.subscribe(first.beneficiary_id)
    try:
        while True:
            # Read again after subscribing: what was committed just before is not missed.
            current = await run_in_threadpool(read)
            remaining = deadline - time.monotonic()
            if current.signals or current.mark != first.mark or remaining <= 0:
                return current
            _loop, woken = token
            try:
                await asyncio.wait_for(woken.wait(), timeout=remaining)
            except TimeoutError:
                return current
            woken.clear()
    finally:
        state.hub.unsubscribe(first.beneficiary_id, token)


def _device_read(
    state: AppState, credential: str, call_id: int, after: int, now: datetime
) -> calls.SignalRead:
    with state.sessions() as session, session.begin():
        device = pairing.device_for_credential(session, credential)
        if device is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "Unknown or revoked device credential.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return calls.read_signals(session, calls.tablet(device), call_id, after, now)


def signals_answer(read: calls.SignalRead) -> dict[str, Any]:
    return {"call": read.call, "signals": read.signals, "last": read.last}


@router.get("/calls/{call_id}/signals", responses=NOT_OURS)
async def get_signals(
    call_id: PathId,
    request: Request,
    state: StateDep,
    now: NowDep,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    wait: Annotated[float, Query(ge=0, le=300)] = 0,
) -> JSONResponse:
    """The console's signals after `after`, and the call; with `wait`, held until one comes
    or the call's state changes."""
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Device credential required.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    read = await wait_for_signals(
        state, lambda: _device_read(state, credential.strip(), call_id, after, now), wait
    )
    return JSONResponse(signals_answer(read), headers={"Cache-Control": "no-store"})

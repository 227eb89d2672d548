"""Writes from the tablet (mood check-ins, quick replies, read receipts, visits).

The tablet queues each write in its outbox and sends it with an `Idempotency-Key` header
until it gets an answer: sent twice, applied once. As with Stripe's keys (and the IETF draft
`idempotency-key-header`): the stored answer is replayed for a repeated key; the same key with
a different body is refused (422); a retry racing the first attempt gets 409.

Each action type is handled by the module that owns it, registered with `register_action`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.api.deps import CurrentDevice, NowDep, SessionDep
from backend.errors import Conflict, Invalid, ServiceError
from backend.models import Beneficiary, Device, IdempotencyRecord
from backend.text import LINE

router = APIRouter(prefix="/api/v1/device", tags=["device protocol"])

# (session, device, beneficiary, data, now) -> the JSON answer (a dict).
ActionHandler = Callable[[Any, Device, Beneficiary, dict[str, Any], datetime], dict[str, Any]]
_HANDLERS: dict[str, ActionHandler] = {}


def register_action(action_type: str, handler: ActionHandler) -> None:
    _HANDLERS[action_type] = handler


def action_types() -> list[str]:
    return sorted(_HANDLERS)


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Annotated[str, Field(max_length=40, examples=["mood"]), LINE]
    data: dict[str, Any] = Field(default_factory=dict)


@router.post("/actions")
def post_action(
    body: ActionIn,
    session: SessionDep,
    device: CurrentDevice,
    now: NowDep,
    idempotency_key: Annotated[str, Header(min_length=8, max_length=100), LINE],
) -> JSONResponse:
    """Apply one tablet write, exactly once per `Idempotency-Key`."""
    digest = hashlib.sha256(
        json.dumps(body.model_dump(), sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    previous = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.device_id == device.id, IdempotencyRecord.key == idempotency_key
        )
    )
    if previous is not None:
        if previous.request_hash != digest:
            raise Invalid("Cette clé d'idempotence a déjà servi pour une autre demande.")
        return JSONResponse(
            json.loads(previous.response_body),
            status_code=previous.status_code,
            headers={"Idempotency-Replayed": "true"},
        )
    handler = _HANDLERS.get(body.type)
    if handler is None:
        raise Invalid(
            "Action inconnue : {action}. Actions possibles : {actions}.",
            action=body.type,
            actions=action_types(),
        )
    beneficiary = session.get(Beneficiary, device.beneficiary_id)
    assert beneficiary is not None
    try:
        answer, status_code = handler(session, device, beneficiary, body.data, now), 200
    except ServiceError as exc:
        # A refused write is refused again on retry, without running it twice.
        session.rollback()
        answer, status_code = {"detail": exc.message}, exc.status_code
    session.add(
        IdempotencyRecord(
            device_id=device.id,
            key=idempotency_key,
            request_hash=digest,
            status_code=status_code,
            response_body=json.dumps(answer),
            created_at=now,
        )
    )
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("Cette demande est déjà en cours de traitement.") from exc
    return JSONResponse(answer, status_code=status_code)

"""Video calls, the people's side of the API (docs/calls.md): who may call the beneficiary
(approved by the care manager, with auto-answer or not) and the call log. Calls themselves are
placed from the console (`backend/console/calls_api.py`) and the tablet (`backend/api/calls.py`).

Rights are decided by `backend.services.calls`: `manage_callers` to change the list,
`view_call_log` to read it and the log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict

from backend.api.deps import MAX_ID, CurrentUser, NowDep, PathId, SessionDep
from backend.services import calls

router = APIRouter(prefix="/api/v1", tags=["video calls"])

Responses = dict[int | str, dict[str, Any]]
RIGHTS: Responses = {
    403: {"description": "In the circle, without the right to do this."},
    404: {"description": "No such beneficiary, or outside the circle."},
}


class CallerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    auto_answer: bool = False


def _caller(caller: calls.Caller) -> dict[str, Any]:
    return {
        **calls.caller_payload(caller),
        "may_call": caller.active,
        "approved_at": caller.approval.approved_at.isoformat(),
    }


@router.get("/beneficiaries/{beneficiary_id}/callers", responses=RIGHTS)
def list_callers(
    beneficiary_id: PathId, session: SessionDep, user: CurrentUser
) -> list[dict[str, Any]]:
    """The approved callers, with the care manager's auto-answer and the beneficiary's own
    say about it; `may_call` is false for someone who left the circle meanwhile."""
    return [_caller(c) for c in calls.callers(session, user, beneficiary_id)]


@router.put("/beneficiaries/{beneficiary_id}/callers/{user_id}", responses=RIGHTS)
def approve_caller(
    beneficiary_id: PathId,
    user_id: PathId,
    session: SessionDep,
    user: CurrentUser,
    now: NowDep,
    body: CallerIn | None = None,
) -> dict[str, Any]:
    """Let a person of the circle call (or change their auto-answer): the care manager's."""
    calls.approve_caller(
        session,
        user,
        beneficiary_id,
        user_id,
        now,
        auto_answer=body.auto_answer if body is not None else False,
    )
    found = [c for c in calls.callers(session, user, beneficiary_id) if c.user.id == user_id]
    return _caller(found[0])


@router.delete(
    "/beneficiaries/{beneficiary_id}/callers/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=RIGHTS,
)
def remove_caller(
    beneficiary_id: PathId, user_id: PathId, session: SessionDep, user: CurrentUser
) -> Response:
    calls.remove_caller(session, user, beneficiary_id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/beneficiaries/{beneficiary_id}/calls", responses=RIGHTS)
def call_log(
    beneficiary_id: PathId,
    session: SessionDep,
    user: CurrentUser,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=calls.LOG_PAGE)] = calls.LOG_PAGE,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[dict[str, Any]]:
    """The call log, newest first: who, when, which way, how it ended, how long."""
    return calls.call_log(session, user, beneficiary_id, now, limit=limit, before_id=before_id)

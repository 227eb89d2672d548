"""The beneficiary's own say (backend.services.consent): the tablet's "Partager mon humeur"
switch (device action `mood_sharing`), and whether it is paused.

- `GET /api/v1/beneficiaries/{id}/mood-sharing`: `{"paused", "since"}`, for whoever holds
  `view_wellbeing` (family too: it is why they no longer see the moods).

Who is in the circle and what each person sees reaches the tablet by sync (kind `circle`).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from backend.api.deps import CurrentUser, PathId, SessionDep
from backend.api.device_actions import register_action
from backend.policy import Permission
from backend.services import access, consent

router = APIRouter(prefix="/api/v1", tags=["wellbeing"])

register_action("mood_sharing", consent.mood_sharing_action)


class MoodSharingOut(BaseModel):
    paused: bool
    since: datetime | None


@router.get("/beneficiaries/{beneficiary_id}/mood-sharing", response_model=MoodSharingOut)
def get_mood_sharing(
    beneficiary_id: PathId, user: CurrentUser, session: SessionDep
) -> MoodSharingOut:
    """Whether the beneficiary paused the sharing of their mood, and since when."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.VIEW_WELLBEING)
    state = consent.mood_sharing(beneficiary)
    return MoodSharingOut(paused=state.paused, since=state.since)

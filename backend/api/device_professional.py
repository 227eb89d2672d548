"""The professionals' entry on the tablet: identify with a personal PIN, read the health messages
addressed to you (device protocol, authenticated by the tablet's credential).

Rules in `backend.services.device_professional`. Arrival and departure are not here: they are
tablet writes, queued in its outbox (POST /api/v1/device/actions, "arrival"/"departure" with
the user id answered here and the same PIN).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from backend.api.deps import CurrentDevice, NowDep, SessionDep
from backend.models import Beneficiary
from backend.services import device_professional
from backend.text import LINE

router = APIRouter(prefix="/api/v1/device/professional", tags=["device protocol"])


class PinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The format (4 to 8 digits) is checked by the service, with a French answer.
    pin: Annotated[str, Field(max_length=64, examples=["4821"]), LINE]


class OpenVisitOut(BaseModel):
    """Their arrival at this home with no departure yet: the tablet offers "Départ"."""

    arrived_at: datetime
    event_id: int | None  # the planned visit it was matched to, if any
    occurrence_start: datetime | None


class ProfessionalOut(BaseModel):
    user_id: int
    name: str
    may_record_visit: bool  # arrival and departure
    may_view_instructions: bool  # the tablet shows the visits' instructions only if True
    open_visit: OpenVisitOut | None = None


class HealthMessageOut(BaseModel):
    id: int
    body: str  # plain text, exactly as typed: never render it as HTML
    author_name: str
    created_at: datetime
    reply_to_id: int | None
    read: bool  # by this professional


class IdentifiedOut(BaseModel):
    professional: ProfessionalOut
    messages: list[HealthMessageOut]  # newest first, at most 50


@router.post("/messages", response_model=IdentifiedOut)
def professional_messages(
    body: PinIn, session: SessionDep, device: CurrentDevice, now: NowDep
) -> IdentifiedOut:
    """Whose PIN this is among the circle of the tablet's beneficiary, and the health messages
    addressed to them. 403 wrong PIN (counted), 429 after 5 wrong PINs in 15 minutes on this
    tablet, 409 when two people share the PIN. Every message answered is audited."""
    beneficiary = session.get(Beneficiary, device.beneficiary_id)
    assert beneficiary is not None  # a foreign key
    found = device_professional.identify(session, device, beneficiary, body.pin, now)
    return IdentifiedOut(
        professional=ProfessionalOut(
            user_id=found.user.id,
            name=found.user.name,
            may_record_visit=found.may_record_visit,
            may_view_instructions=found.may_view_instructions,
            open_visit=OpenVisitOut(
                arrived_at=found.open_visit.arrived_at,
                event_id=found.open_visit.event_id,
                occurrence_start=found.open_visit.occurrence_start,
            )
            if found.open_visit is not None
            else None,
        ),
        messages=[HealthMessageOut(**m) for m in found.messages],
    )

"""Tablets as care managers see them: approve a pairing code, list, revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from backend.api.deps import MAX_ID, CareManager, CurrentUser, NowDep, PathId, SessionDep, StateDep
from backend.errors import NotFound
from backend.models import Device
from backend.policy import Permission
from backend.services import access, pairing
from backend.text import LINE

router = APIRouter(prefix="/api/v1", tags=["devices"])


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_code: Annotated[str, Field(min_length=1, max_length=32, examples=["WDJB-MJHT"]), LINE]
    beneficiary_id: int = Field(ge=1, le=MAX_ID)


class DenyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_code: Annotated[str, Field(min_length=1, max_length=32), LINE]


class PairingOut(BaseModel):
    status: str
    beneficiary_id: int | None
    # On approval: the tablet's own maintenance PIN (6 digits), returned this once only.
    maintenance_pin: str | None = None


class DeviceOut(BaseModel):
    id: int
    beneficiary_id: int
    name: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, d: Device) -> DeviceOut:
        return cls(
            id=d.id,
            beneficiary_id=d.beneficiary_id,
            name=d.name,
            created_at=d.created_at,
            last_seen_at=d.last_seen_at,
            revoked_at=d.revoked_at,
        )


@router.post("/devices/approve", response_model=PairingOut)
def approve(
    body: ApproveIn, user: CurrentUser, session: SessionDep, state: StateDep, now: NowDep
) -> PairingOut:
    """Approve the tablet showing `user_code` for one of this care manager's beneficiaries."""
    beneficiary = access.require(session, user, body.beneficiary_id, Permission.MANAGE_DEVICES)
    approval = pairing.approve(session, state.settings, user, body.user_code, beneficiary, now)
    request = approval.request
    return PairingOut(
        status=request.status,
        beneficiary_id=request.beneficiary_id,
        maintenance_pin=approval.maintenance_pin,
    )


@router.post("/devices/deny", response_model=PairingOut)
def deny(
    body: DenyIn, user: CareManager, session: SessionDep, state: StateDep, now: NowDep
) -> PairingOut:
    """Refuse a pairing request (the tablet then hears `access_denied`)."""
    request = pairing.deny(session, state.settings, user, body.user_code, now)
    return PairingOut(status=request.status, beneficiary_id=None)


@router.get("/beneficiaries/{beneficiary_id}/devices", response_model=list[DeviceOut])
def list_devices(beneficiary_id: PathId, user: CurrentUser, session: SessionDep) -> list[DeviceOut]:
    access.require(session, user, beneficiary_id, Permission.MANAGE_DEVICES)
    return [DeviceOut.of(d) for d in pairing.devices_of(session, beneficiary_id)]


@router.post("/devices/{device_id}/revoke", response_model=DeviceOut)
def revoke(device_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep) -> DeviceOut:
    """Revoke a tablet: its next request gets 401 and it wipes its local data."""
    device = pairing.device_by_id(session, device_id)
    try:
        access.require(session, user, device.beneficiary_id, Permission.MANAGE_DEVICES)
    except NotFound as exc:  # someone else's tablet does not exist for this caller
        raise NotFound("Tablette introuvable.") from exc
    pairing.revoke(session, device, now)
    return DeviceOut.of(device)

"""A tablet's remote configuration and status: the care manager's side and the tablet's.

- `GET/PUT /api/v1/devices/{device_id}/config`: the beneficiary's care manager
  (`manage_devices`), as for pairing and revocation. PUT takes the version it read, in
  `expected_version` or an `If-Match` header, and gets 409 if another write came first.
- `POST /api/v1/device/status`: the tablet reports how it is doing.
- `GET /api/v1/devices/{device_id}/status`: what it last said.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from backend.api.deps import CurrentDevice, CurrentUser, NowDep, PathId, SessionDep
from backend.errors import Invalid, NotFound
from backend.models import Device
from backend.policy import Permission
from backend.services import access, device_config, pairing
from backend.text import LINE
from common.text import plain_line

router = APIRouter(prefix="/api/v1", tags=["devices"])


class ConfigIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: dict[str, Any] = Field(
        examples=[{"modules": ["agenda", "messages", "mood"], "font_scale": 1.2}]
    )
    expected_version: int | None = Field(default=None, ge=0, le=2_147_483_647)


class ConfigOut(BaseModel):
    device_id: int
    version: int
    document: dict[str, Any]
    maintenance_pin_set: bool
    updated_at: datetime | None
    updated_by_id: int | None

    @classmethod
    def of(cls, view: device_config.ConfigView) -> ConfigOut:
        return cls(
            device_id=view.device_id,
            version=view.version,
            document=view.document,
            maintenance_pin_set=view.pin_set,
            updated_at=view.updated_at,
            updated_by_id=view.updated_by_id,
        )


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    app_version: str = Field(min_length=1, max_length=40)
    free_disk_bytes: int | None = Field(default=None, ge=0, le=2**62)
    last_error: str | None = Field(default=None, max_length=2000)
    outbox_pending: int = Field(default=0, ge=0, le=2_147_483_647)
    config_version: int | None = Field(default=None, ge=0, le=2_147_483_647)
    # When the tablet applied `config_version` (ISO 8601 with its offset); optional.
    config_applied_at: AwareDatetime | None = None


class StatusOut(BaseModel):
    device_id: int
    app_version: str | None
    free_disk_bytes: int | None
    last_error: str | None
    outbox_pending: int | None
    config_version: int | None
    config_applied_at: datetime | None
    reported_at: datetime | None
    last_seen_at: datetime | None


def _managed_device(session: SessionDep, user: CurrentUser, device_id: int) -> Device:
    device = pairing.device_by_id(session, device_id)
    try:
        access.require(session, user, device.beneficiary_id, Permission.MANAGE_DEVICES)
    except NotFound as exc:  # someone else's tablet does not exist for this caller
        raise NotFound("Tablette introuvable.") from exc
    return device


def _version(raw: str | None) -> int | None:
    if raw is None:
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise Invalid('If-Match doit contenir le numéro de version lu, par exemple "3".')
    return int(text)


@router.get("/devices/{device_id}/config", response_model=ConfigOut)
def get_config(
    device_id: PathId, user: CurrentUser, session: SessionDep, response: Response
) -> ConfigOut:
    view = device_config.read(session, _managed_device(session, user, device_id))
    response.headers["ETag"] = f'"{view.version}"'
    return ConfigOut.of(view)


@router.put("/devices/{device_id}/config", response_model=ConfigOut)
def put_config(
    device_id: PathId,
    body: ConfigIn,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    response: Response,
    if_match: Annotated[str | None, Header(), LINE] = None,
) -> ConfigOut:
    """Replace the document (keys left out take their default; the PIN stays unless given)."""
    device = _managed_device(session, user, device_id)
    expected = body.expected_version if body.expected_version is not None else _version(if_match)
    view = device_config.write(session, device, user, body.document, expected, now)
    response.headers["ETag"] = f'"{view.version}"'
    return ConfigOut.of(view)


@router.post("/device/status", status_code=status.HTTP_204_NO_CONTENT)
def post_status(body: StatusIn, device: CurrentDevice, session: SessionDep, now: NowDep) -> None:
    """The tablet's periodic report: version, free disk, last error, writes still queued."""
    last_error = body.last_error
    if last_error is not None:
        # Shown in the console as plain text, on one line.
        last_error = plain_line("".join(c if c.isprintable() else " " for c in last_error))
    device_config.report_status(
        session,
        device,
        app_version=plain_line("".join(c for c in body.app_version if c.isprintable())),
        free_disk_bytes=body.free_disk_bytes,
        last_error=last_error or None,
        outbox_pending=body.outbox_pending,
        config_version=body.config_version,
        now=now,
        config_applied_at=body.config_applied_at,
    )


@router.get("/devices/{device_id}/status", response_model=StatusOut)
def get_status(device_id: PathId, user: CurrentUser, session: SessionDep) -> StatusOut:
    device = _managed_device(session, user, device_id)
    report = device_config.status_of(session, device)
    return StatusOut(
        device_id=device.id,
        app_version=report.app_version if report else None,
        free_disk_bytes=report.free_disk_bytes if report else None,
        last_error=report.last_error if report else None,
        outbox_pending=report.outbox_pending if report else None,
        config_version=report.config_version if report else None,
        config_applied_at=report.config_applied_at if report else None,
        reported_at=report.reported_at if report else None,
        last_seen_at=device.last_seen_at,
    )

"""A tablet's remote configuration and status: the care manager's side and the tablet's.

- `GET/PUT /api/v1/devices/{device_id}/config`: the beneficiary's care manager
  (`manage_devices`), as for pairing and revocation. PUT takes the version it read, in
  `expected_version` or an `If-Match` header, and gets 409 if another write came first.
- `POST /api/v1/device/status`: the tablet reports how it is doing.
- `GET /api/v1/devices/{device_id}/status`: what it last said.
- `GET /api/v1/devices/{device_id}/health?lang=fr`: how it is doing, in words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response, status
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
)

from backend.api.deps import CurrentDevice, CurrentUser, NowDep, PathId, SessionDep
from backend.errors import Invalid, NotFound
from backend.models import Beneficiary, Device
from backend.policy import Permission
from backend.services import (
    access,
    audit,
    device_config,
    device_health,
    engagement,
    pairing,
    signs_of_life,
)
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


# Instants a tablet reports: within these years (a clock gone wild is not a 500).
FIRST_YEAR, LAST_YEAR = 2000, 2200
# Touches: at most two weeks of hours in one report, and a count no person reaches in an hour.
MAX_TOUCH_HOURS = 24 * 14
MAX_TOUCHES_PER_HOUR = 100_000
ERROR_CODE = r"^[a-z][a-z0-9_]{0,39}$"


def _plausible(moment: datetime | None) -> datetime | None:
    if moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"date hors des années {FIRST_YEAR} à {LAST_YEAR}")
    return moment


class TouchHourIn(BaseModel):
    """One completed local hour and how many touches the tablet saw in it: a count, never
    what was touched (any other field is refused)."""

    model_config = ConfigDict(extra="forbid")
    hour: AwareDatetime = Field(examples=["2026-12-04T08:00:00+01:00"])
    count: StrictInt = Field(ge=0, le=MAX_TOUCHES_PER_HOUR)

    @field_validator("hour")
    @classmethod
    def _an_hour_start(cls, value: datetime) -> datetime:
        _plausible(value)
        if value.minute or value.second or value.microsecond:
            raise ValueError("le début d'une heure est attendu (minutes et secondes à zéro)")
        return value


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    app_version: str = Field(min_length=1, max_length=40)
    free_disk_bytes: int | None = Field(default=None, ge=0, le=2**62)
    last_error: str | None = Field(default=None, max_length=2000)
    outbox_pending: int = Field(default=0, ge=0, le=2_147_483_647)
    config_version: int | None = Field(default=None, ge=0, le=2_147_483_647)
    # When the tablet applied `config_version` (ISO 8601 with its offset); optional.
    config_applied_at: AwareDatetime | None = None
    # The tablet's health (docs/device-protocol.md, "Status report"); each optional.
    screen_on: StrictBool | None = None
    screen_off_reason: Literal["night", "schedule"] | None = None
    screen_off_until: AwareDatetime | None = None
    last_touch_at: AwareDatetime | None = None
    started_at: AwareDatetime | None = None
    restarts_today: StrictInt | None = Field(default=None, ge=0, le=10_000)
    memory_available_bytes: StrictInt | None = Field(default=None, ge=0, le=2**62)
    disk_total_bytes: StrictInt | None = Field(default=None, ge=0, le=2**62)
    last_error_code: Annotated[str, LINE] | None = Field(
        default=None, pattern=ERROR_CODE, examples=list(device_health.ERROR_CODES)
    )
    touches: list[TouchHourIn] = Field(default_factory=list, max_length=MAX_TOUCH_HOURS)

    @field_validator("screen_off_until", "last_touch_at", "started_at", "config_applied_at")
    @classmethod
    def _plausible_instant(cls, value: datetime | None) -> datetime | None:
        return _plausible(value)


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
    screen_on: bool | None = None
    screen_off_reason: str | None = None
    screen_off_until: datetime | None = None
    last_touch_at: datetime | None = None
    started_at: datetime | None = None
    restarts_today: int | None = None
    memory_available_bytes: int | None = None
    disk_total_bytes: int | None = None
    last_error_code: str | None = None
    previous_app_version: str | None = None
    app_version_since: datetime | None = None


class HealthItemOut(BaseModel):
    code: str = Field(examples=["offline"])
    severity: int = Field(description="3 urgent, 2 to look at, 1 for information, 0 all is well")
    text: str = Field(examples=["Tablette hors ligne depuis 3 h (dernier contact 8 h 12)"])


class HealthOut(BaseModel):
    device_id: int
    name: str
    severity: int
    items: list[HealthItemOut]


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
        health=device_config.HealthReport(
            screen_on=body.screen_on,
            screen_off_reason=body.screen_off_reason,
            screen_off_until=body.screen_off_until,
            last_touch_at=body.last_touch_at,
            started_at=body.started_at,
            restarts_today=body.restarts_today,
            memory_available_bytes=body.memory_available_bytes,
            disk_total_bytes=body.disk_total_bytes,
            last_error_code=body.last_error_code,
        ),
    )
    # The touch counts (upserted by hour: a report sent again changes nothing) and what they
    # mean for the signs of life; the 204 acknowledges every hour the report carried.
    signs_of_life.after_status(
        session, device, [(t.hour, t.count) for t in body.touches], body.last_touch_at, now
    )
    # Every few minutes from every tablet: the daily chains that need no tablet (the gentle
    # e-mails, the audit log's retention) are started again here should they have stopped.
    beneficiary = session.get(Beneficiary, device.beneficiary_id)
    if beneficiary is not None:
        engagement.ensure_planned(session, beneficiary, now)
    audit.ensure_retention_planned(session, now)


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
        **(
            {
                key: getattr(report, key)
                for key in (
                    "screen_on", "screen_off_reason", "screen_off_until", "last_touch_at",
                    "started_at", "restarts_today", "memory_available_bytes",
                    "disk_total_bytes", "last_error_code", "previous_app_version",
                    "app_version_since",
                )
            }
            if report
            else {}
        ),
    )  # fmt: skip


@router.get("/devices/{device_id}/health", response_model=HealthOut)
def get_health(
    device_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    lang: Annotated[Literal["fr", "en"], Query()] = "fr",
) -> HealthOut:
    """How the tablet is doing, in words (French or English), what needs a person first."""
    device = _managed_device(session, user, device_id)
    health = device_health.describe(session, device, now, lang=lang)
    return HealthOut(
        device_id=device.id,
        name=device.name,
        severity=health.severity,
        items=[HealthItemOut(code=i.code, severity=i.severity, text=i.text) for i in health.items],
    )

"""Each tablet's remote configuration and its last status report.

The document's schema is `common.tablet_config` (shared with the tablet, which validates it again on
arrival). Versions only grow: a write names the version it read (`expected_version`) and is
refused with 409 when another write came first, so two care managers editing the same tablet
never silently undo each other. The write is a conditional UPDATE, so this holds across
several workers too.

The document reaches the tablet by sync, as the kind "config" (one record per tablet, its id
being the device id; a tablet only ever receives its own).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.errors import Conflict, Invalid
from backend.models import Beneficiary, Device, DeviceConfig, DeviceStatus, User
from backend.services import sync
from backend.services.changes import record_change
from common import tablet_config as schema

ENTITY = "device_config"
PIN_KEY = "maintenance_pin"
PIN_DIGITS = 6


@dataclass(frozen=True)
class ConfigView:
    """What the console sees: never the PIN, only whether one is set."""

    device_id: int
    version: int  # 0: never written, every default applies
    document: dict[str, Any]
    pin_set: bool
    updated_at: datetime | None
    updated_by_id: int | None


def _stored(session: Session, device: Device) -> tuple[DeviceConfig | None, dict[str, Any]]:
    row = session.get(DeviceConfig, device.id)
    if row is None:
        return None, schema.defaults()
    document, _errors = schema.validate(json.loads(row.document))
    # Stored documents were validated on write; a schema that later narrowed a bound still
    # leaves the tablet usable (defaults) rather than the console broken.
    return row, document if document is not None else schema.defaults()


def read(session: Session, device: Device) -> ConfigView:
    row, document = _stored(session, device)
    pin_hash = document.pop(PIN_KEY, None)
    return ConfigView(
        device.id,
        row.version if row else 0,
        document,
        pin_hash is not None,
        row.updated_at if row else None,
        row.updated_by_id if row else None,
    )


def write(
    session: Session,
    device: Device,
    user: User,
    document: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> ConfigView:
    """Validate and store a new version; 422 with every reason, 409 on a lost race."""
    row, current = _stored(session, device)
    incoming = dict(document)
    # The PIN arrives in clear and is kept hashed; left out, the current one stays.
    if PIN_KEY not in incoming:
        incoming[PIN_KEY] = current.get(PIN_KEY)
    elif isinstance(incoming[PIN_KEY], str):
        try:
            incoming[PIN_KEY] = schema.hash_pin(incoming[PIN_KEY])
        except ValueError as exc:
            # The schema's reasons (common/tablet_config.py) are French only.
            raise Invalid("{key} : {reason}", key=PIN_KEY, reason=str(exc)) from exc
    valid, errors = schema.validate(incoming)
    if valid is None:
        raise Invalid("{reasons}", reasons=schema.describe(errors))
    version = row.version if row else 0
    if expected_version is not None and expected_version != version:
        raise Conflict(
            "La configuration a changé entre-temps (version {version}, vous aviez la version "
            "{expected}) : rechargez-la avant de l'enregistrer.",
            version=version,
            expected=expected_version,
        )
    text = json.dumps(valid, ensure_ascii=False, sort_keys=True)
    if row is None:
        session.add(
            DeviceConfig(
                device_id=device.id,
                version=1,
                document=text,
                updated_at=now,
                updated_by_id=user.id,
            )
        )
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict("La configuration a changé entre-temps : rechargez-la.") from exc
    else:
        done = session.execute(
            update(DeviceConfig)
            .where(DeviceConfig.device_id == device.id, DeviceConfig.version == version)
            .values(version=version + 1, document=text, updated_at=now, updated_by_id=user.id)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("La configuration a changé entre-temps : rechargez-la.")
        session.expire(row)
    record_change(session, device.beneficiary_id, ENTITY, device.id, "upsert")
    return read(session, device)


def new_pin() -> str:
    """A maintenance PIN of the tablet's own: 6 random digits."""
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def first_config(
    session: Session, device: Device, pin_hash: str, user_id: int | None, now: datetime
) -> None:
    """A newly paired tablet's version 1: the defaults and its own maintenance PIN (drawn at
    approval, `pairing.approve`), so that no tablet keeps the public default."""
    document = {**schema.defaults(), PIN_KEY: pin_hash}
    valid, errors = schema.validate(document)
    if valid is None:  # a hash made by schema.hash_pin always passes
        raise Invalid("{reasons}", reasons=schema.describe(errors))
    text = json.dumps(valid, ensure_ascii=False, sort_keys=True)
    session.add(
        DeviceConfig(
            device_id=device.id, version=1, document=text, updated_at=now, updated_by_id=user_id
        )
    )
    record_change(session, device.beneficiary_id, ENTITY, device.id, "upsert")


def set_new_pin(
    session: Session, device: Device, user: User, now: datetime
) -> tuple[str, ConfigView]:
    """Draw a new maintenance PIN and save it as a new version: (the PIN in clear, shown this
    once to the care manager; the configuration)."""
    pin = new_pin()
    row, _document = _stored(session, device)
    view = write(session, device, user, {**read(session, device).document, PIN_KEY: pin},
                 row.version if row else 0, now)  # fmt: skip
    return pin, view


# --- status reports -------------------------------------------------------------------------

# What a tablet may say as the reason its screen is off (docs/device-protocol.md).
SCREEN_OFF_REASONS = ("night", "schedule")


@dataclass(frozen=True)
class HealthReport:
    """The report's optional fields about the tablet's health (None: not said, as an older
    tablet does). `backend.services.device_health` says them in words."""

    screen_on: bool | None = None
    screen_off_reason: str | None = None  # SCREEN_OFF_REASONS
    screen_off_until: datetime | None = None
    last_touch_at: datetime | None = None
    started_at: datetime | None = None  # the application's start (uptime)
    restarts_today: int | None = None
    memory_available_bytes: int | None = None
    disk_total_bytes: int | None = None
    last_error_code: str | None = None  # device_health.ERROR_CODES, or another short code


def report_status(
    session: Session,
    device: Device,
    *,
    app_version: str,
    free_disk_bytes: int | None,
    last_error: str | None,
    outbox_pending: int,
    config_version: int | None,
    now: datetime,
    config_applied_at: datetime | None = None,
    health: HealthReport | None = None,
) -> DeviceStatus:
    """`config_applied_at`: when the tablet says it applied `config_version` (optional: the
    first report carrying a version dates it otherwise). A tablet's clock may be wrong: the
    time is kept between the save of that version and now. `health`: what it says of its
    screen, touches, uptime, memory, disk and last error (each left out is unknown). A new
    `app_version` keeps the one before and when it changed ("Mise à jour 0.3.1 appliquée")."""
    status = session.get(DeviceStatus, device.id)
    known = status.config_version if status is not None else None
    applied_at = status.config_applied_at if status is not None else None
    if config_version is None:
        applied_at = None
    elif known != config_version or applied_at is None or config_applied_at is not None:
        # Read before a new row joins the session: its flush, half filled, would fail.
        applied_at = _applied_at(session, device, config_version, config_applied_at, now)
    if status is None:
        status = DeviceStatus(device_id=device.id, app_version_since=now)
        session.add(status)
    elif status.app_version != app_version:
        status.previous_app_version = status.app_version
        status.app_version_since = now
    status.config_applied_at = applied_at
    status.app_version = app_version
    said = health or HealthReport()
    status.screen_on = said.screen_on
    status.screen_off_reason = said.screen_off_reason
    status.screen_off_until = said.screen_off_until
    status.last_touch_at = said.last_touch_at
    status.started_at = said.started_at
    status.restarts_today = said.restarts_today
    status.memory_available_bytes = said.memory_available_bytes
    status.disk_total_bytes = said.disk_total_bytes
    status.last_error_code = said.last_error_code
    status.free_disk_bytes = free_disk_bytes
    status.last_error = last_error
    status.outbox_pending = outbox_pending
    status.config_version = config_version
    status.reported_at = now
    return status


def status_of(session: Session, device: Device) -> DeviceStatus | None:
    return session.get(DeviceStatus, device.id)


def _applied_at(
    session: Session, device: Device, version: int, said: datetime | None, now: datetime
) -> datetime:
    if said is None or said.tzinfo is None:
        return now
    row = session.get(DeviceConfig, device.id)
    earliest = row.updated_at if row is not None and row.version == version else None
    if earliest is not None and said < earliest:
        return earliest
    return min(said, now)


@dataclass(frozen=True)
class Applied:
    """Whether a tablet runs the saved configuration, for the tablets page.

    state: "default" (nothing saved: the defaults, which every tablet has), "applied" (at
    `at`), "refused" (the tablet said the saved version is invalid for it), "waiting" (online:
    it will take it at its next sync; `at` is when it was saved), "offline" (`at`: last seen).
    """

    state: str
    version: int
    at: datetime | None


def applied(session: Session, device: Device, status: DeviceStatus | None, online: bool) -> Applied:
    row = session.get(DeviceConfig, device.id)
    if row is None:
        return Applied("default", 0, None)
    if status is not None and status.config_version is not None:
        if status.config_version >= row.version:
            return Applied("applied", row.version, status.config_applied_at or status.reported_at)
        if (status.last_error or "").startswith(f"configuration {row.version} refusée"):
            return Applied("refused", row.version, status.reported_at)
    if online:
        return Applied("waiting", row.version, row.updated_at)
    return Applied("offline", row.version, device.last_seen_at)


# --- sync -----------------------------------------------------------------------------------


def _payload(session: Session, device: Device) -> list[dict[str, Any]]:
    row, document = _stored(session, device)
    if row is None:
        return []
    return [{"id": device.id, "version": row.version, "document": document}]


def _sync_all(session: Session, _beneficiary: Beneficiary, device: Device) -> list[dict[str, Any]]:
    return _payload(session, device)


def _sync_some(
    session: Session, _beneficiary: Beneficiary, device: Device, ids: set[int]
) -> list[dict[str, Any]]:
    # Another tablet's configuration changed: this one gets nothing (sent as a deletion of
    # an id it never held, which it ignores).
    return _payload(session, device) if device.id in ids else []


sync.register(sync.SyncedKind("config", ENTITY, _sync_all, _sync_some))

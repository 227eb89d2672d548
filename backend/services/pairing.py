"""RFC 8628 device authorization: codes, approval by a care manager, and the device token.

Everything lives in the database (codes, poll times, guess counters) so that any backend
worker can answer any step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import security
from backend.config import Settings
from backend.errors import NotFound, TooManyAttempts
from backend.models import Beneficiary, Device, DeviceAuthorization, User
from backend.services import device_config, rate_limit
from backend.services.changes import record_change
from common import tablet_config

log = logging.getLogger(__name__)

CLIENT_ID = "foyer-kiosk"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_STEP = 5  # seconds added to the interval at each slow_down, for good (§3.5)


class OAuthError(Exception):
    """An RFC 6749 §5.2 / RFC 8628 §3.5 error: HTTP 400 with {"error": code}."""

    def __init__(self, error: str, description: str, status_code: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.description = description
        self.status_code = status_code


@dataclass(frozen=True)
class NewAuthorization:
    device_code: str
    user_code: str  # displayed form, XXXX-XXXX
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int


@dataclass(frozen=True)
class Approval:
    request: DeviceAuthorization
    # The tablet's own maintenance PIN, in clear this once: shown to the care manager who
    # approved; only its hash is kept (and becomes the tablet's first configuration).
    maintenance_pin: str


@dataclass(frozen=True)
class IssuedCredential:
    access_token: str
    device_id: int
    beneficiary_id: int


def start(session: Session, settings: Settings, client_id: str, now: datetime) -> NewAuthorization:
    if client_id != CLIENT_ID:
        raise OAuthError("invalid_client", "Unknown client_id.", status_code=401)
    device_code = security.new_secret("fyc_")
    # A fresh code must not collide with one still pending (codes are typed, so short).
    while True:
        user_code = security.new_user_code()
        clash = session.scalar(
            select(DeviceAuthorization.id).where(
                DeviceAuthorization.user_code == user_code,
                DeviceAuthorization.status == "pending",
                DeviceAuthorization.expires_at > now,
            )
        )
        if clash is None:
            break
    session.add(
        DeviceAuthorization(
            device_code_hash=security.secret_digest(device_code),
            user_code=user_code,
            client_id=client_id,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.pairing_code_ttl_seconds),
            interval_seconds=settings.pairing_poll_interval_seconds,
        )
    )
    shown = security.display_user_code(user_code)
    uri = f"{settings.public_url}/pair"
    return NewAuthorization(
        device_code=device_code,
        user_code=shown,
        verification_uri=uri,
        verification_uri_complete=f"{uri}?code={shown}",
        expires_in=settings.pairing_code_ttl_seconds,
        interval=settings.pairing_poll_interval_seconds,
    )


def _pending_by_user_code(
    session: Session, settings: Settings, user: User, typed_code: str, now: datetime
) -> DeviceAuthorization:
    """The pending request for a typed code, counting wrong guesses per care manager (§5.1)."""
    key = f"pair:{user.id}"
    window = timedelta(seconds=settings.pairing_wrong_code_window_seconds)
    wait = rate_limit.seconds_blocked(session, key, settings.pairing_max_wrong_codes, window, now)
    if wait:
        # Logged: someone may be guessing codes with this account (RFC 8628 §5.1).
        log.warning("pairing: user %s blocked for %d s after wrong codes", user.id, wait)
        raise TooManyAttempts(
            "Trop de codes erronés. Patientez quelques minutes avant de réessayer.", wait
        )
    code = security.normalize_user_code(typed_code)
    found = None
    if code is not None:
        found = session.scalars(
            select(DeviceAuthorization)
            .where(
                DeviceAuthorization.user_code == code,
                DeviceAuthorization.status == "pending",
                DeviceAuthorization.expires_at > now,
            )
            .with_for_update()
        ).first()
    if found is None:
        count = rate_limit.record_failure(session, key, window, now)
        log.warning("pairing: wrong user code typed by user %s (%d in this window)", user.id, count)
        raise NotFound(
            "Ce code ne correspond à aucune tablette en attente. Vérifiez-le sur l'écran "
            "de la tablette : il est peut-être expiré.",
            keep_changes=True,
        )
    return found


def approve(
    session: Session,
    settings: Settings,
    user: User,
    typed_code: str,
    beneficiary: Beneficiary,
    now: datetime,
) -> Approval:
    request = _pending_by_user_code(session, settings, user, typed_code, now)
    request.status = "approved"
    request.beneficiary_id = beneficiary.id
    request.approved_by_id = user.id
    pin = device_config.new_pin()
    request.maintenance_pin_hash = tablet_config.hash_pin(pin)
    return Approval(request, pin)


def deny(
    session: Session, settings: Settings, user: User, typed_code: str, now: datetime
) -> DeviceAuthorization:
    request = _pending_by_user_code(session, settings, user, typed_code, now)
    request.status = "denied"
    request.approved_by_id = user.id
    return request


def exchange(
    session: Session,
    grant_type: str,
    device_code: str,
    client_id: str,
    now: datetime,
) -> IssuedCredential:
    """The token endpoint. Raises OAuthError for every outcome but success.

    Callers must commit even when OAuthError is raised: poll times and slow_down intervals
    are state the next poll depends on.
    """
    if grant_type != GRANT_TYPE:
        raise OAuthError("unsupported_grant_type", f"Only {GRANT_TYPE} is supported here.")
    if client_id != CLIENT_ID:
        raise OAuthError("invalid_client", "Unknown client_id.", status_code=401)
    request = session.scalars(
        select(DeviceAuthorization)
        .where(DeviceAuthorization.device_code_hash == security.secret_digest(device_code))
        .with_for_update()
    ).first()
    if request is None:
        raise OAuthError("invalid_grant", "Unknown device_code.")
    if request.status == "consumed":
        # Single use: the credential went out once; a replayed device_code gets nothing.
        raise OAuthError("invalid_grant", "This device_code has already been used.")
    if request.status == "denied":
        raise OAuthError("access_denied", "The pairing was refused.")
    if request.expires_at <= now:
        raise OAuthError("expired_token", "The device_code has expired; start again.")
    previous_poll = request.last_poll_at
    request.last_poll_at = now
    if previous_poll is not None and now - previous_poll < timedelta(
        seconds=request.interval_seconds
    ):
        request.interval_seconds += SLOW_DOWN_STEP
        raise OAuthError("slow_down", f"Poll at most every {request.interval_seconds} s.")
    if request.status == "pending":
        raise OAuthError("authorization_pending", "Waiting for a care manager to enter the code.")
    assert request.status == "approved" and request.beneficiary_id is not None
    credential = security.new_secret("fyd_")
    device = Device(
        beneficiary_id=request.beneficiary_id,
        name=f"Tablette {security.display_user_code(request.user_code)}",
        credential_hash=security.secret_digest(credential),
        approved_by_id=request.approved_by_id,
        created_at=now,
        last_seen_at=now,
    )
    session.add(device)
    session.flush()
    request.status = "consumed"
    request.device_id = device.id
    record_change(session, request.beneficiary_id, "device", device.id, "upsert")
    if request.maintenance_pin_hash is not None:
        device_config.first_config(
            session, device, request.maintenance_pin_hash, request.approved_by_id, now
        )
    return IssuedCredential(credential, device.id, request.beneficiary_id)


def device_for_credential(session: Session, credential: str) -> Device | None:
    """The paired, unrevoked device holding this credential."""
    device = session.scalar(
        select(Device).where(Device.credential_hash == security.secret_digest(credential))
    )
    if device is None or device.revoked_at is not None:
        return None
    return device


def devices_of(session: Session, beneficiary_id: int) -> list[Device]:
    return list(
        session.scalars(
            select(Device).where(Device.beneficiary_id == beneficiary_id).order_by(Device.id)
        )
    )


def revoke(session: Session, device: Device, now: datetime) -> None:
    if device.revoked_at is None:
        device.revoked_at = now
        record_change(session, device.beneficiary_id, "device", device.id, "delete")


def device_by_id(session: Session, device_id: int) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound("Tablette introuvable.")
    return device

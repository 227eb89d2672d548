"""A tablet not seen for long raises an alert; seen again, the alert closes itself.

A periodic job, `devices_offline_check`, looks at every paired tablet every five minutes. It is
one row per five-minute slot (dedupe `devices-offline-check:<slot start>`), and each run plans
the next slot's in its own transaction: however many backend processes run, each slot is
checked once. Any process plans the current slot at start (`ensure_planned`), which restarts
the chain should it ever break.

A tablet whose `last_seen_at` is older than `Settings.tablet_offline_after_seconds` (6 h by
default) raises a `tablet_offline` alert to the care managers: "La tablette de Jeanne Martin
est hors ligne depuis 9 h 40" (the time it was last seen, in the beneficiary's zone). Its
dedupe key names the tablet and that instant (`tablet-offline:<device id>:<last seen>`): one
alert per offline period. When the tablet has been seen since (or was revoked), the next check
closes the alert on the system's behalf with a note saying when it came back.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Alert, Beneficiary, Device
from backend.services import alerts, jobs, mail

log = logging.getLogger(__name__)

KIND = "tablet_offline"
JOB = "devices_offline_check"
PERIOD = timedelta(minutes=5)
DEFAULT_THRESHOLD = timedelta(hours=6)

_threshold = DEFAULT_THRESHOLD


def configure(threshold: timedelta) -> None:
    """How long a tablet may stay unseen before its alert
    (`Settings.tablet_offline_after_seconds`)."""
    global _threshold
    _threshold = threshold


def _slot(moment: datetime) -> datetime:
    seconds = int(PERIOD.total_seconds())
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def _plan(session: Session, slot: datetime) -> bool:
    return jobs.enqueue(
        session,
        JOB,
        {"slot": slot.isoformat()},
        slot,
        dedupe_key=f"devices-offline-check:{slot.isoformat()}",
    )


def ensure_planned(session: Session, now: datetime) -> bool:
    """Plan the check of the current slot if no process did (in the caller's transaction)."""
    return _plan(session, _slot(now))


def dedupe_key(device: Device) -> str:
    assert device.last_seen_at is not None
    return f"tablet-offline:{device.id}:{device.last_seen_at.astimezone(UTC).isoformat()}"


def _since(last_seen: datetime, now: datetime, tz: ZoneInfo) -> str:
    """ "9 h 40" the same day, else "le mercredi 3 décembre à 9 h 40" (local)."""
    if last_seen.astimezone(tz).date() == now.astimezone(tz).date():
        return mail.french_hour(last_seen, tz)
    return "le " + mail.french_moment(last_seen, tz)


def message(beneficiary: Beneficiary, last_seen: datetime, now: datetime) -> str:
    tz = ZoneInfo(beneficiary.timezone)
    return (
        f"La tablette de {mail.full_name(beneficiary)} est hors ligne depuis "
        f"{_since(last_seen, now, tz)}"
    )


def check(session: Session, now: datetime, threshold: timedelta | None = None) -> list[Alert]:
    """Raise the alerts of tablets unseen for `threshold`, close those of tablets seen again;
    the alerts raised."""
    threshold = _threshold if threshold is None else threshold
    _close_returned(session, now)
    raised = []
    offline = session.execute(
        select(Device, Beneficiary)
        .join(Beneficiary, Beneficiary.id == Device.beneficiary_id)
        .where(
            Device.revoked_at.is_(None),
            Device.last_seen_at.is_not(None),
            Device.last_seen_at < now - threshold,
        )
        .order_by(Device.id)
    ).all()
    for device, beneficiary in offline:
        assert device.last_seen_at is not None
        alert = alerts.raise_alert(
            session,
            beneficiary_id=beneficiary.id,
            kind=KIND,
            message=message(beneficiary, device.last_seen_at, now),
            dedupe_key=dedupe_key(device),
            recipient_ids=[],
            critical=False,
            now=now,
        )
        if alert is not None:
            raised.append(alert)
    return raised


def _close_returned(session: Session, now: datetime) -> None:
    still_open = session.scalars(
        select(Alert).where(Alert.kind == KIND, Alert.acknowledged_at.is_(None))
    ).all()
    for alert in still_open:
        device_id, last_seen = _parse(alert.dedupe_key)
        if device_id is None or last_seen is None:
            continue
        device = session.get(Device, device_id)
        if device is None or device.revoked_at is not None:
            alerts.auto_close(session, alert.id, "La tablette a été retirée.", now)
        elif device.last_seen_at is not None and device.last_seen_at > last_seen:
            beneficiary = session.get(Beneficiary, device.beneficiary_id)
            tz = ZoneInfo(beneficiary.timezone if beneficiary else "Europe/Paris")
            seen = _since(device.last_seen_at, now, tz)
            alerts.auto_close(
                session, alert.id, f"La tablette est de nouveau en ligne ({seen}).", now
            )


def _parse(key: str | None) -> tuple[int | None, datetime | None]:
    if not key or not key.startswith("tablet-offline:"):
        return None, None
    _, device, seen = key.split(":", 2)
    try:
        return int(device), datetime.fromisoformat(seen)
    except ValueError:
        return None, None


def _job(session: Session, payload: dict[str, Any], now: datetime) -> None:
    slot = datetime.fromisoformat(str(payload["slot"]))
    # The next slot after the later of this one and now: a check run late does not replay
    # the slots it missed.
    _plan(session, max(slot + PERIOD, _slot(now) + PERIOD))
    check(session, now)


jobs.register(JOB, _job, lease=timedelta(minutes=2))

"""Alerts: something that needs a person (docs/reminders.md, "Alerts").

One table for every cause (`reminder_missed`, `wellbeing_trend`, `tablet_offline`…). An alert
is raised once per cause (its `dedupe_key`), then goes `open` → `taken` (prise en charge par X)
→ `closed` (with a note); a closed alert may be reopened. Every step is an `AlertEvent`:
"opened", "taken", "closed", "reopened", "auto_closed" (closed by the system, e.g. the reminder
was confirmed late or the tablet is back), "notified" (an e-mail went out).

Who sees an alert: whoever holds `view_alerts` for its beneficiary (its care managers,
`backend.policy`), and its `AlertRecipient`s while they are still in the beneficiary's circle.
Who sees it may take, close and reopen it. Anyone else gets 404, as if it did not exist.

`message` never carries health details (no reminder title, no mood): it may be e-mailed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.models import Alert, AlertEvent, AlertRecipient, Beneficiary

OPEN, TAKEN, CLOSED = "open", "taken", "closed"
STATES = (OPEN, TAKEN, CLOSED)

OPENED, TAKEN_EVENT, CLOSED_EVENT, REOPENED, AUTO_CLOSED, NOTIFIED = (
    "opened",
    "taken",
    "closed",
    "reopened",
    "auto_closed",
    "notified",
)


def _event(
    session: Session,
    alert: Alert,
    action: str,
    now: datetime,
    *,
    actor_user_id: int | None = None,
    note: str = "",
) -> None:
    session.add(
        AlertEvent(alert_id=alert.id, at=now, actor_user_id=actor_user_id, action=action, note=note)
    )


def raise_alert(
    session: Session,
    *,
    beneficiary_id: int,
    kind: str,
    message: str,
    dedupe_key: str,
    recipient_ids: list[int],
    critical: bool,
    now: datetime,
) -> Alert | None:
    """Open an alert in the caller's transaction, name its recipients (besides the care
    managers, who see every alert) and plan the e-mails owed (`backend.services.mail`).

    None when an alert with `dedupe_key` already exists, whatever its state (raised twice, by
    a retried job or by two workers, it is one alert). `message` is French and free of health
    details."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    if session.scalar(select(Alert.id).where(Alert.dedupe_key == dedupe_key)) is not None:
        return None
    if session.get(Beneficiary, beneficiary_id) is None:
        raise ValueError(f"no beneficiary {beneficiary_id}")
    alert = Alert(
        beneficiary_id=beneficiary_id,
        kind=kind,
        message=message,
        created_at=now,
        state=OPEN,
        dedupe_key=dedupe_key,
        critical=critical,
        close_note="",
    )
    # A savepoint: losing the race for the dedupe key must not undo the caller's other writes.
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:
        return None
    for user_id in sorted(set(recipient_ids)):
        session.add(AlertRecipient(alert_id=alert.id, user_id=user_id))
    _event(session, alert, OPENED, now)
    session.flush()
    _plan_notifications(session, alert, now)
    return alert


def _plan_notifications(session: Session, alert: Alert, now: datetime) -> None:
    """The e-mails owed for a new alert (backend.services.mail, next)."""


def auto_close(session: Session, alert_id: int, note: str, now: datetime) -> None:
    """Close an alert on the system's behalf ("Confirmé à 9 h 12 par la tablette"), in the
    caller's transaction. Nothing happens when it is already closed or does not exist."""
    alert = session.get(Alert, alert_id)
    if alert is None or alert.state == CLOSED:
        return
    alert.state = CLOSED
    alert.acknowledged_at = now
    alert.closed_by_id = None
    alert.close_note = note
    _event(session, alert, AUTO_CLOSED, now, note=note)
    session.flush()

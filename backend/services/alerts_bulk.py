"""Alerts raised many at a time: what `backend.services.alerts.raise_alert` writes, for a batch
of alerts in a few statements (the escalation checks of a claimed batch of reminders,
`backend.services.reminders.check_occurrences`).

The same rows as `raise_alert`, for the same people: an open `Alert`, its `AlertRecipient`s, an
"opened" `AlertEvent`, and the e-mails owed (`backend.services.mail.plan_for_alerts`) to whoever
holds `view_alerts` for the beneficiary (`alerts.audience`, asked once per beneficiary) and to
the named recipients. The same once-only rule: a dedupe key that exists raises nothing.

Unlike `raise_alert`, there is no savepoint per alert: the caller holds what makes its keys its
own (an escalation check holds its reminder's row lock, and only the check of a reminder raises
`reminder:<id>:<due>`). Were a key raised meanwhile by another transaction, the INSERT fails the
caller's transaction, which the jobs table retries (`backend.services.jobs`): the retry finds
the alert and raises nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Alert, AlertEvent, AlertRecipient, Beneficiary, User
from backend.services import alerts, mail


@dataclass(frozen=True)
class AlertRequest:
    beneficiary: Beneficiary
    kind: str
    message: str  # French, free of health details: it may be e-mailed
    dedupe_key: str
    # The people named on the alert, already known to be in the beneficiary's circle.
    recipients: list[User]
    critical: bool


def raise_alerts(session: Session, requests: list[AlertRequest], now: datetime) -> dict[str, Alert]:
    """Open the alerts whose dedupe key is new, in the caller's transaction; the alerts opened,
    by dedupe key (a key already there, or twice in `requests`, opens one or none)."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    if not requests:
        return {}
    taken = set(
        session.scalars(
            select(Alert.dedupe_key).where(
                Alert.dedupe_key.in_(sorted({r.dedupe_key for r in requests}))
            )
        )
    )
    new: list[tuple[AlertRequest, Alert]] = []
    for request in requests:
        if request.dedupe_key in taken:
            continue
        taken.add(request.dedupe_key)
        alert = Alert(
            beneficiary_id=request.beneficiary.id,
            kind=request.kind,
            message=request.message,
            created_at=now,
            state=alerts.OPEN,
            dedupe_key=request.dedupe_key,
            critical=request.critical,
            close_note="",
        )
        new.append((request, alert))
    if not new:
        return {}
    # Who holds view_alerts, once per beneficiary, before anything is added (each of these
    # queries would otherwise flush what was added so far, one INSERT at a time).
    holders: dict[int, list[User]] = {}
    for request, _ in new:
        if request.beneficiary.id not in holders:
            holders[request.beneficiary.id] = alerts.audience(session, request.beneficiary, [])
    session.add_all(alert for _, alert in new)
    session.flush()  # their ids
    planned: list[tuple[Alert, list[User]]] = []
    for request, alert in new:
        named = {user.id: user for user in request.recipients}
        for user_id in sorted(named):
            session.add(AlertRecipient(alert_id=alert.id, user_id=user_id))
        session.add(
            AlertEvent(alert_id=alert.id, at=now, actor_user_id=None, action=alerts.OPENED, note="")
        )
        # alerts.audience(beneficiary, named): the holders and the named, by id.
        people = {user.id: user for user in holders[request.beneficiary.id]} | named
        planned.append((alert, [people[user_id] for user_id in sorted(people)]))
    session.flush()
    mail.plan_for_alerts(session, planned, now)
    return {request.dedupe_key: alert for request, alert in new}

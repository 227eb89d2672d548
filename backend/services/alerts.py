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

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.errors import Conflict, Invalid, NotFound
from backend.models import (
    Alert,
    AlertEvent,
    AlertRecipient,
    Beneficiary,
    BeneficiaryShare,
    CircleMember,
    Membership,
    User,
)
from backend.policy import Permission, allowed
from backend.services import access, audit, mail
from backend.text import check as check_text

OPEN, TAKEN, CLOSED = "open", "taken", "closed"
STATES = (OPEN, TAKEN, CLOSED)
# Not closed: what needs a person still (the dashboard's count, the default list).
ACTIVE = (OPEN, TAKEN)

OPENED, TAKEN_EVENT, CLOSED_EVENT, REOPENED, AUTO_CLOSED, NOTIFIED = (
    "opened",
    "taken",
    "closed",
    "reopened",
    "auto_closed",
    mail.NOTIFIED,
)

MAX_NOTE_LENGTH = 2000
NOT_FOUND = "Alerte introuvable."


# --- raising and closing on the system's behalf ------------------------------------------------


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
    beneficiary = session.get(Beneficiary, beneficiary_id)
    if beneficiary is None:
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
    recipients = sorted(set(recipient_ids))
    for user_id in recipients:
        session.add(AlertRecipient(alert_id=alert.id, user_id=user_id))
    _event(session, alert, OPENED, now)
    session.flush()
    mail.plan_for_alert(session, alert, audience(session, beneficiary, recipients), now)
    return alert


def audience(session: Session, beneficiary: Beneficiary, recipient_ids: list[int]) -> list[User]:
    """Who hears of a new alert: whoever holds `view_alerts` for the beneficiary (its care
    managers), and the named recipients still in its circle; by id."""
    candidates: set[int] = {beneficiary.care_manager_id, *recipient_ids}
    candidates.update(
        session.scalars(
            select(Membership.user_id)
            .join(
                BeneficiaryShare,
                BeneficiaryShare.organisation_id == Membership.organisation_id,
            )
            .where(BeneficiaryShare.beneficiary_id == beneficiary.id)
        )
    )
    candidates.update(
        session.scalars(
            select(CircleMember.user_id).where(CircleMember.beneficiary_id == beneficiary.id)
        )
    )
    named = set(recipient_ids)
    people = []
    for user in session.scalars(select(User).where(User.id.in_(candidates)).order_by(User.id)):
        roles = access.roles_of(session, user, beneficiary)
        if allowed(roles, Permission.VIEW_ALERTS) or (roles and user.id in named):
            people.append(user)
    return people


def auto_close(session: Session, alert_id: int, note: str, now: datetime) -> None:
    """Close an alert on the system's behalf ("Confirmé à 9 h 12 par la tablette"), in the
    caller's transaction. Nothing happens when it is already closed or does not exist."""
    alert = session.get(Alert, alert_id)
    if alert is None or state_of(alert) == CLOSED:
        return
    alert.state = CLOSED
    alert.acknowledged_at = now
    alert.closed_by_id = None
    alert.close_note = note
    _event(session, alert, AUTO_CLOSED, now, note=note)
    session.flush()


# --- reading ---------------------------------------------------------------------------------


def state_of(alert: Alert) -> str:
    """open, taken or closed. `acknowledged_at` is the closing time: an alert acknowledged
    through the older well-being route (which sets only that) is closed too."""
    if alert.acknowledged_at is not None:
        return CLOSED
    return TAKEN if alert.state == TAKEN else OPEN


def _state_clause(states: tuple[str, ...]) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    if CLOSED in states:
        clauses.append(Alert.acknowledged_at.is_not(None))
    if TAKEN in states:
        clauses.append(and_(Alert.acknowledged_at.is_(None), Alert.state == TAKEN))
    if OPEN in states:
        clauses.append(and_(Alert.acknowledged_at.is_(None), Alert.state != TAKEN))
    return or_(*clauses)


@dataclass(frozen=True)
class AlertView:
    """An alert as the console and the API show it."""

    id: int
    beneficiary_id: int
    beneficiary_name: str  # "Jeanne Martin"
    kind: str
    message: str
    critical: bool
    state: str  # open, taken, closed
    created_at: datetime
    taken_by_id: int | None
    taken_by_name: str | None  # "prise en charge par Claire Dupont"
    taken_at: datetime | None
    closed_at: datetime | None
    closed_by_id: int | None  # None with closed_at set: closed by the system
    closed_by_name: str | None
    close_note: str
    # The caller is a named recipient (not, or not only, a care manager).
    named: bool
    # The caller may take, close, reopen (today: whoever sees it).
    can_act: bool


@dataclass(frozen=True)
class EventView:
    at: datetime
    action: str  # opened, taken, closed, reopened, auto_closed, notified
    actor_user_id: int | None  # None: the system
    actor_name: str | None
    note: str


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())


def _views(session: Session, user: User, alerts: list[Alert]) -> list[AlertView]:
    names = _names(session, {a.taken_by_id for a in alerts} | {a.closed_by_id for a in alerts})
    beneficiaries = {
        b.id: b
        for b in session.scalars(
            select(Beneficiary).where(Beneficiary.id.in_({a.beneficiary_id for a in alerts}))
        )
    }
    named = set(
        session.scalars(
            select(AlertRecipient.alert_id).where(
                AlertRecipient.user_id == user.id,
                AlertRecipient.alert_id.in_([a.id for a in alerts]),
            )
        )
    )
    views = []
    for a in alerts:
        b = beneficiaries[a.beneficiary_id]
        views.append(
            AlertView(
                id=a.id,
                beneficiary_id=a.beneficiary_id,
                beneficiary_name=f"{b.first_name} {b.last_name}",
                kind=a.kind,
                message=a.message,
                critical=a.critical,
                state=state_of(a),
                created_at=a.created_at,
                taken_by_id=a.taken_by_id,
                taken_by_name=names.get(a.taken_by_id) if a.taken_by_id else None,
                taken_at=a.taken_at,
                closed_at=a.acknowledged_at,
                closed_by_id=a.closed_by_id,
                closed_by_name=names.get(a.closed_by_id) if a.closed_by_id else None,
                close_note=a.close_note or "",
                named=a.id in named,
                can_act=True,
            )
        )
    return views


def _sees_all(session: Session, user: User, beneficiary: Beneficiary) -> bool | None:
    """True: every alert of the beneficiary (view_alerts); False: only those naming `user`;
    None: outside the circle (nothing)."""
    roles = access.roles_of(session, user, beneficiary)
    if not roles:
        return None
    return allowed(roles, Permission.VIEW_ALERTS)


def _visible(session: Session, user: User, alert_id: int) -> Alert:
    """The alert if `user` sees it, else NotFound (as if it did not exist)."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(NOT_FOUND)
    beneficiary = session.get(Beneficiary, alert.beneficiary_id)
    sees_all = None if beneficiary is None else _sees_all(session, user, beneficiary)
    if sees_all is None:
        raise NotFound(NOT_FOUND)
    if not sees_all:
        named = session.scalar(
            select(AlertRecipient.id).where(
                AlertRecipient.alert_id == alert.id, AlertRecipient.user_id == user.id
            )
        )
        if named is None:
            raise NotFound(NOT_FOUND)
    return alert


def _audit(session: Session, user: User, alert: Alert, action: str, now: datetime) -> None:
    audit.record(
        session,
        action=action,
        entity="alert",
        entity_id=alert.id,
        beneficiary_id=alert.beneficiary_id,
        user_id=user.id,
        at=now,
    )


def list_for_user(
    session: Session,
    user: User,
    *,
    now: datetime,
    beneficiary_id: int | None = None,
    states: tuple[str, ...] = ACTIVE,
    limit: int = 50,
    before_id: int | None = None,
) -> list[AlertView]:
    """The alerts `user` sees, newest first (`before_id` pages back), in `states`; of one
    beneficiary or of all those whose circle `user` is in. A beneficiary outside the caller's
    circle gives NotFound, one where they see nothing an empty list."""
    unknown = set(states) - set(STATES)
    if unknown or not states:
        raise ValueError(f"unknown alert states {sorted(unknown)}")
    if beneficiary_id is not None:
        beneficiary = session.get(Beneficiary, beneficiary_id)
        sees = None if beneficiary is None else _sees_all(session, user, beneficiary)
        if beneficiary is None or sees is None:
            raise NotFound("Bénéficiaire introuvable.")
        whole = [beneficiary_id] if sees else []
        partial = [] if sees else [beneficiary_id]
    else:
        whole, partial = [], []
        visible = access.visible_beneficiaries(session, user)
        roles = access.roles_for_many(session, user, visible)
        for b in visible:
            (whole if allowed(roles[b.id], Permission.VIEW_ALERTS) else partial).append(b.id)
    if not whole and not partial:
        return []
    named = exists().where(AlertRecipient.alert_id == Alert.id, AlertRecipient.user_id == user.id)
    query = select(Alert).where(
        or_(Alert.beneficiary_id.in_(whole), and_(Alert.beneficiary_id.in_(partial), named)),
        _state_clause(states),
    )
    if before_id is not None:
        query = query.where(Alert.id < before_id)
    rows = list(session.scalars(query.order_by(Alert.id.desc()).limit(limit)))
    for beneficiary_seen in sorted({a.beneficiary_id for a in rows}):
        audit.record(
            session,
            action="read",
            entity="alert",
            entity_id=None,
            beneficiary_id=beneficiary_seen,
            user_id=user.id,
            at=now,
        )
    return _views(session, user, rows)


@dataclass(frozen=True)
class ActiveCount:
    """A beneficiary's alerts still to be dealt with (open or taken)."""

    active: int
    critical: int  # of which critical
    untaken: int  # of which no one has taken on yet


def active_counts(session: Session, beneficiary_ids: list[int]) -> dict[int, ActiveCount]:
    """Per beneficiary, for a page that lists them (the dashboard): no rights checked here,
    the caller lists only those it may (every alert counts: for their care managers)."""
    if not beneficiary_ids:
        return {}
    rows = session.execute(
        select(Alert.beneficiary_id, Alert.critical, Alert.state).where(
            Alert.beneficiary_id.in_(beneficiary_ids), Alert.acknowledged_at.is_(None)
        )
    ).all()
    counts: dict[int, list[int]] = {}
    for beneficiary_id, critical, state in rows:
        c = counts.setdefault(beneficiary_id, [0, 0, 0])
        c[0] += 1
        c[1] += bool(critical)
        c[2] += state != TAKEN
    return {b: ActiveCount(*c) for b, c in counts.items()}


def get(session: Session, user: User, alert_id: int, now: datetime) -> AlertView:
    alert = _visible(session, user, alert_id)
    _audit(session, user, alert, "read", now)
    return _views(session, user, [alert])[0]


def history(session: Session, user: User, alert_id: int, now: datetime) -> list[EventView]:
    """Every step of the alert, oldest first (opened, taken, notified, closed…)."""
    alert = _visible(session, user, alert_id)
    events = list(
        session.scalars(
            select(AlertEvent)
            .where(AlertEvent.alert_id == alert.id)
            .order_by(AlertEvent.at, AlertEvent.id)
        )
    )
    names = _names(session, {e.actor_user_id for e in events})
    return [
        EventView(
            at=e.at,
            action=e.action,
            actor_user_id=e.actor_user_id,
            actor_name=names.get(e.actor_user_id) if e.actor_user_id else None,
            note=e.note or "",
        )
        for e in events
    ]


# --- what people do --------------------------------------------------------------------------


def _note(note: str, *, required: bool) -> str:
    note = note.strip()
    if required and not note:
        raise Invalid("Dites en quelques mots ce qui a été fait pour clore l'alerte.")
    if len(note) > MAX_NOTE_LENGTH:
        raise Invalid("La note fait plus de {n} caractères.", n=MAX_NOTE_LENGTH)
    return check_text(note, "La note", multiline=True)


def take(session: Session, user: User, alert_id: int, now: datetime) -> AlertView:
    """ "Prise en charge par X": `user` takes the alert on (from someone else too). Taking
    what one already holds changes nothing; a closed alert must be reopened first (409)."""
    alert = _visible(session, user, alert_id)
    state = state_of(alert)
    if state == CLOSED:
        raise Conflict("Cette alerte est close : rouvrez-la pour la prendre en charge.")
    if not (state == TAKEN and alert.taken_by_id == user.id):
        alert.state = TAKEN
        alert.taken_by_id = user.id
        alert.taken_at = now
        _event(session, alert, TAKEN_EVENT, now, actor_user_id=user.id)
        _audit(session, user, alert, "update", now)
        session.flush()
    return _views(session, user, [alert])[0]


def close(session: Session, user: User, alert_id: int, note: str, now: datetime) -> AlertView:
    """Close with a note saying what was done (required); 409 when already closed."""
    alert = _visible(session, user, alert_id)
    note = _note(note, required=True)
    if state_of(alert) == CLOSED:
        raise Conflict("Cette alerte est déjà close.")
    alert.state = CLOSED
    alert.acknowledged_at = now
    alert.closed_by_id = user.id
    alert.close_note = note
    _event(session, alert, CLOSED_EVENT, now, actor_user_id=user.id, note=note)
    _audit(session, user, alert, "update", now)
    session.flush()
    return _views(session, user, [alert])[0]


def reopen(session: Session, user: User, alert_id: int, now: datetime, note: str = "") -> AlertView:
    """A closed alert is open again (no one holds it); 409 when it is not closed. The close
    note stays in the history."""
    alert = _visible(session, user, alert_id)
    note = _note(note, required=False)
    if state_of(alert) != CLOSED:
        raise Conflict("Cette alerte n'est pas close.")
    alert.state = OPEN
    alert.acknowledged_at = None
    alert.closed_by_id = None
    alert.close_note = ""
    alert.taken_by_id = None
    alert.taken_at = None
    _event(session, alert, REOPENED, now, actor_user_id=user.id, note=note)
    _audit(session, user, alert, "update", now)
    session.flush()
    return _views(session, user, [alert])[0]

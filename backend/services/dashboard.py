"""The care manager's dashboard: every beneficiary they follow, most urgent first.

Most urgent: whoever has critical alerts still open (an unconfirmed critical reminder is a
critical alert), then open alerts no one has taken on yet, then other open alerts, then
tablets in trouble (`device_health`: urgent, then to look at), then the rest (visits missed or
late today, tablets offline, unread health messages, a tablet's news for information). Each
tablet carries its health's headline in the page's words. Also the console menu's count of
open alerts (`alert_menu`)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from backend.models import (
    Alert,
    AlertRecipient,
    Beneficiary,
    Message,
    MessageRead,
    MessageRecipient,
    MoodCheckin,
    User,
)
from backend.policy import Permission, allowed
from backend.services import access, agenda, alerts, audit, device_health, visits, wellbeing
from common.recurrence import Occurrence, next_occurrence

ONLINE_WITHIN = device_health.ONLINE_WITHIN


@dataclass(frozen=True)
class Tablet:
    id: int
    name: str
    online: bool
    last_seen_at: datetime | None
    severity: int = device_health.OK  # its health: 3 urgent … 0 all is well
    headline: str | None = None  # what matters most about it, said as a person would


@dataclass(frozen=True)
class Row:
    beneficiary: Beneficiary
    tablets: list[Tablet]
    unread_health: int
    last_mood: MoodCheckin | None
    mood_trend: str | None
    next_visit: Occurrence | None
    late_today: int
    missed_today: int
    open_alerts: int  # not closed (open or taken)
    critical_alerts: int = 0  # of which critical
    untaken_alerts: int = 0  # of which no one has taken on yet

    @property
    def offline_tablets(self) -> int:
        return sum(1 for t in self.tablets if not t.online)

    @property
    def tablet_severity(self) -> int:
        """The health of the tablet that needs a person most (0 without tablet)."""
        return max((t.severity for t in self.tablets), default=device_health.OK)

    def urgency(self) -> tuple[int, ...]:
        """What needs a person first: critical alerts, then alerts no one has taken on, then
        other open alerts, then a tablet in trouble (urgent before "to look at"), then the
        rest (visits, tablets offline, messages), a tablet's news for information last."""
        trouble = self.tablet_severity if self.tablet_severity >= device_health.ATTENTION else 0
        return (
            -self.critical_alerts,
            -self.untaken_alerts,
            -self.open_alerts,
            -trouble,
            -self.missed_today,
            -self.late_today,
            -self.offline_tablets,
            -self.unread_health,
            -self.tablet_severity,
        )


def _folded(text: str) -> str:
    """Lower case without accents: "Hélène" is found by "helene"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def followed(session: Session, user: User, q: str | None) -> list[Beneficiary]:
    """The beneficiaries `user` follows as care manager (MANAGE_DEVICES), matching `q`."""
    found = []
    words = _folded(q or "").split()
    visible = access.visible_beneficiaries(session, user)
    roles = access.roles_for_many(session, user, visible)
    for b in visible:
        if not allowed(roles[b.id], Permission.MANAGE_DEVICES):
            continue
        name = _folded(f"{b.first_name} {b.last_name}")
        if all(word in name for word in words):
            found.append(b)
    return found


def _unread_health(session: Session, user: User, ids: list[int]) -> dict[int, int]:
    read = select(MessageRead.id).where(
        MessageRead.message_id == Message.id, MessageRead.user_id == user.id
    )
    rows = session.execute(
        select(Message.beneficiary_id, func.count(func.distinct(Message.id)))
        .join(MessageRecipient, MessageRecipient.message_id == Message.id)
        .where(
            Message.beneficiary_id.in_(ids),
            Message.space == "health",
            Message.deleted_at.is_(None),
            MessageRecipient.user_id == user.id,
            or_(Message.author_user_id.is_(None), Message.author_user_id != user.id),
            ~read.exists(),
        )
        .group_by(Message.beneficiary_id)
    ).all()
    return {b: n for b, n in rows}


def _tablets(
    session: Session, beneficiaries: list[Beneficiary], now: datetime, lang: str
) -> dict[int, list[Tablet]]:
    """Each person's tablets (by id) with their health, in one statement for everyone."""
    out: dict[int, list[Tablet]] = {}
    for beneficiary_id, found in device_health.for_beneficiaries(
        session, beneficiaries, now, lang
    ).items():
        tablets = []
        for health in sorted(found, key=lambda h: h.device.id):
            d, headline = health.device, health.headline
            online = d.last_seen_at is not None and now - d.last_seen_at <= ONLINE_WITHIN
            text = headline.text if headline is not None and health.severity > 0 else None
            tablets.append(Tablet(d.id, d.name, online, d.last_seen_at, health.severity, text))
        out[beneficiary_id] = tablets
    return out


def dashboard(
    session: Session, user: User, q: str | None, now: datetime, lang: str = "fr"
) -> list[Row]:
    """`lang`: the language of the tablets' health ("fr", "en")."""
    beneficiaries = followed(session, user, q)
    ids = [b.id for b in beneficiaries]
    unread = _unread_health(session, user, ids) if ids else {}
    counts = alerts.active_counts(session, ids)
    tablets = _tablets(session, beneficiaries, now, lang)
    rows = []
    for b in beneficiaries:
        last_mood, trend = wellbeing.last_mood_and_trend(session, b.id, now)
        if last_mood is not None:
            # The mood shown is health data: its reading is logged like any other.
            audit.record(
                session,
                action="read",
                entity=wellbeing.ENTITY,
                entity_id=last_mood.id,
                beneficiary_id=b.id,
                user_id=user.id,
                at=now,
            )
        planned_visits = [
            agenda.as_agenda_event(e) for e in agenda.events_of(session, b.id) if e.kind == "visit"
        ]
        today = visits.today_summary(session, b, now)
        rows.append(
            Row(
                beneficiary=b,
                tablets=tablets.get(b.id, []),
                unread_health=unread.get(b.id, 0),
                last_mood=last_mood,
                mood_trend=trend,
                next_visit=next_occurrence(planned_visits, now),
                late_today=today.late,
                missed_today=today.missed,
                open_alerts=counts[b.id].active if b.id in counts else 0,
                critical_alerts=counts[b.id].critical if b.id in counts else 0,
                untaken_alerts=counts[b.id].untaken if b.id in counts else 0,
            )
        )
    rows.sort(
        key=lambda r: (
            r.urgency(),
            _folded(r.beneficiary.last_name),
            _folded(r.beneficiary.first_name),
            r.beneficiary.id,
        )
    )
    return rows


def alert_menu(session: Session, user: User) -> int | None:
    """The console menu's "Alertes": None when `user` sees no alert anywhere (they hold
    `view_alerts` for no one and no alert names them), else how many of the alerts they see
    are open and not taken on yet. Counting reads nothing of an alert: nothing is audited."""
    whole: list[int] = []
    partial: list[int] = []
    visible = access.visible_beneficiaries(session, user)
    roles = access.roles_for_many(session, user, visible)
    for b in visible:
        sees_all = b.care_manager_id == user.id or allowed(roles[b.id], Permission.VIEW_ALERTS)
        (whole if sees_all else partial).append(b.id)
    named = 0
    if partial:
        mine = (
            select(Alert.id)
            .join(AlertRecipient, AlertRecipient.alert_id == Alert.id)
            .where(AlertRecipient.user_id == user.id, Alert.beneficiary_id.in_(partial))
        )
        if session.scalar(mine.limit(1)) is None:
            partial = []
        else:
            named = (
                session.scalar(
                    select(func.count()).select_from(
                        mine.where(
                            Alert.acknowledged_at.is_(None), Alert.state != alerts.TAKEN
                        ).subquery()
                    )
                )
                or 0
            )
    if not whole and not partial:
        return None
    return named + sum(c.untaken for c in alerts.active_counts(session, whole).values())

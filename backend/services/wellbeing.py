"""Well-being: the beneficiary's mood check-ins (tablet), professionals' readings, the weekly
summary and the mood-drop alert. Rules and vocabulary: docs/wellbeing.md.

Well-being data is health data: every read and write is written to the audit log (entity
"wellbeing"; alerts: entity "alert"). While the beneficiary pauses "Partager mon humeur" on the
tablet (`Beneficiary.mood_sharing_paused_at`, backend.services.consent), family and friends
get 403 with a sentence saying so (`require_shared`); the others read as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import fmean
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import Forbidden, Invalid, NotFound
from backend.models import (
    Alert,
    Beneficiary,
    Device,
    MoodCheckin,
    User,
    WellbeingReading,
)
from backend.policy import Permission, may_view_wellbeing
from backend.services import access, audit
from backend.services import alerts as alerts_service
from backend.text import check as check_text

# The words a tablet may attach to a mood check-in (shown in French on the tablet).
MOOD_TAGS: dict[str, str] = {
    "sleep": "sommeil",
    "pain": "douleur",
    "appetite": "appétit",
    "lonely": "seul·e",
    "tired": "fatigué·e",
    "happy": "content·e",
    "calm": "serein·e",
    "anxious": "inquiet·ète",
    "sad": "triste",
    "bored": "ennui",
    "visit": "visite",
    "family": "famille",
}
MAX_TAGS = 5
MIN_SCORE, MAX_SCORE = 1, 5
MAX_NOTE_LENGTH = 2000
# A time sent by the tablet is refused beyond these bounds (clock drift / stale outbox).
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_AGE = timedelta(days=30)
MAX_RANGE_DAYS = 366
MAX_WEEKS = 52

ALERT_KIND = "mood_drop"
# The alert rule (docs/wellbeing.md).
RECENT_WINDOW = timedelta(days=7)
PREVIOUS_WINDOW = timedelta(days=21)
MIN_VALUES_PER_WINDOW = 3
DROP_THRESHOLD = 1.0
LOW_SCORE_WINDOW = timedelta(hours=48)
# The dashboard's trend: last 7 days against the 7 before.
TREND_WINDOW = timedelta(days=7)
TREND_THRESHOLD = 0.5

ENTITY = "wellbeing"


# --- validation -------------------------------------------------------------------------------


def check_score(value: object) -> int:
    # bool is an int in Python: refuse True/False explicitly.
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("La note doit être un nombre entier de 1 à 5.")
    if not MIN_SCORE <= value <= MAX_SCORE:
        raise Invalid("La note doit être comprise entre 1 et 5.")
    return value


def check_tags(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise Invalid("Les mots-clés doivent être une liste de mots.")
    if len(value) > MAX_TAGS:
        raise Invalid("Au plus {n} mots-clés.", n=MAX_TAGS)
    unknown = [t for t in value if t not in MOOD_TAGS]
    if unknown:
        raise Invalid(
            "Mot-clé inconnu : {tag}. Mots possibles : {tags}.",
            tag=unknown[0][:40],
            tags=", ".join(MOOD_TAGS),
        )
    return list(dict.fromkeys(value))  # duplicates once, order kept


def parse_instant(value: object, field: str) -> datetime:
    if not isinstance(value, str) or len(value) > 64:
        raise Invalid("{field} : date et heure ISO 8601 attendues.", field=field)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise Invalid("{field} : date et heure ISO 8601 illisibles.", field=field) from exc
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise Invalid("{field} : le fuseau horaire (décalage) est obligatoire.", field=field)
    return moment


def check_recent(moment: datetime, now: datetime, field: str) -> datetime:
    """A time from the tablet (at most 5 minutes ahead of ours, at most 30 days old), in UTC."""
    if moment > now + FUTURE_TOLERANCE:
        raise Invalid(
            "{field} : cette heure est dans le futur (horloge de la tablette ?).", field=field
        )
    if moment < now - MAX_AGE:
        raise Invalid("{field} : plus de 30 jours, trop ancien pour être enregistré.", field=field)
    return moment.astimezone(UTC)


def check_note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise Invalid("La note fait plus de {n} caractères.", n=MAX_NOTE_LENGTH)
    return check_text(note, "La note", multiline=True)


# --- writes -----------------------------------------------------------------------------------


def mood_payload(mood: MoodCheckin) -> dict[str, Any]:
    return {
        "id": mood.id,
        "score": mood.score,
        "tags": json.loads(mood.tags),
        "recorded_at": mood.recorded_at.isoformat(),
    }


def mood_action(
    session: Session, device: Device, beneficiary: Beneficiary, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The tablet's "mood" action: {"score": 1..5, "tags": [...], "recorded_at": ISO aware}."""
    unknown = set(data) - {"score", "tags", "recorded_at"}
    if unknown:
        raise Invalid("Champ inconnu : {name}.", name=sorted(unknown)[0][:40])
    score = check_score(data.get("score"))
    tags = check_tags(data.get("tags"))
    recorded_at = check_recent(
        parse_instant(data.get("recorded_at"), "recorded_at"), now, "recorded_at"
    )
    mood = MoodCheckin(
        beneficiary_id=beneficiary.id,
        device_id=device.id,
        score=score,
        tags=json.dumps(tags),
        recorded_at=recorded_at,
        created_at=now,
    )
    session.add(mood)
    session.flush()
    audit.record(
        session,
        action="create",
        entity=ENTITY,
        entity_id=mood.id,
        beneficiary_id=beneficiary.id,
        device_id=device.id,
        at=now,
    )
    alert = check_alert(session, beneficiary, now)
    return {**mood_payload(mood), "alert_created": alert is not None}


def record_reading(
    session: Session, user: User, beneficiary: Beneficiary, score: int, note: str, now: datetime
) -> tuple[WellbeingReading, Alert | None]:
    reading = WellbeingReading(
        beneficiary_id=beneficiary.id,
        author_user_id=user.id,
        score=check_score(score),
        note=check_note(note),
        recorded_at=now,
        created_at=now,
    )
    session.add(reading)
    session.flush()
    audit.record(
        session,
        action="create",
        entity=ENTITY,
        entity_id=reading.id,
        beneficiary_id=beneficiary.id,
        user_id=user.id,
        at=now,
    )
    return reading, check_alert(session, beneficiary, now)


# --- the alert rule ---------------------------------------------------------------------------


def _scores_since(
    session: Session, beneficiary_id: int, since: datetime
) -> list[tuple[datetime, int]]:
    moods = session.execute(
        select(MoodCheckin.recorded_at, MoodCheckin.score).where(
            MoodCheckin.beneficiary_id == beneficiary_id, MoodCheckin.recorded_at > since
        )
    ).all()
    readings = session.execute(
        select(WellbeingReading.recorded_at, WellbeingReading.score).where(
            WellbeingReading.beneficiary_id == beneficiary_id, WellbeingReading.recorded_at > since
        )
    ).all()
    return [(at, score) for at, score in [*moods, *readings]]


def _fr(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def alert_reason(values: list[tuple[datetime, int]], now: datetime) -> str | None:
    """The French message of the alert the rule raises at `now`, or None.

    values: (recorded_at, score) of moods and readings. See docs/wellbeing.md.
    """
    recent = [s for at, s in values if at > now - RECENT_WINDOW]
    previous = [
        s for at, s in values if now - RECENT_WINDOW - PREVIOUS_WINDOW < at <= now - RECENT_WINDOW
    ]
    if len(recent) >= MIN_VALUES_PER_WINDOW and len(previous) >= MIN_VALUES_PER_WINDOW:
        recent_mean, previous_mean = fmean(recent), fmean(previous)
        # Rounded to avoid 3.0 - 2.0000000001 style misses at exactly one point.
        if round(previous_mean - recent_mean, 9) >= DROP_THRESHOLD:
            return (
                f"Baisse de l'humeur : moyenne de {_fr(recent_mean)} sur 5 ces 7 derniers jours, "
                f"contre {_fr(previous_mean)} les 3 semaines précédentes."
            )
    lows = [at for at, s in values if s == MIN_SCORE and at > now - LOW_SCORE_WINDOW]
    if len(lows) >= 2:
        return "Humeur très basse : au moins deux notes de 1 sur 5 en moins de 48 heures."
    return None


def check_alert(session: Session, beneficiary: Beneficiary, now: datetime) -> Alert | None:
    """Apply the rule after a new mood or reading; at most one open alert per beneficiary."""
    # Serialise concurrent writers for this beneficiary (PostgreSQL; SQLite writes one at a time)
    # so that two check-ins at once cannot open two alerts.
    # FOR NO KEY UPDATE: the row inserted just before (a mood, a reading) holds KEY SHARE on
    # the beneficiary; FOR UPDATE would wait on the other writer's KEY SHARE, and it on ours:
    # two tablets of one person writing at once deadlocked (tests/e2e/test_haproxy.py).
    session.execute(
        select(Beneficiary.id)
        .where(Beneficiary.id == beneficiary.id)
        .with_for_update(key_share=True)
    )
    since = now - RECENT_WINDOW - PREVIOUS_WINDOW
    message = alert_reason(_scores_since(session, beneficiary.id, since), now)
    if message is None:
        return None
    open_alert = session.scalar(
        select(Alert.id).where(
            Alert.beneficiary_id == beneficiary.id,
            Alert.kind == ALERT_KIND,
            Alert.acknowledged_at.is_(None),
        )
    )
    if open_alert is not None:
        return None
    # Through the one place for alerts: its history, and the e-mails (which say only "le
    # bien-être de Jeanne Martin demande votre attention", never the figures of `message`,
    # which only those who see the alert in the console read).
    return alerts_service.raise_alert(
        session,
        beneficiary_id=beneficiary.id,
        kind=ALERT_KIND,
        message=message,
        dedupe_key=f"{ALERT_KIND}:{beneficiary.id}:{now.astimezone(UTC).isoformat()}",
        recipient_ids=[],
        critical=False,
        now=now,
    )


# --- the beneficiary's pause of "Partager mon humeur" (backend.services.consent) ---------------


def require_shared(session: Session, user: User, beneficiary: Beneficiary) -> None:
    """403, saying why, when the beneficiary paused the sharing of their mood and `user` sees
    it only through a role the pause closes (family, friends). Recorded nowhere: nothing was
    read."""
    since = beneficiary.mood_sharing_paused_at
    if since is None:
        return
    roles = access.roles_of(session, user, beneficiary)
    if may_view_wellbeing(roles, mood_sharing_paused=True):
        return
    raise Forbidden(
        "{name} a mis en pause le partage de son humeur depuis le {since} : ses humeurs ne "
        "sont plus visibles par la famille et les amis, jusqu'à ce que le partage reprenne "
        "depuis sa tablette.",
        name=f"{beneficiary.first_name} {beneficiary.last_name}".strip(),
        since=_french_day(since.astimezone(ZoneInfo(beneficiary.timezone)).date()),
    )


_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre")  # fmt: skip


def _french_day(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {_MONTHS[day.month - 1]} {day.year}"


# --- reads ------------------------------------------------------------------------------------


def _audit_read(
    session: Session, user: User, beneficiary: Beneficiary, now: datetime, entity: str = ENTITY
) -> None:
    audit.record(
        session,
        action="read",
        entity=entity,
        entity_id=None,
        beneficiary_id=beneficiary.id,
        user_id=user.id,
        at=now,
    )


@dataclass(frozen=True)
class SeriesItem:
    type: str  # "mood" or "reading"
    id: int
    score: int
    recorded_at: datetime
    tags: list[str]
    note: str | None
    author_user_id: int | None
    author_name: str | None


def series(
    session: Session,
    user: User,
    beneficiary: Beneficiary,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[SeriesItem]:
    """Moods and readings recorded in [start, end), oldest first (at most 366 days). 403 for
    family and friends while the beneficiary pauses the sharing of their mood."""
    require_shared(session, user, beneficiary)
    if end <= start or end - start > timedelta(days=MAX_RANGE_DAYS):
        raise Invalid("La période doit être positive et d'au plus 366 jours.")
    moods = session.scalars(
        select(MoodCheckin).where(
            MoodCheckin.beneficiary_id == beneficiary.id,
            MoodCheckin.recorded_at >= start,
            MoodCheckin.recorded_at < end,
        )
    ).all()
    readings = session.execute(
        select(WellbeingReading, User.name)
        .join(User, User.id == WellbeingReading.author_user_id)
        .where(
            WellbeingReading.beneficiary_id == beneficiary.id,
            WellbeingReading.recorded_at >= start,
            WellbeingReading.recorded_at < end,
        )
    ).all()
    items = [
        SeriesItem("mood", m.id, m.score, m.recorded_at, json.loads(m.tags), None, None, None)
        for m in moods
    ]
    items += [
        SeriesItem("reading", r.id, r.score, r.recorded_at, [], r.note, r.author_user_id, name)
        for r, name in readings
    ]
    items.sort(key=lambda i: (i.recorded_at, i.type, i.id))
    _audit_read(session, user, beneficiary, now)
    return items


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly(
    session: Session, user: User, beneficiary: Beneficiary, weeks: int, now: datetime
) -> list[dict[str, Any]]:
    """One summary per ISO week (weeks of the beneficiary's time zone), oldest first, the
    current week last. 403 for family and friends while the mood sharing is paused."""
    require_shared(session, user, beneficiary)
    if not 1 <= weeks <= MAX_WEEKS:
        raise Invalid("Le nombre de semaines doit être compris entre 1 et {n}.", n=MAX_WEEKS)
    tz = ZoneInfo(beneficiary.timezone)
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    first_monday = monday - timedelta(weeks=weeks - 1)
    start = datetime.combine(first_monday, time(0), tzinfo=tz)
    end = datetime.combine(monday + timedelta(weeks=1), time(0), tzinfo=tz)
    buckets: dict[str, dict[str, Any]] = {}
    for i in range(weeks):
        week_start = first_monday + timedelta(weeks=i)
        buckets[week_label(week_start)] = {
            "week": week_label(week_start),
            "start": datetime.combine(week_start, time(0), tzinfo=tz),
            "end": datetime.combine(week_start + timedelta(weeks=1), time(0), tzinfo=tz),
            "moods": [],
            "tags": {},
            "readings": [],
        }
    moods = session.execute(
        select(MoodCheckin.recorded_at, MoodCheckin.score, MoodCheckin.tags).where(
            MoodCheckin.beneficiary_id == beneficiary.id,
            MoodCheckin.recorded_at >= start,
            MoodCheckin.recorded_at < end,
        )
    ).all()
    for at, score, tags in moods:
        bucket = buckets[week_label(at.astimezone(tz).date())]
        bucket["moods"].append(score)
        for tag in json.loads(tags):
            bucket["tags"][tag] = bucket["tags"].get(tag, 0) + 1
    readings = session.execute(
        select(WellbeingReading.recorded_at, WellbeingReading.score).where(
            WellbeingReading.beneficiary_id == beneficiary.id,
            WellbeingReading.recorded_at >= start,
            WellbeingReading.recorded_at < end,
        )
    ).all()
    for at, score in readings:
        buckets[week_label(at.astimezone(tz).date())]["readings"].append(score)
    _audit_read(session, user, beneficiary, now)
    out = []
    for b in buckets.values():
        moods_of_week: list[int] = b["moods"]
        readings_of_week: list[int] = b["readings"]
        out.append(
            {
                "week": b["week"],
                "start": b["start"],
                "end": b["end"],
                "mood_count": len(moods_of_week),
                "mood_mean": round(fmean(moods_of_week), 2) if moods_of_week else None,
                "mood_min": min(moods_of_week) if moods_of_week else None,
                "tags": dict(sorted(b["tags"].items(), key=lambda kv: (-kv[1], kv[0]))),
                "reading_count": len(readings_of_week),
                "reading_mean": round(fmean(readings_of_week), 2) if readings_of_week else None,
            }
        )
    return out


# --- the dashboard's view of moods ---------------------------------------------------------------


def last_mood_and_trend(
    session: Session, beneficiary_id: int, now: datetime
) -> tuple[MoodCheckin | None, str | None]:
    """The latest check-in, and the trend: mean of the last 7 days against the 7 before
    ("up"/"down" beyond half a point, else "flat"; None when either week has no check-in)."""
    last = session.scalars(
        select(MoodCheckin)
        .where(MoodCheckin.beneficiary_id == beneficiary_id)
        .order_by(MoodCheckin.recorded_at.desc(), MoodCheckin.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return None, None
    rows = session.execute(
        select(MoodCheckin.recorded_at, MoodCheckin.score).where(
            MoodCheckin.beneficiary_id == beneficiary_id,
            MoodCheckin.recorded_at > now - 2 * TREND_WINDOW,
        )
    ).all()
    recent = [s for at, s in rows if at > now - TREND_WINDOW]
    before = [s for at, s in rows if at <= now - TREND_WINDOW]
    if not recent or not before:
        return last, None
    diff = fmean(recent) - fmean(before)
    if diff >= TREND_THRESHOLD:
        return last, "up"
    if diff <= -TREND_THRESHOLD:
        return last, "down"
    return last, "flat"


# --- alerts -----------------------------------------------------------------------------------


def alerts(
    session: Session,
    user: User,
    beneficiary: Beneficiary,
    *,
    open_only: bool,
    limit: int,
    before_id: int | None,
    now: datetime,
) -> list[Alert]:
    query = select(Alert).where(Alert.beneficiary_id == beneficiary.id)
    if open_only:
        query = query.where(Alert.acknowledged_at.is_(None))
    if before_id is not None:
        query = query.where(Alert.id < before_id)
    rows = list(session.scalars(query.order_by(Alert.id.desc()).limit(limit)))
    _audit_read(session, user, beneficiary, now, entity="alert")
    return rows


def acknowledge(session: Session, user: User, alert_id: int, now: datetime) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound("Alerte introuvable.")
    try:
        access.require(session, user, alert.beneficiary_id, Permission.VIEW_ALERTS)
    except NotFound as exc:
        raise NotFound("Alerte introuvable.") from exc
    if alerts_service.state_of(alert) != alerts_service.CLOSED:
        # "Vu" closes it in the one place for alerts (its history says who and when).
        alerts_service.close(session, user, alert.id, "Vu.", now)
    return alert

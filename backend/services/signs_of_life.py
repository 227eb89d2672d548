"""Signs of life: the daily "Je vais bien" and the morning without a touch (docs/device-protocol.md,
"Signs of life"; the alerts go through backend.services.alerts).

Two rules, each switched on per person by the care manager (`SignOfLifeSettings`; both off
until then):

- **"Je vais bien"**: between `checkin_start` and `checkin_end` (wall clock, the
  beneficiary's zone) the tablet's home asks "Tout va bien aujourd'hui ?"; "Oui, je vais bien"
  sends the device action `checkin_answer`. No answer by the window's end raises
  `checkin_missed`: "Jeanne Martin n'a pas répondu « Je vais bien » ce matin". An answer that
  arrives later (the tablet was offline a moment) closes it.
- **Inactivity**: the tablet reports its touches per hour (counts only). The backend learns the
  usual first touch of the day over the last two weeks: the median of each day's first touched
  hour (from 4 h, in the beneficiary's zone), on weekdays (Monday–Friday) and on weekends apart,
  once it has at least 3 such days ("apprentissage en cours (encore N jours)" before). Nothing
  by that hour's end plus the care manager's grace, or by a fixed deadline ("alerter si aucun
  toucher avant 11 h"), raises `no_sign_of_life`: "Pas de signe de vie ce matin chez Jeanne
  Martin". A touch, an answer or a mood that arrives later closes it.

   Why weekdays and weekends and not each day of the week: two weeks hold two Mondays, never
   the three days a median needs; a person's mornings differ mostly between weekdays (visits,
   the home aide) and weekends.

Neither rule raises anything during the tablet's night mode (its configuration's night hours,
or a report that its screen is off for the night), nor for a tablet that is offline (no tablet
seen for 10 minutes): that is `tablet_offline`'s alert, worded so
(backend.services.devices_offline). Neither raises twice a day (dedupe keys
`checkin_missed:<id>:<local date>`, `no_sign_of_life:<id>:<local date>`).

Jobs: one chain per beneficiary whose rules are on, `signs_of_life_day` at 4 h each local day
(dedupe `sol-day:<id>:<date>`; a date, never "24 hours later", so daylight saving never moves
it): it plans the next day's, and that day's checks at the window's end and at the inactivity
deadline (`signs_of_life_check`, dedupe naming the day, the rule and the instant). A check
whose instant is no longer the rule's (the settings changed since: the save planned another)
does nothing. Saving the settings and every status report (`ensure_planned`) start the chain
again should it have stopped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median_low
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.errors import Invalid
from backend.models import (
    Alert,
    Beneficiary,
    CheckinAnswer,
    Device,
    DeviceStatus,
    DeviceTouchHour,
    Job,
    Message,
    MoodCheckin,
    SignOfLifeSettings,
    User,
)
from backend.policy import Permission
from backend.services import alerts, audit, device_config, jobs, mail, sync, wellbeing
from backend.services.changes import record_change

# Who reads and changes these rules: the care manager (the rules are about the tablet at home).
PERMISSION = Permission.MANAGE_DEVICES

ENTITY = "sign_of_life"  # the sync journal's entity, and the audit log's
CHECKIN_KIND = "checkin_missed"
INACTIVITY_KIND = "no_sign_of_life"
DAY_JOB = "signs_of_life_day"
CHECK_JOB = "signs_of_life_check"

# A local day starts at 4 h for these rules: a touch at 1 h in the night belongs to the night.
DAY_START = time(4, 0)
LEARNING_DAYS = 14
MIN_SAMPLES = 3
MAX_GRACE_MINUTES = 720
DEFAULT_GRACE_MINUTES = 60
# A tablet not seen for this long is offline for these rules (it syncs every ~25 s).
OFFLINE_AFTER = timedelta(minutes=10)
# Touch counts older than this are of no use to the learning: ignored when reported, deleted.
KEEP_TOUCHES = timedelta(days=30)
# "ce matin" for a window or deadline that ends by then, "aujourd'hui" after.
MORNING_ENDS = time(13, 0)

WEEKDAYS, WEEKEND = "weekdays", "weekend"


# --- settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    checkin_enabled: bool
    checkin_start: str  # "08:00"
    checkin_end: str  # "11:00"
    inactivity_enabled: bool
    inactivity_grace_minutes: int
    inactivity_deadline: str | None  # "11:00": a fixed rule instead of the learned time
    updated_at: datetime | None = None
    updated_by_id: int | None = None

    @property
    def any_enabled(self) -> bool:
        return self.checkin_enabled or self.inactivity_enabled


DEFAULTS = Settings(False, "08:00", "11:00", False, DEFAULT_GRACE_MINUTES, None)

_HM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _hm(value: str) -> str:
    match = _HM.fullmatch(value.strip())
    if match is None:
        raise Invalid("Heure invalide : {value}. Attendu : HH:MM, par exemple 21:00.", value=value)
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _time(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def get_settings(session: Session, beneficiary_id: int) -> Settings:
    row = session.get(SignOfLifeSettings, beneficiary_id)
    if row is None:
        return DEFAULTS
    return Settings(
        row.checkin_enabled,
        row.checkin_start,
        row.checkin_end,
        row.inactivity_enabled,
        row.inactivity_grace_minutes,
        row.inactivity_deadline,
        row.updated_at,
        row.updated_by_id,
    )


def set_settings(
    session: Session,
    user: User,
    beneficiary: Beneficiary,
    *,
    checkin_enabled: bool,
    checkin_start: str,
    checkin_end: str,
    inactivity_enabled: bool,
    inactivity_grace_minutes: int,
    inactivity_deadline: str | None,
    now: datetime,
) -> Settings:
    """Replace the rules (the caller checked `PERMISSION`). The tablet learns the window by
    sync; today's checks are planned again at once."""
    start, end = _hm(checkin_start), _hm(checkin_end)
    if _time(start) >= _time(end):
        raise Invalid(
            "La fenêtre « Je vais bien » doit commencer avant de finir, le même jour "
            "(par exemple de 8 h à 11 h)."
        )
    if (
        isinstance(inactivity_grace_minutes, bool)
        or not isinstance(inactivity_grace_minutes, int)
        or not 0 <= inactivity_grace_minutes <= MAX_GRACE_MINUTES
    ):
        raise Invalid(
            "Le délai de grâce doit être un nombre de minutes de 0 à {max}.",
            max=MAX_GRACE_MINUTES,
        )
    deadline = _hm(inactivity_deadline) if inactivity_deadline else None
    if deadline is not None and _time(deadline) <= DAY_START:
        raise Invalid("L'heure limite doit être après 4 h du matin.")
    row = session.get(SignOfLifeSettings, beneficiary.id)
    if row is None:
        row = SignOfLifeSettings(beneficiary_id=beneficiary.id)
        session.add(row)
    row.checkin_enabled = bool(checkin_enabled)
    row.checkin_start, row.checkin_end = start, end
    row.inactivity_enabled = bool(inactivity_enabled)
    row.inactivity_grace_minutes = inactivity_grace_minutes
    row.inactivity_deadline = deadline
    row.updated_at = now
    row.updated_by_id = user.id
    session.flush()
    record_change(session, beneficiary.id, ENTITY, beneficiary.id, "upsert")
    settings = get_settings(session, beneficiary.id)
    if settings.any_enabled:
        ensure_planned(session, beneficiary, now)
        _plan_checks(session, beneficiary, local_day(beneficiary, now), now)
    return settings


# --- time in the beneficiary's zone -------------------------------------------------------------


def zone(beneficiary: Beneficiary) -> ZoneInfo:
    return ZoneInfo(beneficiary.timezone)


def at_local(day: date, moment: time, tz: ZoneInfo) -> datetime:
    """The instant of a wall-clock time (in a spring-forward gap: as many minutes after it;
    twice in the autumn: the first)."""
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    return at_local(day, DAY_START, tz)


def day_of(moment: datetime, tz: ZoneInfo) -> date:
    """The rules' day of an instant: before 4 h, the day before."""
    local = moment.astimezone(tz)
    return local.date() if local.time() >= DAY_START else local.date() - timedelta(days=1)


def local_day(beneficiary: Beneficiary, now: datetime) -> date:
    return day_of(now, zone(beneficiary))


def category(day: date) -> str:
    return WEEKEND if day.weekday() >= 5 else WEEKDAYS


def window_end(settings: Settings, day: date, tz: ZoneInfo) -> datetime:
    return at_local(day, _time(settings.checkin_end), tz)


def window_start(settings: Settings, day: date, tz: ZoneInfo) -> datetime:
    return at_local(day, _time(settings.checkin_start), tz)


# --- touch counts -------------------------------------------------------------------------------


def record_touches(
    session: Session, device: Device, touches: list[tuple[datetime, int]], now: datetime
) -> int:
    """Upsert the tablet's counts by (device, hour): a resend changes nothing. Hours that have
    not ended yet (a clock ahead) or older than `KEEP_TOUCHES` are left out. How many kept."""
    latest: dict[datetime, int] = {}
    for hour, count in touches:
        start = hour.astimezone(UTC)
        if start + timedelta(hours=1) > now + wellbeing.FUTURE_TOLERANCE:
            continue
        if start < now - KEEP_TOUCHES:
            continue
        latest[start] = max(count, latest.get(start, 0))
    if not latest:
        return 0
    rows = [
        {"device_id": device.id, "hour_start": hour, "count": count, "received_at": now}
        for hour, count in sorted(latest.items())
    ]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(DeviceTouchHour).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["device_id", "hour_start"],
        set_={"count": statement.excluded["count"], "received_at": statement.excluded.received_at},
    )
    session.execute(statement)
    return len(rows)


def _device_ids(session: Session, beneficiary_id: int) -> list[int]:
    return list(session.scalars(select(Device.id).where(Device.beneficiary_id == beneficiary_id)))


def _live_devices(session: Session, beneficiary_id: int) -> list[Device]:
    return list(
        session.scalars(
            select(Device)
            .where(Device.beneficiary_id == beneficiary_id, Device.revoked_at.is_(None))
            .order_by(Device.id)
        )
    )


def touched_hours(
    session: Session, beneficiary_id: int, start: datetime, end: datetime
) -> list[datetime]:
    """The hours in [start, end) with at least one touch, on any of the beneficiary's tablets."""
    ids = _device_ids(session, beneficiary_id)
    if not ids:
        return []
    return list(
        session.scalars(
            select(DeviceTouchHour.hour_start)
            .where(
                DeviceTouchHour.device_id.in_(ids),
                DeviceTouchHour.hour_start >= start,
                DeviceTouchHour.hour_start < end,
                DeviceTouchHour.count > 0,
            )
            .distinct()
        )
    )


# --- learning the usual first touch -----------------------------------------------------------


def first_touches(hours: list[datetime], tz: ZoneInfo) -> dict[date, int]:
    """Each day's first touched hour, as minutes after local midnight (from 4 h: a touch in
    the night after midnight is not the day's first)."""
    first: dict[date, int] = {}
    for hour in hours:
        local = hour.astimezone(tz)
        if local.time() < DAY_START:
            continue
        minutes = local.hour * 60 + local.minute
        day = local.date()
        if day not in first or minutes < first[day]:
            first[day] = minutes
    return first


@dataclass(frozen=True)
class Usual:
    """What was learnt for one kind of day (weekdays or weekends)."""

    category: str  # "weekdays" or "weekend"
    minutes: int | None  # the usual first touched hour, minutes after midnight; None: learning
    samples: int  # days of this kind with a touch, over the last two weeks
    remaining: int  # days still needed (0 once learnt)


def usual_first_touch(first: dict[date, int], day: date) -> Usual:
    """The median first touched hour of the days of `day`'s kind among the 14 before it."""
    kind = category(day)
    samples = sorted(
        minutes
        for d, minutes in first.items()
        if day - timedelta(days=LEARNING_DAYS) <= d < day and category(d) == kind
    )
    if len(samples) < MIN_SAMPLES:
        return Usual(kind, None, len(samples), MIN_SAMPLES - len(samples))
    return Usual(kind, int(median_low(samples)), len(samples), 0)


def learnt(session: Session, beneficiary: Beneficiary, day: date) -> Usual:
    tz = zone(beneficiary)
    hours = touched_hours(
        session,
        beneficiary.id,
        day_start(day - timedelta(days=LEARNING_DAYS), tz),
        day_start(day, tz),
    )
    return usual_first_touch(first_touches(hours, tz), day)


def inactivity_deadline(
    session: Session, beneficiary: Beneficiary, settings: Settings, day: date
) -> tuple[datetime | None, Usual | None]:
    """When "no sign of life" is decided on `day`: the fixed deadline, or the end of the
    usual first touched hour plus the grace; None while learning (or past the day's end)."""
    tz = zone(beneficiary)
    if settings.inactivity_deadline:
        return at_local(day, _time(settings.inactivity_deadline), tz), None
    usual = learnt(session, beneficiary, day)
    if usual.minutes is None:
        return None, usual
    hour = at_local(day, time(usual.minutes // 60, usual.minutes % 60), tz)
    deadline = hour + timedelta(hours=1, minutes=settings.inactivity_grace_minutes)
    if deadline >= day_start(day + timedelta(days=1), tz):
        return None, usual
    return deadline, usual


# --- what counts as a sign, night, offline -------------------------------------------------------


def last_sign(session: Session, beneficiary: Beneficiary, since: datetime) -> datetime | None:
    """The latest sign of life at or after `since`: a touch (an hour with touches counts from
    its start; the tablet's last touch), "Je vais bien", a mood, a reply from the tablet."""
    ids = _device_ids(session, beneficiary.id)
    found: list[datetime] = []
    if ids:
        hour = session.scalar(
            select(func.max(DeviceTouchHour.hour_start)).where(
                DeviceTouchHour.device_id.in_(ids),
                DeviceTouchHour.hour_start >= since,
                DeviceTouchHour.count > 0,
            )
        )
        touch = session.scalar(
            select(func.max(DeviceStatus.last_touch_at)).where(
                DeviceStatus.device_id.in_(ids), DeviceStatus.last_touch_at >= since
            )
        )
        found += [t for t in (hour, touch) if t is not None]
    answer = session.scalar(
        select(func.max(CheckinAnswer.answered_at)).where(
            CheckinAnswer.beneficiary_id == beneficiary.id, CheckinAnswer.answered_at >= since
        )
    )
    mood = session.scalar(
        select(func.max(MoodCheckin.recorded_at)).where(
            MoodCheckin.beneficiary_id == beneficiary.id, MoodCheckin.recorded_at >= since
        )
    )
    reply = session.scalar(
        select(func.max(Message.created_at)).where(
            Message.beneficiary_id == beneficiary.id,
            Message.author_device_id.is_not(None),
            Message.created_at >= since,
        )
    )
    found += [t for t in (answer, mood, reply) if t is not None]
    return max(found) if found else None


def _in_night(start: str, end: str, moment: time) -> bool:
    first, last = _time(start), _time(end)
    if first == last:
        return False  # equal times: no night mode (common/tablet_config.py)
    if first < last:
        return first <= moment < last
    return moment >= first or moment < last


def in_night_mode(session: Session, beneficiary: Beneficiary, moment: datetime) -> bool:
    """Whether one of the beneficiary's tablets is in its night mode at `moment`: its
    configuration's night hours, or its report that the screen is off for the night."""
    local = moment.astimezone(zone(beneficiary)).time()
    for device in _live_devices(session, beneficiary.id):
        document = device_config.read(session, device).document
        start, end = document.get("night_start"), document.get("night_end")
        if isinstance(start, str) and isinstance(end, str) and _in_night(start, end, local):
            return True
        status = session.get(DeviceStatus, device.id)
        if (
            status is not None
            and status.screen_on is False
            and status.screen_off_reason == "night"
            and (status.screen_off_until is None or status.screen_off_until > moment)
        ):
            return True
    return False


def has_tablet(session: Session, beneficiary: Beneficiary) -> bool:
    return bool(_live_devices(session, beneficiary.id))


def tablet_online(session: Session, beneficiary: Beneficiary, moment: datetime) -> bool:
    """Whether one of the beneficiary's tablets was seen within `OFFLINE_AFTER` of `moment`."""
    return any(
        d.last_seen_at is not None and d.last_seen_at >= moment - OFFLINE_AFTER
        for d in _live_devices(session, beneficiary.id)
    )


# --- the alerts ---------------------------------------------------------------------------------


def _part_of_day(moment: datetime, tz: ZoneInfo) -> str:
    return "ce matin" if moment.astimezone(tz).time() <= MORNING_ENDS else "aujourd'hui"


def alert_key(kind: str, beneficiary_id: int, day: date) -> str:
    return f"{kind}:{beneficiary_id}:{day.isoformat()}"


def checkin_message(beneficiary: Beneficiary, end: datetime) -> str:
    part = _part_of_day(end, zone(beneficiary))
    return f"{mail.full_name(beneficiary)} n'a pas répondu « Je vais bien » {part}"


def inactivity_message(
    beneficiary: Beneficiary, deadline: datetime, usual: Usual | None, settings: Settings
) -> str:
    tz = zone(beneficiary)
    part = _part_of_day(deadline, tz)
    if settings.inactivity_deadline or usual is None or usual.minutes is None:
        why = f"aucun toucher de la tablette avant {mail.french_hour(deadline, tz)}"
    else:
        moment = time(usual.minutes // 60, usual.minutes % 60)
        usually = mail.french_hour(at_local(deadline.astimezone(tz).date(), moment, tz), tz)
        why = f"la tablette n'a pas été touchée (d'habitude vers {usually})"
    return f"Pas de signe de vie {part} chez {mail.full_name(beneficiary)} : {why}"


def _close_for_day(session: Session, kind: str, beneficiary_id: int, day: date, note: str,
                   now: datetime) -> None:  # fmt: skip
    alert_id = session.scalar(
        select(Alert.id).where(Alert.dedupe_key == alert_key(kind, beneficiary_id, day))
    )
    if alert_id is not None:
        alerts.auto_close(session, alert_id, note, now)


def check_checkin(
    session: Session, beneficiary: Beneficiary, day: date, now: datetime
) -> Alert | None:
    """At the window's end: the alert, unless answered, in night mode or offline."""
    settings = get_settings(session, beneficiary.id)
    if not settings.checkin_enabled:
        return None
    tz = zone(beneficiary)
    end = window_end(settings, day, tz)
    if now >= day_start(day + timedelta(days=1), tz):
        return None  # about a day already over (the jobs were stopped): nothing to say now
    answered = session.scalar(
        select(CheckinAnswer.id).where(
            CheckinAnswer.beneficiary_id == beneficiary.id, CheckinAnswer.day == day
        )
    )
    if answered is not None:
        return None
    if in_night_mode(session, beneficiary, end):
        return None
    if not tablet_online(session, beneficiary, now):
        return None  # the tablet could not ask: `tablet_offline` says so
    return alerts.raise_alert(
        session,
        beneficiary_id=beneficiary.id,
        kind=CHECKIN_KIND,
        message=checkin_message(beneficiary, end),
        dedupe_key=alert_key(CHECKIN_KIND, beneficiary.id, day),
        recipient_ids=[],
        critical=False,
        now=now,
    )


def check_inactivity(
    session: Session, beneficiary: Beneficiary, day: date, now: datetime
) -> Alert | None:
    """At the deadline: the alert, unless a sign came since 4 h, in night mode or offline."""
    settings = get_settings(session, beneficiary.id)
    if not settings.inactivity_enabled:
        return None
    tz = zone(beneficiary)
    if now >= day_start(day + timedelta(days=1), tz):
        return None
    deadline, usual = inactivity_deadline(session, beneficiary, settings, day)
    if deadline is None:
        return None  # still learning
    if last_sign(session, beneficiary, day_start(day, tz)) is not None:
        return None
    if in_night_mode(session, beneficiary, now):
        return None
    if not tablet_online(session, beneficiary, now):
        return None
    return alerts.raise_alert(
        session,
        beneficiary_id=beneficiary.id,
        kind=INACTIVITY_KIND,
        message=inactivity_message(beneficiary, deadline, usual, settings),
        dedupe_key=alert_key(INACTIVITY_KIND, beneficiary.id, day),
        recipient_ids=[],
        critical=False,
        now=now,
    )


def sign_arrived(
    session: Session, beneficiary: Beneficiary, moment: datetime, what: str, now: datetime
) -> None:
    """A sign of life at `moment` closes that day's "no sign of life" alert, if any."""
    tz = zone(beneficiary)
    note = f"{what} à {mail.french_hour(moment, tz)}."
    _close_for_day(session, INACTIVITY_KIND, beneficiary.id, day_of(moment, tz), note, now)


# --- the tablet's writes ------------------------------------------------------------------------


def checkin_answer_action(
    session: Session, device: Device, beneficiary: Beneficiary, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The device action "checkin_answer": {"answered_at": ISO aware, "answer": "ok"}. The
    day's first answer is kept; any answer closes that day's alerts."""
    unknown = set(data) - {"answered_at", "answer"}
    if unknown:
        raise Invalid("Champ inconnu : {name}.", name=sorted(unknown)[0][:40])
    if data.get("answer") != "ok":
        raise Invalid("Réponse inconnue : seule « ok » (« Oui, je vais bien ») est attendue.")
    answered_at = wellbeing.check_recent(
        wellbeing.parse_instant(data.get("answered_at"), "answered_at"), now, "answered_at"
    )
    tz = zone(beneficiary)
    day = day_of(answered_at, tz)
    exists = session.scalar(
        select(CheckinAnswer.id).where(
            CheckinAnswer.beneficiary_id == beneficiary.id, CheckinAnswer.day == day
        )
    )
    if exists is None:
        answer = CheckinAnswer(
            beneficiary_id=beneficiary.id,
            day=day,
            answered_at=answered_at,
            received_at=now,
            device_id=device.id,
        )
        try:
            with session.begin_nested():  # two tablets at once: one answer is kept
                session.add(answer)
                session.flush()
        except IntegrityError:
            pass
        else:
            audit.record(
                session,
                action="create",
                entity=ENTITY,
                entity_id=answer.id,
                beneficiary_id=beneficiary.id,
                device_id=device.id,
                at=now,
            )
    note = f"Réponse « Je vais bien » à {mail.french_hour(answered_at, tz)}, sur la tablette."
    _close_for_day(session, CHECKIN_KIND, beneficiary.id, day, note, now)
    sign_arrived(session, beneficiary, answered_at, "Réponse « Je vais bien »", now)
    return {"state": "recorded"}


def after_status(
    session: Session,
    device: Device,
    touches: list[tuple[datetime, int]],
    last_touch_at: datetime | None,
    now: datetime,
) -> None:
    """A status report arrived: keep its touch counts, close the day's "no sign of life" if
    it brings one, and make sure the rules' jobs are planned."""
    record_touches(session, device, touches, now)
    beneficiary = session.get(Beneficiary, device.beneficiary_id)
    if beneficiary is None:
        return
    touched = [h for h, c in touches if c > 0]
    if last_touch_at is not None and last_touch_at <= now + wellbeing.FUTURE_TOLERANCE:
        touched.append(last_touch_at)
    if touched:
        sign_arrived(session, beneficiary, max(touched), "La tablette a été touchée", now)
    if get_settings(session, beneficiary.id).any_enabled:
        ensure_planned(session, beneficiary, now)


# --- jobs ---------------------------------------------------------------------------------------


def _day_key(beneficiary_id: int, day: date) -> str:
    return f"sol-day:{beneficiary_id}:{day.isoformat()}"


def ensure_planned(session: Session, beneficiary: Beneficiary, now: datetime) -> bool:
    """Plan today's run of the chain if no one did (it then plans the next), or tomorrow's
    when today's ran without planning it (the rules were off then). In the caller's
    transaction; True when it planned one now."""
    tz = zone(beneficiary)
    day = day_of(now, tz)
    state = session.scalar(select(Job.state).where(Job.dedupe_key == _day_key(beneficiary.id, day)))
    if state is None:
        return jobs.enqueue(
            session,
            DAY_JOB,
            {"beneficiary_id": beneficiary.id, "day": day.isoformat()},
            max(day_start(day, tz), now),
            dedupe_key=_day_key(beneficiary.id, day),
        )
    if state != jobs.DONE:
        return False
    following = day + timedelta(days=1)
    return jobs.enqueue(
        session,
        DAY_JOB,
        {"beneficiary_id": beneficiary.id, "day": following.isoformat()},
        day_start(following, tz),
        dedupe_key=_day_key(beneficiary.id, following),
    )


def _plan_checks(session: Session, beneficiary: Beneficiary, day: date, now: datetime) -> None:
    """The day's checks, at the instants the rules give now (a check planned for another
    instant, before the settings changed, finds it is not its own and does nothing)."""
    settings = get_settings(session, beneficiary.id)
    tz = zone(beneficiary)
    planned: list[tuple[str, datetime]] = []
    if settings.checkin_enabled:
        planned.append((CHECKIN_KIND, window_end(settings, day, tz)))
    if settings.inactivity_enabled:
        deadline, _usual = inactivity_deadline(session, beneficiary, settings, day)
        if deadline is not None:
            planned.append((INACTIVITY_KIND, deadline))
    for rule, at in planned:
        if at < now - timedelta(minutes=1):
            continue  # already past: decided by the check planned then, if any
        instant = at.astimezone(UTC).isoformat()
        jobs.enqueue(
            session,
            CHECK_JOB,
            {"beneficiary_id": beneficiary.id, "day": day.isoformat(), "rule": rule,
             "at": instant},
            at,
            dedupe_key=f"sol-check:{beneficiary.id}:{day.isoformat()}:{rule}:{instant}",
        )  # fmt: skip


def _day_job(session: Session, payload: dict[str, Any], now: datetime) -> None:
    beneficiary = session.get(Beneficiary, int(payload["beneficiary_id"]))
    if beneficiary is None:
        return
    settings = get_settings(session, beneficiary.id)
    if not settings.any_enabled:
        return  # the chain stops; switching a rule on starts it again
    tz = zone(beneficiary)
    # Run late (no worker for a while): plan today's, not the days gone by.
    day = max(date.fromisoformat(str(payload["day"])), day_of(now, tz))
    _plan_checks(session, beneficiary, day, now)
    following = day + timedelta(days=1)
    jobs.enqueue(
        session,
        DAY_JOB,
        {"beneficiary_id": beneficiary.id, "day": following.isoformat()},
        day_start(following, tz),
        dedupe_key=_day_key(beneficiary.id, following),
    )
    ids = _device_ids(session, beneficiary.id)
    if ids:
        session.execute(
            delete(DeviceTouchHour).where(
                DeviceTouchHour.device_id.in_(ids), DeviceTouchHour.hour_start < now - KEEP_TOUCHES
            )
        )


def _check_job(session: Session, payload: dict[str, Any], now: datetime) -> None:
    beneficiary = session.get(Beneficiary, int(payload["beneficiary_id"]))
    if beneficiary is None:
        return
    day = date.fromisoformat(str(payload["day"]))
    settings = get_settings(session, beneficiary.id)
    tz = zone(beneficiary)
    rule = str(payload["rule"])
    if rule == CHECKIN_KIND:
        current: datetime | None = (
            window_end(settings, day, tz) if settings.checkin_enabled else None
        )
    else:
        current = (
            inactivity_deadline(session, beneficiary, settings, day)[0]
            if settings.inactivity_enabled
            else None
        )
    if current is None or current.astimezone(UTC).isoformat() != payload["at"]:
        return  # the rule changed since this check was planned (another one was)
    if rule == CHECKIN_KIND:
        check_checkin(session, beneficiary, day, now)
    else:
        check_inactivity(session, beneficiary, day, now)


jobs.register(DAY_JOB, _day_job)
jobs.register(CHECK_JOB, _check_job)


# --- what the console shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class Today:
    """Today's signs of life for the care manager (instants are aware; words are the page's)."""

    day: date
    checkin: str  # "off", "waiting" (window to come or open), "answered", "missed", "quiet"
    answered_at: datetime | None
    window_end: datetime | None
    inactivity: str  # "off", "learning", "waiting", "seen", "missed", "quiet"
    deadline: datetime | None
    last_sign_at: datetime | None
    weekdays: Usual
    weekend: Usual


def today(session: Session, beneficiary: Beneficiary, now: datetime) -> Today:
    settings = get_settings(session, beneficiary.id)
    tz = zone(beneficiary)
    day = day_of(now, tz)
    answered_at = session.scalar(
        select(CheckinAnswer.answered_at).where(
            CheckinAnswer.beneficiary_id == beneficiary.id, CheckinAnswer.day == day
        )
    )
    raised = set(
        session.scalars(
            select(Alert.kind).where(
                Alert.dedupe_key.in_(
                    [
                        alert_key(CHECKIN_KIND, beneficiary.id, day),
                        alert_key(INACTIVITY_KIND, beneficiary.id, day),
                    ]
                )
            )
        )
    )
    end = window_end(settings, day, tz) if settings.checkin_enabled else None
    if not settings.checkin_enabled:
        checkin = "off"
    elif answered_at is not None:
        checkin = "answered"
    elif CHECKIN_KIND in raised:
        checkin = "missed"
    elif end is not None and now < end:
        checkin = "waiting"
    else:
        checkin = "quiet"  # over without an alert: night mode or the tablet offline
    sign = last_sign(session, beneficiary, day_start(day, tz))
    deadline: datetime | None = None
    if not settings.inactivity_enabled:
        inactivity = "off"
    else:
        deadline, _usual = inactivity_deadline(session, beneficiary, settings, day)
        if sign is not None:
            inactivity = "seen"
        elif INACTIVITY_KIND in raised:
            inactivity = "missed"
        elif deadline is None:
            inactivity = "learning"
        elif now < deadline:
            inactivity = "waiting"
        else:
            inactivity = "quiet"
    # What was learnt, for the next day of each kind (today counts once it is over).
    first = first_touches(
        touched_hours(
            session,
            beneficiary.id,
            day_start(day - timedelta(days=LEARNING_DAYS), tz),
            day_start(day + timedelta(days=1), tz),
        ),
        tz,
    )
    weekdays = usual_first_touch(first, _next_of(day, WEEKDAYS))
    weekend = usual_first_touch(first, _next_of(day, WEEKEND))
    return Today(day, checkin, answered_at, end, inactivity, deadline, sign, weekdays, weekend)


def _next_of(day: date, kind: str) -> date:
    """The first day of `kind` after `day` (what the learning will be used for next)."""
    following = day + timedelta(days=1)
    while category(following) != kind:
        following += timedelta(days=1)
    return following


# --- sync ---------------------------------------------------------------------------------------


def payload(session: Session, beneficiary: Beneficiary) -> dict[str, Any]:
    settings = get_settings(session, beneficiary.id)
    return {
        "id": beneficiary.id,
        "checkin_enabled": settings.checkin_enabled,
        "checkin_start": settings.checkin_start,
        "checkin_end": settings.checkin_end,
    }


def _sync_all(session: Session, beneficiary: Beneficiary, _device: Device) -> list[dict[str, Any]]:
    return [payload(session, beneficiary)]


def _sync_some(
    session: Session, beneficiary: Beneficiary, _device: Device, ids: set[int]
) -> list[dict[str, Any]]:
    return [payload(session, beneficiary)] if beneficiary.id in ids else []


sync.register(sync.SyncedKind("sign_of_life", ENTITY, _sync_all, _sync_some))

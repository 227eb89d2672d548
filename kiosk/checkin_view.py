"""« Je vais bien » : whether home asks "Tout va bien aujourd'hui ?" now, without Qt.

The care manager sets a daily window (synced kind "sign_of_life", one record:
`{"id", "checkin_enabled", "checkin_start": "08:00", "checkin_end": "11:00"}`, wall-clock times
in the beneficiary's zone, the start before the end on the same day). Home asks during it,
until the first answer of that day (`kiosk.features.checkin` keeps the days answered on disk,
so a restart does not ask again).

The window's instants are read as the backend reads them (backend/services/signs_of_life.py,
`at_local`): a wall-clock time in a spring-forward gap is as many minutes after the gap
(02:30 on 29 March 2026 in Paris is 03:30 summer time), one that happens twice in the autumn
is the first. So the tablet stops asking exactly when the backend starts checking.

Every function takes `now` (aware): tests run on any clock, daylight-saving days included.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

KIND = "sign_of_life"  # the synced kind
ACTION = "checkin_answer"  # the device action: {"answered_at": ISO aware, "answer": "ok"}
ANSWER = "ok"


@dataclass(frozen=True)
class CheckinSettings:
    enabled: bool
    start: time  # wall clock, in the beneficiary's zone
    end: time


def _hhmm(value: object) -> time:
    if not isinstance(value, str):
        raise TypeError("not a time")
    hours, minutes = value.strip().split(":")
    return time(int(hours), int(minutes))


def parse_settings(records: Iterable[object]) -> CheckinSettings | None:
    """The window from the synced records (one is expected; the first valid one wins). None
    when there is none or it is malformed: then nothing is asked."""
    for record in records:
        try:
            if not isinstance(record, Mapping):
                raise TypeError("not an object")
            enabled = record.get("checkin_enabled")
            if not isinstance(enabled, bool):
                raise TypeError("checkin_enabled is not a boolean")
            start = _hhmm(record.get("checkin_start"))
            end = _hhmm(record.get("checkin_end"))
        except (TypeError, ValueError) as exc:
            log.warning("sign_of_life record skipped: %s", exc)
            continue
        if start >= end:
            log.warning("sign_of_life window %s–%s ends before it starts: not asked", start, end)
            return CheckinSettings(False, start, end)
        return CheckinSettings(enabled, start, end)
    return None


def at_local(day: date, moment: time, tz: ZoneInfo) -> datetime:
    """The instant (UTC) of a wall-clock time on `day`, read as the backend reads it."""
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


def window(settings: CheckinSettings, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of `day`'s window, as UTC instants (empty when a daylight-saving change
    swallows it)."""
    return at_local(day, settings.start, tz), at_local(day, settings.end, tz)


def asking(
    settings: CheckinSettings | None, now: datetime, tz: ZoneInfo, answered: Collection[date]
) -> date | None:
    """The day whose question home shows now, or None: the window is switched on, holds
    `now`, and that day was not answered yet."""
    if settings is None or not settings.enabled:
        return None
    day = now.astimezone(tz).date()
    start, end = window(settings, day, tz)
    if start <= now < end and day not in answered:
        return day
    return None


def next_change(settings: CheckinSettings | None, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The next instant after `now` at which `asking` may answer differently: today's start or
    end, else tomorrow's start. None when nothing is ever asked."""
    if settings is None or not settings.enabled:
        return None
    day = now.astimezone(tz).date()
    for offset in (0, 1, 2):
        start, end = window(settings, day + timedelta(days=offset), tz)
        for moment in (start, end):
            if moment > now:
                return moment
    return None


def answer_data(now: datetime) -> dict[str, object]:
    """What goes to the outbox for a tap on "Oui, je vais bien" at `now` (aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    return {"answered_at": now.isoformat(), "answer": ANSWER}


def answered_day(data: Mapping[str, object], tz: ZoneInfo) -> date | None:
    """The beneficiary's day of a queued answer (to find it again after a power cut)."""
    text = data.get("answered_at")
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(tz).date()

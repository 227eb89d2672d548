"""What the home screen shows, computed from the local store without Qt.

The screen formats these values into (translatable) words; this module only decides *what*
is shown: today's visits in order, which one is under way, which one comes next.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

from common.recurrence import (
    AgendaEvent,
    Occurrence,
    next_occurrence,
    occurrences_between,
    occurrences_on,
)

OccurrenceKey = tuple[int, datetime]  # (event id, start in UTC)


class LineState(Enum):
    PAST = "past"
    CURRENT = "current"
    NEXT = "next"
    LATER = "later"


@dataclass(frozen=True)
class AgendaLine:
    start: datetime  # aware, in the beneficiary's time zone
    end: datetime
    title: str
    who: str  # plain words, e.g. "Claire, infirmière"; may be empty
    kind: str
    state: LineState


@dataclass(frozen=True)
class HomeView:
    first_name: str
    now: datetime  # aware, in the beneficiary's time zone
    today: tuple[AgendaLine, ...]
    next_visit: AgendaLine | None  # under way or next to come, possibly on a later day
    offline_since: datetime | None  # None when the last sync worked


def _line(occ: Occurrence, state: LineState) -> AgendaLine:
    return AgendaLine(occ.start, occ.end, occ.title, occ.who, occ.kind, state)


def key_of(occ: Occurrence) -> OccurrenceKey:
    return occ.event_id, occ.start.astimezone(UTC)


def occurrence_key(record: Mapping[str, Any]) -> OccurrenceKey | None:
    """(event id, start in UTC) of a synced visit or absence record; None if malformed."""
    event_id, start = record.get("event_id"), record.get("occurrence_start")
    if not isinstance(event_id, int) or isinstance(event_id, bool) or not isinstance(start, str):
        return None
    try:
        moment = datetime.fromisoformat(start)
    except ValueError:
        return None
    return (event_id, moment.astimezone(UTC)) if moment.tzinfo is not None else None


def finished_occurrences(
    visit_records: Iterable[Mapping[str, Any]], absence_records: Iterable[Mapping[str, Any]]
) -> frozenset[OccurrenceKey]:
    """The planned visits over, whatever the clock says (synced kinds "visits" and
    "visit_absences"): someone came and left, or someone said why it did not happen. Such a
    visit is never shown "En ce moment"."""
    done: set[OccurrenceKey] = set()
    for record in visit_records:
        key = occurrence_key(record) if isinstance(record, Mapping) else None
        if key is not None and record.get("departed_at"):
            done.add(key)
    for record in absence_records:
        key = occurrence_key(record) if isinstance(record, Mapping) else None
        if key is not None:
            done.add(key)
    return frozenset(done)


def _upcoming(
    events: list[AgendaEvent],
    now: datetime,
    horizon: timedelta,
    finished: Collection[OccurrenceKey],
) -> Occurrence | None:
    """Under way (and not over) at `now`, else the next to start within the horizon."""
    if not finished:
        return next_occurrence(events, now, horizon=horizon)
    for occ in occurrences_between(events, now, now + horizon):
        if key_of(occ) not in finished and occ.end > now:
            return occ
    return None


def _state(
    occ: Occurrence, now: datetime, upcoming: Occurrence | None, finished: Collection[OccurrenceKey]
) -> LineState:
    if occ.end <= now or key_of(occ) in finished:
        return LineState.PAST
    if occ.is_current(now):
        return LineState.CURRENT
    if upcoming is not None and occ == upcoming:
        return LineState.NEXT
    return LineState.LATER


def build_home_view(
    first_name: str,
    events: Iterable[AgendaEvent],
    now: datetime,
    offline_since: datetime | None = None,
    finished: Collection[OccurrenceKey] = frozenset(),
) -> HomeView:
    """`finished`: visits over before their planned end (`finished_occurrences`)."""
    if now.tzinfo is None:
        raise ValueError("now must be aware, in the beneficiary's time zone")
    tz = now.tzinfo
    events = list(events)
    upcoming = _upcoming(events, now, timedelta(days=14), finished)
    today: list[AgendaLine] = []
    for occ in occurrences_on(events, now.date(), tz):  # type: ignore[arg-type]
        today.append(_line(occ, _state(occ, now, upcoming, finished)))
    next_line = None
    if upcoming is not None:
        next_line = _line(
            upcoming, LineState.CURRENT if upcoming.is_current(now) else LineState.NEXT
        )
    return HomeView(first_name, now, tuple(today), next_line, offline_since)


@dataclass(frozen=True)
class AgendaDay:
    day: date
    lines: tuple[AgendaLine, ...]


def build_agenda_days(
    events: Iterable[AgendaEvent],
    now: datetime,
    days: int = 7,
    finished: Collection[OccurrenceKey] = frozenset(),
) -> tuple[AgendaDay, ...]:
    """Today and the `days - 1` following days, each with its visits in order; the visit
    under way (or, failing that, the next one to come) is marked as on the home screen."""
    if now.tzinfo is None:
        raise ValueError("now must be aware, in the beneficiary's time zone")
    tz = now.tzinfo
    events = list(events)
    upcoming = _upcoming(events, now, timedelta(days=days), finished)
    result = []
    for offset in range(days):
        day = now.date() + timedelta(days=offset)
        lines = []
        for occ in occurrences_on(events, day, tz):  # type: ignore[arg-type]
            lines.append(_line(occ, _state(occ, now, upcoming, finished)))
        result.append(AgendaDay(day, tuple(lines)))
    return tuple(result)

"""What the home screen shows, computed from the local store without Qt.

The screen formats these values into (translatable) words; this module only decides *what*
is shown: today's visits in order, which one is under way, which one comes next; and of the
reminders, the next one and how many of today's were done and not done (`ReminderSummary`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from common.recurrence import (
    AgendaEvent,
    Occurrence,
    day_bounds,
    next_occurrence,
    occurrences_between,
    occurrences_on,
)

if TYPE_CHECKING:
    from kiosk.reminders_view import ReminderDay

OccurrenceKey = tuple[int, datetime]  # (event id, start in UTC)
# An arrival more than this after the planned start is late: the visit reads "en retard" (a
# few minutes of traffic are not worth a word to the person waiting).
LATE_AFTER = timedelta(minutes=15)


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
    # When someone arrived for it and has not left yet (synced kind "visits"): the visit is
    # under way whatever the clock says, until the departure is recorded.
    arrived_at: datetime | None = None

    @property
    def late(self) -> bool:
        """Someone is there, and came more than LATE_AFTER after the planned start."""
        return self.arrived_at is not None and self.arrived_at > self.start + LATE_AFTER


@dataclass(frozen=True)
class HomeView:
    first_name: str
    now: datetime  # aware, in the beneficiary's time zone
    today: tuple[AgendaLine, ...]
    next_visit: AgendaLine | None  # under way or next to come, possibly on a later day
    offline_since: datetime | None  # None when the last sync worked


def _line(
    occ: Occurrence, state: LineState, under_way: Mapping[OccurrenceKey, datetime]
) -> AgendaLine:
    arrived = under_way.get(key_of(occ))
    return AgendaLine(occ.start, occ.end, occ.title, occ.who, occ.kind, state, arrived)


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


class VisitOutcomes(frozenset[OccurrenceKey]):
    """The planned visits over, whatever the clock says, as a set of occurrence keys; and in
    `under_way`, those someone arrived at and has not left (key → arrival time, aware).

    One value for what the synced visit records say, so that every caller of
    `build_home_view` and `build_agenda_days` that hands over `finished_occurrences(...)` gets
    both: a visit over early is never "En ce moment", and one with the nurse still there is
    never "past" because its planned end went by."""

    under_way: Mapping[OccurrenceKey, datetime]

    def __new__(
        cls,
        done: Iterable[OccurrenceKey] = (),
        under_way: Mapping[OccurrenceKey, datetime] | None = None,
    ) -> VisitOutcomes:
        self = super().__new__(cls, done)
        present = {k: v for k, v in (under_way or {}).items() if k not in self}
        self.under_way = MappingProxyType(present)
        return self


def _arrival(record: Mapping[str, Any]) -> datetime | None:
    text = record.get("arrived_at")
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def finished_occurrences(
    visit_records: Iterable[Mapping[str, Any]], absence_records: Iterable[Mapping[str, Any]]
) -> VisitOutcomes:
    """The planned visits over, whatever the clock says (synced kinds "visits" and
    "visit_absences"): someone came and left, or someone said why it did not happen. Such a
    visit is never shown "En ce moment". Visits someone arrived at and has not left are in
    its `under_way`: shown under way until the departure is recorded."""
    done: set[OccurrenceKey] = set()
    under_way: dict[OccurrenceKey, datetime] = {}
    for record in visit_records:
        key = occurrence_key(record) if isinstance(record, Mapping) else None
        if key is None:
            continue
        if record.get("departed_at"):
            done.add(key)
        else:
            arrived = _arrival(record)
            if arrived is not None:
                under_way[key] = arrived
    for record in absence_records:
        key = occurrence_key(record) if isinstance(record, Mapping) else None
        if key is not None:
            done.add(key)
    return VisitOutcomes(done, under_way)


def _under_way(finished: Collection[OccurrenceKey]) -> Mapping[OccurrenceKey, datetime]:
    return finished.under_way if isinstance(finished, VisitOutcomes) else {}


def _upcoming(
    events: list[AgendaEvent],
    now: datetime,
    horizon: timedelta,
    finished: Collection[OccurrenceKey],
) -> Occurrence | None:
    """Today's visit someone is at (the earliest), else the one under way (and not over) at
    `now`, else the next to start within the horizon."""
    under_way = _under_way(finished)
    if not finished and not under_way:
        return next_occurrence(events, now, horizon=horizon)
    if under_way:
        # Possibly ended by the clock; only today's (a departure forgotten last week must not
        # hold the card for ever).
        midnight, _ = day_bounds(now.date(), now.tzinfo)  # type: ignore[arg-type]
        for occ in occurrences_between(events, midnight, now + horizon):
            if key_of(occ) in under_way:
                return occ
    for occ in occurrences_between(events, now, now + horizon):
        if key_of(occ) not in finished and occ.end > now:
            return occ
    return None


def _state(
    occ: Occurrence, now: datetime, upcoming: Occurrence | None, finished: Collection[OccurrenceKey]
) -> LineState:
    key = key_of(occ)
    if key in finished:
        return LineState.PAST
    if key in _under_way(finished) or occ.is_current(now):
        return LineState.CURRENT
    if occ.end <= now:
        return LineState.PAST
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
    """`finished`: what the visit records say (`finished_occurrences`): visits over before
    their planned end, and visits someone is at (under way until they leave, even past their
    planned end)."""
    if now.tzinfo is None:
        raise ValueError("now must be aware, in the beneficiary's time zone")
    tz = now.tzinfo
    events = list(events)
    under_way = _under_way(finished)
    upcoming = _upcoming(events, now, timedelta(days=14), finished)
    today: list[AgendaLine] = []
    for occ in occurrences_on(events, now.date(), tz):  # type: ignore[arg-type]
        today.append(_line(occ, _state(occ, now, upcoming, finished), under_way))
    next_line = None
    if upcoming is not None:
        current = upcoming.is_current(now) or key_of(upcoming) in under_way
        next_line = _line(upcoming, LineState.CURRENT if current else LineState.NEXT, under_way)
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
    under_way = _under_way(finished)
    upcoming = _upcoming(events, now, timedelta(days=days), finished)
    result = []
    for offset in range(days):
        day = now.date() + timedelta(days=offset)
        lines = []
        for occ in occurrences_on(events, day, tz):  # type: ignore[arg-type]
            lines.append(_line(occ, _state(occ, now, upcoming, finished), under_way))
        result.append(AgendaDay(day, tuple(lines)))
    return tuple(result)


# -- the reminders, for home's summary ---------------------------------------------------------


class ReminderWhen(Enum):
    TODAY = "today"
    TOMORROW = "tomorrow"
    LATER = "later"  # another day: said with its weekday


@dataclass(frozen=True)
class ReminderSummary:
    """ "Prochain rappel : 18 h — Médicaments du soir" and "1 fait, 1 pas fait"."""

    next_at: datetime | None  # the next reminder's due time, in the beneficiary's zone
    next_when: ReminderWhen | None
    next_title: str
    done: int  # due today and confirmed
    not_done: int  # due today and not confirmed (still asked, or its time is over)

    @property
    def empty(self) -> bool:
        return self.next_at is None and not self.done and not self.not_done


def reminder_summary(day: ReminderDay | None, now: datetime) -> ReminderSummary | None:
    """The summary home shows, or None when there is nothing to say (no reminder today nor
    coming). `now` is aware, in the beneficiary's zone."""
    if day is None:
        return None
    next_at, when, title = None, None, ""
    if day.next is not None:
        next_at = day.next.local_due.astimezone(now.tzinfo)
        title = " ".join(day.next.title.split())
        if next_at.date() == now.date():
            when = ReminderWhen.TODAY
        elif next_at.date() == now.date() + timedelta(days=1):
            when = ReminderWhen.TOMORROW
        else:
            when = ReminderWhen.LATER
    summary = ReminderSummary(next_at, when, title, len(day.done), len(day.not_done))
    return None if summary.empty else summary

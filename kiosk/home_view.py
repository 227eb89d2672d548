"""What the home screen shows, computed from the local store without Qt.

The screen formats these values into (translatable) words; this module only decides *what*
is shown: today's visits in order, which one is under way, which one comes next.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from common.recurrence import AgendaEvent, Occurrence, next_occurrence, occurrences_on


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


def build_home_view(
    first_name: str,
    events: Iterable[AgendaEvent],
    now: datetime,
    offline_since: datetime | None = None,
) -> HomeView:
    if now.tzinfo is None:
        raise ValueError("now must be aware, in the beneficiary's time zone")
    tz = now.tzinfo
    events = list(events)
    upcoming = next_occurrence(events, now, horizon=timedelta(days=14))
    today: list[AgendaLine] = []
    for occ in occurrences_on(events, now.date(), tz):  # type: ignore[arg-type]
        if occ.end <= now:
            state = LineState.PAST
        elif occ.is_current(now):
            state = LineState.CURRENT
        elif upcoming is not None and occ == upcoming:
            state = LineState.NEXT
        else:
            state = LineState.LATER
        today.append(_line(occ, state))
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
    events: Iterable[AgendaEvent], now: datetime, days: int = 7
) -> tuple[AgendaDay, ...]:
    """Today and the `days - 1` following days, each with its visits in order; the visit
    under way (or, failing that, the next one to come) is marked as on the home screen."""
    if now.tzinfo is None:
        raise ValueError("now must be aware, in the beneficiary's time zone")
    tz = now.tzinfo
    events = list(events)
    upcoming = next_occurrence(events, now, horizon=timedelta(days=days))
    result = []
    for offset in range(days):
        day = now.date() + timedelta(days=offset)
        lines = []
        for occ in occurrences_on(events, day, tz):  # type: ignore[arg-type]
            if occ.end <= now:
                state = LineState.PAST
            elif occ.is_current(now):
                state = LineState.CURRENT
            elif upcoming is not None and occ == upcoming:
                state = LineState.NEXT
            else:
                state = LineState.LATER
            lines.append(_line(occ, state))
        result.append(AgendaDay(day, tuple(lines)))
    return tuple(result)

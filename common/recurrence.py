"""Agenda events and their recurrences, expanded in the beneficiary's time zone.

Pure Python, no Qt: the tablet expands recurring visits locally (so the day is right after days
offline) and the backend uses the same code to validate rules and list occurrences.

An event's start is kept as a *wall-clock* time in its time zone, as RFC 5545 does with TZID:
a weekly 09:00 visit stays at 09:00 Paris time on both sides of a daylight-saving change. Only
once an occurrence is placed on a given day is it turned into an aware datetime.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

# Rules finer than a day make no sense for home visits and could expand to millions of items.
ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
MAX_RULE_LENGTH = 500


class RecurrenceError(ValueError):
    """A recurrence rule that cannot be used; the message is shown to the person who wrote it.

    As the backend's errors: a French template with `{name}` placeholders (`.template`, the
    message id the console translates) and its `.params`; `str()` is the French text."""

    def __init__(self, template: str, **params: str) -> None:
        super().__init__(template.format(**params) if params else template)
        self.template = template
        self.params: dict[str, Any] = params


@dataclass(frozen=True)
class AgendaEvent:
    """One agenda entry as both the backend and the tablet store it."""

    id: int
    title: str
    start_local: datetime  # naive wall-clock time in `tz`
    duration: timedelta
    tz: ZoneInfo
    kind: str = "visit"
    who: str = ""
    rrule: str | None = None  # RRULE value without the "RRULE:" prefix, e.g. "FREQ=WEEKLY;BYDAY=MO"
    exdates: frozenset[datetime] = field(default_factory=frozenset)  # naive, wall-clock, in `tz`


@dataclass(frozen=True)
class Occurrence:
    event_id: int
    title: str
    kind: str
    who: str
    start: datetime  # aware
    end: datetime  # aware

    def is_current(self, now: datetime) -> bool:
        return self.start <= now < self.end


def normalize_rrule(rule: str) -> str:
    """Check a rule and return it in canonical form, or raise RecurrenceError."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text:
        raise RecurrenceError("La règle de récurrence est vide.")
    if len(text) > MAX_RULE_LENGTH or "\n" in text or "\r" in text:
        raise RecurrenceError(
            "La règle de récurrence est trop longue ou contient plusieurs lignes."
        )
    parts = {}
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        if not sep or not name or not value:
            raise RecurrenceError("Élément de règle illisible : « {part} ».", part=part)
        parts[name.upper()] = value.upper()
    freq = parts.get("FREQ")
    if freq not in ALLOWED_FREQUENCIES:
        raise RecurrenceError(
            "La fréquence doit être DAILY, WEEKLY, MONTHLY ou YEARLY (quotidienne, "
            "hebdomadaire, mensuelle ou annuelle)."
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError("Une règle ne peut avoir à la fois COUNT et UNTIL.")
    canonical = ";".join(f"{k}={v}" for k, v in parts.items())
    try:
        # A fixed naive start: UNTIL must then be naive too, which is what we store.
        rrulestr(canonical, dtstart=datetime(2000, 1, 1))  # noqa: DTZ001 - wall-clock time
    except (ValueError, TypeError) as exc:
        # dateutil's own words (English) stay as they are.
        raise RecurrenceError("Règle de récurrence invalide : {reason}", reason=str(exc)) from exc
    return canonical


def _to_aware(wall: datetime, tz: ZoneInfo) -> datetime:
    """A wall-clock time made aware; a time in the spring-forward gap moves past the gap.

    RFC 5545 §3.3.5: a nonexistent local time is interpreted with the offset before the gap,
    which places it after the gap (02:30 becomes 03:30 in Paris on the last Sunday of March).
    """
    aware = wall.replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC).astimezone(tz)


def _rule_for(event: AgendaEvent) -> rrule:
    rule = rrulestr(event.rrule or "", dtstart=event.start_local)
    assert isinstance(rule, rrule)
    return rule


def occurrences_between(
    events: Iterable[AgendaEvent], start: datetime, end: datetime
) -> list[Occurrence]:
    """Occurrences that overlap [start, end), sorted by start. `start` and `end` are aware."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    found: list[Occurrence] = []
    for event in events:
        for wall_start in _wall_starts(event, start, end):
            if wall_start in event.exdates:
                continue
            occ_start = _to_aware(wall_start, event.tz)
            # Duration is elapsed time: a 30-minute visit lasts 30 minutes even across a change.
            occ_end = occ_start + event.duration
            if occ_end > start and occ_start < end:
                found.append(
                    Occurrence(
                        event_id=event.id,
                        title=event.title,
                        kind=event.kind,
                        who=event.who,
                        start=occ_start,
                        end=occ_end,
                    )
                )
    found.sort(key=lambda o: (o.start, o.end, o.event_id))
    return found


def _wall_starts(event: AgendaEvent, start: datetime, end: datetime) -> list[datetime]:
    """Candidate wall-clock starts in event.tz, a little wider than the window."""
    # Widen by the duration and a day so that offsets and long events never drop an overlap.
    margin = event.duration + timedelta(days=1)
    try:
        lo = (start.astimezone(event.tz) - margin).replace(tzinfo=None)
    except OverflowError:  # a window at the very start of the calendar
        lo = datetime.min  # noqa: DTZ901 - wall-clock bound, naive on purpose
    try:
        hi = (end.astimezone(event.tz) + timedelta(days=1)).replace(tzinfo=None)
    except OverflowError:  # … or at its very end
        hi = datetime.max  # noqa: DTZ901 - wall-clock bound, naive on purpose
    if not event.rrule:
        return [event.start_local] if lo <= event.start_local <= hi else []
    return list(_rule_for(event).between(lo, hi, inc=True))


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Start and end of a calendar day in tz (23 or 25 hours long on change days)."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


def occurrences_on(events: Iterable[AgendaEvent], day: date, tz: ZoneInfo) -> list[Occurrence]:
    start, end = day_bounds(day, tz)
    return occurrences_between(events, start, end)


def next_occurrence(
    events: Iterable[AgendaEvent], now: datetime, horizon: timedelta = timedelta(days=14)
) -> Occurrence | None:
    """The occurrence under way at `now`, else the next one to start within the horizon."""
    upcoming = occurrences_between(list(events), now, now + horizon)
    return upcoming[0] if upcoming else None

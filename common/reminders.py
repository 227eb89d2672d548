"""Reminders and their due instants, in the beneficiary's time zone.

Pure Python, no Qt, shared by both sides: the backend validates a reminder's schedule and plans
its escalation with it; the tablet expands the same schedule to know, days offline, at which
minute to show each card.

A reminder's schedule is a wall-clock time in its zone plus an optional RRULE, as agenda events
(`common.recurrence`): "every day at 8:00" stays at 8:00 Paris time on both sides of a
daylight-saving change. A due time that falls in the spring-forward gap (2:30 on the last Sunday
of March in Paris) is due at the first minute after the gap, 3:30 (RFC 5545 §3.3.5); in the
autumn, a wall-clock time that happens twice (2:30) is due once, at the first of the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from common.recurrence import AgendaEvent, RecurrenceError, normalize_rrule, occurrences_between


class Kind(StrEnum):
    MEDICATION = "medication"
    APPOINTMENT = "appointment"
    DRINK = "drink"
    OTHER = "other"


KIND_LABELS_FR = {
    Kind.MEDICATION: "Médicament",
    Kind.APPOINTMENT: "Rendez-vous",
    Kind.DRINK: "Boire",
    Kind.OTHER: "Autre",
}


class Outcome(StrEnum):
    """What became of one due occurrence (backend.models.ReminderOccurrence.state)."""

    PENDING = "pending"  # due, not yet decided
    CONFIRMED = "confirmed"  # "C'est fait" within the escalation delay (or the day when none)
    LATE = "late"  # confirmed after the escalation delay
    MISSED = "missed"  # no confirmation, and the tablet was online to receive it
    UNKNOWN = "unknown"  # no confirmation, but the tablet has been offline since before it


# Limits that keep a reminder something a person can live with, and its expansion cheap.
MAX_TITLE = 120
MAX_DETAIL = 500
MAX_DUE_PER_DAY = 12
MAX_REPEAT_COUNT = 6
REPEAT_EVERY_RANGE = (5, 120)  # minutes between two asks of the same occurrence
ESCALATE_AFTER_RANGE = (5, 24 * 60)  # minutes after the due time
MAX_ACTIVE_PER_BENEFICIARY = 100
# The tablet holds every reminder and expands it itself; this is how far ahead it looks.
SYNC_AHEAD = timedelta(days=7)


@dataclass(frozen=True)
class Reminder:
    """A reminder as both sides hold it (the tablet gets it in the sync's "reminders")."""

    id: int
    title: str
    start_local: datetime  # naive wall-clock time in `tz`
    tz: ZoneInfo
    kind: str = Kind.OTHER
    detail: str = ""
    rrule: str | None = None  # RRULE value without "RRULE:", e.g. "FREQ=DAILY"
    confirm_wanted: bool = True
    repeat_every_minutes: int = 10
    repeat_count: int = 3
    critical: bool = False
    version: int = 1

    def _as_event(self) -> AgendaEvent:
        # One minute long, so that an occurrence due exactly at a window's start is inside it.
        return AgendaEvent(
            id=self.id,
            title=self.title,
            start_local=self.start_local,
            duration=timedelta(minutes=1),
            tz=self.tz,
            kind=self.kind,
            rrule=self.rrule,
        )

    def due_between(self, start: datetime, end: datetime) -> list[datetime]:
        """Aware due instants in [start, end), sorted, each once (a repeated autumn hour
        gives one)."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be aware datetimes")
        found = {
            occurrence.start.astimezone(UTC)
            for occurrence in occurrences_between([self._as_event()], start, end)
            if start <= occurrence.start < end
        }
        return sorted(found)

    def next_due(
        self, after: datetime, horizon: timedelta = timedelta(days=400)
    ) -> datetime | None:
        """The first due instant strictly after `after`, within the horizon."""
        step = timedelta(days=7)
        lo = after + timedelta(microseconds=1)
        while lo < after + horizon:
            hi = min(lo + step, after + horizon)
            due = self.due_between(lo, hi)
            if due:
                return due[0]
            lo = hi
        return None

    def asks(self, due: datetime) -> list[datetime]:
        """When the tablet shows the card for one occurrence: at the due time, then again
        every `repeat_every_minutes` while unconfirmed, `repeat_count` more times (none when no
        confirmation is wanted: the card is shown once and closes with "D'accord")."""
        if not self.confirm_wanted:
            return [due]
        every = timedelta(minutes=self.repeat_every_minutes)
        return [due + i * every for i in range(self.repeat_count + 1)]


def check_schedule(start_local: datetime, rrule: str | None, tz: ZoneInfo) -> str | None:
    """Check a schedule and return its RRULE in canonical form (None for a single time).

    Raises RecurrenceError (a French message for the person who wrote it) for a rule finer
    than daily or due more than MAX_DUE_PER_DAY times a day. A rule without an end is allowed:
    it is never expanded whole, only window by window.
    """
    if start_local.tzinfo is not None:
        raise ValueError("start_local is wall-clock time, naive")
    if rrule is None or not rrule.strip():
        return None
    canonical = normalize_rrule(rrule)
    reminder = Reminder(id=0, title="", start_local=start_local, tz=tz, rrule=canonical)
    # The busiest day of the first two weeks tells how often it fires (BYHOUR=8,9,10,…).
    first = start_local.replace(tzinfo=tz)
    for day in range(14):
        day_start = first + timedelta(days=day)
        if len(reminder.due_between(day_start, day_start + timedelta(days=1))) > MAX_DUE_PER_DAY:
            raise RecurrenceError(
                f"Un rappel ne peut sonner plus de {MAX_DUE_PER_DAY} fois par jour."
            )
    return canonical


def from_payload(p: dict[str, object], tz: ZoneInfo) -> Reminder:
    """A reminder from the sync payload (see docs/reminders.md); raises KeyError, TypeError
    or ValueError on a malformed one, which the tablet then skips."""
    rule = p.get("rrule")
    return Reminder(
        id=int(str(p["id"])),
        title=str(p["title"])[:MAX_TITLE],
        detail=str(p.get("detail") or "")[:MAX_DETAIL],
        kind=str(p.get("kind") or Kind.OTHER),
        start_local=datetime.fromisoformat(str(p["start_local"])).replace(tzinfo=None),
        tz=tz,
        rrule=str(rule) if rule else None,
        confirm_wanted=bool(p.get("confirm_wanted", True)),
        repeat_every_minutes=max(
            REPEAT_EVERY_RANGE[0],
            min(int(str(p.get("repeat_every_minutes", 10))), REPEAT_EVERY_RANGE[1]),
        ),
        repeat_count=max(0, min(int(str(p.get("repeat_count", 3))), MAX_REPEAT_COUNT)),
        critical=bool(p.get("critical", False)),
        version=int(str(p.get("version", 1))),
    )

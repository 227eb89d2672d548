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

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from common.recurrence import (
    AgendaEvent,
    RecurrenceError,
    _to_aware,
    normalize_rrule,
    occurrences_between,
)


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
    CONFIRMED = "confirmed"  # "C'est fait" within the escalation delay (or 24 h when none)
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
        """The first due instant strictly after `after`, before `after + horizon`.

        One lazy pass over the rule (not one expansion per week of the horizon, each from the
        rule's start again)."""
        if after.tzinfo is None:
            raise ValueError("after must be aware")
        end = after + horizon
        if not self.rrule:
            due = _to_aware(self.start_local, self.tz).astimezone(UTC)
            return due if after < due < end else None
        # A wall-clock time up to a day before `after` may still be due after it (the
        # spring-forward gap moves 2:30 to 3:30; offsets differ): look from a day before.
        wall_from = (after.astimezone(self.tz) - timedelta(days=1)).replace(tzinfo=None)
        wall_to = (end.astimezone(self.tz) + timedelta(days=1)).replace(tzinfo=None)
        rule = rrulestr(self.rrule, dtstart=self.start_local)
        for wall in rule.xafter(max(wall_from, self.start_local), inc=True):
            if wall > wall_to:
                return None
            due = _to_aware(wall, self.tz).astimezone(UTC)
            if after < due < end:
                return due
        return None

    def asks(self, due: datetime) -> list[datetime]:
        """When the tablet shows the card for one occurrence: at the due time, then again
        every `repeat_every_minutes` while unconfirmed, `repeat_count` more times (none when no
        confirmation is wanted: the card is shown once and closes with "D'accord")."""
        if not self.confirm_wanted:
            return [due]
        every = timedelta(minutes=self.repeat_every_minutes)
        return [due + i * every for i in range(self.repeat_count + 1)]


# What a reminder's RRULE may say. Every combination allowed here has an occurrence in every
# period of the rule (every day, week, month or year it steps through), so that expanding it
# never walks centuries of dates to find none (dateutil stops at the year 9999): a rule that
# matches nothing (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) took minutes to refuse.
RULE_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYHOUR",
              "BYMINUTE", "WKST")  # fmt: skip
MAX_INTERVAL = 366
MAX_ORDINAL = 4  # "le 4e jeudi", "l'avant-dernier" (-2)… every month has four of each day
MAX_MONTH_DAY = 28  # every month has a 28th; "le dernier jour" is -1
# The shortest length of each month (February: 28), for a yearly day (BYMONTH=4;BYMONTHDAY=30).
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_WEEKDAY = re.compile(r"^([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


def _numbers(parts: dict[str, str], name: str, low: int, high: int, signed: bool) -> set[int]:
    """The numbers of one part (BYHOUR=8,12), each within ±[low, high] (signed) or [low, high]."""
    found: set[int] = set()
    if name not in parts:
        return found
    for item in parts[name].split(","):
        try:
            number = int(item)
        except ValueError:
            raise RecurrenceError(
                "{name} : nombre attendu, pas « {item} ».", name=name, item=item
            ) from None
        if not low <= (abs(number) if signed else number) <= high:
            raise RecurrenceError(
                "{name} : {item} n'est pas permis pour un rappel.", name=name, item=item
            )
        found.add(number)
    return found


def _weekday_ordinals(parts: dict[str, str]) -> list[int]:
    """The ordinals of BYDAY (2 for "2TU"), each within ±MAX_ORDINAL."""
    ordinals = []
    for item in parts["BYDAY"].split(",") if "BYDAY" in parts else []:
        match = _WEEKDAY.match(item)
        if match is None:
            raise RecurrenceError("BYDAY : jour illisible « {item} ».", item=item)
        if match.group(1):
            ordinal = int(match.group(1))
            if not 1 <= abs(ordinal) <= MAX_ORDINAL:
                raise RecurrenceError(
                    "BYDAY : « {item} » n'existe pas tous les mois (au plus le 4e, ou -1 pour "
                    "le dernier).",
                    item=item,
                )
            ordinals.append(ordinal)
    return ordinals


def _check_parts(parts: dict[str, str], start_local: datetime) -> None:
    """Refuse what a reminder's rule may not say (RULE_PARTS), and the days that some
    periods lack: a rule must be due in every period it steps through."""
    for name in parts:
        if name not in RULE_PARTS:
            raise RecurrenceError("Un rappel ne peut pas utiliser {part} dans sa règle.", part=name)
    freq = parts["FREQ"]
    _numbers(parts, "INTERVAL", 1, MAX_INTERVAL, signed=False)
    _numbers(parts, "BYHOUR", 0, 23, signed=False)
    _numbers(parts, "BYMINUTE", 0, 59, signed=False)
    ordinals = _weekday_ordinals(parts)
    month_days = _numbers(parts, "BYMONTHDAY", 1, 31, signed=True)
    months = _numbers(parts, "BYMONTH", 1, 12, signed=False)
    weekdays = "BYDAY" in parts
    if freq in ("DAILY", "WEEKLY") and (month_days or months or ordinals):
        raise RecurrenceError(
            "Pour certains jours du mois ou certains mois, choisissez une règle mensuelle "
            "(FREQ=MONTHLY) ou annuelle (FREQ=YEARLY)."
        )
    if freq == "DAILY" and weekdays and int(parts.get("INTERVAL", "1")) > 1:
        raise RecurrenceError(
            "Certains jours de la semaine, une semaine sur deux ou moins souvent : choisissez "
            "une règle hebdomadaire (FREQ=WEEKLY;INTERVAL=2)."
        )
    if freq == "MONTHLY" and months:
        raise RecurrenceError("Pour certains mois, choisissez une règle annuelle (FREQ=YEARLY).")
    if month_days and weekdays:
        raise RecurrenceError(
            "Un rappel suit des jours du mois (BYMONTHDAY) ou des jours de la semaine (BYDAY), "
            "pas les deux."
        )
    # The longest day number that every month of the rule has (28: February, or any month).
    every_month_has = min((_MONTH_DAYS[m - 1] for m in months), default=MAX_MONTH_DAY)
    for day in month_days:
        if day > every_month_has or -day > MAX_MONTH_DAY:
            raise RecurrenceError(
                "BYMONTHDAY : le {day} ne se trouve pas dans chaque mois ; -1 dit « le dernier "
                "jour du mois ».",
                day=str(day),
            )
    # Without a day of its own, a yearly rule for some months takes the start's day of month.
    implied_day = freq == "YEARLY" and months and not month_days and not weekdays
    if implied_day and start_local.day > every_month_has:
        raise RecurrenceError(
            "Le {day} ne se trouve pas dans chacun des mois choisis : précisez le jour "
            "(BYMONTHDAY).",
            day=str(start_local.day),
        )


def due_per_day(rrule: str | None) -> int:
    """How many times a day a (canonical) rule is due at most: its hours times its minutes
    (each day it is due at all). A repeated autumn hour is due once; two times that the
    spring-forward gap makes one (2:30 and 3:30) are due once."""
    if not rrule:
        return 1
    parts = dict(part.split("=", 1) for part in rrule.split(";"))
    hours = set(parts["BYHOUR"].split(",")) if "BYHOUR" in parts else {""}
    minutes = set(parts["BYMINUTE"].split(",")) if "BYMINUTE" in parts else {""}
    return len(hours) * len(minutes)


def check_schedule(start_local: datetime, rrule: str | None, tz: ZoneInfo) -> str | None:
    """Check a schedule and return its RRULE in canonical form (None for a single time).

    Raises RecurrenceError (a French message for the person who wrote it) for a rule finer
    than daily, due more than MAX_DUE_PER_DAY times a day, or saying what a reminder's rule
    may not (RULE_PARTS; a day that some months or years lack: BYMONTHDAY=31, 5MO). A rule
    without an end is allowed: it is never expanded whole, only window by window.
    """
    if start_local.tzinfo is not None:
        raise ValueError("start_local is wall-clock time, naive")
    if rrule is None or not rrule.strip():
        return None
    canonical = normalize_rrule(rrule)
    parts = dict(part.split("=", 1) for part in canonical.split(";"))
    _check_parts(parts, start_local)
    if due_per_day(canonical) > MAX_DUE_PER_DAY:
        raise RecurrenceError(
            "Un rappel ne peut sonner plus de {n} fois par jour.", n=str(MAX_DUE_PER_DAY)
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

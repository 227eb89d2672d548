"""What the reminders ask of the beneficiary now, and their day: pure logic, no Qt, no clock.

The tablet holds every active reminder (sync kind "reminders", docs/reminders.md) and expands
each itself with `common.reminders`; the local record of what was answered here
(`kiosk.reminder_record`) says which occurrences were confirmed ("C'est fait"), seen ("D'accord")
or put off ("Plus tard"). From those and the time, this module answers:

- `due_cards`: the cards to show now, oldest first (one is shown at a time);
- `reminder_day`: for home, the next reminder and today's done / not done;
- `next_change`: when the answer may next change, so that a card appears at its minute.

The rules, for a person at home who may be elsewhere, asleep, or whose tablet was off:

- **An occurrence asks** at its due instant, then again every `repeat_every_minutes` while
  unconfirmed, `repeat_count` more times (`Reminder.asks`; once when no confirmation is wanted).
- **Its window** runs from its due instant to `repeat_every_minutes` after its last ask (with the
  defaults, 8:00 → 8:40). While the window is open and nothing was answered, its card is due; at
  the window's end it is no longer shown and, if a confirmation was wanted, it is "not done"
  today (the backend escalates it: docs/reminders.md).
- **Missed while off.** A tablet that starts (or an app that restarts) inside an occurrence's
  window shows its card at once, as the current ask; an occurrence whose window has closed is
  never shown. So a tablet switched on at 8:25 asks for the 8:00 medication (window to 8:40),
  one switched on at 11:00 does not: no avalanche of old cards.
- **One card per reminder.** When two occurrences of one reminder have open windows (asks every
  2 hours, due every hour), only the latest is asked: the older is superseded.
- **"Plus tard"** puts the card off until its next ask; at the last ask, until its window ends
  (it is then not asked again). **"C'est fait"** and **"D'accord"** are final.
- **Several due at once** queue, oldest due first (then critical first, then by id).

Times: due instants are aware and kept in UTC (an occurrence's identity, `due_at`); asks are
elapsed time after it (10 minutes is 10 minutes across a daylight-saving change); "today" is
the beneficiary's calendar day in their zone (23 or 25 hours long on change days).
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from common.recurrence import normalize_rrule
from common.reminders import (
    MAX_ACTIVE_PER_BENEFICIARY,
    MAX_DUE_PER_DAY,
    MAX_REPEAT_COUNT,
    REPEAT_EVERY_RANGE,
    SYNC_AHEAD,
    Reminder,
    from_payload,
)

log = logging.getLogger(__name__)

KIND = "reminders"  # the sync kind
# More than the backend ever sends (MAX_ACTIVE_PER_BENEFICIARY): a record list this long is a
# fault, and expanding it all would stall home. The rest are left out (and logged).
MAX_REMINDERS = MAX_ACTIVE_PER_BENEFICIARY
# The longest window an occurrence may have: its last ask, plus one interval.
LONGEST_WINDOW = timedelta(minutes=REPEAT_EVERY_RANGE[1] * (MAX_REPEAT_COUNT + 1))
# How far ahead the next reminder is looked for (what the tablet expands, offline or not).
AHEAD = SYNC_AHEAD


class MarkState(StrEnum):
    """What was answered here for one occurrence."""

    DONE = "done"  # "C'est fait": final, and sent once as "reminder_done"
    SEEN = "seen"  # "D'accord" on a reminder that wants no confirmation: final
    LATER = "later"  # "Plus tard": asked again from `until`


@dataclass(frozen=True)
class Mark:
    state: MarkState
    at: datetime  # aware: when the person answered
    until: datetime | None = None  # LATER: not asked before this (aware)


# An occurrence: its reminder's id and its due instant (aware, UTC).
Key = tuple[int, datetime]


def key_of(reminder_id: int, due_at: datetime) -> Key:
    return (reminder_id, due_at.astimezone(UTC))


# -- the reminders, from the synced records ---------------------------------------------------


def parse_reminders(
    records: Iterable[object], tz: ZoneInfo, limit: int = MAX_REMINDERS
) -> list[Reminder]:
    """The synced records as reminders, by id: a malformed one is skipped (and logged), and
    beyond `limit` valid ones the rest are left out, so that a faulty list cannot stall home."""
    found: dict[int, Reminder] = {}
    skipped = 0
    over = 0
    for record in records:
        if len(found) >= limit:
            over += 1
            continue
        try:
            if not isinstance(record, Mapping):
                raise TypeError("not an object")
            reminder = from_payload(dict(record), tz)
            if reminder.rrule is not None:
                reminder = replace(reminder, rrule=normalize_rrule(reminder.rrule))
            if not reminder.title.strip():
                raise ValueError("no title")
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            skipped += 1
            log.debug("reminder record skipped: %s", exc)
            continue
        found[reminder.id] = reminder
    if skipped:
        log.warning("%d malformed reminder record(s) skipped", skipped)
    if over:
        log.error("%d reminder record(s) beyond the first %d left out", over, limit)
    return [found[i] for i in sorted(found)]


# -- their occurrences, expanded once for a window --------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    reminder: Reminder
    due_at: datetime  # aware, UTC

    @property
    def key(self) -> Key:
        return (self.reminder.id, self.due_at)

    @property
    def asks(self) -> list[datetime]:
        return self.reminder.asks(self.due_at)

    @property
    def window_end(self) -> datetime:
        """When its card is no longer shown: one interval after its last ask."""
        return self.asks[-1] + timedelta(minutes=self.reminder.repeat_every_minutes)

    @property
    def wants_confirmation(self) -> bool:
        return self.reminder.confirm_wanted


@dataclass(frozen=True)
class Schedule:
    """Every occurrence due in [start, end), sorted by due instant: expanded once when the
    reminders change or the day turns, then read by every check (cheap). It reaches two days
    ahead; the next reminder beyond that (a weekly one) is looked for once, when first asked."""

    start: datetime
    end: datetime
    tz: ZoneInfo
    reminders: tuple[Reminder, ...]
    occurrences: tuple[Occurrence, ...]
    _dues: tuple[datetime, ...] = field(default=(), repr=False, compare=False)
    _beyond: list[Occurrence | None] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_dues", tuple(o.due_at for o in self.occurrences))

    def covers(self, now: datetime) -> bool:
        """Whether this expansion still answers for `now` (it is rebuilt each day)."""
        return (
            self.start <= now - LONGEST_WINDOW
            and self.start <= day_start(now, self.tz)
            and now + timedelta(days=1) <= self.end
        )

    def due_in(self, start: datetime, end: datetime) -> tuple[Occurrence, ...]:
        lo = bisect.bisect_left(self._dues, start)
        hi = bisect.bisect_left(self._dues, end)
        return self.occurrences[lo:hi]

    def first_after(self, moment: datetime) -> Occurrence | None:
        """The first occurrence due strictly after `moment`, within AHEAD of the expansion's
        end."""
        at = bisect.bisect_right(self._dues, moment)
        if at < len(self.occurrences):
            return self.occurrences[at]
        if not self._beyond:
            self._beyond.append(self._first_beyond())
        return self._beyond[0]

    def _first_beyond(self) -> Occurrence | None:
        last = self.end - timedelta(microseconds=1)
        found: list[Occurrence] = []
        for reminder in self.reminders:
            try:
                due = _rebased(reminder, self.end).next_due(last, horizon=AHEAD)
            except (ValueError, TypeError, OverflowError):
                continue
            if due is not None:
                found.append(Occurrence(reminder, due))
        return min(found, key=_order, default=None)


def _order(occurrence: Occurrence) -> tuple[datetime, bool, int]:
    return (occurrence.due_at, not occurrence.reminder.critical, occurrence.reminder.id)


def day_start(moment: datetime, tz: ZoneInfo) -> datetime:
    """Midnight starting the beneficiary's day that holds `moment`, aware."""
    local = moment.astimezone(tz)
    return datetime.combine(local.date(), time(0), tzinfo=tz)


NEAR = timedelta(days=2)  # how far ahead every occurrence is expanded


def build_schedule(reminders: Sequence[Reminder], now: datetime, tz: ZoneInfo) -> Schedule:
    """Expand the reminders from yesterday's midnight (today's done list, and the longest
    window still open) to two days after now."""
    start = min(day_start(now, tz) - timedelta(days=1), now - LONGEST_WINDOW)
    end = now + NEAR
    kept: list[Reminder] = []
    found: list[Occurrence] = []
    for reminder in reminders:
        if _times_a_day(reminder) > MAX_DUE_PER_DAY:
            log.warning("reminder %s is due too often a day, left out", reminder.id)
            continue
        try:
            dues = _rebased(reminder, start).due_between(start, end)
        except (ValueError, TypeError, OverflowError) as exc:
            log.warning("reminder %s cannot be expanded, left out: %s", reminder.id, exc)
            continue
        kept.append(reminder)
        found.extend(Occurrence(reminder, due) for due in dues)
    found.sort(key=_order)
    return Schedule(start.astimezone(UTC), end.astimezone(UTC), tz, tuple(kept), tuple(found))


def _rule_parts(reminder: Reminder) -> dict[str, str]:
    rule = reminder.rrule or ""
    return dict(part.split("=", 1) for part in rule.split(";") if "=" in part)


def _times_a_day(reminder: Reminder) -> int:
    """At most how many times a day the rule fires (BYHOUR × BYMINUTE × BYSECOND): the backend
    refuses more than MAX_DUE_PER_DAY, and thousands would stall the tablet's expansion."""
    parts = _rule_parts(reminder)
    count = 1
    for name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        if name in parts:
            count *= len(set(parts[name].split(",")))
    return count


# Rules whose expansion can start later without changing a single occurrence, and by how
# much at a time: a whole number of periods (whole years for months, four of them for the
# 29th of February), keeping the wall-clock time, the weekday and the day of the month.
_REBASE_DAYS = {"DAILY": 1, "WEEKLY": 7}
_REBASE_YEARS = {"MONTHLY": 4, "YEARLY": 4}


def _rebased(reminder: Reminder, before: datetime) -> Reminder:
    """The same reminder with its first wall-clock time moved forward to just before `before`,
    when that changes none of its occurrences from `before` on. A daily reminder started two
    years ago is otherwise expanded from its first day each time (seconds for a hundred)."""
    if not reminder.rrule:
        return reminder
    parts = _rule_parts(reminder)
    if "COUNT" in parts:  # counted from the first occurrence: no shortcut
        return reminder
    interval = int(parts.get("INTERVAL", "1"))
    first = reminder.start_local
    # A day of margin before the window, on top of the expansion's own margins.
    target = (before.astimezone(reminder.tz) - timedelta(days=2)).replace(tzinfo=None)
    if target <= first:
        return reminder
    freq = parts.get("FREQ", "")
    if freq in _REBASE_DAYS:
        period = timedelta(days=_REBASE_DAYS[freq] * interval)
        moved = first + ((target - first) // period) * period
    elif freq in _REBASE_YEARS:
        step = _REBASE_YEARS[freq] * interval
        # Whole steps that end before the target's year (so before the target).
        years = ((target.year - first.year - 1) // step) * step
        if years <= 0:
            return reminder
        try:
            moved = first.replace(year=first.year + years)
        except ValueError:  # the 29th of February in a year that has none (2100)
            return reminder
    else:
        return reminder
    return replace(reminder, start_local=moved)


# -- what to ask now --------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """One card to show: an occurrence at its current ask."""

    reminder_id: int
    due_at: datetime  # aware, UTC: the occurrence's identity
    local_due: datetime  # the due instant in the beneficiary's zone
    title: str
    detail: str
    kind: str
    confirm_wanted: bool
    critical: bool
    ask: int  # 0 for the first time it is shown, then 1, 2… for each ask again
    asks: int  # how many asks in all
    ask_at: datetime  # aware: the current ask
    later_until: datetime  # "Plus tard" puts it off until then (the next ask, or the end)
    again: bool  # whether "Plus tard" brings it back (False at the last ask)
    window_end: datetime

    @property
    def key(self) -> Key:
        return (self.reminder_id, self.due_at)


def _open_occurrences(schedule: Schedule, now: datetime) -> list[Occurrence]:
    """The latest occurrence of each reminder whose window holds `now`."""
    latest: dict[int, Occurrence] = {}
    for occurrence in schedule.due_in(now - LONGEST_WINDOW, now + timedelta(microseconds=1)):
        if now < occurrence.window_end:
            latest[occurrence.reminder.id] = occurrence  # sorted by due: the last one wins
    return sorted(latest.values(), key=_order)


def due_cards(schedule: Schedule, marks: Mapping[Key, Mark], now: datetime) -> list[Card]:
    """The cards due now, oldest first: the first is the one to show."""
    cards = []
    for occurrence in _open_occurrences(schedule, now):
        mark = marks.get(occurrence.key)
        if mark is not None and mark.state in (MarkState.DONE, MarkState.SEEN):
            continue
        if mark is not None and mark.until is not None and now < mark.until:
            continue
        asks = occurrence.asks
        index = max(i for i, at in enumerate(asks) if at <= now)
        again = index + 1 < len(asks)
        reminder = occurrence.reminder
        cards.append(
            Card(
                reminder_id=reminder.id,
                due_at=occurrence.due_at,
                local_due=occurrence.due_at.astimezone(schedule.tz),
                title=reminder.title,
                detail=reminder.detail,
                kind=reminder.kind,
                confirm_wanted=reminder.confirm_wanted,
                critical=reminder.critical,
                ask=index,
                asks=len(asks),
                ask_at=asks[index],
                later_until=asks[index + 1] if again else occurrence.window_end,
                again=again,
                window_end=occurrence.window_end,
            )
        )
    return cards


def next_change(schedule: Schedule, marks: Mapping[Key, Mark], now: datetime) -> datetime | None:
    """The next instant at which `due_cards` may answer differently: an ask, a window's end,
    a "Plus tard" running out, or the next due instant."""
    moments: list[datetime] = []
    for occurrence in schedule.due_in(now - LONGEST_WINDOW, now + timedelta(microseconds=1)):
        moments.extend(at for at in occurrence.asks if at > now)
        moments.append(occurrence.window_end)
        mark = marks.get(occurrence.key)
        if mark is not None and mark.until is not None:
            moments.append(mark.until)
    following = schedule.first_after(now)
    if following is not None:
        moments.append(following.due_at)
    later = [m for m in moments if m > now]
    return min(later) if later else None


# -- the day, for home --------------------------------------------------------------------------


class DayState(StrEnum):
    DONE = "done"  # confirmed here
    ASKING = "asking"  # due, not confirmed, its card still asks
    NOT_DONE = "not_done"  # its window ended without a confirmation
    TO_COME = "to_come"  # later today


@dataclass(frozen=True)
class DayItem:
    reminder_id: int
    due_at: datetime  # aware, UTC
    local_due: datetime  # in the beneficiary's zone
    title: str
    kind: str
    state: DayState
    confirmed_at: datetime | None = None  # DONE: the tap's time


@dataclass(frozen=True)
class ReminderDay:
    """Today's reminders, for home. Those that want no confirmation are only ever `to_come`
    (or `next`): once shown, there is nothing to be done about them."""

    next: DayItem | None  # the next due strictly after now, within AHEAD (maybe tomorrow)
    done: tuple[DayItem, ...]  # due today and confirmed
    not_done: tuple[DayItem, ...]  # due today, not confirmed: ASKING, or NOT_DONE
    to_come: tuple[DayItem, ...]  # later today

    @property
    def empty(self) -> bool:
        return not (self.next or self.done or self.not_done or self.to_come)


def reminder_day(schedule: Schedule, marks: Mapping[Key, Mark], now: datetime) -> ReminderDay:
    """The next reminder and today's done / not done (the beneficiary's day of `now`)."""
    tz = schedule.tz
    start = day_start(now, tz)
    end = datetime.combine(start.date() + timedelta(days=1), time(0), tzinfo=tz)
    done: list[DayItem] = []
    not_done: list[DayItem] = []
    to_come: list[DayItem] = []
    for occurrence in schedule.due_in(start, end):
        mark = marks.get(occurrence.key)
        if occurrence.due_at > now:
            to_come.append(_item(occurrence, tz, DayState.TO_COME))
        elif not occurrence.wants_confirmation:
            continue
        elif mark is not None and mark.state is MarkState.DONE:
            done.append(_item(occurrence, tz, DayState.DONE, mark.at))
        elif now < occurrence.window_end:
            not_done.append(_item(occurrence, tz, DayState.ASKING))
        else:
            not_done.append(_item(occurrence, tz, DayState.NOT_DONE))
    following = schedule.first_after(now)
    upcoming = None
    if following is not None and following.due_at <= now + AHEAD:
        upcoming = _item(following, tz, DayState.TO_COME)
    return ReminderDay(upcoming, tuple(done), tuple(not_done), tuple(to_come))


def _item(
    occurrence: Occurrence, tz: ZoneInfo, state: DayState, confirmed: datetime | None = None
) -> DayItem:
    reminder = occurrence.reminder
    return DayItem(
        reminder.id,
        occurrence.due_at,
        occurrence.due_at.astimezone(tz),
        reminder.title,
        reminder.kind,
        state,
        confirmed,
    )


def build_reminder_day(
    records: Iterable[object], tz: ZoneInfo, marks: Mapping[Key, Mark], now: datetime
) -> ReminderDay:
    """`reminder_day` straight from the synced records (one expansion: for a test or a
    one-off; the feature keeps its expansion and calls `RemindersFeature.today()`)."""
    return reminder_day(build_schedule(parse_reminders(records, tz), now, tz), marks, now)

"""When the tablet changes screen by itself: night, photo frame, back home, mood check-in.

Pure logic, no Qt, no clock of its own: the controller asks `decide()` once a second with the
beneficiary's local time and the time of the last touch, and shows what it answers. Tests call
it with any time they like (23:00, a day with a daylight-saving change…).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

HOME = "home"
NIGHT = "night"
PHOTO_FRAME = "photos_frame"
MOOD = "mood"
# Screens the tablet shows by itself and that a touch dismisses.
RESTING = frozenset({NIGHT, PHOTO_FRAME})
WAKE_FOR = timedelta(minutes=1)  # a touch at night wakes the normal screens this long
# A check-in is offered within this time after its hour, not hours later (the tablet was
# asleep, off, or showing something else all that time).
MOOD_WINDOW = timedelta(hours=2)


def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def in_night(now: datetime, start: str, end: str) -> bool:
    """Whether wall-clock `now` is in [start, end), a window that may cross midnight.
    start == end: no night at all."""
    begin, finish, at = parse_hhmm(start), parse_hhmm(end), now.time().replace(tzinfo=None)
    if begin == finish:
        return False
    if begin < finish:
        return begin <= at < finish
    return at >= begin or at < finish


@dataclass(frozen=True)
class Timing:
    night_start: str = "21:30"
    night_end: str = "07:00"
    idle_minutes: int = 5  # home → photo frame; 0 = never
    screen_timeout_minutes: int = 3  # any other screen → home
    mood_times: tuple[str, ...] = ()


@dataclass(frozen=True)
class Situation:
    now: datetime  # aware, beneficiary's time zone
    screen: str  # the current screen's name
    last_touch: datetime  # aware
    awake_until: datetime | None  # after a touch at night
    has_photo_frame: bool
    has_mood: bool


def mood_slot_due(
    now: datetime, times: Iterable[str], done: Iterable[tuple[date, str]]
) -> str | None:
    """The latest of today's check-in times that passed less than MOOD_WINDOW ago and has not
    been offered or answered yet (`done`: (day, "HH:MM") pairs), or None."""
    wall = now.replace(tzinfo=None)
    past = [
        t
        for t in sorted(times)
        if timedelta(0) <= wall - datetime.combine(now.date(), parse_hhmm(t)) < MOOD_WINDOW
    ]
    finished = set(done)
    for slot in reversed(past):
        if (now.date(), slot) not in finished:
            return slot
    return None


def decide(timing: Timing, s: Situation, mood_slot: str | None = None) -> str | None:
    """The screen to go to now, or None to stay."""
    untouched = s.now - s.last_touch
    night = in_night(s.now, timing.night_start, timing.night_end)
    # Woken tonight by a touch: awake for WAKE_FOR after it, and after every later touch (a
    # person reading her messages at night is not sent back to the night screen mid-read).
    awake = s.awake_until is not None and (s.now < s.awake_until or untouched < WAKE_FOR)
    if night and not awake:
        return None if s.screen == NIGHT else NIGHT
    if not night and s.screen == NIGHT:
        return HOME  # morning
    if s.screen in (HOME, PHOTO_FRAME) and mood_slot is not None and s.has_mood and not night:
        return MOOD  # the question wakes the photo frame too: its time has come
    if s.screen == HOME:
        idle = timing.idle_minutes
        if idle > 0 and s.has_photo_frame and untouched >= timedelta(minutes=idle):
            return PHOTO_FRAME
        return None
    if s.screen in RESTING:
        return None  # until a touch
    if untouched >= timedelta(minutes=timing.screen_timeout_minutes):
        return HOME
    return None


class PinGate:
    """Wrong PINs are rate limited: after `max_failures` in a row, locked for `lock_for`."""

    def __init__(self, max_failures: int = 5, lock_for: timedelta = timedelta(minutes=1)) -> None:
        self._max = max_failures
        self._lock_for = lock_for
        self._failures = 0
        self._locked_until: datetime | None = None

    def locked_for(self, now: datetime) -> timedelta:
        """How long it stays locked (zero when open)."""
        if self._locked_until is None or now >= self._locked_until:
            return timedelta(0)
        return self._locked_until - now

    def attempt(self, ok: bool, now: datetime) -> bool:
        """Record an attempt; True only if it was right and the gate was open."""
        if self.locked_for(now):
            return False
        if ok:
            self._failures = 0
            return True
        self._failures += 1
        if self._failures >= self._max:
            self._failures = 0
            self._locked_until = now + self._lock_for
        return False

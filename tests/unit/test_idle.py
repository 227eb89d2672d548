"""When the tablet changes screen by itself, without Qt: night windows across midnight,
photo frame, back home, check-in slots, and the PIN gate."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk import idle

PARIS = ZoneInfo("Europe/Paris")


def at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("hour", "minute", "night"),
    [(21, 29, False), (21, 30, True), (23, 0, True), (0, 0, True), (6, 59, True), (7, 0, False)],
)
def test_night_window_crosses_midnight(hour: int, minute: int, night: bool) -> None:
    assert idle.in_night(at(hour, minute), "21:30", "07:00") is night


def test_night_window_within_a_day_and_none() -> None:
    assert idle.in_night(at(14), "13:00", "15:00")
    assert not idle.in_night(at(15), "13:00", "15:00")
    assert not idle.in_night(at(23), "22:00", "22:00")  # equal: no night at all


def test_night_follows_wall_clock_across_daylight_saving() -> None:
    # 29 March 2026: 02:00 → 03:00 in Paris. 06:30 is still before the 07:00 end.
    assert idle.in_night(datetime(2026, 3, 29, 6, 30, tzinfo=PARIS), "21:30", "07:00")
    assert not idle.in_night(datetime(2026, 3, 29, 7, 0, tzinfo=PARIS), "21:30", "07:00")


def test_mood_slot_due_once_and_only_soon_after_its_time() -> None:
    times = ("10:30", "16:00")
    assert idle.mood_slot_due(at(10, 29), times, set()) is None
    assert idle.mood_slot_due(at(10, 30), times, set()) == "10:30"
    done = {(date(2026, 11, 23), "10:30")}
    assert idle.mood_slot_due(at(11), times, done) is None
    assert idle.mood_slot_due(at(12, 30), times, set()) is None  # two hours later: missed
    assert idle.mood_slot_due(at(16, 5), times, done) == "16:00"
    # Yesterday's answer does not count for today.
    assert idle.mood_slot_due(at(10, 31, day=24), times, done) == "10:30"


def situation(screen: str, now: datetime, touched: datetime, **kw: object) -> idle.Situation:
    return idle.Situation(
        now=now,
        screen=screen,
        last_touch=touched,
        awake_until=kw.get("awake_until"),  # type: ignore[arg-type]
        has_photo_frame=bool(kw.get("frame", True)),
        has_mood=bool(kw.get("mood", True)),
    )


def test_decide() -> None:
    timing = idle.Timing(idle_minutes=5, screen_timeout_minutes=3)
    noon = at(12)
    assert idle.decide(timing, situation("home", noon, noon - timedelta(minutes=4))) is None
    assert idle.decide(timing, situation("home", noon, noon - timedelta(minutes=5))) == (
        "photos_frame"
    )
    off = idle.Timing(idle_minutes=0)
    assert idle.decide(off, situation("home", noon, noon - timedelta(hours=3))) is None
    assert idle.decide(timing, situation("agenda", noon, noon - timedelta(minutes=3))) == "home"
    assert idle.decide(timing, situation("photos_frame", noon, noon - timedelta(hours=1))) is None
    assert idle.decide(timing, situation("home", noon, noon), "10:30") == "mood"
    assert idle.decide(timing, situation("home", noon, noon, mood=False), "10:30") is None
    assert idle.decide(timing, situation("photos_frame", noon, noon), "10:30") == "mood"
    assert idle.decide(timing, situation("agenda", noon, noon), "10:30") is None  # busy
    night = at(23)
    assert idle.decide(timing, situation("agenda", night, night)) == "night"
    awake = situation("home", night, night, awake_until=night + timedelta(seconds=30))
    assert idle.decide(timing, awake, "22:45") is None  # awake at night: no check-in
    assert idle.decide(timing, situation("night", at(7), night)) == "home"


def test_a_touch_at_night_keeps_her_awake_a_minute_longer_each_time() -> None:
    timing = idle.Timing(idle_minutes=5, screen_timeout_minutes=3)
    woke = at(23)
    woken_until = woke + idle.WAKE_FOR
    # Still reading her messages three minutes after the touch that woke the tablet.
    later = woke + timedelta(minutes=3)
    reading = situation("messages", later, later - timedelta(seconds=20), awake_until=woken_until)
    assert idle.decide(timing, reading) is None
    # A minute without a touch: back to the night screen.
    resting = situation("messages", later, later - idle.WAKE_FOR, awake_until=woken_until)
    assert idle.decide(timing, resting) == "night"
    # Never woken tonight: a recent touch (before night began) does not keep the day screens.
    assert idle.decide(timing, situation("home", woke, woke - timedelta(seconds=5))) == "night"


def test_pin_gate_locks_a_minute_after_five_wrong() -> None:
    gate = idle.PinGate()
    t = at(12)
    for _ in range(4):
        assert not gate.attempt(False, t)
    assert gate.locked_for(t) == timedelta(0)
    assert not gate.attempt(False, t)
    assert gate.locked_for(t) == timedelta(minutes=1)
    assert not gate.attempt(True, t + timedelta(seconds=59))  # even the right one, while locked
    assert gate.attempt(True, t + timedelta(minutes=1))

"""« Je vais bien » without Qt: when home asks, on any clock, daylight-saving days included
(29 March 2026: 02:00 → 03:00 in Paris; 25 October 2026: 03:00 → 02:00), read exactly as the
backend reads the window (backend/services/signs_of_life.py, `at_local`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.checkin_view import (
    CheckinSettings,
    answer_data,
    answered_day,
    asking,
    next_change,
    parse_settings,
    window,
)

PARIS = ZoneInfo("Europe/Paris")
SPRING = date(2026, 3, 29)  # summer time starts: 02:00 becomes 03:00
AUTUMN = date(2026, 10, 25)  # summer time ends: 03:00 becomes 02:00 again
MORNING = CheckinSettings(True, time(8), time(11))


def record(**fields: object) -> dict[str, object]:
    return {
        "id": 1,
        "checkin_enabled": True,
        "checkin_start": "08:00",
        "checkin_end": "11:00",
        **fields,
    }


def paris(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS, fold=fold)


def test_the_synced_record_is_read_and_a_bad_one_asks_nothing() -> None:
    assert parse_settings([record()]) == MORNING
    assert parse_settings([record(checkin_enabled=False)]) == CheckinSettings(
        False, time(8), time(11)
    )
    assert parse_settings([]) is None
    assert parse_settings([{"id": 1}]) is None
    assert parse_settings(["nonsense", record(checkin_start="8:30")]) == CheckinSettings(
        True, time(8, 30), time(11)
    )
    assert parse_settings([record(checkin_start="25:00")]) is None
    assert parse_settings([record(checkin_enabled="yes")]) is None
    # A window that ends before it starts is never asked (the backend refuses one anyway).
    backwards = parse_settings([record(checkin_start="11:00", checkin_end="08:00")])
    assert backwards is not None and not backwards.enabled


@pytest.mark.parametrize("day", [date(2026, 12, 4), SPRING, AUTUMN])
def test_asked_from_the_start_until_the_end_of_the_window(day: date) -> None:
    assert asking(MORNING, paris(day, 7, 59), PARIS, set()) is None
    assert asking(MORNING, paris(day, 8, 0), PARIS, set()) == day
    assert asking(MORNING, paris(day, 10, 59), PARIS, set()) == day
    assert asking(MORNING, paris(day, 11, 0), PARIS, set()) is None
    # The window is three hours of real time even on the days the clocks change (at night).
    start, end = window(MORNING, day, PARIS)
    assert end - start == timedelta(hours=3)
    # Whatever zone `now` is given in.
    assert asking(MORNING, paris(day, 9).astimezone(UTC), PARIS, set()) == day


def test_not_asked_once_answered_when_switched_off_or_without_a_window() -> None:
    day = date(2026, 12, 4)
    now = paris(day, 9)
    assert asking(MORNING, now, PARIS, {day}) is None
    assert asking(MORNING, now, PARIS, {day - timedelta(days=1)}) == day  # yesterday's answer
    assert asking(CheckinSettings(False, time(8), time(11)), now, PARIS, set()) is None
    assert asking(None, now, PARIS, set()) is None


def test_a_window_in_the_spring_gap_is_read_as_the_backend_reads_it() -> None:
    # 02:30 does not exist on 29 March: it is 03:30 summer time, as is the end (03:30):
    # nothing is asked that night, and the backend's window is as empty.
    night = CheckinSettings(True, time(2, 30), time(3, 30))
    start, end = window(night, SPRING, PARIS)
    assert start == end == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert asking(night, paris(SPRING, 3, 15), PARIS, set()) is None
    # A window across the gap loses its missing hour.
    early = CheckinSettings(True, time(1, 30), time(3, 30))
    start, end = window(early, SPRING, PARIS)
    assert end - start == timedelta(hours=1)
    assert asking(early, paris(SPRING, 3, 15), PARIS, set()) == SPRING


def test_an_autumn_window_starts_at_the_first_two_thirty() -> None:
    night = CheckinSettings(True, time(2, 30), time(3, 30))
    start, end = window(night, AUTUMN, PARIS)
    assert start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 summer time
    assert end == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)  # 03:30 winter time
    assert asking(night, paris(AUTUMN, 2, 45, fold=0), PARIS, set()) == AUTUMN
    assert asking(night, paris(AUTUMN, 2, 45, fold=1), PARIS, set()) == AUTUMN  # an hour later


def test_the_next_look_is_exactly_at_the_start_or_the_end() -> None:
    day = date(2026, 12, 4)
    assert next_change(MORNING, paris(day, 6), PARIS) == paris(day, 8).astimezone(UTC)
    assert next_change(MORNING, paris(day, 9), PARIS) == paris(day, 11).astimezone(UTC)
    tomorrow = day + timedelta(days=1)
    assert next_change(MORNING, paris(day, 11), PARIS) == paris(tomorrow, 8).astimezone(UTC)
    # Across the spring change: 8:00 summer time, 6:00 UTC (the day before: 7:00 UTC).
    eve = SPRING - timedelta(days=1)
    assert next_change(MORNING, paris(eve, 12), PARIS) == datetime(2026, 3, 29, 6, tzinfo=UTC)
    assert next_change(MORNING, paris(AUTUMN, 12), PARIS) == datetime(2026, 10, 26, 7, tzinfo=UTC)
    assert next_change(None, paris(day, 9), PARIS) is None
    assert next_change(CheckinSettings(False, time(8), time(11)), paris(day, 9), PARIS) is None


def test_the_answer_carries_the_tap_and_its_day_is_found_again() -> None:
    tap = paris(SPRING, 8, 12)
    data = answer_data(tap)
    assert data == {"answered_at": "2026-03-29T08:12:00+02:00", "answer": "ok"}
    assert answered_day(data, PARIS) == SPRING
    assert answered_day({"answered_at": "2026-03-29T23:30:00+00:00"}, PARIS) == date(2026, 3, 30)
    assert answered_day({"answered_at": "2026-03-29T08:12:00"}, PARIS) is None  # naive
    assert answered_day({"answered_at": "hier"}, PARIS) is None
    assert answered_day({}, PARIS) is None
    with pytest.raises(ValueError):
        answer_data(datetime(2026, 3, 29, 8, 12))

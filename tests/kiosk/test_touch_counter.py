"""Touches per local hour and starts per day, without Qt: counts only (never what was touched),
kept across a restart, forgotten once a report carried them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.touch_counter import FILE_NAME, MAX_HOURS, SAME_PRESS, StartLog, TouchCounter

PARIS = ZoneInfo("Europe/Paris")


class Clocks:
    """The beneficiary's wall clock and a monotonic clock, moved together by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.mono = 1000.0

    def wall(self) -> datetime:
        return self.now.astimezone(PARIS)

    def monotonic(self) -> float:
        return self.mono

    def advance(self, **delta: float) -> None:
        step = timedelta(**delta)
        self.now += step
        self.mono += step.total_seconds()


def counter(path: Path, clocks: Clocks) -> TouchCounter:
    return TouchCounter(path, clocks.wall, monotonic=clocks.monotonic)


def test_presses_are_counted_per_local_hour_and_one_press_once(tmp_path: Path) -> None:
    clocks = Clocks(datetime(2026, 12, 4, 7, 10, tzinfo=UTC))  # 8:10 in Paris
    touches = counter(tmp_path, clocks)
    for _ in range(3):
        touches.touched()
        touches.touched()  # the same press seen again on the parent widget
        clocks.advance(seconds=20)
    clocks.advance(minutes=55)  # 9:06
    touches.touched()
    assert touches.completed() == [(datetime(2026, 12, 4, 8, 0, tzinfo=PARIS), 3)]
    assert touches.completed()[0][0].isoformat() == "2026-12-04T08:00:00+01:00"
    assert touches.last_touch() == clocks.wall()
    clocks.advance(hours=1)
    assert [count for _, count in touches.completed()] == [3, 1]
    # Two presses closer than a finger can make are one; a real second tap is another.
    clocks.advance(seconds=SAME_PRESS * 2)
    touches.touched()
    clocks.advance(seconds=SAME_PRESS / 2)
    touches.touched()
    clocks.advance(hours=1)
    assert [count for _, count in touches.completed()] == [3, 1, 1]


def test_the_autumn_night_has_two_two_oclock_hours(tmp_path: Path) -> None:
    clocks = Clocks(datetime(2026, 10, 25, 0, 15, tzinfo=UTC))  # 02:15 summer time
    touches = counter(tmp_path, clocks)
    touches.touched()
    clocks.advance(hours=1)  # 02:15 winter time
    touches.touched()
    clocks.advance(hours=1)
    hours = [hour.isoformat() for hour, _ in touches.completed()]
    assert hours == ["2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00"]


def test_counts_survive_a_restart_and_go_once_acknowledged(tmp_path: Path) -> None:
    clocks = Clocks(datetime(2026, 12, 4, 7, 10, tzinfo=UTC))
    first = counter(tmp_path, clocks)
    for _ in range(4):
        first.touched()
        clocks.advance(seconds=1)
    first.save_if_due()  # at most once a minute while touched: the first time, at once
    clocks.advance(hours=1)
    first.touched()  # a new hour: the last one is kept at once
    # The app closes without a word (a crash): the counts on disk are still there.
    again = counter(tmp_path, clocks)
    assert again.completed() == [(datetime(2026, 12, 4, 8, 0, tzinfo=PARIS), 4)]
    assert again.last_touch() is not None
    # A report carried them and the backend took it: forgotten, on disk too.
    again.acknowledge(again.completed())
    assert again.completed() == []
    assert counter(tmp_path, clocks).completed() == []


def test_an_hour_that_grew_after_its_report_is_sent_again(tmp_path: Path) -> None:
    clocks = Clocks(datetime(2026, 12, 4, 7, 10, tzinfo=UTC))
    touches = counter(tmp_path, clocks)
    touches.touched()
    clocks.advance(hours=1)
    sent = touches.completed()
    clocks.now -= timedelta(hours=1)  # the clock put back into that hour
    clocks.mono += 1
    touches.touched()
    touches.acknowledge(sent)
    clocks.advance(hours=1)
    assert touches.completed() == [(datetime(2026, 12, 4, 8, 0, tzinfo=PARIS), 2)]


def test_the_counts_never_carry_what_was_touched(tmp_path: Path) -> None:
    """Nothing but hours, counts and the last touch's time: `touched` takes no argument, the
    file and the report hold numbers only."""
    clocks = Clocks(datetime(2026, 12, 4, 7, 10, tzinfo=UTC))
    touches = counter(tmp_path, clocks)
    for _ in range(5):
        touches.touched()
        clocks.advance(minutes=7)
    touches.save()
    saved = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    assert set(saved) == {"format", "hours", "last_touch"}
    assert all(isinstance(v, int) for v in saved["hours"].values())
    for key in saved["hours"]:
        assert datetime.fromisoformat(key).minute == 0
    clocks.advance(hours=1)
    assert all(isinstance(count, int) for _, count in touches.completed())
    assert (tmp_path / FILE_NAME).stat().st_mode & 0o077 == 0  # read by nobody else


def test_two_weeks_at_most_and_a_bad_file_starts_afresh(tmp_path: Path) -> None:
    clocks = Clocks(datetime(2026, 12, 1, 0, 10, tzinfo=UTC))
    touches = counter(tmp_path, clocks)
    for _ in range(MAX_HOURS + 30):
        touches.touched()
        clocks.advance(hours=1)
    hours = touches.completed()
    assert len(hours) == MAX_HOURS
    assert hours[-1][0] == (clocks.wall() - timedelta(hours=1)).replace(minute=0)
    (tmp_path / FILE_NAME).write_text("{not json", encoding="utf-8")
    assert counter(tmp_path, clocks).completed() == []
    touches.wipe()
    assert not (tmp_path / FILE_NAME).exists()


def test_starts_are_counted_per_day_across_restarts(tmp_path: Path) -> None:
    day = date(2026, 12, 4)
    assert StartLog(tmp_path).note_start(day) == 1
    assert StartLog(tmp_path).note_start(day) == 2  # a restart: another object, same file
    assert StartLog(tmp_path).count(day) == 2
    assert StartLog(tmp_path).note_start(day + timedelta(days=1)) == 1  # a new day
    (tmp_path / "starts.json").write_text("[]", encoding="utf-8")
    assert StartLog(tmp_path).note_start(day) == 1

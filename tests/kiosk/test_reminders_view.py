"""What the reminders ask now and the day for home, on an injected clock (no Qt): due at the
minute, asked again, put off, confirmed; missed while the tablet was off, without an avalanche;
several at once in a queue; malformed and huge lists; daylight-saving days in Paris; and the
record of answers across a restart."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from common.reminders import Reminder
from kiosk.reminder_record import FILE_NAME, KEEP, ReminderRecord
from kiosk.reminders_view import (
    MAX_REMINDERS,
    DayState,
    Key,
    Mark,
    MarkState,
    _rebased,
    build_reminder_day,
    build_schedule,
    due_cards,
    key_of,
    next_change,
    parse_reminders,
    reminder_day,
)

PARIS = ZoneInfo("Europe/Paris")


def record(id_: int = 12, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": id_,
        "title": "Médicaments du matin",
        "detail": "Le pilulier bleu",
        "kind": "medication",
        "start_local": "2026-12-01T08:00:00",
        "rrule": "FREQ=DAILY",
        "confirm_wanted": True,
        "repeat_every_minutes": 10,
        "repeat_count": 3,
        "critical": True,
        "version": 3,
    }
    base.update(fields)
    return base


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


class Tablet:
    """The view as the feature uses it: one expansion, the marks, and a clock."""

    def __init__(self, records: list[dict[str, Any]], now: datetime) -> None:
        self.records = records
        self.now = now
        self.marks: dict[Key, Mark] = {}

    def schedule(self) -> Any:
        return build_schedule(parse_reminders(self.records, PARIS), self.now, PARIS)

    def cards(self) -> list[Any]:
        return due_cards(self.schedule(), self.marks, self.now)

    def at(self, moment: datetime) -> Tablet:
        self.now = moment
        return self

    def done(self, card: Any) -> None:
        self.marks[card.key] = Mark(MarkState.DONE, self.now)

    def later(self, card: Any) -> None:
        self.marks[card.key] = Mark(MarkState.LATER, self.now, card.later_until)


# -- due, asked again, put off, confirmed ----------------------------------------------------------


def test_nothing_before_the_due_minute_then_the_card() -> None:
    tablet = Tablet([record()], paris(2026, 12, 4, 7, 59, 59))
    assert tablet.cards() == []
    [card] = tablet.at(paris(2026, 12, 4, 8, 0)).cards()
    assert card.reminder_id == 12
    assert card.due_at == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    assert card.local_due == paris(2026, 12, 4, 8, 0)
    assert (card.title, card.detail, card.kind) == (
        "Médicaments du matin",
        "Le pilulier bleu",
        "medication",
    )
    assert (card.ask, card.asks, card.again) == (0, 4, True)
    assert card.later_until == paris(2026, 12, 4, 8, 10)


def test_plus_tard_until_the_next_ask_then_asked_again_until_the_window_ends() -> None:
    tablet = Tablet([record()], paris(2026, 12, 4, 8, 2))
    [card] = tablet.cards()
    tablet.later(card)
    assert tablet.cards() == []
    assert tablet.at(paris(2026, 12, 4, 8, 9, 59)).cards() == []
    [again] = tablet.at(paris(2026, 12, 4, 8, 10)).cards()
    assert (again.ask, again.key) == (1, card.key)
    # Not answered: the card stays due through the next asks…
    assert tablet.at(paris(2026, 12, 4, 8, 25)).cards()[0].ask == 2
    last = tablet.at(paris(2026, 12, 4, 8, 31)).cards()[0]
    assert (last.ask, last.again, last.later_until) == (3, False, paris(2026, 12, 4, 8, 40))
    # … and "Plus tard" at the last ask puts it off for good.
    tablet.later(last)
    assert tablet.at(paris(2026, 12, 4, 8, 35)).cards() == []
    assert tablet.at(paris(2026, 12, 4, 8, 40)).cards() == []


def test_cest_fait_is_final() -> None:
    tablet = Tablet([record()], paris(2026, 12, 4, 8, 3))
    tablet.done(tablet.cards()[0])
    for minute in (4, 10, 20, 30, 39):
        assert tablet.at(paris(2026, 12, 4, 8, minute)).cards() == []
    assert len(tablet.at(paris(2026, 12, 5, 8, 0)).cards()) == 1  # tomorrow's


def test_the_window_closes_one_interval_after_the_last_ask() -> None:
    tablet = Tablet([record()], paris(2026, 12, 4, 8, 39, 59))
    assert tablet.cards()[0].ask == 3
    assert tablet.at(paris(2026, 12, 4, 8, 40)).cards() == []


def test_no_confirmation_wanted_is_shown_once_and_closes_with_daccord() -> None:
    tablet = Tablet([record(confirm_wanted=False, repeat_count=3)], paris(2026, 12, 4, 8, 0))
    [card] = tablet.cards()
    assert (card.confirm_wanted, card.asks, card.again) == (False, 1, False)
    tablet.marks[card.key] = Mark(MarkState.SEEN, tablet.now)
    assert tablet.cards() == []
    assert Tablet([record(confirm_wanted=False)], paris(2026, 12, 4, 8, 10)).cards() == []


# -- missed while the tablet was off: never an avalanche -------------------------------------------


def test_switched_on_inside_the_window_asks_at_once_as_the_current_ask() -> None:
    [card] = Tablet([record()], paris(2026, 12, 4, 8, 25)).cards()  # off from 7:00 to 8:25
    assert card.due_at == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    assert (card.ask, card.ask_at) == (2, paris(2026, 12, 4, 8, 20))


def test_switched_on_after_the_window_asks_nothing_old() -> None:
    # Off for three days: three mornings missed, none comes back.
    assert (
        Tablet([record(start_local="2026-12-01T08:00:00")], paris(2026, 12, 4, 11, 0)).cards() == []
    )


def test_several_times_a_day_only_the_latest_open_occurrence_is_asked() -> None:
    # Due every hour, asked again every 2 hours: windows overlap; the newest supersedes.
    busy = record(rrule="FREQ=DAILY;BYHOUR=8,9,10;BYMINUTE=0", repeat_every_minutes=120)
    cards = Tablet([busy], paris(2026, 12, 4, 10, 5)).cards()
    assert [c.local_due.hour for c in cards] == [10]


def test_several_reminders_due_queue_oldest_first() -> None:
    records = [
        record(
            1,
            title="Boire un verre d'eau",
            kind="drink",
            start_local="2026-12-01T08:05:00",
            critical=False,
        ),
        record(2, title="Médicaments du matin", start_local="2026-12-01T08:00:00", critical=False),
        record(3, title="Tension", start_local="2026-12-01T08:05:00", critical=True),
    ]
    tablet = Tablet(records, paris(2026, 12, 4, 8, 6))
    assert [c.reminder_id for c in tablet.cards()] == [2, 3, 1]  # oldest, then critical first
    tablet.done(tablet.cards()[0])
    assert [c.reminder_id for c in tablet.cards()] == [3, 1]


def test_next_change_is_the_next_ask_or_due_minute() -> None:
    tablet = Tablet(
        [record(), record(2, start_local="2026-12-01T12:30:00")], paris(2026, 12, 4, 8, 2)
    )
    assert next_change(tablet.schedule(), tablet.marks, tablet.now) == paris(2026, 12, 4, 8, 10)
    tablet.done(tablet.cards()[0])
    tablet.at(paris(2026, 12, 4, 8, 45))
    assert next_change(tablet.schedule(), tablet.marks, tablet.now) == paris(2026, 12, 4, 12, 30)


# -- what the tablet receives may be wrong ---------------------------------------------------------


def test_malformed_records_are_skipped_the_rest_asked() -> None:
    records: list[Any] = [
        "not an object",
        {"id": 1},
        record(2, start_local="le matin"),
        record(3, rrule="FREQ=MINUTELY"),
        record(4, rrule="FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13;BYMINUTE=0"),
        record(5, title="   "),
        record(6, id="douze"),
        record(7, repeat_every_minutes="souvent"),
        record(8),
    ]
    tablet = Tablet(records, paris(2026, 12, 4, 8, 0))
    assert [c.reminder_id for c in tablet.cards()] == [8]


def test_a_huge_list_is_capped_and_stays_quick() -> None:
    records = [record(i, start_local="2024-01-01T08:00:00") for i in range(1, 20_001)]
    started = time.perf_counter()
    reminders = parse_reminders(records, PARIS)
    schedule = build_schedule(reminders, paris(2026, 12, 4, 8, 0), PARIS)
    cards = due_cards(schedule, {}, paris(2026, 12, 4, 8, 0))
    day = reminder_day(schedule, {}, paris(2026, 12, 4, 8, 0))
    assert len(reminders) == MAX_REMINDERS
    assert len(cards) == MAX_REMINDERS
    assert len(day.not_done) == MAX_REMINDERS
    assert time.perf_counter() - started < 5


def test_an_old_daily_reminder_expands_the_same_from_a_later_start() -> None:
    """The expansion starts near the window (a daily reminder two years old is not walked
    from its first day), and finds exactly what the full expansion finds."""
    rules = [
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;BYDAY=MO,TH",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=MONTHLY;INTERVAL=5;BYDAY=1MO",
        "FREQ=YEARLY",
        "FREQ=DAILY;UNTIL=20261210T000000",
        "FREQ=DAILY;COUNT=1000",
    ]
    starts = [datetime(2019, 2, 28, 8, 30), datetime(2020, 2, 29, 8), datetime(2025, 3, 30, 2, 30)]
    for rule in rules:
        for start in starts:
            reminder = Reminder(id=1, title="x", start_local=start, tz=PARIS, rrule=rule)
            for window in (paris(2026, 3, 28), paris(2026, 10, 24), paris(2026, 12, 4)):
                end = window + timedelta(days=40)
                assert _rebased(reminder, window).due_between(window, end) == reminder.due_between(
                    window, end
                ), (rule, start, window)


# -- the day, for home -----------------------------------------------------------------------------


def test_the_day_for_home_next_done_and_not_done() -> None:
    records = [
        record(1, title="Médicaments du matin", start_local="2026-12-01T08:00:00"),
        record(2, title="Boire un verre d'eau", kind="drink", start_local="2026-12-01T10:00:00"),
        record(3, title="Tension", start_local="2026-12-01T11:00:00"),
        record(4, title="Médicaments du soir", start_local="2026-12-01T19:00:00"),
        record(
            5,
            title="Coiffeur",
            kind="appointment",
            start_local="2026-12-01T09:00:00",
            confirm_wanted=False,
        ),
    ]
    tablet = Tablet(records, paris(2026, 12, 4, 8, 5))
    tablet.done(tablet.cards()[0])
    day = reminder_day(tablet.schedule(), tablet.marks, paris(2026, 12, 4, 11, 5))
    assert [(i.title, i.state) for i in day.done] == [("Médicaments du matin", DayState.DONE)]
    assert day.done[0].confirmed_at == paris(2026, 12, 4, 8, 5)
    assert [(i.title, i.state) for i in day.not_done] == [
        ("Boire un verre d'eau", DayState.NOT_DONE),
        ("Tension", DayState.ASKING),
    ]
    assert [i.title for i in day.to_come] == ["Médicaments du soir"]
    assert day.next is not None
    assert (day.next.title, day.next.local_due) == (
        "Médicaments du soir",
        paris(2026, 12, 4, 19, 0),
    )
    # The coiffeur (no confirmation wanted) is neither done nor not done once past.
    assert "Coiffeur" not in [i.title for i in day.done + day.not_done + day.to_come]


def test_the_next_reminder_may_be_days_ahead() -> None:
    weekly = record(
        title="Pilulier de la semaine", start_local="2026-11-30T09:00:00", rrule="FREQ=WEEKLY"
    )
    day = build_reminder_day([weekly], PARIS, {}, paris(2026, 12, 1, 12, 0))  # a Tuesday
    assert day.next is not None and day.next.local_due == paris(2026, 12, 7, 9, 0)
    assert day.done == day.not_done == day.to_come == ()
    assert build_reminder_day([], PARIS, {}, paris(2026, 12, 1, 12, 0)).empty


# -- daylight saving, Europe/Paris -----------------------------------------------------------------


def test_spring_forward_2026_03_29() -> None:
    records = [
        record(1, title="Matin", start_local="2026-03-01T08:00:00"),
        # 2:30 does not exist that night: due at 3:30 (docs/reminders.md).
        record(2, title="Nuit", start_local="2026-03-01T02:30:00"),
        # Asked again across the change: 1:50, then 10 minutes later is 3:00 CEST.
        record(3, title="Avant le changement", start_local="2026-03-01T01:50:00"),
    ]
    tablet = Tablet(records, paris(2026, 3, 29, 1, 55))
    [before] = tablet.cards()
    assert before.title == "Avant le changement"
    assert before.later_until == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 3:00 CEST
    assert before.later_until.astimezone(PARIS).hour == 3
    [night] = [
        c for c in tablet.at(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)).cards() if c.reminder_id == 2
    ]
    assert night.local_due == paris(2026, 3, 29, 3, 30)
    [morning] = tablet.at(paris(2026, 3, 29, 8, 0)).cards()
    assert morning.due_at == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 8:00 CEST, not 9:00
    day = reminder_day(tablet.schedule(), {}, paris(2026, 3, 29, 23, 0))  # a 23-hour day
    assert sorted(i.local_due.hour for i in day.not_done) == [1, 3, 8]


def test_fall_back_2026_10_25() -> None:
    records = [
        record(1, title="Matin", start_local="2026-10-01T08:00:00"),
        # 2:30 happens twice that night: due once, at the first.
        record(2, title="Nuit", start_local="2026-10-01T02:30:00"),
    ]
    tablet = Tablet(records, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 2:30 CEST
    [night] = tablet.cards()
    assert night.due_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    asks = [night.ask_at]
    tablet.later(night)
    # Elapsed time: 10, 20, 30 minutes later, whatever the wall clock says (2:40, 2:50, 2:00).
    for minutes in (10, 20, 30):
        moment = night.due_at + timedelta(minutes=minutes)
        [again] = tablet.at(moment).cards()
        asks.append(again.ask_at)
        tablet.later(again)
    assert [a - asks[0] for a in asks] == [timedelta(minutes=m) for m in (0, 10, 20, 30)]
    assert asks[3].astimezone(PARIS).hour == 2 and asks[3].astimezone(PARIS).fold == 1
    # The second 2:30 (CET) asks nothing new.
    assert tablet.at(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)).cards() == []
    [morning] = tablet.at(paris(2026, 10, 25, 8, 0)).cards()
    assert morning.due_at == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)  # 8:00 CET
    day = reminder_day(tablet.schedule(), {}, paris(2026, 10, 25, 23, 30))  # a 25-hour day
    assert [i.title for i in day.not_done] == ["Nuit", "Matin"]


# -- the record of answers -------------------------------------------------------------------------


def test_the_record_survives_a_restart_and_keeps_final_answers(tmp_path: Path) -> None:
    now = paris(2026, 12, 4, 8, 3)
    due = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    record_ = ReminderRecord(tmp_path)
    assert record_.note(12, due, Mark(MarkState.LATER, now, paris(2026, 12, 4, 8, 10)), now)
    assert record_.note(12, due, Mark(MarkState.DONE, now), now)
    assert not record_.note(12, due, Mark(MarkState.LATER, now, now), now)  # done is final
    again = ReminderRecord(tmp_path)
    assert again.marks == {key_of(12, due): Mark(MarkState.DONE, now)}
    assert again.is_final(12, due.astimezone(PARIS))
    again.wipe()
    assert not (tmp_path / FILE_NAME).exists()
    assert ReminderRecord(tmp_path).marks == {}


def test_the_record_forgets_old_days_and_survives_a_damaged_file(tmp_path: Path) -> None:
    now = paris(2026, 12, 4, 8, 3)
    record_ = ReminderRecord(tmp_path)
    old = now - KEEP - timedelta(hours=1)
    record_.note(1, old, Mark(MarkState.DONE, old), old)
    record_.note(2, now, Mark(MarkState.DONE, now), now)
    assert set(ReminderRecord(tmp_path).marks) == {key_of(2, now)}
    saved = json.loads((tmp_path / FILE_NAME).read_text())
    saved["marks"].append({"reminder_id": "x", "due_at": "hier"})
    (tmp_path / FILE_NAME).write_text(json.dumps(saved))
    assert set(ReminderRecord(tmp_path).marks) == {key_of(2, now)}  # the bad line skipped
    (tmp_path / FILE_NAME).write_text("{not json")
    assert ReminderRecord(tmp_path).marks == {}


@pytest.mark.parametrize("hours", [0, 5, 13])
def test_a_card_put_off_stays_put_off_across_a_restart(tmp_path: Path, hours: int) -> None:
    tablet = Tablet(
        [record(repeat_every_minutes=120, repeat_count=6)],
        paris(2026, 12, 4, 8, 0) + timedelta(hours=hours),
    )
    [card] = tablet.cards()
    record_ = ReminderRecord(tmp_path)
    record_.note(
        card.reminder_id,
        card.due_at,
        Mark(MarkState.LATER, tablet.now, card.later_until),
        tablet.now,
    )
    assert due_cards(tablet.schedule(), ReminderRecord(tmp_path).marks, tablet.now) == []

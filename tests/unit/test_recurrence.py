from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from common.recurrence import (
    AgendaEvent,
    RecurrenceError,
    next_occurrence,
    normalize_rrule,
    occurrences_between,
    occurrences_on,
)

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


def weekly_nine(day_rule: str, start: datetime, **kw: object) -> AgendaEvent:
    return AgendaEvent(
        id=1,
        title="Kiné",
        start_local=start,
        duration=timedelta(minutes=45),
        tz=PARIS,
        rrule=f"FREQ=WEEKLY;BYDAY={day_rule}",
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # Last Sunday of October 2026 (25th): CEST (+2) → CET (+1).
        (date(2026, 10, 19), date(2026, 10, 26)),
        # Last Sunday of March 2027 (28th): CET (+1) → CEST (+2).
        (date(2027, 3, 22), date(2027, 3, 29)),
    ],
)
def test_weekly_visit_stays_at_nine_paris_time_across_dst(before: date, after: date) -> None:
    event = weekly_nine("MO", datetime(2026, 9, 7, 9, 0))
    first = occurrences_on([event], before, PARIS)
    second = occurrences_on([event], after, PARIS)
    assert [o.start.strftime("%H:%M") for o in first + second] == ["09:00", "09:00"]
    # The same wall-clock time is a different UTC instant on each side of the change.
    assert first[0].start.astimezone(UTC).hour != second[0].start.astimezone(UTC).hour


def test_change_days_are_23_and_25_hours_long() -> None:
    # An hourly-ish check: a daily 00:30 and 23:30 both fall inside the short and long days.
    events = [
        AgendaEvent(
            1, "a", datetime(2026, 1, 1, 0, 30), timedelta(minutes=10), PARIS, rrule="FREQ=DAILY"
        ),
        AgendaEvent(
            2, "b", datetime(2026, 1, 1, 23, 30), timedelta(minutes=10), PARIS, rrule="FREQ=DAILY"
        ),
    ]
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        assert [o.event_id for o in occurrences_on(events, day, PARIS)] == [1, 2]


def test_time_in_the_spring_gap_moves_past_it() -> None:
    event = AgendaEvent(
        1, "x", datetime(2026, 3, 1, 2, 30), timedelta(minutes=30), PARIS, rrule="FREQ=DAILY"
    )
    (occ,) = occurrences_on([event], date(2026, 3, 29), PARIS)
    assert occ.start.strftime("%H:%M %z") == "03:30 +0200"
    assert occ.end - occ.start == timedelta(minutes=30)


def test_exdates_remove_single_occurrences() -> None:
    event = weekly_nine(
        "MO,WE,FR", datetime(2026, 11, 2, 9, 0), exdates=frozenset({datetime(2026, 11, 4, 9, 0)})
    )
    week = occurrences_between(
        [event], datetime(2026, 11, 2, tzinfo=PARIS), datetime(2026, 11, 9, tzinfo=PARIS)
    )
    assert [o.start.day for o in week] == [2, 6]


def test_nothing_before_the_first_occurrence_and_until_is_respected() -> None:
    event = AgendaEvent(
        1,
        "x",
        datetime(2026, 11, 10, 8, 0),
        timedelta(minutes=30),
        PARIS,
        rrule="FREQ=DAILY;UNTIL=20261112T235959",
    )
    days = occurrences_between(
        [event], datetime(2026, 11, 1, tzinfo=PARIS), datetime(2026, 11, 30, tzinfo=PARIS)
    )
    assert [o.start.day for o in days] == [10, 11, 12]


def test_one_off_event_and_overlap_at_window_edges() -> None:
    event = AgendaEvent(7, "Médecin", datetime(2026, 11, 22, 23, 30), timedelta(hours=1), PARIS)
    assert [o.event_id for o in occurrences_on([event], date(2026, 11, 22), PARIS)] == [7]
    # It runs past midnight, so it is also part of the next day.
    assert [o.event_id for o in occurrences_on([event], date(2026, 11, 23), PARIS)] == [7]
    assert occurrences_on([event], date(2026, 11, 24), PARIS) == []


def test_next_occurrence_prefers_the_one_under_way() -> None:
    nurse = AgendaEvent(
        1, "Soins", datetime(2026, 11, 1, 8, 0), timedelta(minutes=30), PARIS, rrule="FREQ=DAILY"
    )
    now = datetime(2026, 11, 22, 8, 10, tzinfo=PARIS)
    occ = next_occurrence([nurse], now)
    assert occ is not None and occ.start == datetime(2026, 11, 22, 8, 0, tzinfo=PARIS)
    later = next_occurrence([nurse], datetime(2026, 11, 22, 8, 30, tzinfo=PARIS))
    assert later is not None and later.start.day == 23


def test_occurrences_need_aware_bounds() -> None:
    with pytest.raises(ValueError, match="aware"):
        occurrences_between([], datetime(2026, 1, 1), datetime(2026, 1, 2))


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("freq=weekly;byday=mo,th", "FREQ=WEEKLY;BYDAY=MO,TH"),
        ("RRULE:FREQ=DAILY", "FREQ=DAILY"),
        ("  FREQ=MONTHLY;BYMONTHDAY=1 ", "FREQ=MONTHLY;BYMONTHDAY=1"),
    ],
)
def test_rules_are_normalized(rule: str, expected: str) -> None:
    assert normalize_rrule(rule) == expected


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "FREQ=SECONDLY",
        "FREQ=HOURLY",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=DAILY;COUNT=3;UNTIL=20270101T000000",
        "FREQ=DAILY\nRRULE:FREQ=DAILY",
        "BYDAY=MO",
        "FREQ",
    ],
)
def test_bad_rules_are_refused_with_a_message(rule: str) -> None:
    with pytest.raises(RecurrenceError) as caught:
        normalize_rrule(rule)
    assert str(caught.value)

"""A visit over is never "En ce moment": when the nurse came and went (or someone said why a
visit did not happen), home and the agenda show the next visit instead, from the synced kinds
"visits" and "visit_absences" (kiosk.home_view.finished_occurrences). And a visit someone is
still at is never "past": under way ("En cours", "En retard") until the departure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from kiosk.home_view import LineState, build_agenda_days, build_home_view, finished_occurrences
from kiosk.screens.home_screen import HomeScreen
from kiosk.store import event_from_payload
from tests.kiosk.screen_checks import settle

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 10, 15, tzinfo=PARIS)  # Monday


def visit(event_id: int, start: str, title: str, who: str, minutes: int = 60) -> dict[str, Any]:
    return {
        "id": event_id,
        "title": title,
        "kind": "visit",
        "who": who,
        "start_local": f"2026-11-23T{start}:00",
        "timezone": "Europe/Paris",
        "duration_minutes": minutes,
        "rrule": None,
        "exdates": [],
    }


EVENTS = [
    event_from_payload(visit(1, "10:00", "Soins infirmiers", "Inès, infirmière")),
    event_from_payload(visit(2, "14:00", "Aide au repas", "Karima, aide à domicile")),
]
CAME_AND_WENT = {
    "id": 7,
    "event_id": 1,
    "occurrence_start": "2026-11-23T09:00:00+00:00",  # 10:00 in Paris
    "arrived_at": "2026-11-23T09:02:00+00:00",
    "departed_at": "2026-11-23T09:12:00+00:00",
}


def test_the_nurse_came_and_went_so_home_shows_the_next_visit(qtbot: QtBot) -> None:
    home = HomeScreen(lambda: NOW)
    qtbot.addWidget(home)
    settle(home, (1280, 800), qtbot)
    # Nothing recorded: 10:00–11:00 is under way at 10:15.
    home.set_view(build_home_view("Jeanne", EVENTS, NOW))
    assert home.next_visit_text().startswith("En ce moment")
    # She came at 10:02 and left at 10:12: that visit is over.
    finished = finished_occurrences([CAME_AND_WENT], [])
    home.set_view(build_home_view("Jeanne", EVENTS, NOW, finished=finished))
    assert "En ce moment" not in home.next_visit_text()
    assert "Aide au repas" in home.next_visit_text()
    assert not any("En ce moment" in row for row in home.agenda_texts())


def test_only_a_departure_or_a_reason_ends_a_visit() -> None:
    arrived_only = {**CAME_AND_WENT, "departed_at": None}
    assert finished_occurrences([arrived_only], []) == frozenset()
    view = build_home_view("Jeanne", EVENTS, NOW, finished=finished_occurrences([arrived_only], []))
    assert view.today[0].state is LineState.CURRENT  # she is still there
    absent = {
        "id": 3,
        "event_id": 1,
        "occurrence_start": "2026-11-23T09:00:00Z",
        "reason": "refused",
    }
    finished = finished_occurrences([], [absent, {"event_id": "x"}, {"reason": "cancelled"}])
    assert finished == {(1, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))}
    days = build_agenda_days(EVENTS, NOW, days=1, finished=finished)
    assert [line.state for line in days[0].lines] == [LineState.PAST, LineState.NEXT]


# -- a nurse still there after the planned end (no Qt) -----------------------------------------

LATE_NURSE = {
    "id": 8,
    "event_id": 1,
    "occurrence_start": "2026-11-23T09:00:00+00:00",  # planned 10:00–11:00 in Paris
    "arrived_at": "2026-11-23T09:40:00+00:00",  # 10:40: late
    "departed_at": None,
}


def test_a_late_nurse_still_there_after_the_planned_end_is_under_way_until_she_leaves() -> None:
    after_end = NOW.replace(hour=11, minute=25)  # planned end 11:00: by the clock, over
    assert build_home_view("Jeanne", EVENTS, after_end).today[0].state is LineState.PAST

    records = finished_occurrences([LATE_NURSE], [])
    assert records == frozenset()  # nothing is over
    view = build_home_view("Jeanne", EVENTS, after_end, finished=records)
    first, second = view.today
    assert first.state is LineState.CURRENT and first.late
    assert first.arrived_at == datetime(2026, 11, 23, 9, 40, tzinfo=UTC)
    assert second.state is LineState.LATER  # as after any visit under way
    # The card says who is there now, not the afternoon's visit.
    assert view.next_visit is not None and view.next_visit.title == "Soins infirmiers"
    assert view.next_visit.state is LineState.CURRENT and view.next_visit.late
    days = build_agenda_days(EVENTS, after_end, days=1, finished=records)
    assert [line.state for line in days[0].lines] == [LineState.CURRENT, LineState.LATER]

    # She taps "Départ" at 11:30: the visit is over, the afternoon's comes next.
    left = finished_occurrences([{**LATE_NURSE, "departed_at": "2026-11-23T10:30:00+00:00"}], [])
    view = build_home_view("Jeanne", EVENTS, after_end.replace(minute=31), finished=left)
    assert [line.state for line in view.today] == [LineState.PAST, LineState.NEXT]
    assert view.next_visit is not None and view.next_visit.title == "Aide au repas"


def test_an_arrival_on_time_is_in_progress_not_late_and_yesterdays_never_holds_the_card() -> None:
    on_time = {**LATE_NURSE, "arrived_at": "2026-11-23T09:10:00+00:00"}  # 10:10: 10 min
    records = finished_occurrences([on_time], [])
    view = build_home_view("Jeanne", EVENTS, NOW.replace(hour=11, minute=5), finished=records)
    assert view.today[0].state is LineState.CURRENT and not view.today[0].late
    assert view.today[0].arrived_at is not None
    # Nobody recorded: the clock alone says "under way", with no arrival.
    assert build_home_view("Jeanne", EVENTS, NOW).today[0].arrived_at is None

    # A departure forgotten yesterday: yesterday's visit is not today's card.
    yesterday = {
        **LATE_NURSE,
        "occurrence_start": "2026-11-22T09:00:00+00:00",
        "arrived_at": "2026-11-22T09:05:00+00:00",
    }
    every_day = {"start_local": "2026-11-20T10:00:00", "rrule": "FREQ=DAILY"}
    daily = [event_from_payload({**visit(1, "10:00", "Soins infirmiers", "Inès"), **every_day})]
    records = finished_occurrences([yesterday], [])
    view = build_home_view("Jeanne", daily, NOW.replace(hour=12), finished=records)
    assert [line.state for line in view.today] == [LineState.PAST]
    assert view.next_visit is not None and view.next_visit.start.day == 24


def test_home_says_en_cours_or_en_retard_while_someone_is_there(qtbot: QtBot) -> None:
    home = HomeScreen(lambda: NOW)
    qtbot.addWidget(home)
    settle(home, (1280, 800), qtbot)
    after_end = NOW.replace(hour=11, minute=25)
    late = finished_occurrences([LATE_NURSE], [])
    home.set_view(build_home_view("Jeanne", EVENTS, after_end, finished=late))
    assert home.next_visit_text().startswith("En retard · 10:00 – 11:00 · Soins infirmiers")
    assert home.agenda_texts()[0].startswith("10:00 – 11:00 · En retard")
    on_time = {**LATE_NURSE, "arrived_at": "2026-11-23T09:05:00+00:00"}
    came = finished_occurrences([on_time], [])
    home.set_view(build_home_view("Jeanne", EVENTS, after_end, finished=came))
    assert home.next_visit_text().startswith("En cours")

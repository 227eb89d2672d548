"""A visit over is never "En ce moment": when the nurse came and went (or someone said why a
visit did not happen), home and the agenda show the next visit instead, from the synced kinds
"visits" and "visit_absences" (kiosk.home_view.finished_occurrences)."""

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

"""The controller's choices without a backend: what the tablet shows when nothing answers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk import weather_file
from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.controller import KioskController
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from kiosk.store import LocalStore
from provisioning import credentials
from provisioning.http import new_session
from tests.kiosk.fakes import closed_port_url


class Build:
    """Makes controllers on one data directory; `start` connects them (the scheduler and the
    HTTP session arrive after the first picture, as in kiosk.cli)."""

    def __init__(self, qtbot: Any, tmp_path: Path, scheduler: Any) -> None:
        self._qtbot = qtbot
        self._tmp_path = tmp_path
        self._scheduler = scheduler
        self.made: list[KioskController] = []

    def __call__(self, now: datetime | None = None) -> KioskController:
        local_time = LocalTime(source=(lambda: now) if now else lambda: datetime.now(UTC))
        window = MainWindow(local_time.now)
        self._qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        controller = KioskController(self._tmp_path, closed_port_url(), window, local_time)
        self.made.append(controller)
        return controller

    def start(self, controller: KioskController) -> None:
        controller.start(self._scheduler, new_session())


@pytest.fixture
def build(qtbot: Any, tmp_path: Path) -> Iterator[Build]:
    scheduler = make_scheduler()
    scheduler.start()
    made = Build(qtbot, tmp_path, scheduler)
    yield made
    for controller in made.made:
        controller.shutdown()
    shutdown_scheduler(scheduler)


def test_unpaired_with_backend_down_says_so(qtbot: Any, build: Build) -> None:
    controller = build()
    # Before any network: the pairing screen, saying it is connecting.
    assert controller.window.current_screen_name() == "pairing"
    assert "Connexion" in controller.window.pairing.message_text()
    build.start(controller)
    assert controller.window.current_screen_name() == "pairing"
    qtbot.wait_until(
        lambda: "ne répond pas" in controller.window.pairing.message_text(), timeout=10_000
    )
    assert controller.window.pairing.code_text() == ""
    # A real French plural, never « seconde(s) ».
    words = controller.window.pairing.message_text()
    assert re.search(r"Nouvel essai dans (1 seconde|[0-9]{2,} secondes|[2-9] secondes)\.$", words)


def test_paired_with_backend_down_shows_the_stored_day(
    qtbot: Any, build: Build, tmp_path: Path
) -> None:
    credentials.save(tmp_path, credentials.DeviceCredential("http://x", 1, 1, "fyd_t"))
    LocalStore(tmp_path).apply(
        {
            "cursor": "4",
            "full": True,
            "beneficiary": {
                "id": 1,
                "first_name": "Jeanne",
                "last_name": "Martin",
                "timezone": "Europe/Paris",
            },
            "upserts": {
                "events": [
                    {
                        "id": 1,
                        "title": "Aide à domicile",
                        "who": "Sophie, aide à domicile",
                        "kind": "visit",
                        "start_local": "2026-11-02T11:00:00",
                        "timezone": "Europe/Paris",
                        "duration_minutes": 60,
                        "rrule": "FREQ=WEEKLY;BYDAY=MO,WE,FR",
                        "exdates": [],
                    }
                ]
            },
            "deletes": {"events": []},
        }
    )
    # The weather fetched a quarter of an hour before the tablet was switched off.
    fetched = datetime(2026, 11, 23, 7, 45, tzinfo=UTC)
    report = {
        "location": "Lyon",
        "fetched_at": fetched.isoformat(),
        "current": {"temperature": 7.6, "code": 61, "is_day": True},
        "days": [{"date": "2026-11-23", "code": 61, "min": 3.0, "max": 9.0}],
    }
    weather_file.write(tmp_path / weather_file.FILE_NAME, report, fetched)
    # Monday 23 November 2026, 09:00 in Paris (08:00 UTC): the aide comes at 11:00.
    controller = build(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    home = controller.window.home
    # The day is on screen from the local store before anything reaches the network (the
    # tablet's first picture), and stays once it tries.
    for started in (False, True):
        if started:
            build.start(controller)
        assert controller.window.current_screen_name() == "home"
        assert home.greeting_text() == "Bonjour Jeanne"
        assert any("Aide à domicile" in t and "11:00" in t for t in home.agenda_texts())
        assert "Sophie, aide à domicile" in home.next_visit_text()
        assert home.weather_text() == "8°, pluie faible"
    qtbot.wait_until(lambda: "Hors connexion" in home.offline_text(), timeout=10_000)
    # Offline, the day is still there.
    assert any("Aide à domicile" in t for t in home.agenda_texts())


def _visit(event_id: int, title: str, start_local: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "title": title,
        "who": "Claire, infirmière",
        "kind": "visit",
        "start_local": start_local,
        "timezone": "Europe/Paris",
        "duration_minutes": 30,
        "rrule": None,
        "exdates": [],
    }


def test_every_home_module_is_a_feature_told_once_per_sync(
    build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials.save(tmp_path, credentials.DeviceCredential("http://x", 1, 1, "fyd_t"))
    store = LocalStore(tmp_path)
    beneficiary = {"id": 1, "first_name": "Jeanne", "last_name": "Martin"}
    store.apply(
        {
            "cursor": "1",
            "full": True,
            "beneficiary": {**beneficiary, "timezone": "Europe/Paris"},
            "upserts": {"events": [_visit(1, "Infirmière", "2026-11-23T11:00:00")]},
            "deletes": {"events": []},
        }
    )
    controller = build(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    # Agenda and mood are features like the others: the controller only wires them.
    from kiosk.features.agenda import AgendaFeature
    from kiosk.features.mood import MoodFeature

    assert isinstance(controller.agenda, AgendaFeature)
    assert isinstance(controller.mood, MoodFeature)
    assert {"agenda", "mood"} <= set(controller.window.screen_names())
    controller.open_screen("agenda")
    assert any("Infirmière" in row for row in controller.agenda.screen.row_texts())

    told: list[str] = []
    for feature in controller._features:
        original = feature.on_state
        name = type(feature).__name__

        def spy(state: Any, original: Any = original, name: str = name) -> None:
            told.append(name)
            original(state)

        monkeypatch.setattr(feature, "on_state", spy)
    store.apply(
        {
            "cursor": "2",
            "upserts": {"events": [_visit(2, "Kinésithérapeute", "2026-11-23T15:00:00")]},
            "deletes": {"events": []},
        }
    )
    controller._on_state(store.load())  # what SyncService.state_changed delivers
    # Each feature hears of the sync once, and the shown agenda is redrawn by its feature.
    assert sorted(told) == sorted(type(f).__name__ for f in controller._features)
    assert len(told) == len(set(told))
    assert any("Kinésithérapeute" in row for row in controller.agenda.screen.row_texts())


def test_mood_check_ins_offered_are_kept_across_a_restart_and_wiped(
    build: Build, tmp_path: Path
) -> None:
    from kiosk.features.mood import MOOD_FILE

    # Monday 23 November 2026, 10:45 in Paris: the 10:30 check-in is due.
    now = datetime(2026, 11, 23, 9, 45, tzinfo=UTC)
    controller = build(now)
    local = controller.now()
    assert controller.mood.due_slot(local) == "10:30"
    controller.mood.offered(local, "10:30")
    assert controller.mood.due_slot(local) is None
    again = build(now)  # a restart: asked once per slot
    assert again.mood.due_slot(again.now()) is None
    assert (tmp_path / MOOD_FILE).exists()
    again.mood.wipe()
    assert not (tmp_path / MOOD_FILE).exists()
    assert again.mood.due_slot(again.now()) == "10:30"

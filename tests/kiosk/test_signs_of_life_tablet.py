"""Signs of life in the wired tablet (the controller, its window and outbox; the backend out of
reach, an injected clock): "Tout va bien aujourd'hui ?" during the window, its answer queued
once and kept across a restart and a power cut; home stays in front while it asks; touches
counted per hour and kept; the status report's health (starts today across a restart, the
screen off at night and until when); "Mes proches", the circle and "Partager mon humeur";
the reminders on home; and nothing left on disk after a wipe."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from kiosk import idle
from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.checkin_view import ACTION as CHECKIN_ACTION
from kiosk.checkin_view import answer_data
from kiosk.circle_view import ACTION as SHARING_ACTION
from kiosk.controller import KioskController
from kiosk.features.checkin import FILE_NAME as CHECKIN_FILE
from kiosk.features.circle import FILE_NAME as SHARING_FILE
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from kiosk.outbox import Outbox
from kiosk.store import LocalStore
from kiosk.touch_counter import FILE_NAME as TOUCHES_FILE
from provisioning import credentials
from provisioning.http import new_session
from tests.kiosk.every_screen import CIRCLE, reminder_records
from tests.kiosk.fakes import Clock, closed_port_url
from tests.kiosk.screen_checks import tap

PARIS = ZoneInfo("Europe/Paris")
FRIDAY = datetime(2026, 12, 4, 6, 59, tzinfo=UTC)  # 7:59 in Paris
WINDOW = {"id": 1, "checkin_enabled": True, "checkin_start": "08:00", "checkin_end": "11:00"}


def paris(hour: int, minute: int = 0, day: int = 4) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def sync(data_dir: Path, **kinds: list[dict[str, Any]]) -> None:
    LocalStore(data_dir).apply(
        {
            "cursor": "1",
            "full": True,
            "beneficiary": {
                "id": 1,
                "first_name": "Jeanne",
                "last_name": "Martin",
                "timezone": "Europe/Paris",
            },
            "upserts": kinds,
            "deletes": {},
        }
    )


class Tablet:
    """Controllers on one data directory, paired, on one clock: one after the other is a
    restart."""

    def __init__(self, qtbot: QtBot, data_dir: Path) -> None:
        self.qtbot = qtbot
        self.data_dir = data_dir
        self.clock = Clock(FRIDAY)
        self.scheduler = make_scheduler()
        self.scheduler.start()
        self.made: list[KioskController] = []
        credentials.save(data_dir, credentials.DeviceCredential("http://x", 1, 1, "fyd_t"))

    def start(self) -> KioskController:
        local_time = LocalTime(source=self.clock)
        window = MainWindow(local_time.now)
        self.qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        controller = KioskController(self.data_dir, closed_port_url(), window, local_time)
        controller.start(self.scheduler, new_session())
        self.made.append(controller)
        return controller

    def restart(self, controller: KioskController) -> KioskController:
        controller.shutdown()
        controller.window.hide()
        return self.start()

    def at(self, moment: datetime, controller: KioskController) -> None:
        self.clock.now = moment
        controller.checkin.check()

    def close(self) -> None:
        for controller in self.made:
            controller.shutdown()
        shutdown_scheduler(self.scheduler)


@pytest.fixture
def tablet(qtbot: QtBot, tmp_path: Path) -> Iterator[Tablet]:
    made = Tablet(qtbot, tmp_path)
    yield made
    made.close()


def answers(controller: KioskController) -> list[dict[str, Any]]:
    return [e.data for e in controller.outbox.pending() if e.type == CHECKIN_ACTION]


# -- « Je vais bien » ------------------------------------------------------------------------------


def test_asked_in_the_window_answered_once_and_not_asked_again_after_a_restart(
    qtbot: QtBot, tablet: Tablet
) -> None:
    sync(tablet.data_dir, sign_of_life=[WINDOW])
    controller = tablet.start()
    home = controller.window.home
    assert not home.checkin_asking()  # 7:59
    tablet.at(paris(8, 0), controller)
    assert home.checkin_asking() and controller.checkin.asking
    assert home.checkin_text() == "Tout va bien aujourd'hui ?"
    tablet.clock.now = paris(8, 12)
    tap(home.checkin_button)
    tap(home.checkin_button)  # a trembling second tap
    assert answers(controller) == [{"answered_at": "2026-12-04T08:12:00+01:00", "answer": "ok"}]
    assert not controller.checkin.asking and home.checkin_text() == "Merci, bonne journée !"
    saved = json.loads((tablet.data_dir / CHECKIN_FILE).read_text(encoding="utf-8"))
    assert saved == {"answered": ["2026-12-04"]}

    again = tablet.restart(controller)
    tablet.at(paris(9, 0), again)
    assert not again.window.home.checkin_asking()
    assert len(answers(again)) == 1
    # The next morning, asked again; not after the window's end.
    tablet.at(paris(8, 30, day=5), again)
    assert again.window.home.checkin_asking()
    tablet.at(paris(11, 0, day=5), again)
    assert not again.window.home.checkin_asking()
    assert len(answers(again)) == 1


def test_the_window_comes_by_sync_and_switched_off_asks_nothing(
    qtbot: QtBot, tablet: Tablet
) -> None:
    controller = tablet.start()
    tablet.at(paris(9, 0), controller)
    assert not controller.window.home.checkin_asking()  # no window yet
    sync(tablet.data_dir, sign_of_life=[WINDOW])
    controller._on_state(controller.store.load())
    assert controller.window.home.checkin_asking()
    sync(tablet.data_dir, sign_of_life=[{**WINDOW, "checkin_enabled": False}])
    controller._on_state(controller.store.load())
    assert not controller.window.home.checkin_asking()
    sync(tablet.data_dir, sign_of_life=[{**WINDOW, "checkin_start": "09:30"}])
    controller._on_state(controller.store.load())
    assert not controller.window.home.checkin_asking()  # 9:00, before the new start
    tablet.at(paris(9, 30), controller)
    assert controller.window.home.checkin_asking()
    # It looks again at least once a minute, and exactly at the window's end.
    assert 0 < controller.checkin._timer.remainingTime() <= 63_000  # a coarse timer: 5 %
    tablet.at(paris(11, 0) - timedelta(milliseconds=100), controller)
    assert controller.window.home.checkin_asking()
    assert controller.checkin._timer.remainingTime() <= 250
    tablet.clock.now = paris(11, 0)
    qtbot.wait_until(lambda: not controller.window.home.checkin_asking(), timeout=3000)


def test_an_answer_queued_before_a_power_cut_is_not_asked_again(
    qtbot: QtBot, tablet: Tablet
) -> None:
    sync(tablet.data_dir, sign_of_life=[WINDOW])
    # Queued, then the power went before it was noted.
    Outbox(tablet.data_dir).enqueue(CHECKIN_ACTION, answer_data(paris(8, 5).astimezone(PARIS)))
    controller = tablet.start()
    tablet.at(paris(8, 30), controller)
    assert not controller.window.home.checkin_asking()
    assert len(answers(controller)) == 1


def test_while_it_asks_home_stays_in_front(qtbot: QtBot, tablet: Tablet) -> None:
    sync(tablet.data_dir, sign_of_life=[WINDOW])
    controller = tablet.start()
    window = controller.window
    window.show_screen(idle.PHOTO_FRAME)
    tablet.at(paris(8, 0), controller)
    controller.tick()
    assert window.current_screen_name() == "home"


# -- touches and the tablet's health ---------------------------------------------------------------


def test_touches_are_counted_per_hour_kept_and_reported(qtbot: QtBot, tablet: Tablet) -> None:
    controller = tablet.start()
    home = controller.window.home
    tablet.clock.now = paris(9, 10)
    for widget in (home.agenda, home.clock, home.tiles["agenda"]):
        tap(widget)
        qtbot.wait(120)  # three presses, each seen on every widget up to the window
    controller.window.show_home()
    controller.tick()  # kept within a minute
    tablet.clock.now = paris(10, 5)
    again = tablet.restart(controller)
    status = again._collect_status()
    assert status.touches == ((datetime(2026, 12, 4, 9, 0, tzinfo=PARIS), 3),)
    assert status.last_touch_at == paris(9, 10).astimezone(PARIS)
    sent = status.as_json()["touches"]
    assert sent == [{"hour": "2026-12-04T09:00:00+01:00", "count": 3}]
    # Nothing of what was touched: only hours and counts, in the report and on disk.
    assert all(set(entry) == {"hour", "count"} for entry in sent)
    saved = json.loads((tablet.data_dir / TOUCHES_FILE).read_text(encoding="utf-8"))
    assert set(saved) == {"format", "hours", "last_touch"}
    assert "agenda" not in json.dumps(saved) and "home" not in json.dumps(saved)
    # Taken by the backend: not sent again.
    again.touches.acknowledge(status.touches)
    assert again._collect_status().touches == ()


def test_starts_today_survive_a_restart_and_the_health_is_said(
    qtbot: QtBot, tablet: Tablet
) -> None:
    controller = tablet.start()
    status = controller._collect_status()
    assert status.restarts_today == 1
    assert status.started_at == FRIDAY.astimezone(PARIS)
    assert status.screen_on is True and status.screen_off_reason is None
    assert status.disk_total_bytes and status.disk_total_bytes > 0
    assert status.last_error_code is None
    tablet.clock.now = FRIDAY + timedelta(minutes=3)
    again = tablet.restart(controller)
    assert again._collect_status().restarts_today == 2
    assert again._collect_status().started_at == tablet.clock.now.astimezone(PARIS)
    # The next day starts from one.
    tablet.clock.now = FRIDAY + timedelta(days=1)
    third = tablet.restart(again)
    assert third._collect_status().restarts_today == 1
    # Offline: the last error as a code.
    third._on_offline_since(tablet.clock.now)
    assert third._collect_status().last_error_code == "backend_unreachable"
    third._on_offline_since(None)
    assert third._collect_status().last_error_code is None


def test_at_night_the_screen_is_off_until_the_nights_end(qtbot: QtBot, tablet: Tablet) -> None:
    controller = tablet.start()
    tablet.clock.now = paris(23, 0)  # night from 21:30 to 7:00 (the defaults)
    controller.tick()
    assert controller.window.current_screen_name() == idle.NIGHT
    status = controller._collect_status()
    assert (status.screen_on, status.screen_off_reason) == (False, "night")
    assert status.screen_off_until == datetime(2026, 12, 5, 7, 0, tzinfo=PARIS)
    tap(controller.window.currentWidget())  # a touch wakes it
    assert controller._collect_status().screen_on is True


# -- the circle and "Partager mon humeur" ----------------------------------------------------------


def test_mes_proches_the_circle_and_the_pause(qtbot: QtBot, tablet: Tablet) -> None:
    controller = tablet.start()
    home = controller.window.home
    assert not home.circle_button.isVisible()  # no circle synced yet
    sync(tablet.data_dir, circle=CIRCLE)
    controller._on_state(controller.store.load())
    assert home.circle_button.isVisible()
    tap(home.circle_button)
    window = controller.window
    assert window.current_screen_name() == "circle"
    screen = controller.circle.screen
    assert screen.person_texts()[0].startswith("Marie Martin, votre fille, voit")
    assert screen.sharing_text() == "Votre famille et vos amis voient votre humeur."

    tablet.clock.now = paris(10, 0)
    tap(screen.sharing_button)  # "Mettre en pause"
    queued = [e for e in controller.outbox.pending() if e.type == SHARING_ACTION]
    assert [e.data for e in queued] == [{"paused": True, "at": "2026-12-04T10:00:00+01:00"}]
    assert screen.sharing_text().endswith("dès que la tablette sera connectée.")
    assert screen.sharing_button.text() == "Partager à nouveau"

    # The backend's answer, on the outbox's worker thread.
    answer = {"paused": True, "since": "2026-12-04T09:00:00+00:00"}
    worker = threading.Thread(
        target=controller.circle.answered_from_worker, args=(queued[0].data, answer)
    )
    worker.start()
    worker.join()
    qtbot.wait_until(lambda: "connectée" not in screen.sharing_text())
    assert screen.sharing_text().startswith("En pause depuis le 4 décembre")

    # Restarted: still paused, as the backend said.
    again = tablet.restart(controller)
    again.open_screen("circle")
    assert again.circle.screen.sharing_text().startswith("En pause depuis le 4 décembre")
    # Re-paired: forgotten.
    again.repair()
    assert not (tablet.data_dir / SHARING_FILE).exists()
    assert not again.window.home.circle_button.isVisible()


# -- the reminders on home -------------------------------------------------------------------------


def test_home_shows_the_next_reminder_and_the_days_count(qtbot: QtBot, tablet: Tablet) -> None:
    sync(tablet.data_dir, reminders=reminder_records())
    tablet.clock.now = paris(11, 20)
    controller = tablet.start()
    home = controller.window.home
    controller.tick()
    lines = home.reminder_texts()
    assert lines[0] == "Prochain rappel : 18 h"
    assert lines[1:] == ["Médicaments du soir", "Rappels du jour : 2 pas faits"]


def test_a_wipe_forgets_the_answers_and_the_touches(qtbot: QtBot, tablet: Tablet) -> None:
    sync(tablet.data_dir, sign_of_life=[WINDOW])
    controller = tablet.start()
    tablet.at(paris(8, 10), controller)
    tap(controller.window.home.checkin_button)
    controller.touches.save()
    assert (tablet.data_dir / CHECKIN_FILE).exists() and (tablet.data_dir / TOUCHES_FILE).exists()
    controller.repair()
    assert not (tablet.data_dir / CHECKIN_FILE).exists()
    assert not (tablet.data_dir / TOUCHES_FILE).exists()
    assert not controller.window.home.checkin_asking()

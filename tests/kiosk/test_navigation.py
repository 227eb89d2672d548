"""The tablet's shell, driven through its controller as `foyer-kiosk` builds it (with the
backend out of reach): screens by name and home, tiles from the configuration, idle → photo
frame → touch → home, night hours, live configuration, recovery, re-pairing, status."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from common import tablet_config as config
from kiosk import i18n
from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.controller import CONFIG_FILE, KioskController
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from kiosk.store import LocalStore
from provisioning import credentials
from provisioning.http import new_session
from tests.kiosk.fakes import MONDAY, Clock, closed_port_url
from widgets import sizing

DEVICE_ID = 7
# Monday 23 November 2026, 09:50 in Paris.


def snapshot(**upserts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
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
            ],
            **upserts,
        },
        "deletes": {},
    }


def config_record(version: int, **document: Any) -> dict[str, Any]:
    return {"id": DEVICE_ID, "version": version, "document": document}


class Tablet:
    def __init__(self, controller: KioskController, clock: Clock, data_dir: Path) -> None:
        self.c = controller
        self.clock = clock
        self.data_dir = data_dir
        self.window = controller.window

    @property
    def screen(self) -> str:
        return self.window.current_screen_name()

    def deliver(self, *records: dict[str, Any], cursor: str = "5") -> None:
        """What a sync answer does: store it, then tell the controller."""
        self.c.store.apply(
            {"cursor": cursor, "full": False, "upserts": {"config": list(records)}, "deletes": {}}
        )
        self.c._on_state(self.c.store.load())

    def touch(self, widget: QWidget | None = None) -> None:
        """A tap in the middle of `widget` (default: the screen shown)."""
        target = widget or self.window.currentWidget()
        QApplication.processEvents()
        QTest.mouseClick(
            target, Qt.MouseButton.LeftButton, pos=QPoint(target.width() // 2, target.height() // 2)
        )


@pytest.fixture
def make_tablet(qtbot: QtBot, tmp_path: Path) -> Iterator[Any]:
    scheduler = make_scheduler()
    scheduler.start()
    made: list[KioskController] = []

    def make(*, paired: bool = True, now: datetime = MONDAY, **upserts: Any) -> Tablet:
        if paired:
            credentials.save(tmp_path, credentials.DeviceCredential("http://x", DEVICE_ID, 1, "t"))
            LocalStore(tmp_path).apply(snapshot(**upserts))
        clock = Clock(now)
        local_time = LocalTime(source=clock)
        window = MainWindow(local_time.now)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        controller = KioskController(tmp_path, closed_port_url(), window, local_time)
        made.append(controller)
        controller.start(scheduler, new_session())
        return Tablet(controller, clock, tmp_path)

    yield make
    for controller in made:
        controller.shutdown()
    shutdown_scheduler(scheduler)
    sizing.set_font_scale(1.0)
    i18n.set_language("fr")


# -- screens and home ---------------------------------------------------------------------------


def test_tiles_follow_the_configured_modules_that_have_a_screen(make_tablet: Any) -> None:
    tablet = make_tablet()
    # Every module has its screen now: all five, in the default order.
    assert tablet.window.home.tile_names() == ["agenda", "messages", "photos", "weather", "mood"]
    tiles = tablet.window.home.tiles
    assert [t.text() for t in tiles.values()] == [
        "Agenda",
        "Messages",
        "Photos",
        "Météo",
        "Mon humeur",
    ]
    tablet.deliver(config_record(1, modules=["mood", "agenda"]))
    assert tablet.window.home.tile_names() == ["mood", "agenda"]


def test_home_tile_screen_and_back_home(qtbot: QtBot, make_tablet: Any) -> None:
    tablet = make_tablet()
    assert tablet.screen == "home"
    qtbot.mouseClick(tablet.window.home.tiles["agenda"], Qt.MouseButton.LeftButton)
    assert tablet.screen == "agenda"
    assert tablet.c.agenda.screen.day_text() == "Aujourd'hui"
    assert tablet.c.agenda.screen.row_texts() == [
        "11:00 – 12:00 · Prochaine visite · Aide à domicile · Sophie, aide à domicile"
    ]
    qtbot.mouseClick(tablet.c.agenda.screen.home_button, Qt.MouseButton.LeftButton)
    assert tablet.screen == "home"


def test_unread_messages_show_as_a_badge(make_tablet: Any) -> None:
    def message(message_id: int, read: bool) -> dict[str, Any]:
        return {
            "id": message_id,
            "space": "daily",
            "body": "Bonjour",
            "author_name": "Marie Martin",
            "created_at": "2026-11-23T07:00:00+00:00",
            "reply_to_id": None,
            "read": read,
        }

    tablet = make_tablet(messages=[message(1, False), message(2, False), message(3, True)])
    assert tablet.window.home.tiles["messages"].badge_text() == "2"
    assert tablet.window.home.tiles["agenda"].badge_text() == ""


def test_an_unknown_screen_is_refused_quietly(
    make_tablet: Any, caplog: pytest.LogCaptureFixture
) -> None:
    tablet = make_tablet()
    with caplog.at_level(logging.WARNING):
        tablet.c.open_screen("television")
    assert tablet.screen == "home"
    assert "no screen named 'television'" in caplog.text


def test_professional_entry_emits_an_intent(qtbot: QtBot, make_tablet: Any) -> None:
    tablet = make_tablet()
    with qtbot.waitSignal(tablet.window.home.professional_requested, timeout=1000):
        qtbot.mouseClick(tablet.window.home.professional_button, Qt.MouseButton.LeftButton)
    tablet.deliver(config_record(1, professional_entry=False))
    assert not tablet.window.home.professional_button.isVisible()


# -- by itself ----------------------------------------------------------------------------------


def test_without_photos_home_stays(make_tablet: Any) -> None:
    # The idle photo frame with photos: tests/kiosk/test_wiring.py.
    tablet = make_tablet()
    tablet.clock.advance(minutes=30)  # 10:20, before the 10:30 check-in
    tablet.c.tick()
    assert tablet.screen == "home"


def test_a_secondary_screen_left_alone_returns_home(make_tablet: Any) -> None:
    tablet = make_tablet()
    tablet.c.open_screen("agenda")
    tablet.clock.advance(minutes=2)
    tablet.touch(tablet.c.agenda.screen.agenda)
    tablet.clock.advance(minutes=2, seconds=59)
    tablet.c.tick()
    assert tablet.screen == "agenda"  # touched 2 min 59 s ago
    tablet.clock.advance(seconds=1)
    tablet.c.tick()
    assert tablet.screen == "home"


def test_night_at_23_shows_the_dim_clock_and_a_touch_wakes_for_a_minute(
    qtbot: QtBot, make_tablet: Any
) -> None:
    # 23:00 in Paris (22:00 UTC); night from 21:30 to 07:00 by default.
    tablet = make_tablet(now=datetime(2026, 11, 23, 22, 0, tzinfo=UTC))
    with qtbot.waitSignal(tablet.c.screen_power_changed, timeout=1000) as off:
        tablet.c.tick()
    assert off.args == [False]
    assert tablet.screen == "night"
    assert tablet.c.night.clock.time_text() == "23:00"
    with qtbot.waitSignal(tablet.c.screen_power_changed, timeout=1000) as on:
        tablet.touch()
    assert on.args == [True]
    assert tablet.screen == "home"
    tablet.clock.advance(seconds=59)
    tablet.c.tick()
    assert tablet.screen == "home"
    tablet.clock.advance(seconds=1)
    tablet.c.tick()
    assert tablet.screen == "night"
    # Morning: home by itself, screen on.
    tablet.clock.now = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 07:00 in Paris
    with qtbot.waitSignal(tablet.c.screen_power_changed, timeout=1000) as morning:
        tablet.c.tick()
    assert morning.args == [True]
    assert tablet.screen == "home"


def test_night_hours_come_from_the_configuration(make_tablet: Any) -> None:
    tablet = make_tablet(now=datetime(2026, 11, 23, 22, 0, tzinfo=UTC))
    tablet.deliver(config_record(1, night_start="23:30", night_end="06:00"))
    tablet.c.tick()
    assert tablet.screen == "home"
    tablet.clock.advance(minutes=30)
    tablet.c.tick()
    assert tablet.screen == "night"


def test_mood_is_offered_at_its_time_once(make_tablet: Any) -> None:
    tablet = make_tablet()  # 09:50; check-in at 10:30 by default
    tablet.c.tick()
    assert tablet.screen == "home"
    tablet.clock.advance(minutes=40)
    tablet.c.tick()
    assert tablet.screen == "mood"
    tablet.c.show_home()
    tablet.clock.advance(minutes=1)
    tablet.c.tick()
    assert tablet.screen == "home"  # offered once per slot, not again
    # Not even after a restart.
    tablet.c.shutdown()
    again = make_tablet(now=tablet.clock.now)
    again.c.tick()
    assert again.screen == "home"


def test_mood_answered_from_the_tile_is_not_asked_again(make_tablet: Any) -> None:
    tablet = make_tablet(now=MONDAY + timedelta(hours=1))  # 10:50, after the 10:30 slot
    tablet.c.open_screen("mood")
    tablet.c.mood.screen.picker.faces[3].clicked.emit(4)
    tablet.c.mood.screen._after_choice()
    tablet.c.mood.screen.done_button.click()
    [entry] = tablet.c.outbox.pending()
    assert entry.type == "mood"
    assert entry.data["score"] == 4 and entry.data["tags"] == []
    recorded = datetime.fromisoformat(str(entry.data["recorded_at"]))
    assert recorded.utcoffset() == timedelta(hours=1)  # Paris, with its offset
    tablet.c.show_home()
    tablet.c.tick()
    assert tablet.screen == "home"


# -- configuration ------------------------------------------------------------------------------


def test_live_config_reorders_tiles_and_scales_text_without_restart(make_tablet: Any) -> None:
    tablet = make_tablet()
    home = tablet.window.home
    before = home.findChild(QLabel, "greeting").font().pixelSize()  # type: ignore[union-attr]
    tablet.deliver(config_record(1, modules=["mood", "agenda"], font_scale=1.3))
    assert home.tile_names() == ["mood", "agenda"]
    after = home.findChild(QLabel, "greeting").font().pixelSize()  # type: ignore[union-attr]
    assert after >= round(before * 1.25)
    tablet.c.open_screen("agenda")
    agenda_title = tablet.c.agenda.screen.title.font().pixelSize()
    assert agenda_title == round(sizing.base_font_px(800) * 1.25)
    assert sizing.base_font_px(800) == 42  # 32 px at scale 1
    assert tablet.c.config_version == 1
    # Kept across a restart.
    saved = json.loads((tablet.data_dir / CONFIG_FILE).read_text(encoding="utf-8"))
    assert saved["version"] == 1 and saved["document"]["modules"] == ["mood", "agenda"]


def test_invalid_config_is_refused_and_the_last_good_kept(
    make_tablet: Any, caplog: pytest.LogCaptureFixture
) -> None:
    tablet = make_tablet()
    tablet.deliver(config_record(1, modules=["agenda"]))
    with caplog.at_level(logging.ERROR):
        tablet.deliver(config_record(2, modules=["agenda"], font_scale=9), cursor="6")
    assert "configuration version 2 refused, keeping version 1" in caplog.text
    assert "Taille du texte : doit être compris entre 0,8 et 1,3." in caplog.text
    assert tablet.c.config_version == 1
    assert tablet.window.home.tile_names() == ["agenda"]
    assert sizing.font_scale() == 1.0


def test_language_switches_live(make_tablet: Any) -> None:
    tablet = make_tablet()
    tablet.deliver(config_record(1, language="en"))
    QApplication.processEvents()
    assert tablet.window.home.tiles["mood"].text() == "My mood"
    assert tablet.c.agenda.screen.title.text() == "Calendar"
    assert tablet.c.agenda.screen.home_button.text() == "Home"
    tablet.deliver(config_record(2, language="fr"), cursor="6")
    QApplication.processEvents()
    assert tablet.window.home.tiles["mood"].text() == "Mon humeur"
    assert tablet.c.agenda.screen.home_button.text() == "Accueil"


def test_saved_config_applies_at_start(make_tablet: Any, tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILE).write_text(
        json.dumps({"version": 3, "document": {"modules": ["agenda"]}}), encoding="utf-8"
    )
    tablet = make_tablet()
    assert tablet.c.config_version == 3
    assert tablet.window.home.tile_names() == ["agenda"]


# -- maintenance, recovery ----------------------------------------------------------------------


def test_corner_long_press_then_pin_then_repair(qtbot: QtBot, make_tablet: Any) -> None:
    tablet = make_tablet()
    tablet.window._long_press.setInterval(50)
    home = tablet.window.home
    qtbot.mousePress(home, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.waitUntil(lambda: tablet.screen == "maintenance", timeout=2000)
    qtbot.mouseRelease(home, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    screen = tablet.c.maintenance
    assert screen.page() == "pin"
    screen.enter_pin("1111")
    assert screen.page() == "pin" and screen.message_text() == "Code incorrect."
    screen.enter_pin(config.DEFAULT_MAINTENANCE_PIN)
    assert screen.page() == "info"
    info = screen.info_text()
    assert f"Tablette n° {DEVICE_ID}" in info
    assert "Service : http://127.0.0.1:" in info
    assert "Dernière synchronisation : jamais" in info
    assert "Envois en attente : 0" in info
    qtbot.mouseClick(screen.repair_button, Qt.MouseButton.LeftButton)
    assert screen.page() == "confirm"
    qtbot.mouseClick(screen.confirm_button, Qt.MouseButton.LeftButton)
    assert tablet.screen == "pairing"
    assert credentials.load(tablet.data_dir) is None
    assert tablet.c.store.load().events == ()


def test_a_short_press_in_the_corner_does_nothing(qtbot: QtBot, make_tablet: Any) -> None:
    tablet = make_tablet()
    tablet.window._long_press.setInterval(200)
    qtbot.mousePress(tablet.window.home, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.mouseRelease(tablet.window.home, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.wait(300)
    assert tablet.screen == "home"


def test_configured_pin_replaces_the_default(make_tablet: Any) -> None:
    tablet = make_tablet()
    tablet.deliver(config_record(1, maintenance_pin=config.hash_pin("4821", iterations=1000)))
    tablet.c.open_screen("maintenance")
    tablet.c.maintenance.enter_pin(config.DEFAULT_MAINTENANCE_PIN)
    assert tablet.c.maintenance.page() == "pin"
    tablet.c.maintenance.enter_pin("4821")
    assert tablet.c.maintenance.page() == "info"


def test_recover_goes_home_after_an_unexpected_error(
    qtbot: QtBot, make_tablet: Any, caplog: pytest.LogCaptureFixture
) -> None:
    tablet = make_tablet()
    tablet.c.open_screen("agenda")
    with caplog.at_level(logging.WARNING):
        tablet.c.recover()
        assert tablet.screen == "agenda"  # queued: never in the middle of the failing slot
        qtbot.waitUntil(lambda: tablet.screen == "home", timeout=1000)
    assert "recovered from an unexpected error: back to home" in caplog.text


def test_status_is_collected_off_the_gui_thread_data(make_tablet: Any) -> None:
    tablet = make_tablet()
    tablet.c.send("mood", {"score": 3, "tags": [], "recorded_at": tablet.c.now().isoformat()})
    status = tablet.c._collect_status()
    assert status.outbox_pending == 1
    assert status.free_disk_bytes is not None and status.free_disk_bytes > 0
    assert status.app_version == "0.1.0"


def test_high_contrast_switches_live(make_tablet: Any) -> None:
    tablet = make_tablet()
    home = tablet.window.home
    assert home.grab().toImage().pixelColor(3, 3).name() == "#fff8ee"
    tablet.deliver(config_record(1, high_contrast=True))
    QApplication.processEvents()
    assert home.grab().toImage().pixelColor(3, 3).name() == "#ffffff"
    tablet.c.open_screen("agenda")
    assert tablet.c.agenda.screen.grab().toImage().pixelColor(3, 3).name() == "#ffffff"
    assert tablet.c.night.palette().window().color().name() == "#000000"  # night stays dark


def test_nothing_on_the_tablet_takes_focus(qtbot: QtBot, make_tablet: Any) -> None:
    """A touch kiosk has no keyboard: no button (nor anything else) shows a focus frame after
    a tap, on any screen."""
    tablet = make_tablet()
    for name in tablet.window.screen_names():
        tablet.window.show_screen(name)
        QApplication.processEvents()
        screen = tablet.window.currentWidget()
        shown = [w for w in screen.findChildren(QWidget) if w.isVisible()]
        taking = [
            f"{name}: {w.objectName() or type(w).__name__}"
            for w in shown
            if w.focusPolicy() != Qt.FocusPolicy.NoFocus
        ]
        assert taking == []
    tablet.window.show_home()
    QApplication.processEvents()
    qtbot.mouseClick(tablet.window.home.tiles["agenda"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tablet.c.agenda.screen.home_button, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is None

"""The agenda, mood, night and maintenance screens and the home tiles: their words, their
behaviour, and their layout at 1280×800 and 800×480 (labels whole and apart, button words
inside their buttons, touch targets of at least 15 mm)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from kiosk.home_view import build_agenda_days, build_home_view
from kiosk.screens.agenda_screen import AgendaScreen
from kiosk.screens.home_screen import HomeScreen
from kiosk.screens.maintenance_screen import MaintenanceInfo, MaintenanceScreen
from kiosk.screens.mood_screen import TAGS, MoodScreen
from kiosk.screens.night_screen import NIGHT_BACKGROUND, NIGHT_DIGITS, NightScreen
from tests.kiosk.layout_checks import (
    assert_buttons_fit,
    assert_layout_fits,
    assert_touch_targets,
    settle,
)
from tests.kiosk.screen_checks import FakeClock, event, jeanne_day
from widgets import sizing, theme
from widgets.mood_picker import FACE_COLOURS

PARIS = ZoneInfo("Europe/Paris")
SUNDAY = datetime(2026, 11, 22, 11, 20, tzinfo=PARIS)
SIZES = [(1280, 800), (800, 480)]


def week() -> list:
    return [
        *jeanne_day(),
        event(4, "Kinésithérapie", datetime(2026, 11, 24, 17, 0), 30, "Marc, kinésithérapeute"),
        event(5, "Soins infirmiers", datetime(2026, 11, 20, 8, 0), 30, "Claire", "FREQ=DAILY"),
    ]


# -- agenda -------------------------------------------------------------------------------------


def agenda(qtbot: QtBot) -> AgendaScreen:
    screen = AgendaScreen()
    qtbot.addWidget(screen)
    screen.set_days(build_agenda_days(week(), SUNDAY))
    return screen


def test_agenda_shows_today_then_the_coming_days(qtbot: QtBot) -> None:
    screen = agenda(qtbot)
    assert screen.day_text() == "Aujourd'hui"
    assert screen.row_texts() == [
        "08:00 – 08:30 · Soins infirmiers · Claire, infirmière",
        "08:00 – 08:30 · Soins infirmiers · Claire",
        "11:00 – 12:00 · En ce moment · Aide à domicile · Sophie, aide à domicile",
        "15:00 – 15:30 · Rendez-vous médecin · Dr Bernard",
    ]
    assert not screen.previous_button.isEnabled()
    screen.next_button.click()
    assert screen.day_text() == "Demain"
    assert screen.row_texts() == ["08:00 – 08:30 · Soins infirmiers · Claire"]
    screen.next_button.click()
    assert screen.day_text() == "mardi 24 novembre"
    assert "17:00 – 17:30 · Kinésithérapie · Marc, kinésithérapeute" in screen.row_texts()
    for _ in range(10):
        screen.next_button.click()
    assert screen.day_text() == "samedi 28 novembre"  # seven days, no further
    assert not screen.next_button.isEnabled()
    screen.reset()
    assert screen.day_text() == "Aujourd'hui"


def test_agenda_highlights_the_next_visit_on_a_later_day(qtbot: QtBot) -> None:
    screen = AgendaScreen()
    qtbot.addWidget(screen)
    saturday = datetime(2026, 11, 21, 18, 0, tzinfo=PARIS)
    events = [event(1, "Kiné", datetime(2026, 11, 23, 8, 0), 30, "Marc")]
    screen.set_days(build_agenda_days(events, saturday))
    assert screen.row_texts() == []
    assert screen.agenda.empty_text() == "Aucune visite ce jour-là"
    screen.show_day(2)
    assert screen.row_texts() == ["08:00 – 08:30 · Prochaine visite · Kiné · Marc"]


def test_agenda_keeps_the_day_shown_when_new_data_arrives(qtbot: QtBot) -> None:
    screen = agenda(qtbot)
    screen.show_day(2)
    screen.set_days(build_agenda_days(week(), SUNDAY + timedelta(minutes=1)))
    assert screen.day_text() == "mardi 24 novembre"


@pytest.mark.parametrize("size", SIZES)
def test_agenda_layout_fits(qtbot: QtBot, size: tuple[int, int]) -> None:
    screen = agenda(qtbot)
    settle(screen, size, qtbot)
    assert_layout_fits(screen)
    assert_buttons_fit(screen)
    assert_touch_targets(screen)
    shown = len(screen.row_texts())
    assert shown >= 2
    before, after = screen.agenda.hidden_counts()  # the rest is announced, never cut
    assert before + shown + after == 4


# -- mood ---------------------------------------------------------------------------------------


def mood(qtbot: QtBot, *, second_question: bool = True) -> MoodScreen:
    screen = MoodScreen()
    qtbot.addWidget(screen)
    screen.start("Jeanne", second_question=second_question)
    return screen


def test_faces_are_drawn_not_typed(qtbot: QtBot) -> None:
    screen = mood(qtbot)
    settle(screen, (1280, 800), qtbot)
    image = screen.grab().toImage()
    for face in screen.picker.faces:
        centre = face.mapTo(screen, face.rect().center())
        # The cheek, left of the centre: the face's own colour, painted by QPainter.
        cheek = image.pixelColor(centre.x() - face.width() // 4, centre.y())
        assert cheek == QColor(FACE_COLOURS[face.score]), face.score
    assert not screen.findChildren(QLabel, "emoji")


def test_a_face_then_tags_then_thanks(qtbot: QtBot) -> None:
    screen = mood(qtbot)
    settle(screen, (1280, 800), qtbot)
    assert screen.page() == "faces"
    qtbot.mouseClick(screen.picker.faces[1], Qt.MouseButton.LeftButton)
    assert screen.picker.is_animating()  # the chosen face grows, then settles
    qtbot.mouseClick(screen.picker.faces[4], Qt.MouseButton.LeftButton)  # a second tap: ignored
    assert screen.picker.choice() == 2
    qtbot.waitUntil(lambda: screen.page() == "tags", timeout=2000)
    assert not screen.picker.is_animating()
    assert [b.text() for b in screen.tag_buttons][:2] == ["Sommeil", "Douleur"]
    assert [b.tag for b in screen.tag_buttons] == list(TAGS)
    qtbot.mouseClick(screen.tag_button("pain"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.tag_button("sleep"), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(screen.answered, timeout=1000) as answer:
        qtbot.mouseClick(screen.done_button, Qt.MouseButton.LeftButton)
    assert answer.args == [2, ["sleep", "pain"]]
    assert screen.page() == "thanks"
    assert screen.thanks_text() == "Merci Jeanne !"
    screen._after_thanks.setInterval(10)
    screen._after_thanks.start()
    with qtbot.waitSignal(screen.finished, timeout=1000):
        pass


def test_without_the_second_question_a_face_is_the_whole_answer(qtbot: QtBot) -> None:
    screen = mood(qtbot, second_question=False)
    settle(screen, (800, 480), qtbot)
    with qtbot.waitSignal(screen.answered, timeout=2000) as answer:
        qtbot.mouseClick(screen.picker.faces[4], Qt.MouseButton.LeftButton)
    assert answer.args == [5, []]
    assert screen.page() == "thanks"


def test_reopening_asks_afresh(qtbot: QtBot) -> None:
    screen = mood(qtbot)
    screen.picker.faces[0].clicked.emit(1)
    screen.start("Jeanne", second_question=True)
    assert screen.page() == "faces" and screen.picker.choice() is None


@pytest.mark.parametrize("size", SIZES)
def test_mood_layout_fits(qtbot: QtBot, size: tuple[int, int]) -> None:
    screen = mood(qtbot)
    settle(screen, size, qtbot)
    assert_layout_fits(screen)
    assert_touch_targets(screen)
    screen.picker.faces[2].clicked.emit(3)
    screen._after_choice()
    QApplication.processEvents()
    assert_layout_fits(screen)
    assert_buttons_fit(screen)
    assert_touch_targets(screen)
    screen._on_done()
    QApplication.processEvents()
    assert_layout_fits(screen)


# -- night --------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_night_is_a_dim_clock_on_black(qtbot: QtBot, size: tuple[int, int]) -> None:
    screen = NightScreen(FakeClock(SUNDAY.replace(hour=23, minute=4)))
    qtbot.addWidget(screen)
    settle(screen, size, qtbot)
    assert screen.clock.time_text() == "23:04"
    ratio = theme.contrast_ratio(NIGHT_DIGITS, NIGHT_BACKGROUND)
    assert 7 <= ratio <= 8  # the contrast floor of every screen, not glaring
    image = screen.grab().toImage()
    assert image.pixelColor(2, 2) == QColor(NIGHT_BACKGROUND)
    assert_layout_fits(screen)


# -- maintenance --------------------------------------------------------------------------------


def maintenance(qtbot: QtBot, clock: FakeClock) -> MaintenanceScreen:
    screen = MaintenanceScreen(lambda pin: pin == "2580", clock)
    qtbot.addWidget(screen)
    screen.set_info(
        MaintenanceInfo(
            online=True,
            backend_url="http://foyer.local:8000",
            device_id=12,
            version="0.1.0",
            last_sync=SUNDAY,
            outbox_pending=2,
        )
    )
    screen.lock()
    return screen


def test_maintenance_pin_then_info(qtbot: QtBot) -> None:
    screen = maintenance(qtbot, FakeClock(SUNDAY))
    settle(screen, (1280, 800), qtbot)
    for key in "258":
        qtbot.mouseClick(screen.keys[key], Qt.MouseButton.LeftButton)
    assert screen.findChild(QLabel, "pinDots").text() == "●●●"  # type: ignore[union-attr]
    qtbot.mouseClick(screen.keys["C"], Qt.MouseButton.LeftButton)
    screen.enter_pin("2580")
    assert screen.page() == "info"
    assert screen.info_text().split("\n") == [
        "Réseau : connecté",
        "Service : http://foyer.local:8000",
        "Tablette n° 12",
        "Version : 0.1.0",
        "Dernière synchronisation : 22/11/2026 11:20",
        "Envois en attente : 2",
    ]
    screen.repair_button.click()
    screen.cancel_button.click()
    assert screen.page() == "info"  # nothing wiped without saying yes
    # The technician reaches the Wi-Fi screen from here (kiosk/network/link.py opens it).
    with qtbot.waitSignal(screen.network_requested, timeout=1000):
        qtbot.mouseClick(screen.network_button, Qt.MouseButton.LeftButton)
    assert screen.network_button.height() >= 90


def test_maintenance_locks_a_minute_after_five_wrong_pins(qtbot: QtBot) -> None:
    clock = FakeClock(SUNDAY)
    screen = maintenance(qtbot, clock)
    for _ in range(4):
        screen.enter_pin("0000")
        assert screen.message_text() == "Code incorrect."
    screen.enter_pin("0000")
    assert screen.message_text() == "Trop d'essais. Réessayez dans 60 secondes."
    clock.now += timedelta(seconds=30)
    screen.enter_pin("2580")
    assert screen.page() == "pin"
    assert screen.message_text() == "Trop d'essais. Réessayez dans 30 secondes."
    clock.now += timedelta(seconds=29.5)
    screen.enter_pin("2580")
    assert screen.message_text() == "Trop d'essais. Réessayez dans 1 seconde."  # a real plural
    clock.now += timedelta(seconds=0.5)
    screen.enter_pin("2580")
    assert screen.page() == "info"


@pytest.mark.parametrize("size", SIZES)
def test_maintenance_layout_fits(qtbot: QtBot, size: tuple[int, int]) -> None:
    screen = maintenance(qtbot, FakeClock(SUNDAY))
    settle(screen, size, qtbot)
    for page in ("pin", "info", "confirm"):
        if page == "info":
            screen.enter_pin("2580")
        if page == "confirm":
            screen.repair_button.click()
        QApplication.processEvents()
        assert screen.page() == page
        assert_layout_fits(screen)
        assert_buttons_fit(screen)
        assert_touch_targets(screen)


# -- home tiles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_home_with_every_tile_fits(qtbot: QtBot, size: tuple[int, int]) -> None:
    screen = HomeScreen(now_fn=FakeClock(SUNDAY))
    qtbot.addWidget(screen)
    screen.set_view(build_home_view("Jeanne", jeanne_day(), SUNDAY, offline_since=SUNDAY))
    screen.set_tiles(["agenda", "messages", "photos", "weather", "mood"])
    screen.set_badge("messages", 3)
    screen.set_badge("photos", 120)
    screen.set_weather_glance("12 °C, nuageux")
    settle(screen, size, qtbot)
    assert [t.text() for t in screen.tiles.values()] == [
        "Agenda",
        "Messages",
        "Photos",
        "Météo",
        "Mon humeur",
    ]
    assert screen.tiles["messages"].badge_text() == "3"
    assert screen.tiles["photos"].badge_text() == "99+"
    assert screen.weather_text() == "12 °C, nuageux"
    assert_layout_fits(screen)
    assert_buttons_fit(screen)
    assert_touch_targets(screen)
    texts = screen.agenda_texts()
    before, after = screen.agenda.hidden_counts()
    assert before + len(texts) + after == 3  # what does not fit is announced, never cut
    assert len(texts) >= 2 and any("En ce moment" in t for t in texts)


def test_tiles_reorder_and_keep_their_badges(qtbot: QtBot) -> None:
    screen = HomeScreen(now_fn=FakeClock(SUNDAY))
    qtbot.addWidget(screen)
    screen.set_tiles(["agenda", "messages"])
    screen.set_badge("messages", 2)
    clicked: list[str] = []
    screen.tile_clicked.connect(clicked.append)
    screen.set_tiles(["messages", "agenda"])
    assert screen.tile_names() == ["messages", "agenda"]
    assert screen.tiles["messages"].badge() == 2
    settle(screen, (800, 480), qtbot)
    qtbot.mouseClick(screen.tiles["agenda"], Qt.MouseButton.LeftButton)
    assert clicked == ["agenda"]
    assert len([w for w in screen.findChildren(type(screen.tiles["agenda"])) if w.isVisible()]) == 2


@pytest.fixture
def largest_text() -> Iterator[None]:
    sizing.set_font_scale(1.3)  # the configuration's largest font_scale
    yield
    sizing.set_font_scale(1.0)


@pytest.mark.parametrize("size", SIZES)
def test_largest_text_still_fits(qtbot: QtBot, size: tuple[int, int], largest_text: None) -> None:
    home = HomeScreen(now_fn=FakeClock(SUNDAY))
    qtbot.addWidget(home)
    home.set_view(build_home_view("Jeanne", jeanne_day(), SUNDAY, offline_since=SUNDAY))
    home.set_tiles(["agenda", "messages", "photos", "weather", "mood"])
    home.set_weather_glance("12 °C, nuageux")
    screens = [home, agenda(qtbot), mood(qtbot), maintenance(qtbot, FakeClock(SUNDAY))]
    for screen in screens:
        settle(screen, size, qtbot)
        assert_layout_fits(screen)
        assert_buttons_fit(screen)
        assert_touch_targets(screen)
        screen.hide()

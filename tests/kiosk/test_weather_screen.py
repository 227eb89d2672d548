"""The weather screen: now and four days, old values say how old, no values a kind message,
drawn pictograms, and the layout at 1280×800 and 800×480."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication, QRectF, Qt, QTranslator
from PySide6.QtGui import QColor, QImage, QPainter, QResizeEvent
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from kiosk.screens.weather_screen import WeatherScreen
from kiosk.weather_view import build_weather_view
from tests.kiosk.screen_checks import SIZES, assert_layout_fits, settle
from widgets import sizing, theme
from widgets.weather_card import WeatherCard
from widgets.weather_icons import PICTOGRAMS, WeatherIcon, paint_pictogram

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=PARIS)


def report(age: timedelta, codes: tuple[int, ...] = (61, 3, 82, 96)) -> dict[str, Any]:
    return {
        "location": "Lyon",
        "fetched_at": (NOW - age).astimezone(UTC).isoformat(),
        "age_seconds": 0,
        "stale": age > timedelta(minutes=30),
        "current": {"temperature": 7.6, "code": codes[0], "is_day": True, "label": "x"},
        "days": [
            {
                "date": (NOW.date() + timedelta(days=i)).isoformat(),
                "code": code,
                "min": -1.4 + i,
                "max": 9.5 + i,
                "label": "x",
            }
            for i, code in enumerate(codes)
        ],
        "attribution": "Weather data by Open-Meteo.com (CC BY 4.0)",
    }


def visible_texts(screen: WeatherScreen) -> list[str]:
    return [label.text() for label in screen.findChildren(QLabel) if label.isVisible()]


def test_now_and_four_days_in_words(qtbot: QtBot) -> None:
    screen = WeatherScreen()
    qtbot.addWidget(screen)
    settle(screen, (1280, 800), qtbot)
    screen.show_view(build_weather_view(report(timedelta(minutes=10)), NOW))
    texts = visible_texts(screen)
    for expected in ("Météo", "8°", "Pluie faible", "Lyon", "Aujourd'hui", "Demain", "Vendredi"):
        assert expected in texts
    assert "Samedi" in texts and "Orage avec grêle" in texts
    assert "10° / -1°" in texts  # today's high and low
    assert screen.updated_text() == ""  # fresh: no age shown
    cards = [c for c in screen.findChildren(WeatherCard) if c.isVisible()]
    assert [c.icon.name() for c in cards] == ["rain", "cloud", "showers", "thunder"]
    assert screen.findChild(WeatherIcon, "nowIcon").name() == "rain"  # type: ignore[union-attr]


def test_old_values_say_how_old(qtbot: QtBot) -> None:
    screen = WeatherScreen()
    qtbot.addWidget(screen)
    settle(screen, (1280, 800), qtbot)
    screen.show_view(build_weather_view(report(timedelta(hours=2, minutes=10)), NOW))
    assert screen.updated_text() == "mis à jour il y a 2 h"
    assert "mis à jour il y a 2 h" in visible_texts(screen)


def test_days_old_values_keep_only_the_days_and_say_so(qtbot: QtBot) -> None:
    screen = WeatherScreen()
    qtbot.addWidget(screen)
    settle(screen, (800, 480), qtbot)
    screen.show_view(build_weather_view(report(timedelta(days=1, hours=2)), NOW))
    texts = visible_texts(screen)
    assert "8°" not in texts  # yesterday's "now" is not now
    assert screen.updated_text() == "Mis à jour hier"
    assert_layout_fits(screen)


def test_no_weather_is_a_kind_message_and_home_stays(qtbot: QtBot) -> None:
    screen = WeatherScreen()
    qtbot.addWidget(screen)
    settle(screen, (800, 480), qtbot)
    screen.show_view(build_weather_view(None, NOW))
    assert screen.message_text() == "Météo indisponible"
    assert not any(c.isVisible() for c in screen.findChildren(WeatherCard))
    with qtbot.wait_signal(screen.home_requested, timeout=1000):
        qtbot.mouseClick(screen.home_button, Qt.MouseButton.LeftButton)
    assert_layout_fits(screen)


@pytest.mark.parametrize("size", SIZES)
def test_layout_fits_at_both_sizes(qtbot: QtBot, size: tuple[int, int], tmp_path: Any) -> None:
    screen = WeatherScreen()
    qtbot.addWidget(screen)
    settle(screen, size, qtbot)
    # The longest words on every card, and an old value (one more line).
    codes = (82, 57, 67, 99)
    screen.show_view(build_weather_view(report(timedelta(hours=5), codes), NOW))
    settle(screen, size, qtbot)
    assert_layout_fits(screen)
    cards = [c for c in screen.findChildren(WeatherCard) if c.isVisible()]
    assert len(cards) == 4
    for card in cards:
        assert card.icon.width() >= 48 and card.icon.height() >= 48
    screen.grab().save(str(tmp_path / f"weather-{size[0]}x{size[1]}.png"))


@pytest.mark.parametrize("size", SIZES)
def test_the_largest_font_scale_still_fits(qtbot: QtBot, size: tuple[int, int]) -> None:
    screen = WeatherScreen()
    qtbot.addWidget(screen)
    settle(screen, size, qtbot)
    screen.show_view(build_weather_view(report(timedelta(hours=5), (82, 57, 67, 99)), NOW))
    sizing.set_font_scale(1.6)
    try:
        QApplication.sendEvent(screen, QResizeEvent(screen.size(), screen.size()))
        settle(screen, size, qtbot)
        assert_layout_fits(screen)
    finally:
        sizing.set_font_scale(1.0)


@pytest.mark.parametrize("name", PICTOGRAMS)
def test_every_pictogram_is_drawn_with_dark_outlines(name: str) -> None:
    img = QImage(100, 100, QImage.Format.Format_RGB32)
    img.fill(QColor(theme.BACKGROUND))
    painter = QPainter(img)
    paint_pictogram(painter, QRectF(0, 0, 100, 100), name)
    painter.end()
    background = QColor(theme.BACKGROUND).rgb()
    drawn = [img.pixel(x, y) for x in range(0, 100, 2) for y in range(0, 100, 2)]
    inked = [p for p in drawn if p != background]
    assert len(inked) > 150, name  # a real drawing, not an empty box
    # Something dark enough to stand out on the light background (outline or drops).
    assert any(QColor(p).lightness() < 110 for p in inked), name


def test_asks_for_a_fresh_view_only_while_shown(qtbot: QtBot) -> None:
    screen = WeatherScreen()
    qtbot.addWidget(screen)
    with qtbot.wait_signal(screen.refresh_wanted, timeout=1000):
        settle(screen, (800, 480), qtbot)
    assert screen.refresh_active()
    screen.hide()
    assert not screen.refresh_active()


class Shouting(QTranslator):
    """A stand-in catalogue: the weather screen's strings in capitals."""

    def isEmpty(self) -> bool:  # noqa: N802 (Qt override; Qt skips empty translators)
        return False

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        return source.upper() if context == "WeatherScreen" else ""


def test_switching_language_relabels_live(qtbot: QtBot) -> None:
    screen = WeatherScreen()
    qtbot.addWidget(screen)
    settle(screen, (800, 480), qtbot)
    screen.show_view(build_weather_view(None, NOW))
    app = QCoreApplication.instance()
    assert app is not None
    translator = Shouting()
    app.installTranslator(translator)
    try:
        QApplication.processEvents()
        assert screen.title.text() == "MÉTÉO"
        assert screen.message_text() == "MÉTÉO INDISPONIBLE"
    finally:
        app.removeTranslator(translator)
    QApplication.processEvents()
    assert screen.message_text() == "Météo indisponible"

"""The English catalogue: it loads, it is complete for every screen, and it is up to date
with the code (`python -m kiosk.i18n update` regenerates it)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from pytestqt.qtbot import QtBot

from kiosk import i18n
from kiosk.calls_view import parse_callers
from kiosk.features.photos import photo_words
from kiosk.messages_view import build_messages_view
from kiosk.photos_view import build_album_view
from kiosk.screens.agenda_screen import AgendaScreen
from kiosk.screens.call_ringing_screen import CallRingingScreen
from kiosk.screens.callers_screen import CallersScreen
from kiosk.screens.home_screen import HomeScreen
from kiosk.screens.messages_screen import MessagesScreen
from kiosk.screens.mood_screen import MoodScreen
from kiosk.screens.photos_screen import PhotoFrameScreen, PhotosScreen
from kiosk.screens.professional_screen import ProfessionalScreen
from kiosk.screens.weather_screen import WeatherScreen, words
from kiosk.weather_view import build_weather_view, glance
from widgets.weather_card import WeatherCard

TS = i18n.TRANSLATIONS / "foyer_en.ts"
# Every screen's context, and the widgets' that show words of their own.
SCREENS = {
    "AgendaList",
    "AgendaScreen",
    "AlbumPage",
    "CallRingingScreen",
    "CallersScreen",
    "CallsFeature",
    "CircleScreen",
    "CircleWords",
    "HomeScreen",
    "KioskController",
    "MaintenanceScreen",
    "MessagesScreen",
    "MoodScreen",
    "PagedScroll",
    "PairingScreen",
    "PhotoWords",
    "PinPad",
    "ProfessionalScreen",
    "ReminderCard",
    "ScreenFrame",
    "Slideshow",
    "WeatherScreen",
    "WeatherWords",
}


@pytest.fixture
def french_after(qtbot: QtBot) -> Iterator[None]:
    yield
    i18n.set_language("fr")


def test_the_english_catalogue_loads() -> None:
    translator = QTranslator()
    assert translator.load(str(i18n.catalogue("en")))
    assert translator.translate("ScreenFrame", "Accueil") == "Home"
    assert translator.translate("HomeScreen", "Mon humeur") == "My mood"


def test_the_catalogue_is_complete_for_every_screen() -> None:
    root = ET.parse(TS).getroot()
    contexts = {ctx.findtext("name"): ctx for ctx in root.iter("context")}
    assert contexts.keys() >= SCREENS
    # A string lupdate could not place (no class around its tr) is never found at run time.
    unplaced = [
        m.findtext("source")
        for name in ("", None)
        if name in contexts
        for m in contexts[name].iter("message")
        if (found := m.find("translation")) is None
        or found.get("type") not in ("vanished", "obsolete")
    ]
    assert unplaced == []
    missing = []
    for name, context in contexts.items():
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            if translation.get("type") in ("vanished", "obsolete"):
                continue
            forms = [f.text for f in translation.iter("numerusform")] or [translation.text]
            if translation.get("type") == "unfinished" or not all(forms):
                missing.append(f"{name}: {message.findtext('source')}")
    assert missing == [], "translate them, then: python -m kiosk.i18n update"


def test_every_shell_string_in_the_code_is_in_the_catalogue(qtbot: QtBot) -> None:
    """A string added to a screen without updating the catalogue stays French in English."""
    root = ET.parse(TS).getroot()
    sources = {
        (ctx.findtext("name"), m.findtext("source"))
        for ctx in root.iter("context")
        for m in ctx.iter("message")
    }
    agenda, mood = AgendaScreen(), MoodScreen()
    qtbot.addWidget(agenda)
    qtbot.addWidget(mood)
    assert ("AgendaScreen", agenda.title.text()) in sources
    assert ("MoodScreen", mood.title.text()) in sources
    assert ("MoodScreen", mood.done_button.text()) in sources


def test_switching_language_relabels_live(qtbot: QtBot, french_after: None) -> None:
    mood = MoodScreen()
    qtbot.addWidget(mood)
    mood.start("Jeanne", second_question=True)
    assert i18n.set_language("en")
    assert i18n.current_language() == "en"
    QCoreApplication.processEvents()
    assert mood.title.text() == "How are you?"
    assert mood.home_button.text() == "Home"
    assert mood.tag_button("pain").text() == "Pain"
    assert mood.thanks_text() == "Thank you Jeanne!"
    assert i18n.set_language("fr")
    QCoreApplication.processEvents()
    assert mood.title.text() == "Comment allez-vous ?"


def test_every_screen_goes_home_in_english(qtbot: QtBot, french_after: None) -> None:
    """A base class's strings are found under the subclass too: "Accueil" is asked for by
    AlbumPage, WeatherScreen… and must still come back as "Home"."""
    photos = PhotosScreen()
    messages, weather = MessagesScreen(), WeatherScreen()
    professional = ProfessionalScreen(lambda: datetime.now(ZoneInfo("Europe/Paris")))
    frame = PhotoFrameScreen()
    for screen in (messages, weather, professional, photos, frame):
        qtbot.addWidget(screen)
    assert i18n.set_language("en")
    QCoreApplication.processEvents()
    homes = [s.home_button.text() for s in (messages, weather, professional, photos.album)]
    assert photos.slideshow.home_button is not None
    homes += [photos.slideshow.home_button.text()]
    assert homes == ["Home"] * 5
    assert weather.title.text() == "Weather"
    assert professional.title.text() == "Professionals"
    assert photos.album.title.text() == "Photos"


def test_the_weather_speaks_english_too(qtbot: QtBot, french_after: None) -> None:
    """The weather's words come from a module without Qt: marked for the catalogue there,
    translated by the screen and for home's glance."""
    paris = ZoneInfo("Europe/Paris")
    now = datetime(2026, 11, 22, 11, 20, tzinfo=paris)
    report = {
        "fetched_at": "2026-11-22T10:10:00+00:00",
        "current": {"temperature": 7.6, "code": 61, "is_day": True},
        "days": [
            {"date": "2026-11-22", "code": 61, "min": 4, "max": 9},
            {"date": "2026-11-23", "code": 3, "min": 2, "max": 8},
            {"date": "2026-11-24", "code": 0, "min": -1, "max": 7},
        ],
    }
    screen = WeatherScreen()
    qtbot.addWidget(screen)
    view = build_weather_view(report, now)
    assert i18n.set_language("en")
    screen.show_view(view)
    cards = screen.findChildren(WeatherCard)[:3]
    assert [c.day.text() for c in cards] == ["Today", "Tomorrow", "Tuesday"]
    assert [c.words.text() for c in cards] == ["Light rain", "Overcast", "Clear sky"]
    assert glance(view, words) == "8°, light rain"
    old = build_weather_view(report, now + timedelta(hours=3), translate=words)
    assert old.updated == "updated 3 h ago"
    assert i18n.set_language("fr")
    assert glance(view, words) == "8°, pluie faible"


def test_dates_follow_the_language(qtbot: QtBot, french_after: None) -> None:
    now = datetime(2026, 11, 22, 11, 20, tzinfo=ZoneInfo("Europe/Paris"))
    home = HomeScreen(lambda: now)
    messages = MessagesScreen()
    for screen in (home, messages):
        qtbot.addWidget(screen)
    record = {
        "id": 1,
        "body": "Bonjour",
        "author_name": "Marie",
        "created_at": "2026-11-20T09:00:00+00:00",
    }
    view = build_messages_view([record], now)
    messages.set_view(view)
    home.show()
    assert home.clock.date_text() == "dimanche 22 novembre"
    assert i18n.set_language("en")
    QCoreApplication.processEvents()
    assert home.clock.date_text() == "Sunday 22 November"
    assert messages.when_text(view.items[0]) == "Friday 20 November"


def test_photo_words_follow_the_language(qtbot: QtBot, french_after: None) -> None:
    now = datetime(2026, 11, 22, 11, 20, tzinfo=ZoneInfo("Europe/Paris"))
    records = [
        {"id": 1, "display_hash": "a", "sender_name": "Marie", "created_at": "2026-11-21T09:00Z"},
        {"id": 2, "display_hash": "b", "sender_name": "", "created_at": "2026-09-01T09:00Z"},
    ]

    def sent() -> list[str]:
        return [e.sent for e in build_album_view(records, now, translate=photo_words).entries]

    assert sent() == ["Envoyée par Marie, hier", "Envoyée le 1er septembre"]
    assert i18n.set_language("en")
    assert sent() == ["Sent by Marie, yesterday", "Sent on 1 September"]


def test_an_unknown_language_stays_french(
    qtbot: QtBot, french_after: None, caplog: pytest.LogCaptureFixture
) -> None:
    assert not i18n.set_language("de")
    assert i18n.current_language() == "fr"
    assert "no usable catalogue" in caplog.text


def test_a_call_rings_in_english_too(qtbot: QtBot, french_after: None) -> None:
    ringing, callers = CallRingingScreen(), CallersScreen()
    for screen in (ringing, callers):
        qtbot.addWidget(screen)
    ringing.show_call(12, "Paul Martin", "PM", countdown=1)
    callers.set_callers(
        parse_callers([{"id": 3, "name": "Paul Martin", "auto_answer": True}]), pending=False
    )
    assert i18n.set_language("en")
    QCoreApplication.processEvents()
    assert ringing.texts() == [
        "Paul Martin is calling you",
        "The call opens by itself in 1 second.",
        "No thanks",
        "Answer",
    ]
    ringing.set_countdown(7)
    assert ringing.texts()[1] == "The call opens by itself in 7 seconds."
    assert callers.title.text() == "Call"
    assert callers.row_texts() == ["Paul Martin — The call opens by itself. [Stop]"]

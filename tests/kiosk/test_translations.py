"""The English catalogue: it loads, it is complete for the shell's screens, and it is up to
date with the code (`python -m kiosk.i18n update` regenerates it)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from pytestqt.qtbot import QtBot

from kiosk import i18n
from kiosk.screens.agenda_screen import AgendaScreen
from kiosk.screens.mood_screen import MoodScreen

TS = i18n.TRANSLATIONS / "foyer_en.ts"
# The contexts of the shell (home, agenda, mood, maintenance, pairing, frame, controller).
SHELL = {
    "AgendaList",
    "AgendaScreen",
    "HomeScreen",
    "KioskController",
    "MaintenanceScreen",
    "MoodScreen",
    "PairingScreen",
    "ScreenFrame",
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


def test_the_catalogue_is_complete_for_the_shell() -> None:
    root = ET.parse(TS).getroot()
    contexts = {ctx.findtext("name"): ctx for ctx in root.iter("context")}
    assert contexts.keys() >= SHELL
    missing = []
    for name in SHELL:
        for message in contexts[name].iter("message"):
            translation = message.find("translation")
            assert translation is not None
            if translation.get("type") == "vanished":
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


def test_an_unknown_language_stays_french(
    qtbot: QtBot, french_after: None, caplog: pytest.LogCaptureFixture
) -> None:
    assert not i18n.set_language("de")
    assert i18n.current_language() == "fr"
    assert "no usable catalogue" in caplog.text

"""Every tablet screen, at both sizes, at every allowed font scale, in French and in English:
no text clipped anywhere, nothing in the other language and no identifier where a person
reads, and nothing else drawn under the professional entry of home."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk import i18n
from kiosk.screens.home_screen import HomeScreen
from tests.kiosk.every_screen import SCREENS
from tests.kiosk.layout_checks import assert_buttons_fit
from tests.kiosk.screen_checks import SIZES, assert_labels_whole, rect_in, settle
from widgets import sizing

SCALES = (0.8, 1.0, 1.3)  # the configuration's font_scale: lowest, default, highest


@pytest.fixture
def restore() -> Iterator[None]:
    yield
    sizing.set_font_scale(1.0)
    i18n.set_language("fr")


def built(qtbot: QtBot, name: str) -> QWidget:
    screen = SCREENS[name]()
    qtbot.addWidget(screen)
    return screen


@pytest.mark.parametrize("language", i18n.LANGUAGES)
@pytest.mark.parametrize("scale", SCALES)
def test_no_text_is_ever_clipped(qtbot: QtBot, scale: float, language: str, restore: None) -> None:
    assert i18n.set_language(language)
    sizing.set_font_scale(scale)
    problems = []
    for name in SCREENS:
        screen = built(qtbot, name)
        for size in SIZES:
            settle(screen, size, qtbot)
            try:
                assert_labels_whole(screen)
                assert_buttons_fit(screen)
            except AssertionError as exc:
                problems.append(f"{name} {size[0]}x{size[1]}: {exc}".splitlines()[0])
        screen.hide()
    assert problems == []


# -- one language at a time ---------------------------------------------------------------------

FRENCH_DATES = re.compile(
    r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|janvier|février|avril|juin|"
    r"juillet|août|septembre|octobre|novembre|décembre|aujourd'hui|demain|hier)\b",
    re.IGNORECASE,
)
ENGLISH_DATES = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|april|"
    r"june|july|august|september|october|november|december|today|tomorrow|yesterday)\b",
    re.IGNORECASE,
)
IDENTIFIER = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")  # snake_case: a code, not a word
RAW_ERROR = re.compile(
    r"\b(unreachable|error|exception|traceback|none|null|true|false|http|timeout)\b",
    re.IGNORECASE,
)
URL = re.compile(r"https?://\S+")


def _pattern(text: str) -> re.Pattern[str]:
    """A catalogue string as a pattern: its placeholders ({time}, %n) match anything."""
    parts = re.split(r"(\{[a-z_]+\}|%n)", text)
    return re.compile(
        "".join(".+?" if re.fullmatch(r"\{[a-z_]+\}|%n", p) else re.escape(p) for p in parts)
    )


def _wordy(text: str) -> bool:
    """At least two real words besides its placeholders (so "{day} à {time}" is not one)."""
    literal = re.sub(r"\{[a-z_]+\}|%n", " ", text)
    return len(re.findall(r"[^\W\d_]{3,}", literal)) >= 2


def _catalogue() -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    """(French sources, English translations) that differ, of at least two words."""
    french, english = [], []
    for message in ET.parse(i18n.TRANSLATIONS / "foyer_en.ts").getroot().iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None or translation.get("type") in ("vanished", "obsolete"):
            continue
        forms = [f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""]
        for form in forms:
            if form and form != source and _wordy(source) and _wordy(form):
                french.append(_pattern(source))
                english.append(_pattern(form))
    return french, english


def shown_texts(top: QWidget) -> list[str]:
    """Every line a person can read on the screen: labels and buttons."""
    texts = [w.text() for w in top.findChildren(QLabel) if w.isVisible()]
    texts += [w.text() for w in top.findChildren(QAbstractButton) if w.isVisible()]
    texts += [
        getattr(w, "full_text", lambda: "")() for w in top.findChildren(QLabel) if w.isVisible()
    ]
    return [line.strip() for text in texts for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_screen_speaks_one_language_and_no_code(
    qtbot: QtBot, language: str, restore: None
) -> None:
    assert i18n.set_language(language)
    french, english = _catalogue()
    other, other_dates = (english, ENGLISH_DATES) if language == "fr" else (french, FRENCH_DATES)
    problems = []
    for name in SCREENS:
        screen = built(qtbot, name)
        settle(screen, SIZES[0], qtbot)
        for line in shown_texts(screen):
            words = URL.sub("", line)
            if IDENTIFIER.search(words) or RAW_ERROR.search(words):
                problems.append(f"{name}: an identifier or raw error: {line!r}")
            if other_dates.search(words):
                problems.append(f"{name}: a date in the other language: {line!r}")
            if any(p.fullmatch(line) for p in other):
                problems.append(f"{name}: the other language: {line!r}")
        screen.hide()
    assert problems == []


# -- home: read from two metres, and its professional entry where nothing else is -----------


@pytest.mark.parametrize("scale", SCALES)
def test_nothing_else_is_ever_drawn_under_the_professional_entry(
    qtbot: QtBot, scale: float, restore: None
) -> None:
    """ "Je suis un professionnel" used to sit exactly under every other screen's "Accueil":
    a double tap opened it. No other screen draws anything touchable over its spot."""
    sizing.set_font_scale(scale)
    home = built(qtbot, "home")
    spots = {}
    for size in SIZES:
        settle(home, size, qtbot)
        assert isinstance(home, HomeScreen) and home.professional_button.isVisible()
        spots[size] = rect_in(home.professional_button, home)
    home.hide()
    problems = []
    for name in SCREENS:
        if name == "home":
            continue
        screen = built(qtbot, name)
        for size in SIZES:
            settle(screen, size, qtbot)
            for button in screen.findChildren(QAbstractButton):
                if button.isVisible() and rect_in(button, screen).intersects(spots[size]):
                    problems.append(f"{name} {size}: {button.objectName() or button.text()}")
        screen.hide()
    assert problems == []


@pytest.mark.parametrize("size", SIZES)
def test_home_reads_from_two_metres(qtbot: QtBot, size: tuple[int, int]) -> None:
    """Every text on home at least 32 px at 1280×800 (in proportion at 800×480), the tiles'
    labels as large as the visits, the tiles at least 15 mm high on the 10.1-inch panel."""
    home = built(qtbot, "home")
    settle(home, size, qtbot)
    assert isinstance(home, HomeScreen)
    smallest = 32 * size[1] // 800
    texts = [w for w in home.findChildren(QLabel) if w.isVisible() and w.text()]
    texts += [w for w in home.findChildren(QAbstractButton) if w.isVisible()]
    small = [(w.text(), w.font().pixelSize()) for w in texts if w.font().pixelSize() < smallest]
    assert small == []
    titles = [w for w in home.agenda.findChildren(QLabel) if w.isVisible() and w.font().bold()]
    tile_px = {t.font().pixelSize() for t in home.tiles.values()}
    assert len(tile_px) == 1  # one size for every tile
    if size[1] >= 800:
        assert tile_px.pop() >= max(t.font().pixelSize() for t in titles)
        assert all(t.height() >= 90 for t in home.tiles.values())  # 15 mm on the 10.1" panel
    assert all(t.height() >= sizing.touch_px(t, size[1]) for t in home.tiles.values())

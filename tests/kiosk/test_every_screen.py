"""Every tablet screen, at both sizes, at every allowed font scale, in French and in English:
home's floors everywhere (every text at least 32 px at 1280×800, in proportion at 800×480;
every touch target 15 mm each way, 90 px at 1280×800) and no text clipped; nothing in the
other language and no identifier where a person reads; nothing else drawn under the
professional entry of home. A screen the walk does not know fails too."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

import kiosk.screens
from common import tablet_config as config
from kiosk import i18n
from kiosk.screens.frame import ScreenFrame
from kiosk.screens.home_screen import HomeScreen
from tests.kiosk.every_screen import SCREENS
from tests.kiosk.layout_checks import assert_buttons_fit
from tests.kiosk.screen_checks import (
    SIZES,
    assert_labels_whole,
    floor_problems,
    rect_in,
    settle,
)
from widgets import sizing, theme

# The configuration's font_scale: lowest, default, highest (common/tablet_config.py).
_FONT_SCALE = next(s for s in config.SETTINGS if s.key == "font_scale")
SCALES = (_FONT_SCALE.low, _FONT_SCALE.default, _FONT_SCALE.high)


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
def test_every_screen_meets_homes_floors_and_clips_nothing(
    qtbot: QtBot, scale: float, language: str, restore: None
) -> None:
    """Jeanne in front of the tablet: whichever screen she (or her nurse) lands on, every
    text is at least home's smallest (`sizing.min_text_px`), every touch target at least
    15 mm (`sizing.touch_px`), and no text is clipped, at 1280×800 and 800×480."""
    assert i18n.set_language(language)
    sizing.set_font_scale(scale)
    problems = []
    for name in SCREENS:
        screen = built(qtbot, name)
        for size in SIZES:
            settle(screen, size, qtbot)
            where = f"{name} {size[0]}x{size[1]}"
            try:
                assert_labels_whole(screen)
                assert_buttons_fit(screen)
            except AssertionError as exc:
                problems.append(f"{where}: {exc}".splitlines()[0])
            problems += [f"{where}: {problem}" for problem in floor_problems(screen, size[1])]
        screen.hide()
    assert problems == []


def _screen_classes() -> set[type[QWidget]]:
    """Every screen kiosk/screens defines: a framed screen, or a widget named "…Screen"."""
    found = set()
    for module_info in pkgutil.iter_modules(kiosk.screens.__path__):
        module = importlib.import_module(f"kiosk.screens.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, QWidget):
                continue
            if issubclass(cls, ScreenFrame) or cls.__name__.endswith("Screen"):
                found.add(cls)
    return found


def test_the_walk_knows_every_screen(qtbot: QtBot) -> None:
    """A new screen in kiosk/screens is walked by the tests above (tests/kiosk/every_screen.py
    builds it), so that it is held to the same floors."""
    built_screens = [built(qtbot, name) for name in SCREENS]
    missing = [
        cls.__name__
        for cls in _screen_classes()
        if not any(isinstance(s, cls) or s.findChildren(cls) for s in built_screens)
    ]
    assert sorted(missing) == []


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
        if name == "home" or name.startswith("home-"):  # home itself, in another state
            continue
        screen = built(qtbot, name)
        for size in SIZES:
            settle(screen, size, qtbot)
            for button in screen.findChildren(QAbstractButton):
                if button.isVisible() and rect_in(button, screen).intersects(spots[size]):
                    problems.append(f"{name} {size}: {button.objectName() or button.text()}")
        screen.hide()
    assert problems == []


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("size", SIZES)
def test_home_reads_from_two_metres(
    qtbot: QtBot, size: tuple[int, int], scale: float, restore: None
) -> None:
    """Every text on home at least 32 px at 1280×800 (in proportion at 800×480) at every font
    scale, the tiles' labels as large as the visits (up to the default scale), the tiles and
    the professional entry at least 15 mm high on the 10.1-inch panel."""
    sizing.set_font_scale(scale)
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
        if scale <= 1.0:  # larger text makes the visits larger; five tiles keep one row
            assert tile_px.pop() >= max(t.font().pixelSize() for t in titles)
        assert all(t.height() >= 90 for t in home.tiles.values())  # 15 mm on the 10.1" panel
        assert home.professional_button.height() >= 90
    assert all(t.height() >= sizing.touch_px(t, size[1]) for t in home.tiles.values())
    # The 15 mm of the professional entry's band squeeze nothing away: the visit under way
    # stays on the list and the clock at least twice the smallest text.
    assert "current" in [row.state for row in home.agenda.visible_rows()]
    clock = home.findChild(QLabel, "clockTime")
    assert clock is not None and clock.font().pixelSize() >= 2 * sizing.min_text_px(size[1])


def test_the_floors_bite(qtbot: QtBot) -> None:
    """The walk's floors catch a screen drawn as the secondary screens used to be: 24 px text
    and 60 px buttons at 1280×800."""
    screen = ScreenFrame("Écran d'avant")
    qtbot.addWidget(screen)
    small = QLabel("Réseau : connecté", screen)
    small.setFont(theme.font(32))
    screen.body.addWidget(small)
    settle(screen, SIZES[0], qtbot)
    assert floor_problems(screen, 800) == []
    small.setFont(theme.font(24))
    screen.home_button.setFixedSize(184, 60)
    problems = floor_problems(screen, 800)
    assert [p.split(":")[0] for p in problems] == ["text 24 px < 32", "touch 184x60 < 90"]

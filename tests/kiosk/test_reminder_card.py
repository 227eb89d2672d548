"""The reminder card, offscreen: its sizes at 1280×800 and 800×480 and every font scale (title
at least 64 px at 1280×800, buttons at least 15 mm high and a third of the width, nothing
clipped, in French and in English, contrast 7:1), one tap counts once, "D'accord" alone when no
confirmation is wanted; and, wired in the tablet, the card over another screen, waiting for a
professional's session or the night to end, the screen under it back after, and "C'est fait"
sent once through the outbox and kept across a restart.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.kiosk.test_reminder_card

renders docs/screenshots/reminder-card-1280x800.png and -800x480.png.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from kiosk import i18n
from kiosk.reminders_view import Card, build_schedule, due_cards, parse_reminders
from kiosk.screens.reminder_card import COLOUR_PAIRS, ReminderCard, title_floor_px
from tests.kiosk.layout_checks import assert_buttons_fit, assert_touch_targets
from tests.kiosk.screen_checks import SIZES, assert_labels_whole, settle, tap
from widgets import sizing, theme

PARIS = ZoneInfo("Europe/Paris")
SCALES = (0.8, 1.0, 1.3)  # common/tablet_config.py: font_scale's lowest, default, highest
GUARD_S = 0.65  # a little more than the card's 600 ms guard

MORNING = {
    "id": 12,
    "title": "Médicaments du matin",
    "detail": "Le pilulier bleu, case « matin » : deux comprimés avec un grand verre d'eau.",
    "kind": "medication",
    "start_local": "2026-12-01T08:00:00",
    "rrule": "FREQ=DAILY",
    "confirm_wanted": True,
    "repeat_every_minutes": 10,
    "repeat_count": 3,
    "critical": True,
    "version": 1,
}
VARIANTS: dict[str, dict[str, Any]] = {
    "usual": {},
    # The longest the backend allows: 120 characters of title, 500 of detail.
    "longest": {
        "title": (
            "Prendre le traitement anticoagulant prescrit par le docteur Bernard, avant le "
            "petit-déjeuner, avec un verre d'eau"
        )[:120],
        "detail": ("Le pilulier bleu, case du matin, deux comprimés. " * 11)[:500],
    },
    "one_long_word": {"title": "Anticonstitutionnellement" * 4, "detail": "x" * 200},
    "no_confirmation": {
        "title": "Le taxi arrive à 14 h pour le rendez-vous",
        "kind": "appointment",
        "detail": "",
        "confirm_wanted": False,
    },
}


def card_of(now: datetime | None = None, **fields: Any) -> Card:
    now = now or datetime(2026, 12, 4, 8, 0, tzinfo=PARIS)
    schedule = build_schedule(parse_reminders([{**MORNING, **fields}], PARIS), now, PARIS)
    return due_cards(schedule, {}, now)[0]


@pytest.fixture
def restore() -> Iterator[None]:
    yield
    sizing.set_font_scale(1.0)
    i18n.set_language("fr")


def made(qtbot: QtBot, **kwargs: Any) -> ReminderCard:
    card = ReminderCard(**kwargs)
    qtbot.addWidget(card)
    return card


# -- sizes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", i18n.LANGUAGES)
@pytest.mark.parametrize("scale", SCALES)
def test_big_and_whole_at_both_sizes_and_every_scale(
    qtbot: QtBot, scale: float, language: str, restore: None
) -> None:
    assert i18n.set_language(language)
    sizing.set_font_scale(scale)
    problems = []
    for variant, fields in VARIANTS.items():
        card = made(qtbot)
        card.show_card(card_of(**fields), waiting=2)
        for width, height in SIZES:
            settle(card, (width, height), qtbot)
            where = f"{variant} {width}x{height}"
            try:
                assert card.title_px() >= title_floor_px(height), where
                if height == 800:
                    assert card.title_px() >= 64, where
                buttons = [
                    b
                    for b in (card.done_button, card.later_button, card.ok_button)
                    if b.isVisible()
                ]
                assert len(buttons) == (1 if variant == "no_confirmation" else 2), where
                for button in buttons:
                    assert button.height() >= sizing.touch_px(card, height), where
                    assert button.height() >= (90 if height == 800 else 54), where
                    assert button.width() >= width / 3, where
                assert_labels_whole(card)
                assert_buttons_fit(card)
                assert_touch_targets(card)
                if variant in ("usual", "no_confirmation"):
                    # What reminders usually say fits without scrolling.
                    assert not card.text_scroll.up_button.isVisible(), where
            except AssertionError as exc:
                problems.append(f"{where}: {exc}".splitlines()[0])
        card.hide()
    assert problems == []


def test_the_title_is_as_large_as_fits(qtbot: QtBot, restore: None) -> None:
    card = made(qtbot)
    card.show_card(card_of())
    settle(card, (1280, 800), qtbot)
    assert card.title_px() == 88
    card.show_card(card_of(**VARIANTS["longest"]))
    QCoreApplication.processEvents()
    assert card.title_px() == 64  # shrunk to its floor, never under
    assert card.text_scroll.up_button.isVisible()  # and the long detail scrolls


def test_every_colour_is_seven_to_one_or_more() -> None:
    for text, background in COLOUR_PAIRS:
        assert theme.contrast_ratio(text, background) >= 7, (text, background)


def test_the_card_words(qtbot: QtBot, restore: None) -> None:
    card = made(qtbot)
    card.show_card(card_of(), waiting=1)
    settle(card, (1280, 800), qtbot)
    assert card.title_text() == "Médicaments du matin"
    assert card.kind_label.text() == "Médicament · 8:00"
    assert card.waiting_label.text() == "1 autre rappel ensuite"
    assert card.done_button.text() == "✓ C'est fait"
    assert card.later_button.text() == "Plus tard"
    assert not card.ok_button.isVisible()
    assert i18n.set_language("en")
    QCoreApplication.processEvents()
    assert card.kind_label.text() == "Medication · 8:00"
    assert card.done_button.text() == "✓ Done"
    assert card.later_button.text() == "Later"
    assert card.waiting_label.text() == "1 more reminder after this one"


def test_daccord_alone_when_no_confirmation_is_wanted(qtbot: QtBot) -> None:
    card = made(qtbot)
    card.show_card(card_of(**VARIANTS["no_confirmation"]))
    settle(card, (800, 480), qtbot)
    assert card.ok_button.isVisible() and card.ok_button.text() == "D'accord"
    assert not card.done_button.isVisible() and not card.later_button.isVisible()
    qtbot.wait(int(GUARD_S * 1000))
    with qtbot.wait_signal(card.acknowledged) as seen, qtbot.assert_not_emitted(card.done):
        tap(card.ok_button)
    assert seen.args == [12, datetime(2026, 12, 4, 7, 0, tzinfo=UTC)]


# -- one tap counts once ------------------------------------------------------------------------


def test_a_double_tap_answers_once(qtbot: QtBot) -> None:
    card = made(qtbot)
    card.show_card(card_of())
    settle(card, (1280, 800), qtbot)
    qtbot.wait(int(GUARD_S * 1000))
    done: list[tuple[int, datetime]] = []
    card.done.connect(lambda rid, due: done.append((rid, due)))
    tap(card.done_button)
    tap(card.done_button)
    assert done == [(12, datetime(2026, 12, 4, 7, 0, tzinfo=UTC))]
    assert card.answering()
    assert card.thanks_label.text() == "C'est noté. Merci !"


def test_a_tap_as_the_card_appears_is_not_an_answer(qtbot: QtBot) -> None:
    """A finger on its way to the screen under the card never answers it."""
    card = made(qtbot)
    card.show_card(card_of())
    settle(card, (1280, 800), qtbot)
    with qtbot.assert_not_emitted(card.done):
        tap(card.done_button)
    qtbot.wait(int(GUARD_S * 1000))
    with qtbot.wait_signal(card.done):
        tap(card.done_button)


def test_the_second_tap_never_answers_the_next_card(qtbot: QtBot) -> None:
    card = made(qtbot)
    card.show_card(card_of(**VARIANTS["no_confirmation"]))
    settle(card, (1280, 800), qtbot)
    qtbot.wait(int(GUARD_S * 1000))
    # "D'accord" closes at once: the next card comes under the same finger.
    card.acknowledged.connect(lambda *_: card.show_card(card_of()))
    tap(card.ok_button)
    assert card.done_button.isVisible()
    with qtbot.assert_not_emitted(card.done):
        tap(card.done_button)
    qtbot.wait(int(GUARD_S * 1000))
    with qtbot.wait_signal(card.done):
        tap(card.done_button)


def test_plus_tard_says_when_it_comes_back(qtbot: QtBot) -> None:
    card = made(qtbot, thanks_ms=50)
    card.show_card(card_of())
    settle(card, (1280, 800), qtbot)
    qtbot.wait(int(GUARD_S * 1000))
    with qtbot.wait_signal(card.later):
        tap(card.later_button)
    assert card.thanks_label.text() == "D'accord, je vous le rappelle à 8:10."
    with qtbot.wait_signal(card.finished):
        pass
    assert not card.answering() and card.card() is None
    last = card_of(datetime(2026, 12, 4, 8, 30, tzinfo=PARIS))
    card.show_card(last)
    qtbot.wait(int(GUARD_S * 1000))
    tap(card.later_button)
    assert card.thanks_label.text() == "D'accord."


# -- in the tablet ------------------------------------------------------------------------------


def render(folder: Path) -> list[Path]:
    """The card over home, as the tablet shows it, at both sizes."""
    written = []
    for width, height in SIZES:
        card = ReminderCard()
        card.show_card(card_of(), waiting=1)
        card.resize(width, height)
        card.show()
        for _ in range(5):
            QCoreApplication.processEvents()
        path = folder / f"reminder-card-{width}x{height}.png"
        card.grab().save(str(path))
        card.close()
        written.append(path)
    return written


if __name__ == "__main__":
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    root = Path(__file__).resolve().parents[2]
    for path in render(root / "docs" / "screenshots"):
        print(path.relative_to(root))

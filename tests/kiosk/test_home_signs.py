"""Home's new lines and panel, and the circle screen, with pytest-qt: the reminders ("Prochain
rappel : 18 h — Médicaments du soir", "Rappels du jour : 1 fait, 1 pas fait") at home's floors
at both sizes and every font scale without taking the clock's size nor a visit still to come;
"Tout va bien aujourd'hui ?" and its one huge button; "Mes proches" beside the professional
entry, which stays in the middle; the circle screen's words and its one switch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLabel
from pytestqt.qtbot import QtBot

from common import tablet_config as config
from kiosk import i18n
from kiosk.circle_view import MoodSharing, parse_circle
from kiosk.home_view import ReminderWhen, build_home_view, reminder_summary
from kiosk.reminders_view import build_reminder_day
from kiosk.screens.circle_screen import CircleScreen
from kiosk.screens.home_screen import CHECKIN_THANKS_MS, LONG_PRESS_MS, HomeScreen
from tests.kiosk.every_screen import (
    CIRCLE,
    NOW,
    SCREENS,
    _events,
    paused_circle,
    reminder_marks,
    reminder_records,
)
from tests.kiosk.screen_checks import (
    PARIS,
    SIZES,
    assert_labels_whole,
    floor_problems,
    rect_in,
    settle,
)
from widgets import sizing

_FONT_SCALE = next(s for s in config.SETTINGS if s.key == "font_scale")
SCALES = (_FONT_SCALE.low, _FONT_SCALE.default, _FONT_SCALE.high)


@pytest.fixture
def restore() -> Iterator[None]:
    yield
    sizing.set_font_scale(1.0)
    i18n.set_language("fr")


def home(
    qtbot: QtBot,
    *,
    reminders: bool = True,
    offline: bool = False,
    circle: bool = True,
    evening: str = "Médicaments du soir",
) -> HomeScreen:
    screen = HomeScreen(now_fn=lambda: NOW)
    qtbot.addWidget(screen)
    screen.set_view(build_home_view("Jeanne", _events(), NOW, NOW if offline else None))
    screen.set_tiles(list(config.MODULES))
    screen.set_weather_glance("8°, pluie faible")
    screen.set_professional_entry(True)
    screen.set_circle_entry(circle)
    if reminders:
        day = build_reminder_day(reminder_records(evening), PARIS, reminder_marks(), NOW)
        screen.set_reminders(reminder_summary(day, NOW))
    return screen


def upcoming(screen: HomeScreen) -> list[str]:
    return [r.title for r in screen.agenda.visible_rows() if r.state != "past"]


def clock_px(screen: HomeScreen) -> int:
    clock = screen.findChild(QLabel, "clockTime")
    assert clock is not None
    return clock.font().pixelSize()


# -- the reminders' summary, without Qt -----------------------------------------------------------


def test_the_summary_says_the_next_reminder_and_todays_done_and_not_done() -> None:
    day = build_reminder_day(reminder_records(), PARIS, reminder_marks(), NOW)
    summary = reminder_summary(day, NOW)
    assert summary is not None
    assert (summary.next_at, summary.next_when, summary.next_title) == (
        NOW.replace(hour=18, minute=0),
        ReminderWhen.TODAY,
        "Médicaments du soir",
    )
    assert (summary.done, summary.not_done) == (1, 1)
    # After the evening one: tomorrow's first.
    late = NOW.replace(hour=22)
    tomorrow = reminder_summary(
        build_reminder_day(reminder_records(), PARIS, reminder_marks(), late), late
    )
    assert tomorrow is not None and tomorrow.next_when is ReminderWhen.TOMORROW
    assert tomorrow.next_title == "Médicaments du matin"
    # Nothing at all: nothing to say.
    assert reminder_summary(build_reminder_day([], PARIS, {}, NOW), NOW) is None
    assert reminder_summary(None, NOW) is None


# -- the reminders on home -------------------------------------------------------------------------


def test_home_says_the_reminders_in_words(qtbot: QtBot, restore: None) -> None:
    screen = home(qtbot)
    settle(screen, SIZES[0], qtbot)
    assert " ".join(screen.reminder_texts()) == (
        "Prochain rappel : 18 h Médicaments du soir Rappels du jour : 1 fait, 1 pas fait"
    )
    assert i18n.set_language("en")
    QCoreApplication.processEvents()
    assert " ".join(screen.reminder_texts()) == (
        "Next reminder: 18:00 Médicaments du soir Today's reminders: 1 done, 1 not done"
    )


def test_the_times_and_the_plurals(qtbot: QtBot) -> None:
    screen = home(qtbot, reminders=False)
    settle(screen, SIZES[0], qtbot)
    records = [
        {**r, "start_local": "2026-11-01T18:30:00"} if r["id"] == 3 else r
        for r in reminder_records("Gouttes")
    ]
    records.append({**reminder_records()[1], "id": 4, "start_local": "2026-11-01T09:00:00"})
    screen.set_reminders(reminder_summary(build_reminder_day(records, PARIS, {}, NOW), NOW))
    assert screen.reminder_texts() == [
        "Prochain rappel : 18 h 30",  # too long for one line with its title
        "Gouttes",
        "Rappels du jour : 3 pas faits",
    ]
    friday = datetime(2026, 11, 27, 8, 0)
    weekly = [{**reminder_records()[0], "rrule": None, "start_local": friday.isoformat()}]
    screen.set_reminders(reminder_summary(build_reminder_day(weekly, PARIS, {}, NOW), NOW))
    assert screen.reminder_texts() == ["Prochain rappel : vendredi 8 h", "Médicaments du matin"]
    # Short enough for one line.
    day = build_reminder_day(reminder_records("Eau"), PARIS, reminder_marks(), NOW)
    screen.set_reminders(reminder_summary(day, NOW))
    assert screen.reminder_texts() == [
        "Prochain rappel : 18 h — Eau",
        "Rappels du jour : 1 fait, 1 pas fait",
    ]
    screen.set_reminders(None)
    assert screen.reminder_texts() == []


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("offline", [False, True])
def test_the_reminders_take_neither_the_clock_nor_a_visit_to_come(
    qtbot: QtBot, size: tuple[int, int], scale: float, offline: bool, restore: None
) -> None:
    sizing.set_font_scale(scale)
    before = home(qtbot, reminders=False, offline=offline)
    settle(before, size, qtbot)
    clock, visits = clock_px(before), upcoming(before)
    before.hide()
    after = home(qtbot, offline=offline)
    settle(after, size, qtbot)
    assert clock_px(after) == clock
    assert upcoming(after) == visits
    assert assert_labels_whole(after)
    assert floor_problems(after, size[1]) == []
    lines = after.reminder_texts()
    assert lines, "the next reminder has room at every size and scale"
    assert lines[0].startswith("Prochain rappel : 18 h")
    if scale == 1.0 and not offline:  # the default look: all of it, at both sizes
        assert " ".join(lines).endswith("Médicaments du soir Rappels du jour : 1 fait, 1 pas fait")


def test_a_long_title_goes_under_its_time_and_nothing_is_cut(qtbot: QtBot) -> None:
    title = "Les gouttes pour les yeux avant le repas du soir"
    screen = home(qtbot, evening=title)
    for size in SIZES:
        settle(screen, size, qtbot)
        assert screen.reminder_texts()[:2] == ["Prochain rappel : 18 h", title]
        assert_labels_whole(screen)


def test_the_weather_beside_the_heading_or_on_its_own_line(qtbot: QtBot) -> None:
    screen = home(qtbot, reminders=False)
    settle(screen, SIZES[1], qtbot)
    beside = screen.findChild(QLabel, "weatherBeside")
    assert beside is not None and beside.isVisible()
    assert screen.weather_text() == "8°, pluie faible"
    screen.set_weather_glance("-12°, averses de pluie violentes")
    settle(screen, SIZES[1], qtbot)
    assert not beside.isVisible()
    assert screen.weather_text() == "-12°, averses de pluie violentes"
    assert_labels_whole(screen)


# -- « Je vais bien » ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_the_question_and_its_one_huge_button(
    qtbot: QtBot, size: tuple[int, int], restore: None
) -> None:
    screen = home(qtbot)
    settle(screen, size, qtbot)
    card_clock = clock_px(screen)
    assert not screen.checkin_asking() and screen.checkin_text() == ""
    answered: list[bool] = []
    screen.checkin_answered.connect(lambda: answered.append(True))
    screen.set_checkin(True)
    settle(screen, size, qtbot)
    assert screen.checkin_asking()
    assert screen.checkin_text() == "Tout va bien aujourd'hui ?"
    assert screen.checkin_button.text() == "Oui, je vais bien"
    assert screen.next_visit_text() and not screen.findChild(QLabel, "nextWhen").isVisible()
    button = screen.checkin_button
    others = [b for b in screen.findChildren(QAbstractButton) if b.isVisible() and b is not button]
    assert button.height() >= 1.2 * sizing.touch_px(button, size[1])
    assert all(button.width() * button.height() > b.width() * b.height() for b in others)
    assert clock_px(screen) >= 0.8 * card_clock  # the clock stays big
    assert floor_problems(screen, size[1]) == []
    assert_labels_whole(screen)
    # One answer, then thanks, then the visit's card again.
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # a trembling second tap
    assert answered == [True]
    assert screen.checkin_text() == "Merci, bonne journée !" and not screen.checkin_asking()
    screen.set_checkin(False)  # the feature: answered, asked no more
    assert screen.checkin_text() == "Merci, bonne journée !"  # the thanks stay their time
    qtbot.wait_until(lambda: screen.checkin_text() == "", timeout=CHECKIN_THANKS_MS + 2000)
    assert screen.findChild(QLabel, "nextWhen").isVisible()


def test_the_question_in_english(qtbot: QtBot, restore: None) -> None:
    screen = home(qtbot)
    screen.set_checkin(True)
    assert i18n.set_language("en")
    QCoreApplication.processEvents()
    assert screen.checkin_text() == "Is everything all right today?"
    assert screen.checkin_button.text() == "Yes, I am fine"
    assert screen.circle_button.text() == "My circle"


# -- "Mes proches" ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", SCALES)
def test_mes_proches_leaves_the_professional_entry_in_the_middle(
    qtbot: QtBot, scale: float, restore: None
) -> None:
    sizing.set_font_scale(scale)
    without, with_circle = home(qtbot, circle=False), home(qtbot)
    for size in SIZES:
        settle(without, size, qtbot)
        settle(with_circle, size, qtbot)
        pro = rect_in(with_circle.professional_button, with_circle)
        alone = rect_in(without.professional_button, without)
        assert pro.size() == alone.size() and abs(pro.center().x() - alone.center().x()) <= 2
        assert abs(pro.center().x() - size[0] // 2) <= 2  # in the middle
        circle = rect_in(with_circle.circle_button, with_circle)
        assert circle.right() < pro.left() and circle.top() == pro.top()
        assert with_circle.circle_button.height() >= sizing.touch_px(with_circle, size[1])
        assert floor_problems(with_circle, size[1]) == []


def test_no_other_screen_puts_a_button_where_mes_proches_is(qtbot: QtBot) -> None:
    """A double tap on another screen's "Accueil" never lands on it: the only button there
    is the slideshow's "Album", which leads to the album (its title there), not home."""
    screen = home(qtbot)
    spots = {}
    for size in SIZES:
        settle(screen, size, qtbot)
        spots[size] = rect_in(screen.circle_button, screen)
    screen.hide()
    problems = []
    for name, build in SCREENS.items():
        if name == "home" or name.startswith("home-"):
            continue
        other = build()
        qtbot.addWidget(other)
        for size in SIZES:
            settle(other, size, qtbot)
            for button in other.findChildren(QAbstractButton):
                if button.isVisible() and rect_in(button, other).intersects(spots[size]):
                    problems.append(f"{name} {size}: {button.objectName() or button.text()}")
        other.hide()
    assert sorted(problems) == [
        "slideshow (1280, 800): albumButton",
        "slideshow (800, 480): albumButton",
    ]


def test_mes_proches_opens_on_a_tap_not_on_a_long_press(qtbot: QtBot) -> None:
    screen = home(qtbot)
    settle(screen, SIZES[0], qtbot)
    opened: list[bool] = []
    screen.circle_requested.connect(lambda: opened.append(True))
    qtbot.mouseClick(screen.circle_button, Qt.MouseButton.LeftButton)
    assert opened == [True]
    # The maintenance corner is held three seconds: that press is not a tap on it.
    QTest.mousePress(screen.circle_button, Qt.MouseButton.LeftButton)
    qtbot.wait(LONG_PRESS_MS + 100)
    QTest.mouseRelease(screen.circle_button, Qt.MouseButton.LeftButton)
    assert opened == [True]
    screen.set_circle_entry(False)
    assert not screen.circle_button.isVisible()


# -- the circle screen -----------------------------------------------------------------------------


def test_the_circle_in_plain_words_and_the_switch(qtbot: QtBot, restore: None) -> None:
    screen = CircleScreen()
    qtbot.addWidget(screen)
    screen.set_circle(parse_circle(CIRCLE), MoodSharing(False))
    settle(screen, SIZES[1], qtbot)
    texts = screen.person_texts()
    assert texts[0] == (
        "Marie Martin, votre fille, voit votre agenda, vos messages, vos photos et votre humeur."
    )
    assert "Josiane Leroy, votre voisin·e, ne voit rien pour le moment." in texts
    assert texts[-1].startswith("Nadia Haddad, votre conseiller autonomie,")
    assert screen.sharing_text() == "Votre famille et vos amis voient votre humeur."
    wanted: list[bool] = []
    screen.sharing_requested.connect(wanted.append)
    qtbot.mouseClick(screen.sharing_button, Qt.MouseButton.LeftButton)
    assert wanted == [True]  # "Mettre en pause"
    since = datetime(2026, 11, 20, 9, 30, tzinfo=PARIS)
    screen.set_circle(parse_circle(paused_circle()), MoodSharing(True, since))
    assert screen.sharing_text() == (
        "En pause depuis le 20 novembre : votre famille et vos amis ne voient plus votre humeur."
    )
    assert screen.sharing_button.text() == "Partager à nouveau"
    assert "Marie Martin, votre fille, voit votre agenda, vos messages et vos photos." in (
        screen.person_texts()
    )
    qtbot.wait(500)  # past the button's guard against a double tap
    qtbot.mouseClick(screen.sharing_button, Qt.MouseButton.LeftButton)
    assert wanted == [True, False]
    screen.set_circle(parse_circle(paused_circle()), MoodSharing(True, NOW, pending=True))
    assert screen.sharing_text().endswith(
        "Votre choix sera transmis dès que la tablette sera connectée."
    )
    assert i18n.set_language("en")
    QCoreApplication.processEvents()
    assert screen.title.text() == "What my circle can see"
    assert screen.person_texts()[0] == (
        "Marie Martin, your daughter, sees your calendar, your messages and your photos."
    )


@pytest.mark.parametrize("scale", SCALES)
def test_the_circle_screen_at_homes_floors(qtbot: QtBot, scale: float, restore: None) -> None:
    sizing.set_font_scale(scale)
    for page in ("circle", "circle-paused", "circle-pending", "circle-empty"):
        screen = SCREENS[page]()
        qtbot.addWidget(screen)
        for size in SIZES:
            settle(screen, size, qtbot)
            assert floor_problems(screen, size[1]) == [], (page, size)
            assert_labels_whole(screen)
        screen.hide()


def test_a_day_later_the_summary_follows(qtbot: QtBot) -> None:
    """The controller gives home a new summary each minute; an equal one redraws nothing."""
    screen = home(qtbot)
    settle(screen, SIZES[0], qtbot)
    day = build_reminder_day(reminder_records(), PARIS, reminder_marks(), NOW)
    same = reminder_summary(day, NOW)
    shown = screen.reminder_texts()
    screen.set_reminders(same)
    assert screen.reminder_texts() == shown
    evening = NOW.replace(hour=19) + timedelta(minutes=1)
    later = build_reminder_day(reminder_records(), PARIS, reminder_marks(), evening)
    screen.set_reminders(reminder_summary(later, evening))
    assert screen.reminder_texts()[0].startswith("Prochain rappel : demain 8 h")

"""The pairing and home screens: their words, their timers, and their layout at both sizes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from common.recurrence import AgendaEvent
from kiosk.home_view import HomeView, build_home_view
from kiosk.screens.home_screen import HomeScreen
from kiosk.screens.pairing_screen import PairingScreen
from tests.kiosk.screen_checks import (
    PARIS,
    SIZES,
    FakeClock,
    assert_layout_fits,
    event,
    jeanne_day,
    settle,
)
from widgets.qr_code import QrCodeWidget

SUNDAY = datetime(2026, 11, 22, 11, 20, tzinfo=PARIS)


def busy_day() -> list[AgendaEvent]:
    titles = [
        (7, "Lever et toilette", "Sophie, aide à domicile"),
        (8, "Soins infirmiers", "Claire, infirmière"),
        (9, "Kinésithérapie respiratoire à domicile avec exercices", "Marc, kinésithérapeute"),
        (10, "Courses", "Paul, petit-fils"),
        (11, "Aide à domicile", "Sophie, aide à domicile"),
        (12, "Portage des repas", "Mairie"),
        (14, "Visite de la voisine", "Monique"),
        (15, "Rendez-vous médecin", "Dr Bernard, médecin traitant"),
        (17, "Coiffeuse", "Nadia"),
        (19, "Coucher", "Sophie, aide à domicile"),
    ]
    return [
        event(i, title, datetime(2026, 11, 22, hour, 0), 45, who)
        for i, (hour, title, who) in enumerate(titles)
    ]


# -- pairing screen ---------------------------------------------------------------------------


def paired_screen(qtbot: QtBot, fake: FakeClock) -> PairingScreen:
    screen = PairingScreen(now_fn=fake)
    qtbot.addWidget(screen)
    screen.show_code(
        "WDJB-MJHT",
        "http://foyer.local:8000/pair",
        "http://foyer.local:8000/pair?user_code=WDJB-MJHT",
        fake.now + timedelta(minutes=9, seconds=42),
    )
    return screen


def test_pairing_shows_code_qr_and_instruction(qtbot: QtBot) -> None:
    fake = FakeClock(SUNDAY)
    screen = paired_screen(qtbot, fake)
    settle(screen, (1280, 800), qtbot)
    assert screen.code_text() == "WDJB-MJHT"
    assert screen.message_text() == ""
    assert screen.qr_text() == "http://foyer.local:8000/pair?user_code=WDJB-MJHT"
    assert "http://foyer.local:8000/pair" in screen.instruction_text()
    assert "saisit ce code" in screen.instruction_text()
    # The words match the rights: only the care manager may approve a pairing (the rights
    # themselves: tests/console/test_pages.py).
    assert "Votre conseiller autonomie saisit ce code" in screen.instruction_text()
    assert "proche" not in screen.instruction_text()
    titles = [label.text() for label in screen.findChildren(QLabel) if label.isVisible()]
    assert "Bienvenue sur Foyer" in titles
    # The code is the biggest thing on screen.
    code = screen.findChild(QLabel, "code")
    assert code is not None
    others = [label.font().pixelSize() for label in screen.findChildren(QLabel) if label != code]
    assert code.font().pixelSize() > max(others)
    assert code.font().pixelSize() >= 100


def test_pairing_countdown_decreases_and_ends(qtbot: QtBot) -> None:
    fake = FakeClock(SUNDAY)
    screen = paired_screen(qtbot, fake)
    settle(screen, (800, 480), qtbot)
    assert screen.countdown_text() == "Ce code est valable encore 9 min 42 s"
    assert screen.is_ticking()

    fake.now += timedelta(seconds=2, milliseconds=500)
    screen.tick()
    assert screen.countdown_text() == "Ce code est valable encore 9 min 40 s"

    fake.now = SUNDAY + timedelta(minutes=9, seconds=1)
    screen.tick()
    assert screen.countdown_text() == "Ce code est valable encore 41 s"

    fake.now = SUNDAY + timedelta(minutes=9, seconds=42)
    screen.tick()
    assert screen.countdown_text() == "Nouveau code en préparation…"
    assert not screen.is_ticking()


def test_pairing_countdown_ticks_by_itself_once_a_second(qtbot: QtBot) -> None:
    fake = FakeClock(SUNDAY)
    screen = paired_screen(qtbot, fake)
    settle(screen, (800, 480), qtbot)
    # Wakes when the shown second changes, i.e. within a second.
    assert 0 < screen._timer.remainingTime() <= 1050
    fake.now += timedelta(seconds=1)
    qtbot.waitUntil(
        lambda: screen.countdown_text() == "Ce code est valable encore 9 min 41 s", timeout=2000
    )


def test_pairing_countdown_stops_when_hidden(qtbot: QtBot) -> None:
    fake = FakeClock(SUNDAY)
    screen = paired_screen(qtbot, fake)
    assert not screen.is_ticking()  # never shown: nothing ticks
    settle(screen, (800, 480), qtbot)
    assert screen.is_ticking()
    screen.hide()
    assert not screen.is_ticking()
    fake.now += timedelta(seconds=30)
    screen.show()
    assert screen.is_ticking()
    assert screen.countdown_text() == "Ce code est valable encore 9 min 12 s"


def test_pairing_message_hides_code_and_qr(qtbot: QtBot) -> None:
    fake = FakeClock(SUNDAY)
    screen = paired_screen(qtbot, fake)
    settle(screen, (1280, 800), qtbot)
    screen.show_message("Le service Foyer ne répond pas. Nouvel essai dans 30 s.")
    assert screen.code_text() == ""
    assert screen.message_text() == "Le service Foyer ne répond pas. Nouvel essai dans 30 s."
    assert not screen.is_ticking()
    assert not any(w.isVisible() for w in screen.findChildren(QrCodeWidget))
    visible = [label.text() for label in screen.findChildren(QLabel) if label.isVisible()]
    assert "WDJB-MJHT" not in visible
    assert not any(text.startswith("Ce code") for text in visible)


def test_pairing_starts_with_a_connection_message(qtbot: QtBot) -> None:
    screen = PairingScreen(now_fn=FakeClock(SUNDAY))
    qtbot.addWidget(screen)
    assert screen.message_text() == "Connexion au service Foyer…"
    assert screen.code_text() == ""


def test_pairing_rejects_naive_expiry(qtbot: QtBot) -> None:
    screen = PairingScreen(now_fn=FakeClock(SUNDAY))
    qtbot.addWidget(screen)
    with pytest.raises(ValueError, match="aware"):
        screen.show_code("ABCD-EFGH", "u", "u", datetime(2026, 11, 22, 12, 0))


def test_pairing_text_is_plain(qtbot: QtBot) -> None:
    screen = PairingScreen(now_fn=FakeClock(SUNDAY))
    qtbot.addWidget(screen)
    screen.show_message("<b>pas en gras</b>")
    settle(screen, (800, 480), qtbot)
    assert screen.message_text() == "<b>pas en gras</b>"
    assert all(
        label.textFormat() == Qt.TextFormat.PlainText for label in screen.findChildren(QLabel)
    )


@pytest.mark.parametrize("size", SIZES)
def test_pairing_layout_fits(qtbot: QtBot, size: tuple[int, int]) -> None:
    fake = FakeClock(SUNDAY)
    screen = paired_screen(qtbot, fake)
    settle(screen, size, qtbot)
    assert screen.size().width() == size[0] and screen.size().height() == size[1]
    assert_layout_fits(screen)
    qr = screen.findChild(QrCodeWidget)
    assert qr is not None and qr.module_px() >= 3  # large enough for a phone camera
    screen.show_message("Le service Foyer ne répond pas. Nouvel essai dans 30 s.")
    QApplication.processEvents()
    assert_layout_fits(screen)


# -- home screen ------------------------------------------------------------------------------


def home(qtbot: QtBot, view: HomeView, now: datetime | None = None) -> HomeScreen:
    screen = HomeScreen(now_fn=FakeClock(now or view.now))
    qtbot.addWidget(screen)
    screen.set_view(view)
    return screen


def test_home_shows_greeting_next_visit_and_agenda(qtbot: QtBot) -> None:
    view = build_home_view("Jeanne", jeanne_day(), SUNDAY)
    screen = home(qtbot, view)
    settle(screen, (1280, 800), qtbot)
    assert screen.greeting_text() == "Bonjour Jeanne"
    assert screen.next_visit_text() == (
        "En ce moment · 11:00 – 12:00 · Aide à domicile · Sophie, aide à domicile"
    )
    assert screen.agenda_texts() == [
        "08:00 – 08:30 · Soins infirmiers · Claire, infirmière",
        "11:00 – 12:00 · En ce moment · Aide à domicile · Sophie, aide à domicile",
        "15:00 – 15:30 · Rendez-vous médecin · Dr Bernard",
    ]
    assert screen.offline_text() == ""
    assert screen.clock.time_text() == "11:20"
    assert screen.clock.date_text() == "dimanche 22 novembre"


def test_home_next_visit_later_today(qtbot: QtBot) -> None:
    view = build_home_view("Jeanne", jeanne_day(), SUNDAY.replace(hour=13))
    screen = home(qtbot, view)
    assert (
        screen.next_visit_text()
        == "Prochaine visite · 15:00 – 15:30 · Rendez-vous médecin · Dr Bernard"
    )
    assert screen.agenda_texts()[-1].startswith("15:00 – 15:30 · Prochaine visite")


def test_home_evening_and_visit_tomorrow(qtbot: QtBot) -> None:
    events = [
        *jeanne_day(),
        event(9, "Soins infirmiers", datetime(2026, 11, 20, 8, 0), 30, "Claire", "FREQ=DAILY"),
    ]
    view = build_home_view("Jeanne", events, SUNDAY.replace(hour=18, minute=0))
    screen = home(qtbot, view)
    assert screen.greeting_text() == "Bonsoir Jeanne"
    assert (
        screen.next_visit_text() == "Prochaine visite · demain à 8:00 · Soins infirmiers · Claire"
    )


def test_home_visit_on_a_later_day_names_the_day(qtbot: QtBot) -> None:
    saturday = datetime(2026, 11, 21, 17, 59, tzinfo=PARIS)
    events = [event(1, "Kiné", datetime(2026, 11, 23, 8, 0), 30, "Marc")]
    screen = home(qtbot, build_home_view("Jeanne", events, saturday))
    assert screen.greeting_text() == "Bonjour Jeanne"
    assert screen.next_visit_text() == "Prochaine visite · lundi 23 novembre à 8:00 · Kiné · Marc"
    assert screen.agenda_texts() == []
    empty = screen.findChild(QLabel, "emptyText")
    assert empty is not None and empty.text() == "Aucune visite aujourd'hui"


def test_home_without_any_visit(qtbot: QtBot) -> None:
    screen = home(qtbot, build_home_view("Jeanne", [], SUNDAY))
    settle(screen, (800, 480), qtbot)
    assert screen.next_visit_text() == "Pas d'autre visite prévue"
    assert screen.agenda.empty_text() == "Aucune visite aujourd'hui"
    assert_layout_fits(screen)


def test_home_offline_indicator(qtbot: QtBot) -> None:
    view = build_home_view(
        "Jeanne", jeanne_day(), SUNDAY, offline_since=datetime(2026, 11, 22, 9, 42, tzinfo=PARIS)
    )
    screen = home(qtbot, view)
    settle(screen, (800, 480), qtbot)
    assert screen.offline_text() == "Hors connexion depuis 09:42"
    # Given in UTC, shown in the beneficiary's time.
    utc = datetime(2026, 11, 21, 21, 10, tzinfo=ZoneInfo("UTC"))
    screen.set_view(build_home_view("Jeanne", jeanne_day(), SUNDAY, offline_since=utc))
    assert screen.offline_text() == "Hors connexion depuis hier, 22:10"
    screen.set_view(build_home_view("Jeanne", jeanne_day(), SUNDAY))
    assert screen.offline_text() == ""


def test_home_times_follow_daylight_saving(qtbot: QtBot) -> None:
    # 29 March 2026: clocks go forward at 02:00 in Paris.
    now = datetime(2026, 3, 29, 9, 0, tzinfo=PARIS)
    events = [event(1, "Soins", datetime(2026, 3, 27, 10, 0), 30, "Claire", "FREQ=DAILY")]
    screen = home(qtbot, build_home_view("Jeanne", events, now))
    assert screen.agenda_texts() == ["10:00 – 10:30 · Prochaine visite · Soins · Claire"]


def test_home_keeps_people_text_plain(qtbot: QtBot) -> None:
    events = [event(1, "<b>x</b>", datetime(2026, 11, 22, 15, 0), 30, "<i>Paul</i>")]
    screen = home(qtbot, build_home_view("<u>Jeanne</u>", events, SUNDAY))
    settle(screen, (1280, 800), qtbot)
    assert screen.greeting_text() == "Bonjour <u>Jeanne</u>"
    assert "<b>x</b> · <i>Paul</i>" in screen.next_visit_text()
    shown = [label.text() for label in screen.findChildren(QLabel) if label.isVisible()]
    assert "<b>x</b>" in shown and "<i>Paul</i>" in shown
    assert all(
        label.textFormat() == Qt.TextFormat.PlainText for label in screen.findChildren(QLabel)
    )


def test_home_reemits_clock_signals(qtbot: QtBot) -> None:
    fake = FakeClock(datetime(2026, 11, 22, 23, 59, tzinfo=PARIS))
    screen = HomeScreen(now_fn=fake)
    qtbot.addWidget(screen)
    screen.set_view(build_home_view("Jeanne", jeanne_day(), fake.now))
    settle(screen, (800, 480), qtbot)
    fake.now = datetime(2026, 11, 23, 0, 0, tzinfo=PARIS)
    with (
        qtbot.waitSignal(screen.minute_changed, timeout=1000) as minute,
        qtbot.waitSignal(screen.day_changed, timeout=1000) as day,
    ):
        screen.clock.tick()
    assert minute.args == [fake.now]
    assert day.args == [date(2026, 11, 23)]
    screen.hide()
    assert not screen.clock.is_ticking()


@pytest.mark.parametrize("size", SIZES)
def test_home_layout_fits(qtbot: QtBot, size: tuple[int, int]) -> None:
    view = build_home_view("Jeanne", jeanne_day(), SUNDAY, offline_since=SUNDAY)
    screen = home(qtbot, view)
    settle(screen, size, qtbot)
    assert screen.size().width() == size[0] and screen.size().height() == size[1]
    assert_layout_fits(screen)
    assert len(screen.agenda_texts()) == 3  # a normal day fits whole at both sizes


@pytest.mark.parametrize("size", SIZES)
def test_home_layout_fits_a_busy_day(qtbot: QtBot, size: tuple[int, int]) -> None:
    now = SUNDAY.replace(hour=10, minute=30)
    view = build_home_view(
        "Marie-Françoise", busy_day(), now, offline_since=now - timedelta(days=3)
    )
    screen = home(qtbot, view)
    settle(screen, size, qtbot)
    assert_layout_fits(screen)
    texts = screen.agenda_texts()
    # Text large enough to read from two metres: at 800×480 two visits and the announced rest.
    assert (3 if size[1] >= 800 else 2) <= len(texts) < 10
    assert any("En ce moment" in t for t in texts)
    assert screen.offline_text() == "Hors connexion depuis le jeudi 19 novembre"
    before, after = screen.agenda.hidden_counts()
    assert before + after + len(texts) == 10

"""The professionals' screen: schedule without instructions for anyone, PIN pad, wrong PINs
locking the pad, identified page with arrival/departure, instructions and their health
messages, "Accueil" and the idle timeout forgetting them, plain text, layout at both sizes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from apscheduler.schedulers.background import BackgroundScheduler
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.professional_client import Identified, PinRefused, ProfessionalClient, Unreachable
from kiosk.professional_service import ProfessionalService, connect_screen
from kiosk.professional_view import (
    IdentifiedView,
    OpenVisit,
    PinLock,
    Professional,
    ProfessionalView,
    build_identified_view,
    build_professional_view,
    outcomes_from,
)
from kiosk.screens.professional_screen import ProfessionalScreen
from kiosk.store import event_from_payload
from tests.kiosk.screen_checks import SIZES, assert_screen_fits, relayout, settle, shown, tap
from widgets import sizing

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 10, 15, tzinfo=PARIS)
NURSE = 11
INSTRUCTIONS = "Pansement au talon gauche.\nVérifier la glycémie avant le repas."
HOSTILE = "<b>gras</b><script>alert(1)</script>"
SECRET_MESSAGE = "Pouvez-vous vérifier la plaie du talon ? Elle était rouge hier soir."


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def payload(
    id_: int, start: str, title: str, who: str = "", minutes: int = 30, **extra: Any
) -> dict[str, Any]:
    return {
        "id": id_,
        "title": title,
        "kind": "visit",
        "who": who,
        "start_local": start,
        "timezone": "Europe/Paris",
        "duration_minutes": minutes,
        "rrule": None,
        "exdates": [],
        **extra,
    }


def schedule(records: list[dict[str, Any]] | None = None) -> ProfessionalView:
    if records is None:
        records = [
            payload(
                1,
                "2026-11-23T08:00:00",
                "Soins infirmiers",
                "Inès, infirmière",
                instructions=INSTRUCTIONS,
                person_id=NURSE,
            ),
            payload(
                2,
                "2026-11-23T10:00:00",
                HOSTILE,
                "Karima, aide à domicile",
                60,
                instructions=HOSTILE,
            ),
            payload(3, "2026-11-23T15:00:00", "Kinésithérapie respiratoire", "Marc, kiné"),
        ]
    return build_professional_view([event_from_payload(r) for r in records], records, NOW)


def health_records() -> list[dict[str, Any]]:
    return [
        {
            "id": 5,
            "body": SECRET_MESSAGE,
            "author_name": "Dr Bernard",
            "created_at": (NOW - timedelta(hours=2)).astimezone(UTC).isoformat(),
            "reply_to_id": None,
            "read": False,
        },
        {
            "id": 4,
            "body": HOSTILE + " " + "long " * 400,
            "author_name": "Karima Benali",
            "created_at": (NOW - timedelta(days=1)).astimezone(UTC).isoformat(),
            "reply_to_id": None,
            "read": True,
        },
    ]


def identified(
    *, record_visit: bool = True, instructions: bool = True, messages: bool = True
) -> IdentifiedView:
    who = Professional(NURSE, "Inès Leroy", record_visit, instructions)
    return build_identified_view(schedule(), who, health_records() if messages else [], NOW)


def make_screen(qtbot: QtBot, **kwargs: Any) -> ProfessionalScreen:
    screen = ProfessionalScreen(lambda: NOW, **kwargs)
    qtbot.addWidget(screen)
    screen.set_view(schedule())
    return screen


def visible_texts(top: QWidget) -> list[str]:
    return [shown(w.text()) for w in top.findChildren(QLabel) if w.isVisible() and w.text()]


def type_pin(screen: ProfessionalScreen, pin: str) -> None:
    for digit in pin:
        tap(screen.pin_pad.keys[digit])


def identify(qtbot: QtBot, screen: ProfessionalScreen, view: IdentifiedView | None = None) -> None:
    with qtbot.wait_signal(screen.pin_entered) as entered:
        type_pin(screen, "4821")
        tap(screen.pin_pad.keys["ok"])
    assert entered.args == ["4821"]
    screen.show_identified(view or identified())
    relayout()


# -- before the PIN ------------------------------------------------------------------------


def test_schedule_for_anyone_but_no_instructions(qtbot: QtBot) -> None:
    screen = make_screen(qtbot)
    settle(screen, (1280, 800), qtbot)
    assert screen.page() == "schedule"
    assert screen.title.text() == "Espace professionnel"
    headings = [shown(c.heading.text()) for c in screen.visit_cards()]
    assert headings == [
        "08:00 – 08:30  Soins infirmiers",
        f"10:00 – 11:00  {HOSTILE} · en ce moment",
        "15:00 – 15:30  Kinésithérapie respiratoire",
    ]
    texts = "\n".join(visible_texts(screen))
    assert "Pansement" not in texts and "glycémie" not in texts
    hints = [shown(c.instructions.text()) for c in screen.visit_cards()]
    assert hints == ["Consignes : tapez votre code pour les lire."] * 2 + [""]
    assert "Tapez votre code personnel" in texts


def test_no_visit_today(qtbot: QtBot) -> None:
    screen = ProfessionalScreen(lambda: NOW)
    qtbot.addWidget(screen)
    screen.set_view(schedule([]))
    settle(screen, (800, 480), qtbot)
    assert screen.visit_cards() == []
    assert "Aucune visite prévue aujourd'hui." in visible_texts(screen)


def test_pin_pad_shows_dots_and_validates_four_to_eight_digits(qtbot: QtBot) -> None:
    screen = make_screen(qtbot)
    settle(screen, (800, 480), qtbot)
    pad = screen.pin_pad
    assert pad.dots_text() == "Votre code"
    assert not pad.keys["ok"].isEnabled() and not pad.keys["erase"].isEnabled()
    type_pin(screen, "482")
    assert pad.dots_text() == "● ● ●" and "4" not in pad.dots_text()
    assert not pad.keys["ok"].isEnabled()
    tap(pad.keys["erase"])
    assert pad.digit_count() == 2
    qtbot.wait(300)  # past the keys' debounce
    type_pin(screen, "213456")
    assert pad.digit_count() == 8 and not pad.keys["9"].isEnabled()  # eight at most
    side = sizing.min_touch_px(pad)
    for key in pad.keys.values():
        assert key.width() >= side and key.height() >= side


def test_a_trembling_double_press_types_one_digit(qtbot: QtBot) -> None:
    screen = make_screen(qtbot)
    settle(screen, (1280, 800), qtbot)
    key = screen.pin_pad.keys["7"]
    tap(key)
    tap(key)
    assert screen.pin_pad.digit_count() == 1
    qtbot.wait(300)  # a deliberate second press, after the debounce
    tap(key)
    assert screen.pin_pad.digit_count() == 2


# -- wrong PINs ----------------------------------------------------------------------------


def test_five_wrong_pins_lock_the_pad_for_a_while(qtbot: QtBot) -> None:
    clock = FakeMonotonic()
    lock = PinLock(lock=timedelta(milliseconds=300))
    screen = make_screen(qtbot, monotonic=clock, pin_lock=lock)
    settle(screen, (1280, 800), qtbot)
    for attempt in range(4):
        type_pin(screen, "1593")
        with qtbot.wait_signal(screen.pin_entered):
            tap(screen.pin_pad.keys["ok"])
        assert screen.pin_status_text() == "Vérification du code…"
        assert screen.pin_pad.locked  # no typing while it is checked
        screen.show_pin_wrong()
        assert screen.pin_status_text() == "Code incorrect. Réessayez.", attempt
        assert not screen.pin_pad.locked
        qtbot.wait(260)  # the same keys again, after their debounce
    type_pin(screen, "1593")
    tap(screen.pin_pad.keys["ok"])
    screen.show_pin_wrong()
    assert screen.pin_status_text() == "Code incorrect. Réessayez dans 1 minute."
    assert screen.pin_pad.locked and not screen.pin_pad.isVisible()
    qtbot.wait(260)
    with qtbot.assert_not_emitted(screen.pin_entered):
        type_pin(screen, "4821")
        tap(screen.pin_pad.keys["ok"])
    assert screen.pin_pad.digit_count() == 0
    # The rest ends by itself.
    clock.now += 1
    qtbot.wait_until(lambda: not screen.pin_pad.locked, timeout=3000)
    assert screen.pin_status_text() == "Vous pouvez réessayer."
    assert screen.pin_pad.isVisible()


def test_backend_rate_limit_rests_the_pad_with_its_words(qtbot: QtBot) -> None:
    clock = FakeMonotonic()
    screen = make_screen(qtbot, monotonic=clock)
    settle(screen, (800, 480), qtbot)
    type_pin(screen, "4821")
    tap(screen.pin_pad.keys["ok"])
    screen.show_pin_error("Trop de codes erronés. Réessayez dans 15 minute(s).", 900)
    assert screen.pin_status_text() == "Trop de codes erronés. Réessayez dans 15 minute(s)."
    assert screen.pin_pad.locked
    relayout()
    assert_screen_fits(screen)


def test_no_network_says_so_and_lets_them_retry(qtbot: QtBot) -> None:
    screen = make_screen(qtbot)
    type_pin(screen, "4821")
    tap(screen.pin_pad.keys["ok"])
    screen.show_unreachable()
    assert screen.page() == "schedule" and not screen.pin_pad.locked
    assert screen.pin_status_text() == (
        "Pas de connexion au service Foyer : le code ne peut pas être vérifié."
    )


# -- identified ----------------------------------------------------------------------------


def test_right_pin_shows_instructions_arrival_departure_and_messages(qtbot: QtBot) -> None:
    screen = make_screen(qtbot)
    settle(screen, (1280, 800), qtbot)
    identify(qtbot, screen)
    assert screen.page() == "identified"
    assert screen.title.text() == "Inès Leroy"
    instructions = [shown(c.instructions.text()) for c in screen.visit_cards()]
    assert instructions == [INSTRUCTIONS, HOSTILE, ""]
    assert screen.messages_tab.text() == "Messages (2)"

    tap(screen.messages_tab)
    bubbles = screen.message_bubbles()
    assert [b.sender_label.text() for b in bubbles] == ["Dr Bernard", "Karima Benali"]
    assert [b.mark_label.text() for b in bubbles] == ["Nouveau", ""]
    assert shown(bubbles[1].body_label.text()) == health_records()[1]["body"]
    assert bubbles[0].when_label.text() == "aujourd'hui à 8:15"

    # Not arrived yet: only "Arrivée" is offered.
    assert screen.arrival_button.isVisible() and not screen.departure_button.isVisible()
    with qtbot.wait_signal(screen.arrival_requested) as arrival:
        tap(screen.arrival_button)
    assert arrival.args == [NURSE, "4821"]
    # Matched as the backend will: the 10:00 visit planned for nobody (hers, 8:00, is too far).
    assert screen.status_text() == (
        f"Arrivée enregistrée à 10 h 15 pour la visite de 10 h ({HOSTILE})."
    )
    assert not screen.arrival_button.isVisible() and not screen.arrival_button.isEnabled()
    assert screen.departure_button.isVisible() and screen.departure_button.isEnabled()
    with qtbot.assert_not_emitted(screen.arrival_requested):
        qtbot.wait(450)
        tap(screen.arrival_button)
    # "Départ" closes her screen at once: nothing of hers is left on a shared tablet.
    with (
        qtbot.wait_signal(screen.departure_requested) as departure,
        qtbot.wait_signal(screen.finished),
        qtbot.wait_signal(screen.identity_forgotten),
    ):
        tap(screen.departure_button)
    assert departure.args == [NURSE, "4821"]
    assert screen.page() == "schedule" and screen.title.text() == "Espace professionnel"
    relayout()
    texts = "\n".join(visible_texts(screen))
    assert "Pansement" not in texts and SECRET_MESSAGE not in texts


def test_an_open_arrival_offers_only_departure_and_names_its_visit(qtbot: QtBot) -> None:
    screen = make_screen(qtbot)
    settle(screen, (800, 480), qtbot)
    here = OpenVisit(
        arrived_at=datetime(2026, 11, 23, 8, 5, tzinfo=PARIS),
        event_id=1,
        occurrence_start=datetime(2026, 11, 23, 7, 0, tzinfo=UTC),
    )
    who = Professional(NURSE, "Inès Leroy", True, True, open_visit=here)
    identify(qtbot, screen, build_identified_view(schedule(), who, [], NOW))
    assert not screen.arrival_button.isVisible()
    assert screen.departure_button.isVisible() and screen.departure_button.isEnabled()
    assert screen.status_text() == (
        "Arrivée enregistrée à 8 h 05 pour la visite de 8 h (Soins infirmiers)."
    )
    assert_screen_fits(screen)
    with qtbot.wait_signal(screen.finished):
        tap(screen.departure_button)
    assert screen.page() == "schedule"


def test_an_arrival_with_no_planned_visit_says_so(qtbot: QtBot) -> None:
    screen = make_screen(qtbot)
    identify(qtbot, screen, build_identified_view(schedule([]), identified().professional, [], NOW))
    tap(screen.arrival_button)
    assert screen.status_text() == (
        "Arrivée enregistrée à 10 h 15, sans visite prévue à cette heure-là."
    )


def test_what_happened_to_each_visit_is_said_and_none_over_is_en_ce_moment(
    qtbot: QtBot,
) -> None:
    records = [
        payload(1, "2026-11-23T08:00:00", "Toilette", person_id=NURSE),
        payload(2, "2026-11-23T10:00:00", "Soins infirmiers", minutes=60),
        payload(3, "2026-11-23T10:30:00", "Repas"),
        payload(4, "2026-11-23T15:00:00", "Kinésithérapie"),
        payload(5, "2026-11-23T09:00:00", "Courses"),
    ]
    utc = {1: "07:00", 2: "09:00", 3: "09:30", 4: "14:00", 5: "08:00"}

    def at(event_id: int) -> str:
        return f"2026-11-23T{utc[event_id]}:00+00:00"

    visits = [
        {"id": 1, "event_id": 2, "occurrence_start": at(2), "arrived_at": at(2),
         "departed_at": "2026-11-23T09:10:00+00:00"},  # came and went: over at 10:15
        {"id": 2, "event_id": 3, "occurrence_start": at(3), "arrived_at": at(3),
         "departed_at": None},  # under way, although planned for later
    ]  # fmt: skip
    absences = [
        {"id": 1, "event_id": 1, "occurrence_start": at(1), "reason": "no_answer"},
        {"id": 2, "event_id": 4, "occurrence_start": at(4), "reason": "cancelled"},
    ]
    view = build_professional_view(
        [event_from_payload(r) for r in records], records, NOW, outcomes_from(visits, absences)
    )
    screen = ProfessionalScreen(lambda: NOW)
    qtbot.addWidget(screen)
    screen.set_view(view)
    settle(screen, (1280, 800), qtbot)
    # Before the PIN (anyone in the home): what happened, not why a visit did not.
    public = [shown(c.heading.text()) for c in screen.visit_cards()]
    assert public == [
        "08:00 – 08:30  Toilette · n'a pas eu lieu",
        "09:00 – 09:30  Courses",
        "10:00 – 11:00  Soins infirmiers · terminée",  # not "en ce moment" at 10:15
        "10:30 – 11:00  Repas · en cours",
        "15:00 – 15:30  Kinésithérapie · annulée",
    ]
    # The nurse, identified: why, too.
    nurse = Professional(NURSE, "Inès Leroy", True, True)
    identify(qtbot, screen, build_identified_view(view, nurse, [], NOW))
    headings = [shown(c.heading.text()) for c in screen.visit_cards()]
    assert headings[0] == "08:00 – 08:30  Toilette · n'a pas eu lieu : pas de réponse"
    assert headings[1:] == public[1:]
    assert not any("en ce moment" in h for h in headings)


def test_a_role_without_instructions_or_visits(qtbot: QtBot) -> None:
    screen = make_screen(qtbot)
    settle(screen, (1280, 800), qtbot)
    identify(qtbot, screen, identified(record_visit=False, instructions=False, messages=False))
    assert not screen.arrival_button.isVisible() and not screen.departure_button.isVisible()
    assert all(c.instructions.text() == "" for c in screen.visit_cards())
    tap(screen.messages_tab)
    assert "Aucun message santé pour vous." in visible_texts(screen)


@pytest.mark.parametrize("page", ["schedule", "identified"])
def test_accueil_from_every_page_forgets_the_professional(qtbot: QtBot, page: str) -> None:
    screen = make_screen(qtbot)
    settle(screen, (800, 480), qtbot)
    if page == "identified":
        identify(qtbot, screen)
        tap(screen.messages_tab)
        assert SECRET_MESSAGE in visible_texts(screen)
    else:
        type_pin(screen, "48")
    with qtbot.wait_signal(screen.home_requested):
        tap(screen.home_button)
    assert screen.page() == "schedule"
    assert screen.title.text() == "Espace professionnel"
    assert screen.pin_pad.digit_count() == 0
    relayout()
    texts = "\n".join(visible_texts(screen))
    assert SECRET_MESSAGE not in texts and "Pansement" not in texts
    assert screen.message_bubbles() == []


def test_forgotten_after_a_while_without_a_touch(qtbot: QtBot) -> None:
    screen = make_screen(qtbot, idle_ms=300)
    settle(screen, (1280, 800), qtbot)
    identify(qtbot, screen)
    with qtbot.wait_signal(screen.identity_forgotten, timeout=3000):
        pass
    assert screen.page() == "schedule"


def test_an_answer_after_accueil_is_ignored(qtbot: QtBot) -> None:
    screen = make_screen(qtbot)
    type_pin(screen, "4821")
    tap(screen.pin_pad.keys["ok"])
    tap(screen.home_button)
    screen.show_identified(identified())
    assert screen.page() == "schedule"


# -- layout --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_layout_fits_every_page(qtbot: QtBot, size: tuple[int, int]) -> None:
    screen = make_screen(qtbot)
    settle(screen, size, qtbot)
    type_pin(screen, "48")
    assert_screen_fits(screen)
    tap(screen.pin_pad.keys["0"])
    tap(screen.pin_pad.keys["ok"])
    screen.show_unreachable()
    relayout()
    assert_screen_fits(screen)
    screen.reset()
    qtbot.wait(300)  # past the keys' debounce
    identify(qtbot, screen)
    assert_screen_fits(screen)
    tap(screen.arrival_button)
    tap(screen.messages_tab)
    relayout()
    assert_screen_fits(screen)


def test_short_content_does_not_scroll(qtbot: QtBot) -> None:
    screen = make_screen(qtbot)
    settle(screen, (1280, 800), qtbot)
    identify(qtbot, screen, identified(messages=False))
    assert not screen.detail_scroll.can_scroll()
    assert not screen.detail_scroll.down_button.isEnabled()


def test_language_change_relabels_without_losing_state(qtbot: QtBot) -> None:
    screen = make_screen(qtbot)
    settle(screen, (1280, 800), qtbot)
    identify(qtbot, screen)
    QApplication.sendEvent(screen, QEvent(QEvent.Type.LanguageChange))
    assert screen.page() == "identified" and screen.title.text() == "Inès Leroy"
    assert screen.messages_tab.text() == "Messages (2)"


class FakeClient(ProfessionalClient):
    """Answers from a list, as the backend would (tests/e2e checks the real one)."""

    def __init__(self, answers: list[Identified | Exception]) -> None:
        super().__init__(requests.Session(), "http://127.0.0.1:9", "credential")
        self.answers = answers
        self.pins: list[str] = []

    def identify(self, pin: str) -> Identified:
        self.pins.append(pin)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def scheduler() -> Iterator[BackgroundScheduler]:
    running = make_scheduler()
    running.start()
    yield running
    shutdown_scheduler(running)


def test_wired_to_the_pin_check_off_the_gui_thread(
    qtbot: QtBot, scheduler: BackgroundScheduler
) -> None:
    who = Professional(NURSE, "Inès Leroy", True, True)
    client = FakeClient(
        [
            Unreachable("backend down"),
            PinRefused(403, "Code personnel incorrect."),
            PinRefused(409, "Ce code personnel est aussi celui d'une autre personne."),
            Identified(who, tuple(health_records())),
        ]
    )
    service = ProfessionalService(client, scheduler)
    screen = make_screen(qtbot)
    connect_screen(
        service,
        screen,
        lambda found: build_identified_view(schedule(), found.professional, found.messages, NOW),
    )
    settle(screen, (1280, 800), qtbot)

    def attempt(pin: str) -> None:
        qtbot.wait(300)  # past the keys' debounce
        type_pin(screen, pin)
        tap(screen.pin_pad.keys["ok"])
        qtbot.wait_until(lambda: not screen.pin_pad.locked, timeout=5000)

    attempt("4821")
    assert screen.pin_status_text().startswith("Pas de connexion au service Foyer")
    attempt("1593")
    assert screen.pin_status_text() == "Code incorrect. Réessayez."
    attempt("2580")
    assert screen.pin_status_text() == "Ce code personnel est aussi celui d'une autre personne."
    qtbot.wait(300)
    with qtbot.wait_signal(service.identified, timeout=5000):
        type_pin(screen, "4821")
        tap(screen.pin_pad.keys["ok"])
    assert screen.page() == "identified" and screen.messages_tab.text() == "Messages (2)"
    assert client.pins == ["4821", "1593", "2580", "4821"]


@pytest.mark.parametrize("size", SIZES)
def test_long_unbroken_titles_wrap_inside_the_screen(qtbot: QtBot, size: tuple[int, int]) -> None:
    long_title = "Kinésithérapie" + "x" * 300
    records = [
        payload(1, "2026-11-23T09:00:00", long_title, "y" * 200, instructions="z" * 2000),
    ]
    screen = ProfessionalScreen(lambda: NOW)
    qtbot.addWidget(screen)
    screen.set_view(schedule(records))
    settle(screen, size, qtbot)
    assert_screen_fits(screen)
    assert shown(screen.visit_cards()[0].heading.text()).endswith(long_title)
    who = Professional(NURSE, "Inès Leroy", True, True)
    type_pin(screen, "1234")
    tap(screen.pin_pad.keys["ok"])
    screen.show_identified(build_identified_view(schedule(records), who, [], NOW))
    relayout()
    assert_screen_fits(screen)
    assert shown(screen.visit_cards()[0].instructions.text()) == "z" * 2000

"""The messages screen: list → open → reply → "Réponse envoyée" → list, read receipts once,
read-aloud, "Accueil" from every page, plain text, and the layout at 1280×800 and 800×480."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from common.tablet_config import DEFAULT_HEALTH_QUICK_REPLIES, DEFAULT_QUICK_REPLIES
from kiosk.messages_view import MessagesView, build_messages_view
from kiosk.screens.messages_screen import MessagesScreen
from kiosk.speech import Speech
from kiosk.speech import connect_screen as connect_speech
from tests.fake_espeak import stand_in
from tests.kiosk.screen_checks import SIZES, assert_screen_fits, relayout, settle, shown, tap

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=PARIS)  # a Wednesday
HOSTILE = "<b>gras</b><script>alert(1)</script>"
EMOJI = "Bisous 👩‍👩‍👧‍👦❤️👍🏽 🇫🇷"
LONG = ("Un très long message. " * 460)[:10_000]


def record(
    id_: int,
    at: datetime,
    body: str,
    author: str = "Sophie Martin",
    *,
    space: str = "daily",
    read: bool = False,
    reply_to_id: int | None = None,
) -> dict[str, Any]:
    return {
        "id": id_,
        "space": space,
        "body": body,
        "author_name": author,
        "created_at": at.astimezone(UTC).isoformat(),
        "reply_to_id": reply_to_id,
        "read": read,
    }


def jeanne_messages() -> list[dict[str, Any]]:
    return [
        record(1, NOW.replace(hour=9, minute=5), "Je passe jeudi vers 15 h avec les enfants."),
        record(
            2,
            NOW.replace(hour=8, minute=0),
            "Pensez au comprimé du soir.",
            "Claire Dupont",
            space="health",
        ),
        record(3, NOW - timedelta(days=1, hours=-8), "Bonne soirée Maman !", read=True),
        record(4, datetime(2026, 11, 30, 14, 0, tzinfo=PARIS), HOSTILE, "Marc Petit", read=True),
        record(
            5,
            datetime(2026, 11, 30, 15, 0, tzinfo=PARIS),
            "Merci !",
            "Jeanne Martin",
            read=True,
            reply_to_id=4,
        ),
    ]


def view_of(records: list[dict[str, Any]], **kwargs: Any) -> MessagesView:
    return build_messages_view(records, NOW, beneficiary_name="Jeanne Martin", **kwargs)


def make_screen(qtbot: QtBot, view: MessagesView, **kwargs: Any) -> MessagesScreen:
    screen = MessagesScreen(**kwargs)
    qtbot.addWidget(screen)
    screen.set_view(view)
    return screen


def card_texts(screen: MessagesScreen) -> list[tuple[str, str, str]]:
    return [
        (c.sender_label.text(), c.when_label.text(), c.mark_label.text()) for c in screen.cards()
    ]


# -- the list --------------------------------------------------------------------------------


def test_list_unread_first_with_plain_words(qtbot: QtBot) -> None:
    screen = make_screen(qtbot, view_of(jeanne_messages()))
    settle(screen, (1280, 800), qtbot)
    assert screen.page() == "list"
    assert screen.title.text() == "Messages"
    assert card_texts(screen) == [
        ("Sophie Martin", "aujourd'hui à 9:05", "Nouveau"),
        ("Claire Dupont", "aujourd'hui à 8:00", "Nouveau · Santé"),
        ("Sophie Martin", "hier à 18:30", ""),
        ("Vous", "lundi 30 novembre", ""),
        ("Marc Petit", "lundi 30 novembre", ""),
    ]


def test_an_older_year_is_named(qtbot: QtBot) -> None:
    old = record(1, datetime(2025, 12, 25, 10, 0, tzinfo=PARIS), "Joyeux Noël")
    screen = make_screen(qtbot, view_of([old]))
    assert card_texts(screen) == [("Sophie Martin", "jeudi 25 décembre 2025", "Nouveau")]


def test_no_messages_says_so(qtbot: QtBot) -> None:
    screen = make_screen(qtbot, view_of([]))
    settle(screen, (800, 480), qtbot)
    assert screen.cards() == []
    empty = screen.findChild(QLabel, "noMessages")
    assert empty is not None and empty.isVisible()
    assert empty.text() == "Aucun message pour le moment."


def test_people_text_is_shown_literally(qtbot: QtBot) -> None:
    records = [
        record(1, NOW, HOSTILE, "<i>Marc</i>"),
        record(2, NOW - timedelta(minutes=1), EMOJI),
        record(3, NOW - timedelta(minutes=2), LONG),
    ]
    screen = make_screen(qtbot, view_of(records))
    settle(screen, (1280, 800), qtbot)
    cards = {c.body_text(): c for c in screen.cards()}
    hostile = cards[HOSTILE]
    assert shown(hostile.body_label.text()) == HOSTILE
    assert hostile.sender_label.text() == "<i>Marc</i>"
    for label in hostile.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert shown(cards[EMOJI].body_label.text()) == EMOJI
    # A card shows the start; the message opens whole.
    preview = shown(cards[LONG].body_label.text())
    assert preview.endswith("…") and len(preview) < 200
    screen.open_message(3)
    assert shown(screen.opened.body_label.text()) == LONG
    assert screen.opened.body_label.textFormat() == Qt.TextFormat.PlainText
    screen.open_message(1)
    assert shown(screen.opened.body_label.text()) == HOSTILE


def test_plus_bas_and_plus_haut_scroll_the_list(qtbot: QtBot) -> None:
    records = [record(i, NOW - timedelta(hours=i), f"Message {i}") for i in range(1, 15)]
    screen = make_screen(qtbot, view_of(records))
    settle(screen, (800, 480), qtbot)
    scroll = screen.list_scroll
    bar = scroll.area.verticalScrollBar()
    assert bar.value() == 0 and not scroll.up_button.isEnabled()
    assert scroll.down_button.isEnabled()
    tap(scroll.down_button)
    assert bar.value() == scroll.page_step()
    assert scroll.up_button.isEnabled()
    for _ in range(30):
        scroll.page_down()
    assert bar.value() == bar.maximum() and not scroll.down_button.isEnabled()
    qtbot.wait(450)  # past the debounce
    tap(scroll.up_button)
    assert bar.value() == bar.maximum() - scroll.page_step()


# -- open, read, reply -----------------------------------------------------------------------


def test_list_open_reply_confirmation_list(qtbot: QtBot) -> None:
    screen = make_screen(qtbot, view_of(jeanne_messages()), confirmation_ms=200)
    settle(screen, (1280, 800), qtbot)
    first = screen.cards()[0]
    with qtbot.wait_signal(screen.read, timeout=1000) as read:
        tap(first)
    assert read.args == [1]
    assert screen.page() == "message" and screen.open_message_id == 1
    assert shown(screen.opened.body_label.text()) == "Je passe jeudi vers 15 h avec les enfants."
    # Opened in type half as big again as the list.
    assert screen.opened.body_label.font().pixelSize() == round(screen.font_px * 1.5)
    assert [b.text() for b in screen.reply_buttons()] == [
        "Merci !",
        "Appelle-moi",
        "Tout va bien",
        "Je t'embrasse",
    ]
    # Read now: the card is no longer marked new.
    assert screen.cards()[0].mark_label.text() == ""

    with qtbot.wait_signal(screen.reply_chosen, timeout=1000) as reply:
        tap(screen.reply_buttons()[2])
    assert reply.args == [1, "Tout va bien"]
    assert screen.page() == "sent"
    assert screen.sent_text() == "Réponse envoyée"
    qtbot.wait_until(lambda: screen.page() == "list", timeout=2000)

    # Opening it again sends no second receipt.
    with qtbot.assert_not_emitted(screen.read):
        assert screen.open_message(1)
    # A back button returns to the list without replying.
    with qtbot.assert_not_emitted(screen.reply_chosen):
        tap(screen.back_button)
    assert screen.page() == "list"


def test_sent_page_has_its_own_way_back(qtbot: QtBot) -> None:
    screen = make_screen(qtbot, view_of(jeanne_messages()), confirmation_ms=60_000)
    settle(screen, (800, 480), qtbot)
    screen.open_message(2)
    tap(screen.reply_buttons()[0])
    assert screen.page() == "sent"
    tap(screen.sent_back_button)
    assert screen.page() == "list"


def test_a_double_tap_on_a_reply_answers_once(qtbot: QtBot) -> None:
    screen = make_screen(qtbot, view_of(jeanne_messages()), confirmation_ms=60_000)
    settle(screen, (1280, 800), qtbot)
    screen.open_message(1)
    button = screen.reply_buttons()[0]
    replies: list[tuple[int, str]] = []
    screen.reply_chosen.connect(lambda i, t: replies.append((i, t)))
    tap(button)
    tap(button)
    assert replies == [(1, "Merci !")]


def test_read_messages_and_own_replies_send_no_receipt(qtbot: QtBot) -> None:
    screen = make_screen(qtbot, view_of(jeanne_messages()))
    settle(screen, (1280, 800), qtbot)
    with qtbot.assert_not_emitted(screen.read):
        assert screen.open_message(3)
        assert screen.open_message(5)
    assert screen.opened.sender_label.text() == "Vous"
    assert screen.reply_buttons() == []  # nobody answers their own message
    assert not screen.open_message(99)


def test_health_message_opens_like_the_others(qtbot: QtBot) -> None:
    screen = make_screen(qtbot, view_of(jeanne_messages()))
    settle(screen, (1280, 800), qtbot)
    with qtbot.wait_signal(screen.read) as read:
        screen.open_message(2)
    assert read.args == [2]
    assert screen.opened.mark_label.text() == "Santé"
    # A nurse's health message gets neutral replies, never the family's "Je t'embrasse".
    health = [b.text() for b in screen.reply_buttons()]
    assert health == list(DEFAULT_HEALTH_QUICK_REPLIES)
    assert "Je t'embrasse" not in health


def test_a_daily_message_keeps_the_daily_quick_replies(qtbot: QtBot) -> None:
    screen = make_screen(qtbot, view_of(jeanne_messages()))
    settle(screen, (1280, 800), qtbot)
    with qtbot.wait_signal(screen.read):
        screen.open_message(1)
    assert [b.text() for b in screen.reply_buttons()] == list(DEFAULT_QUICK_REPLIES)


def test_health_quick_replies_are_configured_apart(qtbot: QtBot) -> None:
    view = view_of(jeanne_messages(), quick_replies=["Bisous"], health_quick_replies=["Vu"])
    screen = make_screen(qtbot, view)
    settle(screen, (800, 480), qtbot)
    screen.open_message(2)
    relayout()
    assert [b.text() for b in screen.reply_buttons()] == ["Vu"]
    with qtbot.wait_signal(screen.reply_chosen) as chosen:
        tap(screen.reply_buttons()[0])
    assert chosen.args == [2, "Vu"]  # tied to the message it answers
    assert_screen_fits(screen)


def test_configured_quick_replies(qtbot: QtBot) -> None:
    replies = ["Oui", "Non", "Bisous", "Appelle-moi ce soir", "Merci !", "À demain"]
    screen = make_screen(qtbot, view_of(jeanne_messages(), quick_replies=replies))
    settle(screen, (800, 480), qtbot)
    screen.open_message(1)
    relayout()
    assert [b.text() for b in screen.reply_buttons()] == replies
    assert_screen_fits(screen)


def test_new_messages_keep_the_open_one_open(qtbot: QtBot) -> None:
    records = jeanne_messages()
    screen = make_screen(qtbot, view_of(records))
    screen.open_message(1)
    newer = record(9, NOW.replace(hour=10, minute=0), "Et un autre")
    screen.set_view(view_of([*records, newer]))
    assert screen.page() == "message" and screen.open_message_id == 1
    assert screen.cards()[0].body_text() == "Et un autre"
    # Deleted by its author meanwhile: back to the list, no dead end.
    screen.set_view(view_of([r for r in records if r["id"] != 1]))
    assert screen.page() == "list"


# -- read aloud ------------------------------------------------------------------------------


def test_read_aloud_button_only_when_configured_and_a_voice_exists(qtbot: QtBot) -> None:
    off = make_screen(qtbot, view_of(jeanne_messages(), read_aloud=False))
    off.set_speech_available(True)
    off.open_message(1)
    assert not off.speak_button.isVisibleTo(off)
    no_voice = make_screen(qtbot, view_of(jeanne_messages(), read_aloud=True))
    no_voice.set_speech_available(False)
    no_voice.open_message(1)
    assert not no_voice.speak_button.isVisibleTo(no_voice)


def test_read_aloud_speaks_the_message_and_stops(qtbot: QtBot) -> None:
    screen = make_screen(qtbot, view_of(jeanne_messages(), read_aloud=True))
    screen.set_speech_available(True)
    settle(screen, (1280, 800), qtbot)
    screen.open_message(1)
    assert screen.speak_button.isVisible()
    assert screen.speak_button.text() == "Lire à voix haute"
    with qtbot.wait_signal(screen.speak_requested) as spoken:
        tap(screen.speak_button)
    assert spoken.args == ["Je passe jeudi vers 15 h avec les enfants."]
    screen.set_speaking(True)
    assert screen.speak_button.text() == "Arrêter la lecture"
    qtbot.wait(450)  # past the debounce
    with qtbot.wait_signal(screen.stop_speech_requested):
        tap(screen.speak_button)
    # Leaving a message while it is read silences it.
    with qtbot.wait_signal(screen.stop_speech_requested):
        tap(screen.back_button)


# -- always a way home -----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "message", "sent"])
def test_accueil_from_every_page(qtbot: QtBot, page: str) -> None:
    screen = make_screen(qtbot, view_of(jeanne_messages(), read_aloud=True))
    settle(screen, (800, 480), qtbot)
    if page != "list":
        screen.open_message(1)
    if page == "sent":
        tap(screen.reply_buttons()[0])
    assert screen.page() == page
    screen.set_speaking(page == "message")
    with qtbot.wait_signal(screen.home_requested):
        tap(screen.home_button)
    assert screen.page() == "list"  # the next visit starts from the list


def test_accueil_silences_the_voice(qtbot: QtBot) -> None:
    screen = make_screen(qtbot, view_of(jeanne_messages(), read_aloud=True))
    screen.set_speech_available(True)
    screen.open_message(1)
    screen.set_speaking(True)
    with qtbot.wait_signals([screen.stop_speech_requested, screen.home_requested]):
        tap(screen.home_button)


# -- layout ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_layout_fits_every_page(qtbot: QtBot, size: tuple[int, int]) -> None:
    records = [*jeanne_messages(), record(6, NOW - timedelta(hours=3), LONG, "Marie-Françoise")]
    records.append(record(7, NOW - timedelta(hours=4), EMOJI + " " + "x" * 300))
    screen = make_screen(qtbot, view_of(records, read_aloud=True))
    screen.set_speech_available(True)
    settle(screen, size, qtbot)
    assert_screen_fits(screen)
    for message_id in (1, 2, 6, 7):
        screen.open_message(message_id)
        relayout()
        assert_screen_fits(screen)
    tap(screen.reply_buttons()[0])
    relayout()
    assert screen.page() == "sent"
    assert_screen_fits(screen)


def test_language_change_relabels_without_losing_state(qtbot: QtBot) -> None:
    screen = make_screen(qtbot, view_of(jeanne_messages(), read_aloud=True))
    screen.set_speech_available(True)
    screen.open_message(2)
    QApplication.sendEvent(screen, QEvent(QEvent.Type.LanguageChange))
    assert screen.page() == "message" and screen.open_message_id == 2
    assert screen.title.text() == "Messages"
    assert screen.opened.mark_label.text() == "Santé"
    assert screen.speak_button.text() == "Lire à voix haute"


def test_short_content_does_not_scroll(qtbot: QtBot) -> None:
    screen = make_screen(qtbot, view_of(jeanne_messages()[:1]))
    settle(screen, (1280, 800), qtbot)
    assert not screen.list_scroll.can_scroll()
    screen.open_message(1)
    relayout()
    assert not screen.message_scroll.can_scroll()


def test_read_aloud_with_a_voice_start_to_stop(qtbot: QtBot, tmp_path: Path) -> None:
    program, out = stand_in(tmp_path, sleep=60)
    speech = Speech(program, detect=False)
    screen = make_screen(qtbot, view_of(jeanne_messages(), read_aloud=True))
    connect_speech(speech, screen)
    try:
        settle(screen, (1280, 800), qtbot)
        screen.open_message(1)
        with qtbot.wait_signal(speech.started, timeout=10_000):
            tap(screen.speak_button)
        assert screen.speak_button.text() == "Arrêter la lecture"
        qtbot.wait_until(out.exists, timeout=10_000)
        qtbot.wait(450)  # past the debounce
        with qtbot.wait_signal(speech.finished, timeout=5000):
            tap(screen.speak_button)
        assert screen.speak_button.text() == "Lire à voix haute"
        assert not speech.speaking
    finally:
        speech.shutdown()

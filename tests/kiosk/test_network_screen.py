"""« Connexion à Internet » on the tablet: the keyboard types what a finger presses, the screen
asks for what it should (intents only), says how a join goes in words, and fits both sizes.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.kiosk.test_network_screen

renders its pages to docs/screenshots/network-*.png."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.screens.network_screen import CONNECTED, NetworkScreen
from tests.kiosk.every_screen import SCREENS
from tests.kiosk.layout_checks import assert_buttons_fit, assert_touch_targets
from tests.kiosk.screen_checks import SIZES, assert_labels_whole, floor_problems, settle
from widgets.onscreen_keyboard import OnScreenKeyboard

PAGES = [
    "network-list",
    "network-more",
    "network-keyboard",
    "network-hotspot",
    "network-connecting",
    "network-preparing",
    "network-refused",
]


def build(qtbot: QtBot, name: str) -> NetworkScreen:
    screen = SCREENS[name]()
    qtbot.addWidget(screen)
    assert isinstance(screen, NetworkScreen)
    return screen


@pytest.mark.parametrize("name", PAGES)
def test_every_page_fits_both_sizes(qtbot: QtBot, name: str) -> None:
    screen = build(qtbot, name)
    for size in SIZES:
        settle(screen, size, qtbot)
        assert_labels_whole(screen)
        assert_buttons_fit(screen)
        assert_touch_targets(screen)
        assert floor_problems(screen, size[1]) == []


def test_keys_are_90_px_at_1280x800(qtbot: QtBot) -> None:
    screen = build(qtbot, "network-keyboard")
    settle(screen, SIZES[0], qtbot)
    keys = [
        b
        for b in screen.keyboard.findChildren(QWidget)
        if b.isVisible() and b.objectName().startswith("key")
    ]
    assert len(keys) >= 30
    assert min(k.height() for k in keys) >= 90 and min(k.width() for k in keys) >= 90


def test_the_keyboard_types_what_is_pressed(qtbot: QtBot) -> None:
    keyboard = OnScreenKeyboard(secret=True)
    qtbot.addWidget(keyboard)
    for key in ("shift", "s", "o", "l", "l", "symbols", "2", "@", "letters", "space", "x"):
        keyboard.press(key)
    assert keyboard.text() == "Soll2@ x"  # shift for one letter only
    assert keyboard.shown_text() == "•" * 8  # a password is hidden at first
    keyboard.press("show")
    assert keyboard.shown_text() == "Soll2@ x"
    keyboard.press("backspace")
    assert keyboard.text() == "Soll2@ "
    with qtbot.waitSignal(keyboard.submitted) as sent:
        keyboard.press("ok")
    assert sent.args == ["Soll2@ "]


def test_every_sign_a_wifi_password_may_hold_can_be_typed(qtbot: QtBot) -> None:
    """A WPA passphrase is printable ASCII: every one of its signs has a key, reached by
    presses a finger can make (« ?123 », then « =\\< »), and no key types what it cannot hold."""
    import string

    keyboard = OnScreenKeyboard()
    qtbot.addWidget(keyboard)
    settle(keyboard, SIZES[0], qtbot)
    typed = ""
    for page in ("symbols", "more"):
        keyboard.press(page)
        for name, button in keyboard._pages[{"symbols": 1, "more": 2}[page]]:
            if button.isVisible() and len(name) == 1:
                assert " " < name <= "~", name  # printable ASCII only (é è à ç were there)
                button.click()
                typed += name
    assert set(string.punctuation + string.digits) <= set(typed)
    assert keyboard.text() == typed
    assert keyboard.keys["more"].text() == "=\\<" and keyboard.keys["\\"].text() == "\\"


def test_a_key_pressed_twice_on_purpose_types_twice(qtbot: QtBot) -> None:
    """No double tap is ever needed, and "ll" typed at a normal pace gives two letters."""
    keyboard = OnScreenKeyboard()
    qtbot.addWidget(keyboard)
    settle(keyboard, SIZES[0], qtbot)
    key = next(b for n, b in keyboard._pages[False] if n == "l")
    qtbot.mouseClick(key, pytest.importorskip("PySide6.QtCore").Qt.MouseButton.LeftButton)
    qtbot.wait(200)
    qtbot.mouseClick(key, pytest.importorskip("PySide6.QtCore").Qt.MouseButton.LeftButton)
    assert keyboard.text() == "ll"


def test_choosing_a_network_asks_its_password_then_the_join(qtbot: QtBot) -> None:
    screen = build(qtbot, "network-list")
    settle(screen, SIZES[0], qtbot)
    assert screen.network_buttons[0].text().startswith("Maison")
    screen.network_buttons[0].click()
    assert screen.page() == "keyboard"
    assert screen.title.text() == "Mot de passe de « Maison »"
    screen.keyboard.type_text("soleil-du-sud")
    with qtbot.waitSignal(screen.join_requested) as asked:
        screen.keyboard.press("ok")
    assert asked.args == ["Maison", "soleil-du-sud", False]


def test_a_key_networkmanager_would_refuse_is_not_sent(qtbot: QtBot) -> None:
    """Too short, too long, or none for a secured network: said on the spot, typing kept."""
    screen = build(qtbot, "network-list")
    asked: list[list[object]] = []
    screen.join_requested.connect(lambda *args: asked.append(list(args)))
    screen.choose("Maison")
    screen.keyboard.type_text("court")
    screen.keyboard.press("ok")
    assert screen.title.text() == "Au moins 8 caractères"
    assert screen.page() == "keyboard" and screen.keyboard.text() == "court"
    screen.keyboard.set_text("")
    screen.keyboard.press("ok")
    assert screen.title.text() == "Au moins 8 caractères"
    screen.keyboard.set_text("x" * 70)
    assert screen.keyboard.text() == "x" * 64  # the keyboard holds a 64-digit key, no more
    screen.keyboard.press("ok")
    assert screen.title.text() == "63 caractères au plus"
    assert asked == []
    key = "0123456789abcdef" * 4
    screen.keyboard.set_text(key)
    screen.keyboard.press("ok")
    screen.keyboard.set_text("court-mais-assez")
    screen.keyboard.press("ok")
    assert asked == [["Maison", key, False], ["Maison", "court-mais-assez", False]]


def test_an_ampersand_is_shown_not_taken_for_a_shortcut(qtbot: QtBot) -> None:
    """Qt reads "&x" on a button as a keyboard shortcut and hides the "&"."""
    from dataclasses import dataclass

    @dataclass
    class Air:
        ssid: str
        strength: int
        secured: bool

    screen = build(qtbot, "network-list")
    settle(screen, SIZES[0], qtbot)
    screen.show_networks([Air("Tom & Jerry", 80, True), Air("A&&B", 50, True)])
    first, second = screen.network_buttons[:2]
    assert first.text().startswith("Tom && Jerry") and first.shortcut().isEmpty()
    assert second.text().startswith("A&&&&B") and second.shortcut().isEmpty()
    keyboard = OnScreenKeyboard()
    qtbot.addWidget(keyboard)
    key = keyboard.keys["&"]
    assert key.text() == "&&" and key.shortcut().isEmpty()
    key.click()
    assert keyboard.text() == "&"


def test_the_list_says_searching_then_nothing_found(qtbot: QtBot) -> None:
    screen = build(qtbot, "network-list")
    screen.show_networks([], searching=True)
    assert "Recherche des réseaux Wi-Fi…" in screen._list_message.text()
    screen.show_networks([], searching=False)
    assert screen._list_message.text().endswith("Aucun réseau trouvé. Touchez « Actualiser ».")
    with qtbot.waitSignal(screen.scan_requested):
        screen.refresh_button.click()
    assert "Recherche des réseaux Wi-Fi…" in screen._list_message.text()


@pytest.mark.parametrize("size", SIZES)
def test_more_networks_than_room_are_paged(qtbot: QtBot, size: tuple[int, int]) -> None:
    """As many as fit, then « Réseaux suivants » goes through the others and back."""
    screen = build(qtbot, "network-more")
    settle(screen, size, qtbot)
    total = 13
    shown = [b for b in screen.network_buttons if b.isVisible()]
    assert len(shown) >= 5  # more than the four there used to be
    assert screen.more_button.isVisible() and screen.more_button.text() == "Réseaux suivants"
    seen: list[str] = []
    for _ in range(total):
        seen += [b.full_text().split("   ")[0] for b in screen.network_buttons if b.isVisible()]
        screen.more_button.click()
        settle(screen, size, qtbot)
        assert_touch_targets(screen)
        if screen.network_buttons[0].full_text().startswith("Maison"):
            break
    assert len(seen) == total and len(set(seen)) == total
    screen.more_button.click()  # the second page: its first button chooses its network
    second = screen.network_buttons[0].full_text().split("   ")[0]
    screen.network_buttons[0].click()
    assert screen.title.text() == f"Mot de passe de « {second} »"


def test_an_open_network_is_joined_without_a_password(qtbot: QtBot) -> None:
    screen = build(qtbot, "network-list")
    with qtbot.waitSignal(screen.join_requested) as asked:
        screen.choose("Café libre")
    assert asked.args == ["Café libre", "", False]


def test_a_network_not_listed_is_typed_by_name(qtbot: QtBot) -> None:
    screen = build(qtbot, "network-list")
    screen.other_button.click()
    screen.keyboard.type_text("Grenier")
    screen.keyboard.press("ok")
    assert screen.title.text() == "Mot de passe de « Grenier »"
    screen.keyboard.type_text("motdepasse")
    with qtbot.waitSignal(screen.join_requested) as asked:
        screen.keyboard.press("ok")
    assert asked.args == ["Grenier", "motdepasse", True]  # hidden: NetworkManager probes it


def test_the_join_is_told_in_words(qtbot: QtBot) -> None:
    screen = build(qtbot, "network-refused")
    assert screen.status_text() == "Mot de passe refusé par « Maison ». Vérifiez-le et réessayez."
    screen.retry_button.click()
    assert screen.page() == "keyboard"
    screen.show_join("Maison", "connecting")
    assert screen.status_text() == "Connexion à « Maison »…"
    assert not screen.retry_button.isVisibleTo(screen)
    screen.show_join("Maison", CONNECTED)
    assert screen.status_text() == "La tablette est connectée à « Maison »."


def test_the_hotspot_is_prepared_then_given_up_if_it_cannot_start(qtbot: QtBot) -> None:
    screen = build(qtbot, "network-list")
    with qtbot.waitSignal(screen.hotspot_requested):
        screen.phone_button.click()
    assert screen.status_text() == "La tablette prépare son Wi-Fi provisoire…"
    screen.hotspot_stopped()  # the service could not start it
    assert screen.page() == "list"


def test_the_hotspot_shows_two_codes_and_can_be_cancelled(qtbot: QtBot) -> None:
    screen = build(qtbot, "network-hotspot")
    assert screen.join_qr.text().startswith("WIFI:T:WPA;S:Foyer-K7QM;")
    assert screen.page_qr.text().startswith("http://10.42.0.1:8080/?t=")
    with qtbot.waitSignal(screen.hotspot_cancelled):
        screen.stop_button.click()
    assert screen.page() == "list"


def render(out: Path) -> None:
    """Every page at both sizes, as PNG files in `out`."""
    for name in PAGES:
        screen = SCREENS[name]()
        for width, height in SIZES:
            screen.resize(width, height)
            screen.show()
            for _ in range(5):
                QApplication.processEvents()
            screen.grab().save(str(out / f"{name}-{width}x{height}.png"))
        screen.close()


if __name__ == "__main__":
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication(sys.argv)
    render(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots"))

"""Where « Connexion à Internet » appears: an unpaired tablet that NetworkManager says is
offline gets it instead of the pairing screen; once a join succeeds, the outcome is read and
the pairing screen comes back (its flow carries on). Without NetworkManager nothing changes."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.main_window import MainWindow
from kiosk.network import link
from kiosk.network.link import NetworkLink
from kiosk.screens.network_screen import NetworkScreen
from tests.kiosk.fake_network_manager import control, fake_network_manager, private_bus

WAIT_MS = 20_000


@pytest.fixture
def bus() -> Iterator[str]:
    with private_bus() as address, fake_network_manager(address):
        yield address


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    window = MainWindow(datetime.now)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show_pairing()
    return window


def test_offline_pairing_gives_the_network_screen_then_pairing_again(
    qtbot: QtBot, window: MainWindow, bus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(link, "BACK_AFTER_MS", 50)
    monkeypatch.setattr(link, "OFFLINE_GRACE_MS", 50)
    network = NetworkLink(window, is_paired=lambda: False)
    network.start(bus)
    qtbot.waitUntil(lambda: window.current_screen_name() == "network", timeout=WAIT_MS)
    assert network.offline() and network.offer()  # a pairing problem keeps it there
    screen = window.screen_named("network")
    assert isinstance(screen, NetworkScreen)
    qtbot.waitUntil(
        lambda: screen.network_buttons[0].full_text().startswith("Maison"), timeout=WAIT_MS
    )

    control(bus, "SetPassword", "ss", "Livebox-7F3A", "le-bon-mot-de-passe")
    screen.choose("Livebox-7F3A")
    screen.keyboard.type_text("pas-le-bon")
    screen.keyboard.press("ok")
    qtbot.waitUntil(lambda: "Mot de passe refusé" in screen.status_text(), timeout=WAIT_MS)
    assert window.current_screen_name() == "network"

    screen.retry_button.click()
    screen.keyboard.type_text("le-bon-mot-de-passe")
    screen.keyboard.press("ok")
    qtbot.waitUntil(lambda: window.current_screen_name() == "pairing", timeout=WAIT_MS)
    assert not network.offline()
    assert network.offer() is False  # online: « Le service Foyer ne répond pas » is the truth
    network.stop()


def test_without_network_manager_nothing_changes(
    qtbot: QtBot, window: MainWindow, tmp_path: Any
) -> None:
    network = NetworkLink(window, is_paired=lambda: False)
    network.start(f"unix:path={tmp_path}/nobody")
    assert network.service is not None
    with qtbot.waitSignal(network.service.available_changed, timeout=WAIT_MS) as available:
        pass
    assert available.args == [False]
    assert network.offer() is False
    assert window.current_screen_name() == "pairing"
    assert not window.is_built("network")
    network.stop()


def test_a_hotspot_up_after_it_was_cancelled_leaves_the_typing_alone(
    qtbot: QtBot, window: MainWindow, bus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """« Par téléphone », then « Autres réseaux » at once, then a password being typed: the
    hotspot coming up late must not replace the keyboard, and it is stopped."""
    from kiosk.network import service as service_module

    defaults = dict(service_module.NetworkService.__init__.__kwdefaults__ or {})
    defaults.update(page_host="127.0.0.1", page_port=0)
    monkeypatch.setattr(service_module.NetworkService.__init__, "__kwdefaults__", defaults)
    monkeypatch.setattr(link, "OFFLINE_GRACE_MS", 50)
    network = NetworkLink(window, is_paired=lambda: False)
    network.start(bus)
    qtbot.waitUntil(lambda: window.current_screen_name() == "network", timeout=WAIT_MS)
    screen = window.screen_named("network")
    assert isinstance(screen, NetworkScreen) and network.service is not None
    pages: list[str] = []
    screen.pages.currentChanged.connect(lambda _i: pages.append(screen.page()))
    hotspots: list[object] = []
    network.service.hotspot_changed.connect(hotspots.append)

    screen.phone_button.click()
    screen.list_button.click()  # « Autres réseaux » while it prepares: cancelled
    screen.choose("Livebox-7F3A")
    screen.keyboard.type_text("motdepa")
    # The service started it (the request came first), then stops it: up, then down.
    qtbot.waitUntil(lambda: len(hotspots) >= 2 and hotspots[-1] is None, timeout=WAIT_MS)
    qtbot.wait(100)
    assert screen.page() == "keyboard" and screen.keyboard.text() == "motdepa"
    assert "hotspot" not in pages
    network.stop()


def test_a_short_time_offline_at_boot_does_not_flash_the_screen(
    qtbot: QtBot, window: MainWindow, bus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NetworkManager says "not connected" while it connects at boot: the pairing screen
    stays; only an offline that lasts (15 s, here 1.5 s) brings « Connexion à Internet »."""
    monkeypatch.setattr(link, "OFFLINE_GRACE_MS", 1500)
    network = NetworkLink(window, is_paired=lambda: False)
    network.start(bus)
    assert network.service is not None
    service = network.service
    qtbot.waitUntil(lambda: service.online is False, timeout=WAIT_MS)
    assert window.current_screen_name() == "pairing" and not network.offline()
    control(bus, "SetOnline", "b", True)  # connected within the grace
    qtbot.waitUntil(lambda: service.online is True, timeout=WAIT_MS)
    qtbot.wait(2000)
    assert window.current_screen_name() == "pairing"
    assert not window.is_built("network")

    control(bus, "SetOnline", "b", False)  # and now offline for good
    qtbot.waitUntil(lambda: service.online is False, timeout=WAIT_MS)
    assert window.current_screen_name() == "pairing"
    qtbot.waitUntil(lambda: window.current_screen_name() == "network", timeout=WAIT_MS)
    assert network.offline()
    network.stop()


RULE = Path(__file__).resolve().parents[2] / "images/files/50-foyer-network.rules"
NM = "org.freedesktop.NetworkManager."


def polkit_says(user: str, action: str) -> str:
    """What the rule file answers, run as polkitd runs it (JavaScript; node stands in)."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("no JavaScript engine (node) to run the polkit rule")
    script = f"""
        const rules = [];
        const polkit = {{ Result: {{ YES: "yes", NO: "no", NOT_HANDLED: null }},
                         addRule: (f) => rules.push(f) }};
        eval(require("fs").readFileSync({json.dumps(str(RULE))}, "utf8"));
        const answer = rules.map((f) => f({{ id: {json.dumps(action)} }},
                                          {{ user: {json.dumps(user)} }})).find((a) => a);
        process.stdout.write(String(answer || "not handled"));
    """
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.mark.parametrize(
    ("user", "action", "answer"),
    [
        ("foyer", NM + "network-control", "yes"),
        ("foyer", NM + "settings.modify.system", "yes"),
        ("foyer", NM + "wifi.scan", "yes"),
        ("foyer", NM + "wifi.share.protected", "yes"),
        # Nothing the network screen does not need: not every NetworkManager action.
        ("foyer", NM + "wifi.share.open", "not handled"),
        ("foyer", NM + "enable-disable-network", "not handled"),
        ("foyer", NM + "settings.modify.hostname", "not handled"),
        ("foyer", NM + "reload", "not handled"),
        ("foyer", "org.freedesktop.login1.reboot", "not handled"),
        ("someone", NM + "network-control", "not handled"),
    ],
)
def test_the_polkit_rule_allows_the_kiosk_only_what_it_does(
    user: str, action: str, answer: str
) -> None:
    assert polkit_says(user, action) == answer

"""The tablet's NetworkManager client at the D-Bus boundary: a fake NetworkManager on a private
bus (tests/kiosk/fake_network_manager.py), the real wire in between."""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.network.service import (
    CONNECTED,
    CONNECTING,
    FAILED,
    WRONG_PASSWORD,
    Hotspot,
    NetworkService,
)
from tests.kiosk.fake_network_manager import control, fake_network_manager, private_bus, report

WAIT_MS = 20_000


@pytest.fixture
def bus() -> Iterator[str]:
    with private_bus() as address, fake_network_manager(address):
        yield address


@pytest.fixture
def service(qtbot: QtBot, bus: str) -> Iterator[NetworkService]:
    network = NetworkService(bus, page_host="127.0.0.1", page_port=0)
    with qtbot.waitSignal(network.available_changed, timeout=WAIT_MS) as available:
        network.start()
    assert available.args == [True]
    yield network
    network.stop()


def test_no_network_manager_changes_nothing(qtbot: QtBot, tmp_path: Any) -> None:
    network = NetworkService(f"unix:path={tmp_path}/nobody")
    with qtbot.waitSignal(network.available_changed, timeout=WAIT_MS) as available:
        network.start()
    assert available.args == [False]
    assert network.online is None
    network.stop()


def test_networks_are_listed_strongest_first(
    qtbot: QtBot, service: NetworkService, bus: str
) -> None:
    with qtbot.waitSignal(service.networks_changed, timeout=WAIT_MS) as listed:
        service.scan()
    networks = listed.args[0]
    assert [n.ssid for n in networks] == ["Maison <b>&amp;", "Livebox-7F3A", "Voisin", "Café libre"]
    assert [n.secured for n in networks] == [True, True, True, False]
    assert report(bus)["scans"] == 1


def test_a_scan_slower_than_a_second_is_waited_for(
    qtbot: QtBot, service: NetworkService, bus: str
) -> None:
    """The list is read again when the device's LastScan changes: a 2 s scan (real ones take
    3 to 5 s) no longer leaves « Recherche des réseaux Wi-Fi… » on screen for ever."""
    control(bus, "SetSlowScan", "db", 2.0, False)
    seen: list[tuple[int, bool]] = []
    service.networks_changed.connect(lambda n: seen.append((len(n), service.scanning)))
    service.scan()
    qtbot.waitUntil(lambda: bool(seen) and not seen[-1][1], timeout=WAIT_MS)
    assert seen[0] == (0, True)  # nothing known yet, and said to be searching
    assert seen[-1] == (4, False)


def test_nothing_around_is_said_once_the_scan_is_over(
    qtbot: QtBot, service: NetworkService, bus: str
) -> None:
    control(bus, "SetSlowScan", "db", 0.3, True)
    service.scan()
    qtbot.waitUntil(lambda: not service.scanning, timeout=WAIT_MS)
    assert service.networks == []


def test_a_wrong_password_is_said_and_not_kept(
    qtbot: QtBot, service: NetworkService, bus: str, caplog: pytest.LogCaptureFixture
) -> None:
    control(bus, "SetPassword", "ss", "Livebox-7F3A", "le-bon-mot-de-passe")
    outcomes: list[str] = []
    service.join_changed.connect(lambda _ssid, outcome: outcomes.append(outcome))
    caplog.set_level(logging.DEBUG)
    service.join("Livebox-7F3A", "secret-errone-42")
    qtbot.waitUntil(lambda: WRONG_PASSWORD in outcomes, timeout=WAIT_MS)
    assert outcomes == [CONNECTING, WRONG_PASSWORD]
    added = report(bus)["added"][0]
    assert added["802-11-wireless"]["ssid"] == "Livebox-7F3A"
    assert added["802-11-wireless-security"] == {"key-mgmt": "wpa-psk", "psk": "secret-errone-42"}
    assert added["_signatures"]["802-11-wireless"] == {"ssid": "ay", "mode": "s", "hidden": "b"}
    assert added["_signatures"]["802-11-wireless-security"] == {"key-mgmt": "s", "psk": "s"}
    assert added["_signatures"]["connection"]["autoconnect"] == "b"
    assert report(bus)["deleted"] == 1  # the refused connection is not kept
    assert "secret-errone-42" not in caplog.text
    assert service.online is False


def test_a_join_networkmanager_refuses_outright_is_said(
    qtbot: QtBot, service: NetworkService, bus: str, caplog: pytest.LogCaptureFixture
) -> None:
    """AddAndActivateConnection answers an error (here a 5-letter key: InvalidProperty): no
    StateChanged will follow, so the screen must not wait on « Connexion à … » for ever."""
    outcomes: list[str] = []
    service.join_changed.connect(lambda _ssid, outcome: outcomes.append(outcome))
    caplog.set_level(logging.DEBUG)
    service.join("Livebox-7F3A", "k7q2z")
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=WAIT_MS)
    assert outcomes == [CONNECTING, FAILED]
    assert report(bus)["added"] == []
    assert "k7q2z" not in caplog.text


def test_the_right_password_brings_the_tablet_online(
    qtbot: QtBot, service: NetworkService, bus: str, caplog: pytest.LogCaptureFixture
) -> None:
    control(bus, "SetPassword", "ss", "Livebox-7F3A", "le-bon-mot-de-passe")
    caplog.set_level(logging.DEBUG)
    with qtbot.waitSignal(service.online_changed, timeout=WAIT_MS, check_params_cb=bool):
        service.join("Livebox-7F3A", "le-bon-mot-de-passe")
    qtbot.waitUntil(lambda: service.online is True, timeout=WAIT_MS)
    assert "le-bon-mot-de-passe" not in caplog.text


def test_the_hotspot_page_joins_what_the_family_typed(
    qtbot: QtBot, service: NetworkService, bus: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with qtbot.waitSignal(service.hotspot_changed, timeout=WAIT_MS) as up:
        service.start_hotspot()
    hotspot = up.args[0]
    assert isinstance(hotspot, Hotspot)
    assert hotspot.ssid.startswith("Foyer-") and len(hotspot.password) >= 8
    assert hotspot.join_text().startswith(f"WIFI:T:WPA;S:{hotspot.ssid};P:")
    # A log line or a traceback showing it shows neither the password nor the page's token.
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(hotspot.url).query)["t"][0]
    assert hotspot.password not in repr(hotspot) and token not in repr(hotspot)
    up = service._hotspot
    assert up is not None and hotspot.password not in repr(up) and token not in repr(up)
    added = report(bus)["added"][0]
    assert added["802-11-wireless"]["mode"] == "ap"
    assert added["ipv4"]["method"] == "shared"
    types = added["_signatures"]
    assert types["802-11-wireless"]["ssid"] == "ay" and types["802-11-wireless"]["mode"] == "s"
    assert types["ipv4"]["method"] == "s"
    assert types["802-11-wireless-security"]["proto"] == "as"
    assert types["connection"]["autoconnect"] == "b"

    url = urllib.parse.urlsplit(hotspot.url)
    base = f"{url.scheme}://{url.netloc}/"
    assert _status(base + "?t=not-the-token") == 403
    assert _status(base) == 403
    page = _read(hotspot.url)
    # Names from the air are text, never markup.
    assert "Maison &lt;b&gt;&amp;amp;" in page and "<b>" not in page

    token = urllib.parse.parse_qs(url.query)["t"][0]
    outcomes: list[tuple[str, str]] = []
    service.join_changed.connect(lambda ssid, outcome: outcomes.append((ssid, outcome)))
    form = {"t": token, "choice": "Maison <b>&amp;", "ssid": "", "password": "mot-de-passe-42"}
    done = _read(base, urllib.parse.urlencode(form).encode())
    assert "Maison &lt;b&gt;&amp;amp;" in done
    qtbot.waitUntil(lambda: (form["choice"], CONNECTED) in outcomes, timeout=WAIT_MS)
    assert outcomes[0] == (form["choice"], CONNECTING)
    assert service.online is True
    fake = report(bus)
    assert len(fake["deactivated"]) == 1  # the hotspot stopped first
    joined = fake["added"][1]
    assert joined["802-11-wireless"]["ssid"] == "Maison <b>&amp;"
    assert joined["802-11-wireless"]["hidden"] is False  # chosen from the list
    assert joined["802-11-wireless-security"]["psk"] == "mot-de-passe-42"
    assert _status(hotspot.url) is None  # the page is gone with the hotspot
    assert "mot-de-passe-42" not in caplog.text
    assert token not in caplog.text


def test_a_4g_modem_is_given_a_connection_when_nothing_else_is_up(
    qtbot: QtBot, service: NetworkService, bus: str
) -> None:
    with qtbot.waitSignal(service.modem_added, timeout=WAIT_MS):
        control(bus, "PlugModem")
    added = report(bus)["added"][0]
    assert added["connection"]["type"] == "gsm"
    assert added["gsm"] == {"auto-config": True}
    assert added["_signatures"]["gsm"] == {"auto-config": "b"}
    assert added["_device"]["path"].endswith("/Devices/2")
    qtbot.waitUntil(lambda: service.online is True, timeout=WAIT_MS)


@pytest.mark.parametrize(("version", "added"), [("1.42.4", True), ("1.20.0", False)])
def test_gsm_auto_config_is_used_from_networkmanager_1_22(
    qtbot: QtBot, version: str, added: bool
) -> None:
    """gsm.auto-config exists since NetworkManager 1.22: Debian Bookworm's 1.42 has it."""
    with private_bus() as address, fake_network_manager(address, version=version):
        network = NetworkService(address, page_host="127.0.0.1", page_port=0)
        with qtbot.waitSignal(network.available_changed, timeout=WAIT_MS):
            network.start()
        qtbot.waitUntil(lambda: network.online is False, timeout=WAIT_MS)
        plugged: list[str] = []
        network.modem_added.connect(plugged.append)
        control(address, "PlugModem")
        if added:
            qtbot.waitUntil(lambda: bool(plugged), timeout=WAIT_MS)
            assert report(address)["added"][0]["gsm"] == {"auto-config": True}
        else:
            qtbot.wait(1000)
            assert plugged == [] and report(address)["added"] == []
        network.stop()


def _status(url: str, data: bytes | None = None) -> int | None:
    try:
        with urllib.request.urlopen(url, data, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def _read(url: str, data: bytes | None = None) -> str:
    with urllib.request.urlopen(url, data, timeout=10) as response:
        return str(response.read().decode("utf-8"))

"""Between the controller and the network: the « Connexion à Internet » screen, the service,
and when the screen is offered.

- The screen is registered as "network" and built the first time it is shown.
- The service (`NetworkService`: jeepney, a thread) starts with the controller's `start()`,
  after the first paint; with no NetworkManager it says "not available" and nothing changes.
- The screen is offered in place of the pairing screen once NetworkManager has said for 15 s
  that the tablet is offline (not during the few seconds it connects at boot), and when
  pairing fails because there is no network (`offer()`); it is reachable from the
  maintenance screen (`open()`).
- Once a join succeeds, the screen says so, then gives the pairing screen (or home) back: the
  pairing flow carries on by itself.

`FOYER_NETWORK_BUS` chooses the D-Bus bus ("SYSTEM", an address, or "none" to leave the
network alone, e.g. on a developer's laptop).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

if TYPE_CHECKING:
    from kiosk.main_window import MainWindow
    from kiosk.network.service import NetworkService
    from kiosk.screens.network_screen import NetworkScreen

log = logging.getLogger(__name__)

NETWORK = "network"
PAIRING = "pairing"
BACK_AFTER_MS = 2500  # "La tablette est connectée à « Maison »." is read, then pairing again
# NetworkManager says "not connected" for a few seconds at every boot (CONNECTING): the screen
# is offered only once the tablet has been offline this long, not flashed at each start.
OFFLINE_GRACE_MS = 15_000


class NetworkLink(QObject):
    def __init__(self, window: MainWindow, is_paired: Callable[[], bool]) -> None:
        super().__init__(window)
        self._window = window
        self._is_paired = is_paired
        self._screen: NetworkScreen | None = None
        self.service: NetworkService | None = None
        self._offline_long = False  # offline for OFFLINE_GRACE_MS at least
        self._grace = QTimer(self)
        self._grace.setSingleShot(True)
        self._grace.timeout.connect(self._offline_lasted)
        window.add_screen(NETWORK, self._build)

    # -- life cycle ---------------------------------------------------------------------------
    def start(self, bus: str | None = None) -> None:
        bus = bus or os.environ.get("FOYER_NETWORK_BUS", "SYSTEM")
        if bus.lower() == "none" or self.service is not None:
            return
        from kiosk.network.service import NetworkService  # after the first paint

        self.service = NetworkService(bus, parent=self)
        self.service.online_changed.connect(self._on_online)
        self.service.networks_changed.connect(self._on_networks)
        self.service.join_changed.connect(self._on_join)
        self.service.hotspot_changed.connect(self._on_hotspot)
        self.service.start()

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()

    # -- when the screen is offered -------------------------------------------------------------
    def offline(self) -> bool:
        """NetworkManager answers and has said for a while that the tablet is not online."""
        return (
            self.service is not None
            and self.service.available
            and self.service.online is False
            and self._offline_long
        )

    def offer(self) -> bool:
        """Show the network screen instead of the pairing screen if the tablet is offline;
        whether it did."""
        current = self._window.current_screen_name()
        if not self.offline() or current not in (PAIRING, NETWORK):
            return False
        if current == PAIRING:
            self.open()
        return True

    def open(self) -> None:
        screen = self._built()
        screen.show_list()
        self._window.show_screen(NETWORK)
        if self.service is not None:
            self.service.scan()

    # -- inside ---------------------------------------------------------------------------------
    def _build(self) -> NetworkScreen:
        from kiosk.screens.network_screen import NetworkScreen

        screen = NetworkScreen()
        screen.scan_requested.connect(self._scan)
        screen.join_requested.connect(self._join)
        screen.hotspot_requested.connect(self._hotspot)
        screen.hotspot_cancelled.connect(self._stop_hotspot)
        # After the window's own "Accueil" → home: an unpaired tablet has no day to show.
        screen.home_requested.connect(self._leave)
        if self.service is not None:
            screen.show_networks(self.service.networks, searching=self.service.scanning)
        self._screen = screen
        return screen

    def _built(self) -> NetworkScreen:
        self._window.screen_named(NETWORK)
        assert self._screen is not None
        return self._screen

    def _leave(self) -> None:
        if self.service is not None:
            self.service.stop_hotspot()
        if not self._is_paired():
            self._window.show_pairing()
        else:
            self._window.show_home()

    def _scan(self) -> None:
        if self.service is not None:
            self.service.scan()

    def _join(self, ssid: str, password: str, hidden: bool) -> None:
        if self.service is not None:
            self.service.join(ssid, password, hidden)

    def _hotspot(self) -> None:
        if self.service is not None:
            self.service.start_hotspot()

    def _stop_hotspot(self) -> None:
        if self.service is not None:
            self.service.stop_hotspot()

    def _offline_lasted(self) -> None:
        self._offline_long = True
        if self._window.current_screen_name() == PAIRING:
            self.open()

    def _on_online(self, online: bool) -> None:
        current = self._window.current_screen_name()
        if not online:
            if not self._offline_long and not self._grace.isActive():
                self._grace.start(OFFLINE_GRACE_MS)
            return
        self._grace.stop()
        self._offline_long = False
        if (
            online
            and current == NETWORK
            and self._screen is not None
            and self._screen.page() != "status"
        ):
            # Online by itself (a cable, the 4G, a saved network): back to where we were. After
            # a join, its outcome is read first (`_on_join`).
            self._leave()

    def _on_networks(self, networks: list[Any]) -> None:
        if self._screen is not None and self.service is not None:
            self._screen.show_networks(networks, searching=self.service.scanning)

    def _on_join(self, ssid: str, outcome: str) -> None:
        screen = self._built()
        if self._window.current_screen_name() != NETWORK:
            self._window.show_screen(NETWORK)
        screen.show_join(ssid, outcome)
        if outcome == "connected":
            QTimer.singleShot(BACK_AFTER_MS, self._back_if_still_shown)

    def _back_if_still_shown(self) -> None:
        if self._window.current_screen_name() == NETWORK:
            self._leave()

    def _on_hotspot(self, hotspot: Any) -> None:
        screen = self._built()
        if hotspot is None:
            screen.hotspot_stopped()
        elif self._window.current_screen_name() == NETWORK and screen.waiting_for_hotspot():
            screen.show_hotspot(hotspot.ssid, hotspot.password, hotspot.join_text(), hotspot.url)
        elif self.service is not None:
            # Up too late: the person went back to the list (and may be typing a password
            # there); the QR codes must not replace what they are doing.
            log.info("hotspot up after it was no longer wanted: stopped")
            self.service.stop_hotspot()

"""The tablet's network, as a service: the screens send intents, it answers with signals.

A worker thread owns the D-Bus connection to NetworkManager (`nm_bus`): every call and the
wait for its signals happen there, so that the GUI thread never waits on D-Bus. Results come
back to the GUI thread through one queued signal.

- online: NetworkManager's State (StateChanged signal; re-read every few seconds as well);
- the networks around (RequestScan, then the access points, strongest first, read again
  when the device's LastScan says the scan finished);
- join: AddAndActivateConnection, then the Wi-Fi device's StateChanged says activated, or
  failed with a reason that means "wrong password"; a refused connection is deleted again;
- the hotspot: an access point of the tablet's own and the one-time page (`hotspot_page`); a
  network chosen there stops the hotspot and is joined as above;
- a USB 4G modem (ModemManager makes it a NetworkManager MODEM device): when nothing else is
  up and NetworkManager has no connection for it, a gsm connection with "gsm.auto-config" is
  added (NetworkManager ≥ 1.22; older ones are left alone, docs/network.md).

When NetworkManager is not there (a developer's laptop, the demo), `available` stays False
and nothing else happens. Passwords are handed to NetworkManager and never logged.
"""

from __future__ import annotations

import functools
import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, Signal

from kiosk.network import nm_bus
from kiosk.network.hotspot_page import HotspotPage
from kiosk.network.nm_bus import NetworkManagerBus, WifiNetwork

log = logging.getLogger(__name__)

HOTSPOT_HOST = "10.42.0.1"  # NetworkManager's "shared" address for the first shared device
HOTSPOT_PORT = 8080
JOIN_TIMEOUT = 45.0
HOTSPOT_START_TIMEOUT = 20.0
HOTSPOT_UP_FOR = 15 * 60.0
# A scan takes 3 to 5 s: the list is read again when the device's LastScan changes, or after
# this long at most (then an empty list means there is nothing around).
SCAN_WAIT = 10.0
SCAN_POLL = 0.5
RECHECK_EVERY = 5.0
# Letters and digits nobody mixes up when copying them from the screen.
_HOTSPOT_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

CONNECTING, CONNECTED, WRONG_PASSWORD, FAILED = (
    "connecting",
    "connected",
    "wrong_password",
    "failed",
)


@dataclass(frozen=True)
class Hotspot:
    ssid: str
    # Out of repr: a log line or a traceback showing the object must not show these.
    password: str = field(repr=False)
    url: str = field(repr=False)  # the page, token included

    def join_text(self) -> str:
        """What a phone's camera reads to join the hotspot (the "WIFI:" QR convention)."""
        return f"WIFI:T:WPA;S:{_qr_escape(self.ssid)};P:{_qr_escape(self.password)};;"


@dataclass
class _Joining:
    ssid: str
    device: str
    settings_path: str
    deadline: float
    asked_key: bool = False


@dataclass
class _Scanning:
    before: int | None  # the device's LastScan when the scan was asked for
    deadline: float
    next_poll: float


@dataclass
class _HotspotUp:
    info: Hotspot
    page: HotspotPage = field(repr=False)
    settings_path: str
    active: str
    until: float  # monotonic: a hotspot nobody used does not stay up


class NetworkService(QObject):
    available_changed = Signal(bool)  # NetworkManager answers (False: nothing to offer)
    online_changed = Signal(bool)
    networks_changed = Signal(object)  # list[WifiNetwork], strongest first (see `scanning`)
    join_changed = Signal(
        str, str
    )  # network name, CONNECTING / CONNECTED / WRONG_PASSWORD / FAILED
    hotspot_changed = Signal(object)  # Hotspot, or None when it is down
    modem_added = Signal(str)  # the modem device a gsm connection was added for
    _on_gui = Signal(object)

    def __init__(
        self,
        bus: str = "SYSTEM",
        *,
        page_host: str = HOTSPOT_HOST,
        page_port: int = HOTSPOT_PORT,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bus = bus
        self._page_host = page_host
        self._page_port = page_port
        self._commands: queue.Queue[Callable[[NetworkManagerBus], None] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.available = False
        self.online: bool | None = None
        self.networks: list[WifiNetwork] = []
        self.scanning = True  # a scan is under way: an empty list is not the last word yet
        # Worker-thread state.
        self._wifi: str | None = None
        self._joining: _Joining | None = None
        self._scanning: _Scanning | None = None
        self._hotspot: _HotspotUp | None = None
        self._modems_tried: set[str] = set()
        self._version = ""
        self._on_gui.connect(self._run_on_gui, Qt.ConnectionType.QueuedConnection)

    # -- intents (GUI thread) -----------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="network", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._commands.put(None)
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def scan(self) -> None:
        self._commands.put(self._scan)

    def join(self, ssid: str, password: str, hidden: bool = False) -> None:
        self._commands.put(lambda nm: self._join(nm, ssid, password, hidden))

    def start_hotspot(self) -> None:
        self._commands.put(self._start_hotspot)

    def stop_hotspot(self) -> None:
        self._commands.put(self._stop_hotspot)

    # -- to the GUI thread --------------------------------------------------------------------
    def _emit(self, signal_emit: Callable[[], None]) -> None:
        self._on_gui.emit(signal_emit)

    def _run_on_gui(self, call: Callable[[], None]) -> None:
        call()

    def _set_available(self, available: bool) -> None:
        def apply() -> None:
            self.available = available
            self.available_changed.emit(available)

        self._emit(apply)

    def _set_online(self, online: bool) -> None:
        def apply() -> None:
            if online != self.online:
                self.online = online
                self.online_changed.emit(online)

        self._emit(apply)

    # -- the worker thread --------------------------------------------------------------------
    def _work(self) -> None:
        try:
            nm = NetworkManagerBus(self._bus)
        except Exception as exc:  # no bus, no NetworkManager: nothing changes for the user
            log.info("NetworkManager not reachable (%s): no network screen", exc)
            self._set_available(False)
            return
        try:
            self._version = nm.version()
            wifi = nm.devices(nm_bus.TYPE_WIFI)
            self._wifi = wifi[0] if wifi else None
            states = nm.listen(nm_bus.NM, "StateChanged")
            device_states = nm.listen(nm_bus.DEVICE, "StateChanged")
            added = nm.listen(nm_bus.NM, "DeviceAdded")
            online = nm.online()
        except Exception as exc:
            log.info("NetworkManager does not answer (%s): no network screen", exc)
            nm.close()
            self._set_available(False)
            return
        log.info("NetworkManager %s; Wi-Fi device: %s", self._version, self._wifi or "none")
        self._set_available(True)
        self._set_online(online)
        if not online:
            self._try_modems(nm)
        checked = time.monotonic()
        try:
            while not self._stopping.is_set():
                try:
                    command = self._commands.get_nowait()
                except queue.Empty:
                    nm.pump(0.2)
                else:
                    if command is None:
                        break
                    self._safely(command, nm)
                while states:
                    _, (state, *_rest) = nm_bus.signal_args(states.popleft())
                    online = int(state) >= nm_bus.STATE_CONNECTED_GLOBAL
                    self._set_online(online)
                    if not online:
                        self._safely(self._try_modems, nm)
                while device_states:
                    path, args = nm_bus.signal_args(device_states.popleft())
                    self._safely(functools.partial(self._device_moved, path=path, args=args), nm)
                while added:
                    added.popleft()
                    self._safely(self._try_modems, nm)
                if self._scanning is not None and time.monotonic() >= self._scanning.next_poll:
                    self._safely(self._scan_poll, nm)
                if self._joining is not None and time.monotonic() > self._joining.deadline:
                    self._safely(lambda nm: self._join_ended(nm, nm_bus_failed=True), nm)
                if self._hotspot is not None and time.monotonic() > self._hotspot.until:
                    log.info("hotspot unused for %d minutes: stopped", HOTSPOT_UP_FOR // 60)
                    self._safely(self._stop_hotspot, nm)
                if time.monotonic() - checked > RECHECK_EVERY:
                    checked = time.monotonic()
                    self._safely(lambda nm: self._set_online(nm.online()), nm)
        finally:
            if self._hotspot is not None:
                self._safely(self._stop_hotspot, nm)
            nm.close()

    def _safely(self, command: Callable[[NetworkManagerBus], None], nm: NetworkManagerBus) -> None:
        try:
            command(nm)
        except Exception:
            log.exception("network: a request to NetworkManager failed")

    def _scan(self, nm: NetworkManagerBus) -> None:
        if self._hotspot is not None:
            return  # the Wi-Fi is busy being the hotspot: the last list stays
        if self._wifi is None:
            self._publish([], scanning=False)  # nothing to scan with: nothing found
            return
        before = nm.last_scan(self._wifi)
        nm.request_scan(self._wifi)
        now = time.monotonic()
        self._scanning = _Scanning(before, now + SCAN_WAIT, now + SCAN_POLL)
        # The access points of the last scan are there already: shown while this one runs.
        self._publish(nm.networks(self._wifi), scanning=True)

    def _scan_poll(self, nm: NetworkManagerBus) -> None:
        """While a scan runs: the list is read again once the device says it finished."""
        scanning = self._scanning
        if scanning is None or self._wifi is None:
            return
        now = time.monotonic()
        last = nm.last_scan(self._wifi)
        finished = last is not None and last != scanning.before and last >= 0
        if not finished and now < scanning.deadline:
            scanning.next_poll = now + SCAN_POLL
            return
        self._scanning = None
        self._publish(nm.networks(self._wifi), scanning=False)

    def _publish(self, networks: list[WifiNetwork], *, scanning: bool) -> None:
        def apply() -> None:
            self.networks = networks
            self.scanning = scanning
            self.networks_changed.emit(networks)

        self._emit(apply)

    def _join(self, nm: NetworkManagerBus, ssid: str, password: str, hidden: bool) -> None:
        if self._wifi is None:
            self._emit(lambda: self.join_changed.emit(ssid, FAILED))
            return
        if self._hotspot is not None:
            self._stop_hotspot(nm)
        self._emit(lambda: self.join_changed.emit(ssid, CONNECTING))
        log.info("joining the Wi-Fi network %r", ssid)  # its name only
        settings = nm_bus.wifi_settings(ssid, password, hidden=hidden)
        try:
            settings_path, _active = nm.add_and_activate(settings, self._wifi)
        except Exception as exc:
            # Refused outright (a key of the wrong length, polkit saying no, NetworkManager
            # gone): no StateChanged will ever come, so the screen must hear it now. The error
            # names the property at fault, never its value.
            log.warning("NetworkManager refused to join %r: %s", ssid, exc)
            self._emit(lambda: self.join_changed.emit(ssid, FAILED))
            return
        self._joining = _Joining(ssid, self._wifi, settings_path, time.monotonic() + JOIN_TIMEOUT)

    def _device_moved(self, nm: NetworkManagerBus, *, path: str, args: tuple[object, ...]) -> None:
        joining = self._joining
        if joining is None or path != joining.device or len(args) < 3:
            return
        new, reason = int(str(args[0])), int(str(args[2]))
        if new == nm_bus.DEVICE_NEED_AUTH:
            joining.asked_key = True
        elif new == nm_bus.DEVICE_ACTIVATED:
            self._joining = None
            log.info("joined the Wi-Fi network %r", joining.ssid)
            self._emit(lambda: self.join_changed.emit(joining.ssid, CONNECTED))
        elif new == nm_bus.DEVICE_FAILED:
            wrong_key = reason in nm_bus.WRONG_KEY_REASONS or joining.asked_key
            self._join_ended(nm, nm_bus_failed=not wrong_key)

    def _join_ended(self, nm: NetworkManagerBus, *, nm_bus_failed: bool) -> None:
        joining, self._joining = self._joining, None
        if joining is None:
            return
        outcome = FAILED if nm_bus_failed else WRONG_PASSWORD
        log.info("could not join %r: %s", joining.ssid, outcome)
        try:
            nm.delete_connection(joining.settings_path)  # a refused key is not kept
        except nm_bus.NetworkManagerError as exc:
            log.info("the refused connection could not be deleted: %s", exc)
        self._emit(lambda: self.join_changed.emit(joining.ssid, outcome))

    def _start_hotspot(self, nm: NetworkManagerBus) -> None:
        if self._wifi is None or self._hotspot is not None:
            return
        self._scanning = None  # an access point does not scan
        try:
            self._hotspot = self._bring_hotspot_up(nm, self._wifi)
        except Exception:
            log.exception("the hotspot could not be started")
            self._hotspot = None
        if self._hotspot is None:
            self._emit(lambda: self.hotspot_changed.emit(None))  # the screen goes back
            return
        info = self._hotspot.info
        log.info("hotspot %s up, its page on port %d", info.ssid, self._hotspot.page.port)
        self._emit(lambda: self.hotspot_changed.emit(info))

    def _bring_hotspot_up(self, nm: NetworkManagerBus, wifi: str) -> _HotspotUp | None:
        networks = [n.ssid for n in nm.networks(wifi)]  # the device cannot scan as an AP
        ssid = "Foyer-" + "".join(
            secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(4)
        )
        password = "".join(secrets.choice(_HOTSPOT_ALPHABET) for _ in range(10))
        settings_path, active = nm.add_and_activate(nm_bus.hotspot_settings(ssid, password), wifi)
        deadline = time.monotonic() + HOTSPOT_START_TIMEOUT
        page: HotspotPage | None = None
        while page is None:
            if time.monotonic() > deadline:
                log.error("the hotspot did not come up")
                nm.delete_connection(settings_path)
                return None
            if nm.device_state(wifi) != nm_bus.DEVICE_ACTIVATED:
                nm.pump(0.2)
                continue
            try:
                page = HotspotPage(
                    self._page_host, self._page_port, networks, self._chosen_on_phone
                )
            except OSError:  # the shared address is not on the interface yet
                nm.pump(0.2)
        info = Hotspot(ssid, password, page.url(self._page_host))
        return _HotspotUp(info, page, settings_path, active, time.monotonic() + HOTSPOT_UP_FOR)

    def _chosen_on_phone(self, ssid: str, password: str, hidden: bool) -> None:
        """From the page's thread: join what the family chose (the hotspot stops first)."""
        self.join(ssid, password, hidden)

    def _stop_hotspot(self, nm: NetworkManagerBus) -> None:
        up, self._hotspot = self._hotspot, None
        if up is None:
            return
        up.page.close()
        try:
            nm.deactivate(up.active)
            nm.delete_connection(up.settings_path)
        except nm_bus.NetworkManagerError as exc:
            log.info("hotspot: %s", exc)
        log.info("hotspot %s stopped", up.info.ssid)
        self._emit(lambda: self.hotspot_changed.emit(None))

    def _try_modems(self, nm: NetworkManagerBus) -> None:
        if nm.online():
            return
        for modem in nm.devices(nm_bus.TYPE_MODEM):
            if modem in self._modems_tried:
                continue
            self._modems_tried.add(modem)
            if nm.has_connection_for(modem):
                continue  # NetworkManager brings its own connection up
            if not nm_bus.version_at_least(self._version, nm_bus.GSM_AUTO_CONFIG_SINCE):
                log.warning(
                    "4G modem found, but NetworkManager %s has no gsm.auto-config (1.22): "
                    "add its APN by hand (docs/network.md)",
                    self._version,
                )
                continue
            nm.add_and_activate(nm_bus.gsm_settings(), modem)
            log.info("4G modem %s: connection added (APN from the SIM)", modem)
            self._emit(functools.partial(self.modem_added.emit, modem))


def _qr_escape(text: str) -> str:
    return "".join("\\" + c if c in '\\;,:"' else c for c in text)

"""NetworkManager over D-Bus, as plain synchronous calls (run on `NetworkService`'s thread).

Why jeepney and not QtDBus: PySide6's QtDBus hands `ao` and `a{sv}` replies back as opaque
`QDBusArgument`s that Python cannot take apart (`>>` has no out-parameter in Python) and cannot
build NetworkManager's `a{sa{sv}}` settings; jeepney is pure Python (no compiled code, no
dependency; Debian's python3-jeepney) and speaks the wire protocol exactly.

The numbers are NetworkManager's own (libnm: NMState, NMDeviceType, NMDeviceState,
NMDeviceStateReason), as documented in its D-Bus API reference.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from jeepney import (  # type: ignore[import-untyped]
    DBusAddress,
    MatchRule,
    Message,
    MessageType,
    new_method_call,
)
from jeepney.io.blocking import (  # type: ignore[import-untyped]
    DBusConnection,
    open_dbus_connection,
)

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.NetworkManager"
ROOT = "/org/freedesktop/NetworkManager"
NM = SERVICE
DEVICE = f"{SERVICE}.Device"
WIRELESS = f"{SERVICE}.Device.Wireless"
ACCESS_POINT = f"{SERVICE}.AccessPoint"
PROPERTIES = "org.freedesktop.DBus.Properties"

STATE_CONNECTED_GLOBAL = 70
CONNECTIVITY_FULL = 4
TYPE_WIFI, TYPE_MODEM = 2, 8
DEVICE_NEED_AUTH, DEVICE_ACTIVATED, DEVICE_FAILED = 60, 100, 120
# Device state reasons that mean the key was refused: no (valid) secrets, the supplicant
# disconnected during the 4-way handshake, or its configuration failed.
WRONG_KEY_REASONS = frozenset({7, 8, 9})
GSM_AUTO_CONFIG_SINCE = (1, 22)  # "gsm.auto-config": the APN from the SIM's operator
CALL_TIMEOUT = 10.0


@dataclass(frozen=True)
class WifiNetwork:
    ssid: str
    strength: int  # 0–100
    secured: bool


class NetworkManagerBus:
    """One connection to the bus where NetworkManager lives (the system bus on a tablet, a
    private bus in the tests)."""

    def __init__(self, bus: str = "SYSTEM") -> None:
        self._conn: DBusConnection = open_dbus_connection(bus=bus)

    def close(self) -> None:
        self._conn.close()

    # -- plumbing --------------------------------------------------------------------------
    def _call(
        self,
        path: str,
        interface: str,
        method: str,
        signature: str = "",
        body: tuple[Any, ...] = (),
    ) -> tuple[Any, ...]:
        message = new_method_call(DBusAddress(path, SERVICE, interface), method, signature, body)
        reply = self._conn.send_and_get_reply(message, timeout=CALL_TIMEOUT)
        if reply.header.message_type == MessageType.error:
            raise NetworkManagerError(f"{interface}.{method}: {reply.body}")
        return tuple(reply.body)

    def get(self, path: str, interface: str, name: str) -> Any:
        (variant,) = self._call(path, PROPERTIES, "Get", "ss", (interface, name))
        return variant[1]

    def listen(self, interface: str, member: str) -> Any:
        """Have `interface.member` signals queued (a deque of messages) from now on."""
        # The bus matches the well-known name; locally a signal carries the unique one.
        on_bus = MatchRule(type="signal", sender=SERVICE, interface=interface, member=member)
        bus = DBusAddress("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus")
        self._conn.send_and_get_reply(
            new_method_call(bus, "AddMatch", "s", (on_bus.serialise(),)), timeout=CALL_TIMEOUT
        )
        here = MatchRule(type="signal", interface=interface, member=member)
        return self._conn.filter(here, bufsize=64).__enter__()

    def pump(self, timeout: float) -> None:
        """Read what the bus sends for up to `timeout` seconds (signals go to their queues)."""
        with contextlib.suppress(TimeoutError):
            self._conn.recv_messages(timeout=timeout)

    # -- what NetworkManager says ----------------------------------------------------------
    def version(self) -> str:
        return str(self.get(ROOT, NM, "Version"))

    def online(self) -> bool:
        return int(self.get(ROOT, NM, "State")) >= STATE_CONNECTED_GLOBAL

    def devices(self, kind: int) -> list[str]:
        (paths,) = self._call(ROOT, NM, "GetDevices")
        return [p for p in paths if int(self.get(p, DEVICE, "DeviceType")) == kind]

    def request_scan(self, device: str) -> None:
        try:
            self._call(device, WIRELESS, "RequestScan", "a{sv}", ({},))
        except NetworkManagerError as exc:  # scanned too recently: the last list will do
            log.info("scan not started: %s", exc)

    def last_scan(self, device: str) -> int | None:
        """When the device last finished a scan (CLOCK_BOOTTIME ms; -1 never), or None if
        this NetworkManager does not say (older than 1.12)."""
        try:
            return int(self.get(device, WIRELESS, "LastScan"))
        except NetworkManagerError:
            return None

    def networks(self, device: str) -> list[WifiNetwork]:
        """The networks around, one per name (its strongest access point), strongest first."""
        (points,) = self._call(device, WIRELESS, "GetAllAccessPoints")
        best: dict[str, WifiNetwork] = {}
        for point in points:
            try:
                ssid = bytes(self.get(point, ACCESS_POINT, "Ssid")).decode("utf-8", "replace")
                strength = int(self.get(point, ACCESS_POINT, "Strength"))
                flags = int(self.get(point, ACCESS_POINT, "Flags"))
                wpa = int(self.get(point, ACCESS_POINT, "WpaFlags"))
                rsn = int(self.get(point, ACCESS_POINT, "RsnFlags"))
            except NetworkManagerError:
                continue  # the access point went away between the two calls
            if not ssid.strip():
                continue  # a hidden network: typed by name instead
            network = WifiNetwork(ssid, strength, bool(flags & 1 or wpa or rsn))
            if ssid not in best or best[ssid].strength < strength:
                best[ssid] = network
        return sorted(best.values(), key=lambda n: (-n.strength, n.ssid.casefold()))

    # -- what the tablet asks for ----------------------------------------------------------
    def add_and_activate(
        self, settings: dict[str, dict[str, tuple[str, Any]]], device: str
    ) -> tuple[str, str]:
        """Add a connection and bring it up: (its settings path, its active connection)."""
        settings_path, active = self._call(
            ROOT, NM, "AddAndActivateConnection", "a{sa{sv}}oo", (settings, device, "/")
        )
        return str(settings_path), str(active)

    def has_connection_for(self, device: str) -> bool:
        """Whether NetworkManager already has a saved connection it may bring up on `device`."""
        return bool(self.get(device, DEVICE, "AvailableConnections"))

    def device_state(self, device: str) -> int:
        return int(self.get(device, DEVICE, "State"))

    def deactivate(self, active: str) -> None:
        self._call(ROOT, NM, "DeactivateConnection", "o", (active,))

    def delete_connection(self, settings_path: str) -> None:
        self._call(settings_path, f"{SERVICE}.Settings.Connection", "Delete")


class NetworkManagerError(Exception):
    """NetworkManager answered with a D-Bus error."""


def signal_args(message: Message) -> tuple[str, tuple[Any, ...]]:
    """(the object that sent it, its arguments)."""
    return str(message.header.fields.get(1, "")), tuple(message.body)  # 1: PATH header field


def wifi_settings(
    ssid: str, password: str, *, hidden: bool = False
) -> dict[str, dict[str, tuple[str, Any]]]:
    """A Wi-Fi client connection, WPA-PSK when there is a password."""
    settings: dict[str, dict[str, tuple[str, Any]]] = {
        "connection": {
            "id": ("s", f"foyer-{ssid}"),
            "type": ("s", "802-11-wireless"),
            "autoconnect": ("b", True),
        },
        "802-11-wireless": {
            "ssid": ("ay", ssid.encode("utf-8")),
            "mode": ("s", "infrastructure"),
            "hidden": ("b", hidden),
        },
        "ipv4": {"method": ("s", "auto")},
        "ipv6": {"method": ("s", "auto")},
    }
    if password:
        settings["802-11-wireless-security"] = {
            "key-mgmt": ("s", "wpa-psk"),
            "psk": ("s", password),
        }
    return settings


def hotspot_settings(ssid: str, password: str) -> dict[str, dict[str, tuple[str, Any]]]:
    """The tablet's own short-lived access point: WPA2, IPv4 shared (NetworkManager runs DHCP
    and gives the tablet 10.42.0.1), never brought up by itself."""
    return {
        "connection": {
            "id": ("s", "foyer-hotspot"),
            "type": ("s", "802-11-wireless"),
            "autoconnect": ("b", False),
        },
        "802-11-wireless": {
            "ssid": ("ay", ssid.encode("utf-8")),
            "mode": ("s", "ap"),
            "band": ("s", "bg"),
        },
        "802-11-wireless-security": {
            "key-mgmt": ("s", "wpa-psk"),
            "proto": ("as", ["rsn"]),
            "pairwise": ("as", ["ccmp"]),
            "group": ("as", ["ccmp"]),
            "psk": ("s", password),
        },
        "ipv4": {"method": ("s", "shared")},
        "ipv6": {"method": ("s", "ignore")},
    }


def gsm_settings() -> dict[str, dict[str, tuple[str, Any]]]:
    """A USB 4G modem with the APN found by NetworkManager from the SIM (≥ 1.22)."""
    return {
        "connection": {
            "id": ("s", "foyer-4g"),
            "type": ("s", "gsm"),
            "autoconnect": ("b", True),
        },
        "gsm": {"auto-config": ("b", True)},
        "ipv4": {"method": ("s", "auto")},
        "ipv6": {"method": ("s", "auto")},
    }


def version_at_least(version: str, wanted: tuple[int, int]) -> bool:
    parts = []
    for part in version.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts) >= wanted

# ruff: noqa: F722, F821, N802 (D-Bus signatures as annotations, D-Bus member names)
"""A fake NetworkManager on a private D-Bus bus, for the tablet's network tests.

It exposes the objects, properties, methods and signals `kiosk.network.nm_client` uses, on the
real wire (a `dbus-daemon` started by `private_bus()`), so that the client's marshalling is
tested as NetworkManager would see it. Run as its own process (`python -m
tests.kiosk.fake_network_manager ADDRESS`): dbus-fast (test dependency only) serves it on an
asyncio loop while the tablet's Qt event loop runs in the test process.

Scenarios are driven through a test-only interface `org.foyer.Test` on `/org/foyer/Test`:
the password each network accepts, a modem plugged in, what was added (as JSON, to assert:
each connection's values as plain JSON, and their D-Bus signatures under "_signatures").
Like NetworkManager, it refuses a WPA key of the wrong length (InvalidProperty).
"""

# No `from __future__ import annotations`: dbus-fast reads the D-Bus signatures from them.

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

NM = "/org/freedesktop/NetworkManager"
WIFI_PATH = f"{NM}/Devices/1"
MODEM_PATH = f"{NM}/Devices/2"
# NetworkManager's numbers (libnm's NMState, NMDeviceState, NMDeviceType, NMDeviceStateReason).
STATE_DISCONNECTED, STATE_CONNECTING, STATE_CONNECTED_GLOBAL = 20, 40, 70
DEVICE_DISCONNECTED, DEVICE_PREPARE, DEVICE_NEED_AUTH = 30, 40, 60
DEVICE_ACTIVATED, DEVICE_FAILED = 100, 120
TYPE_WIFI, TYPE_MODEM = 2, 8
REASON_NONE, REASON_NO_SECRETS = 0, 7

CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# (ssid, strength, WPA/RSN secured)
DEFAULT_NETWORKS: list[tuple[str, int, bool]] = [
    ("Voisin", 32, True),
    ("Maison <b>&amp;", 81, True),
    ("Livebox-7F3A", 55, True),
    ("Café libre", 20, False),
]


@contextlib.contextmanager
def private_bus() -> Iterator[str]:
    """A dbus-daemon of our own (never the machine's): yields its address."""
    with tempfile.TemporaryDirectory(prefix="foyer-bus-") as tmp:
        config = Path(tmp) / "bus.conf"
        config.write_text(CONFIG.format(dir=tmp), encoding="utf-8")
        daemon = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--print-address", "--nofork"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert daemon.stdout is not None
            address = daemon.stdout.readline().strip()
            yield address
        finally:
            daemon.terminate()
            daemon.wait(10)
            if daemon.stdout is not None:
                daemon.stdout.close()


@contextlib.contextmanager
def fake_network_manager(address: str, *, version: str = "1.52.0") -> Iterator[None]:
    """The fake service on `address`, until the block ends (ready when this yields)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.kiosk.fake_network_manager", address, version],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        yield
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def control(address: str, method: str, signature: str = "", *body: Any) -> Any:
    """Drive the fake through its test-only org.foyer.Test interface (jeepney, as the tablet)."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    conn = open_dbus_connection(bus=address)
    try:
        target = DBusAddress("/org/foyer/Test", "org.freedesktop.NetworkManager", "org.foyer.Test")
        reply = conn.send_and_get_reply(new_method_call(target, method, signature, body))
        return reply.body[0] if reply.body else None
    finally:
        conn.close()


def report(address: str) -> dict[str, Any]:
    """What the fake was asked: connections added (secrets included), scans, deletions."""
    return dict(json.loads(control(address, "Report")))


def serve(address: str, version: str) -> None:  # pragma: no cover (runs in its own process)
    from dbus_fast.aio import MessageBus
    from dbus_fast.errors import DBusError
    from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_property, method, signal

    read = PropertyAccess.READ

    class AccessPoint(ServiceInterface):
        def __init__(self, ssid: str, strength: int, secured: bool) -> None:
            super().__init__("org.freedesktop.NetworkManager.AccessPoint")
            self.ssid, self.strength, self.secured = ssid, strength, secured

        @dbus_property(access=read)
        def Ssid(self) -> "ay":
            return self.ssid.encode("utf-8")

        @dbus_property(access=read)
        def Strength(self) -> "y":
            return self.strength

        @dbus_property(access=read)
        def Flags(self) -> "u":
            return 1 if self.secured else 0

        @dbus_property(access=read)
        def WpaFlags(self) -> "u":
            return 0

        @dbus_property(access=read)
        def RsnFlags(self) -> "u":
            return 0x188 if self.secured else 0  # pair CCMP, group CCMP, key-mgmt PSK

    class Device(ServiceInterface):
        def __init__(self, kind: int, interface: str) -> None:
            super().__init__("org.freedesktop.NetworkManager.Device")
            self.kind, self.interface, self.state = kind, interface, DEVICE_DISCONNECTED

        @dbus_property(access=read)
        def DeviceType(self) -> "u":
            return self.kind

        @dbus_property(access=read)
        def Interface(self) -> "s":
            return self.interface

        @dbus_property(access=read)
        def State(self) -> "u":
            return self.state

        @dbus_property(access=read)
        def AvailableConnections(self) -> "ao":
            return []

        @signal()
        def StateChanged(self, new: int, old: int, reason: int) -> "uuu":
            return [new, old, reason]

        def move(self, new: int, reason: int = REASON_NONE) -> None:
            old, self.state = self.state, new
            self.StateChanged(new, old, reason)

    class Wireless(ServiceInterface):
        def __init__(self) -> None:
            super().__init__("org.freedesktop.NetworkManager.Device.Wireless")
            self.points: list[str] = []
            self.scans = 0
            self.last_scan = 5_000  # ms since boot: NetworkManager scanned once at start
            self.scan_takes = 0.05
            self.found: list[str] | None = None  # what the next scan finds (None: the same)

        @dbus_property(access=read)
        def LastScan(self) -> "x":
            return self.last_scan

        @method()
        def GetAllAccessPoints(self) -> "ao":
            return self.points

        @method()
        def RequestScan(self, options: "a{sv}") -> None:
            self.scans += 1
            asyncio.get_running_loop().create_task(self._scanned())

        async def _scanned(self) -> None:
            await asyncio.sleep(self.scan_takes)
            if self.found is not None:
                self.points, self.found = self.found, None
            self.last_scan += 1_000 + int(self.scan_takes * 1000)
            self.emit_properties_changed({"LastScan": self.last_scan})

    class Manager(ServiceInterface):
        def __init__(self) -> None:
            super().__init__("org.freedesktop.NetworkManager")
            self.state = STATE_DISCONNECTED
            self.devices = [WIFI_PATH]
            self.added: list[dict[str, Any]] = []
            self.passwords: dict[str, str] = {}
            self.deactivated: list[str] = []

        @dbus_property(access=read)
        def State(self) -> "u":
            return self.state

        @dbus_property(access=read)
        def Connectivity(self) -> "u":
            return 4 if self.state == STATE_CONNECTED_GLOBAL else 1

        @dbus_property(access=read)
        def Version(self) -> "s":
            return version

        @signal()
        def StateChanged(self, state: int) -> "u":
            return state

        @signal()
        def DeviceAdded(self, path: str) -> "o":
            return path

        @method()
        def GetDevices(self) -> "ao":
            return self.devices

        @method()
        def AddAndActivateConnection(
            self,
            connection: "a{sa{sv}}",
            device: "o",
            specific: "o",
        ) -> "oo":
            security = connection.get("802-11-wireless-security", {})
            if "psk" in security and not _valid_psk(security["psk"].value):
                # As NetworkManager: the settings are checked before anything is added.
                raise DBusError(
                    "org.freedesktop.NetworkManager.Settings.Connection.InvalidProperty",
                    "802-11-wireless-security.psk: property is invalid",
                )
            plain = {
                group: {key: _plain(value.value) for key, value in values.items()}
                for group, values in connection.items()
            }
            # The D-Bus type of every value, as NetworkManager reads it: a string where it
            # wants bytes ("ay") is refused there, so the tests assert these too.
            plain["_signatures"] = {
                group: {key: value.signature for key, value in values.items()}
                for group, values in connection.items()
            }
            plain["_device"] = {"path": device}
            self.added.append(plain)
            number = len(self.added)
            asyncio.get_running_loop().create_task(self._activate(plain, device))
            return [f"{NM}/Settings/{number}", f"{NM}/ActiveConnection/{number}"]

        @method()
        def DeactivateConnection(self, active: "o") -> None:
            self.deactivated.append(active)
            wifi.move(DEVICE_DISCONNECTED)

        async def _activate(self, connection: dict[str, Any], device_path: str) -> None:
            device = wifi if device_path == WIFI_PATH else modem
            kind = connection.get("connection", {}).get("type")
            await asyncio.sleep(0.05)
            self._set_state(STATE_CONNECTING)
            device.move(DEVICE_PREPARE)
            await asyncio.sleep(0.05)
            wireless = connection.get("802-11-wireless", {})
            if kind == "802-11-wireless" and wireless.get("mode") != "ap":
                ssid = str(wireless.get("ssid", ""))  # _plain made the bytes text
                psk = connection.get("802-11-wireless-security", {}).get("psk")
                if ssid in self.passwords and psk != self.passwords[ssid]:
                    device.move(DEVICE_NEED_AUTH)
                    await asyncio.sleep(0.05)
                    device.move(DEVICE_FAILED, REASON_NO_SECRETS)
                    self._set_state(STATE_DISCONNECTED)
                    return
            device.move(DEVICE_ACTIVATED)
            # A hotspot is "connected" locally only; a Wi-Fi or a modem reach the Internet.
            is_ap = wireless.get("mode") == "ap"
            self._set_state(50 if is_ap else STATE_CONNECTED_GLOBAL)

        def _set_state(self, state: int) -> None:
            self.state = state
            self.StateChanged(state)
            self.emit_properties_changed(
                {"State": state, "Connectivity": 4 if state == STATE_CONNECTED_GLOBAL else 1}
            )

    class Settings(ServiceInterface):
        def __init__(self, deleted: list[str]) -> None:
            super().__init__("org.freedesktop.NetworkManager.Settings.Connection")
            self.deleted = deleted

        @method()
        def Delete(self) -> None:
            self.deleted.append("deleted")

    class Test(ServiceInterface):
        def __init__(self) -> None:
            super().__init__("org.foyer.Test")

        @method()
        def SetPassword(self, ssid: "s", password: "s") -> None:
            manager.passwords[ssid] = password

        @method()
        def SetSlowScan(self, seconds: "d", nothing_around: "b") -> None:
            """No access point known until the next scan ends, `seconds` after it starts
            (NetworkManager's take 3 to 5 s); then all of them, or none."""
            wireless.scan_takes = seconds
            wireless.found = [] if nothing_around else wireless.points
            wireless.points = []

        @method()
        def PlugModem(self) -> None:
            bus.export(MODEM_PATH, modem)
            manager.devices.append(MODEM_PATH)
            manager.DeviceAdded(MODEM_PATH)

        @method()
        def SetOnline(self, online: "b") -> None:
            manager._set_state(STATE_CONNECTED_GLOBAL if online else STATE_DISCONNECTED)

        @method()
        def Report(self) -> "s":
            return json.dumps(
                {
                    "added": manager.added,
                    "scans": wireless.scans,
                    "deleted": len(settings_deleted),
                    "deactivated": manager.deactivated,
                }
            )

    async def main() -> None:
        nonlocal bus
        bus = await MessageBus(bus_address=address).connect()
        bus.export(NM, manager)
        bus.export(WIFI_PATH, wifi)
        bus.export(WIFI_PATH, wireless)
        for number, (ssid, strength, secured) in enumerate(DEFAULT_NETWORKS, 1):
            path = f"{NM}/AccessPoint/{number}"
            bus.export(path, AccessPoint(ssid, strength, secured))
            wireless.points.append(path)
        for number in range(1, 20):
            bus.export(f"{NM}/Settings/{number}", Settings(settings_deleted))
        bus.export("/org/foyer/Test", Test())
        await bus.request_name("org.freedesktop.NetworkManager")
        print("ready", flush=True)
        await asyncio.Event().wait()

    bus: Any = None
    manager, wireless = Manager(), Wireless()
    settings_deleted: list[str] = []
    wifi, modem = Device(TYPE_WIFI, "wlan0"), Device(TYPE_MODEM, "cdc-wdm0")
    asyncio.run(main())


def _valid_psk(psk: str) -> bool:
    """NetworkManager's check (nm_utils_wpa_psk_valid): 8 to 63 bytes, or 64 hex digits."""
    if len(psk) == 64:
        return all(c in "0123456789abcdefABCDEF" for c in psk)
    return 8 <= len(psk.encode("utf-8")) <= 63


def _plain(value: Any) -> Any:
    """A D-Bus value as JSON can hold it (bytes as text)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {k: _plain(getattr(v, "value", v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(getattr(v, "value", v)) for v in value]
    return value


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "1.52.0")

"""Tell systemd the tablet is alive: READY=1 once the first screen is painted, then WATCHDOG=1
pings driven by a timer on the GUI event loop, so they stop the moment the loop is stuck and
systemd restarts the tablet (`Type=notify`, `WatchdogSec=` in systemd/foyer-kiosk.service).

The notify protocol is one datagram to the AF_UNIX socket named by $NOTIFY_SOCKET (a leading
'@' means the abstract namespace). Without that variable (a developer's machine, the tests'
default, `--screenshot`) everything here does nothing.

$WATCHDOG_PID is deliberately not checked: under cage the unit's main process is the
compositor, so WATCHDOG_PID names cage, never us; the unit sets `NotifyAccess=all` so that
systemd accepts our datagrams anyway.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

from kiosk.first_paint import FirstPaint

log = logging.getLogger(__name__)


def notify(message: str, env: Mapping[str, str] | None = None) -> bool:
    """Send one notify message; True when it was sent. Never raises: a missing or dead
    socket must not take the screen away (systemd will notice the silence by itself)."""
    address = (os.environ if env is None else env).get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    elif not address.startswith("/"):
        log.warning("NOTIFY_SOCKET %r is neither a path nor an abstract name", address)
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as exc:
        log.warning("could not notify systemd (%s): %s", message.split("\n", 1)[0], exc)
        return False
    return True


def ping_interval_ms(env: Mapping[str, str] | None = None) -> int | None:
    """Half of $WATCHDOG_USEC in milliseconds (what sd_watchdog_enabled(3) advises), or None
    when systemd runs no watchdog for us."""
    raw = (os.environ if env is None else env).get("WATCHDOG_USEC", "")
    try:
        usec = int(raw)
    except ValueError:
        return None
    if usec <= 0:
        return None
    return max(1, usec // 2000)


class Watchdog(QObject):
    """Owns the ping timer. `watch(window)` sends READY=1 after the window's first paint and
    starts pinging; `stop()` says STOPPING=1 on the way out."""

    def __init__(self, env: Mapping[str, str] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._env = dict(os.environ if env is None else env)
        self._enabled = bool(self._env.get("NOTIFY_SOCKET"))
        self._first_paint: FirstPaint | None = None
        self.ready_sent = False
        self._timer = QTimer(self)
        # A coarse timer may fire late by 5 %; half the interval leaves room for that.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.ping)

    @property
    def enabled(self) -> bool:
        return self._enabled

    def watch(self, window: QWidget) -> None:
        """Wait for `window`'s first paint, then tell systemd we are ready."""
        if not self._enabled:
            return
        self._first_paint = FirstPaint(window, self.ready)

    def ready(self) -> None:
        """The first screen is painted: READY=1, then pings (once; later calls do nothing)."""
        if not self._enabled or self.ready_sent:
            return
        self.ready_sent = True
        notify("READY=1\nSTATUS=Écran affiché", self._env)
        interval = ping_interval_ms(self._env)
        if interval is not None:
            self.ping()
            self._timer.start(interval)
            log.info("watchdog: pinging systemd every %d ms", interval)

    def ping(self) -> None:
        notify("WATCHDOG=1", self._env)

    def stop(self) -> None:
        self._timer.stop()
        if self._enabled:
            notify("STOPPING=1", self._env)

"""After a crash, the tablet comes back on the screen it showed, not on home.

A crash (or the watchdog's kill) costs the beneficiary a few seconds of black screen while
systemd restarts the tablet (systemd/foyer-kiosk.service). Coming back on home would also take
her out of the photos she was looking at. So the screen shown is kept in
`<data dir>/last_screen.json`, written atomically when it changes, and its time of last use is
the file's modification time: touched every `HEARTBEAT_MS` while a screen other than home
stays shown (home is where the tablet opens anyway). At start, a screen kept less than
`REOPEN_WITHIN` ago is opened again; an older one (a tablet switched off for the night) gives
home. A clean exit (`forget()`) removes the file.

Only screens worth coming back to are kept: the modules of home (agenda, messages, photos,
weather). A professional's session (PIN), the maintenance screen (PIN), the mood question,
pairing, night and the idle photo frame are never reopened: while one of them shows, the file
says home.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, SignalInstance

from common.atomic_file import write_atomically

log = logging.getLogger(__name__)

FILE_NAME = "last_screen.json"
HOME = "home"
REOPENED = frozenset({"agenda", "messages", "photos", "weather"})
REOPEN_WITHIN = 120.0  # seconds between the last sign of life and the restart
HEARTBEAT_MS = 30_000  # well inside REOPEN_WITHIN; a few metadata writes per visit


class ShowsScreens(Protocol):
    """What `follow` needs of kiosk.main_window.MainWindow."""

    @property
    def screen_changed(self) -> SignalInstance: ...
    def current_screen_name(self) -> str: ...


def kept_as(screen: str) -> str:
    """What the file says while `screen` shows: itself if worth reopening, else home."""
    return screen if screen in REOPENED else HOME


class LastScreen(QObject):
    def __init__(
        self,
        data_dir: Path,
        *,
        clock: Callable[[], float] = time.time,
        reopen_within: float = REOPEN_WITHIN,
        heartbeat_ms: int = HEARTBEAT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = data_dir / FILE_NAME
        self._clock = clock
        self._within = reopen_within
        self._kept: str | None = None
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(heartbeat_ms)
        self._heartbeat.timeout.connect(self.touch)

    def to_reopen(self) -> str | None:
        """The screen to open at start: the one kept, if it was still in use a moment ago."""
        try:
            age = self._clock() - self.path.stat().st_mtime
            screen = json.loads(self.path.read_text(encoding="utf-8"))["screen"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("last screen unreadable (%s): home", exc)
            return None
        if not isinstance(screen, str) or screen not in REOPENED:
            return None
        if not -self._within <= age <= self._within:  # off for a while (or the clock moved)
            return None
        return screen

    def reopen(self, open_screen: Callable[[str], None], allowed: Callable[[str], bool]) -> bool:
        """Open the kept screen with `open_screen` when there is one and `allowed(name)`
        (the module is still configured); True when it did."""
        screen = self.to_reopen()
        if screen is None or not allowed(screen):
            return False
        log.info("restarted soon after the last run: back on %s", screen)
        open_screen(screen)
        return True

    def remember(self, screen: str) -> None:
        """The window now shows `screen` (connect to MainWindow.screen_changed)."""
        kept = kept_as(screen)
        if kept != HOME:
            self._heartbeat.start()
        else:
            self._heartbeat.stop()
        if kept == self._kept:
            return
        try:
            # On the GUI thread at every screen change: no fsync (a crash of the program keeps
            # it; after a power cut the tablet starts cold on home anyway).
            write_atomically(self.path, json.dumps({"screen": kept}).encode(), durable=False)
        except OSError as exc:  # a full disk must not take the screen away
            log.warning("could not keep the screen shown: %s", exc)
            return
        self._kept = kept

    def follow(self, window: ShowsScreens) -> None:
        """From now on, keep what `window` shows."""
        window.screen_changed.connect(self.remember)
        self.remember(window.current_screen_name())

    def touch(self) -> None:
        """Still on the kept screen: say so (the file's modification time)."""
        with contextlib.suppress(OSError):
            os.utime(self.path)

    def forget(self) -> None:
        """A clean exit: the next start opens on home."""
        self._heartbeat.stop()
        with contextlib.suppress(OSError):
            self.path.unlink()
        self._kept = None

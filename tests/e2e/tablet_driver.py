"""Driving a started tablet against a real backend the way a care manager would: pairing it;
the clock such a tablet should run on; real tablets started (and restarted) on one data
directory; and the writes their outbox sends, with the backend's answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.controller import KioskController
from kiosk.device_client import DeviceClient
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from kiosk.store import DEFAULT_TZ
from provisioning.http import new_session
from tests.e2e.conftest import CareManager, RunningBackend
from tests.quiet_tablet import write_quiet_config

# A write the tablet's outbox sent: (action type, data, HTTP status, the backend's answer).
Answer = tuple[str, dict[str, Any], int, Any]

# Mid-afternoon: outside the default night (21:30 to 07:00) and the default check-in's window
# (10:30, offered for two hours).
DAYTIME_HOUR = 15


def daytime_clock(hour: int = DAYTIME_HOUR, zone: str = DEFAULT_TZ) -> Callable[[], datetime]:
    """The real clock moved to `hour` o'clock today in `zone` (the beneficiary's), running on
    from there: a source for `kiosk.local_time.LocalTime`.

    The configuration a test writes before start (tests/quiet_tablet.py: no night, no check-in)
    lasts only until the first sync: approving a tablet gives it configuration version 1, the
    schema's defaults (`backend.services.device_config.first_config`), and the tablet applies
    it. On the real clock, from 21:30 to 07:00 in the beneficiary's zone, its next tick then
    leaves whatever screen the test opened for the night screen, and a screen no longer shown
    is not redrawn by sync. The backend's times stay real; only the tablet's hour moves, by
    less than a day, so "today" is still the day messages are written.
    """
    real = datetime.now(ZoneInfo(zone))
    target = real.replace(hour=hour, minute=0, second=0, microsecond=0)
    shift = target.astimezone(UTC) - real.astimezone(UTC)
    return lambda: datetime.now(UTC) + shift


def shown_code(controller: KioskController) -> str:
    return controller.window.pairing.code_text()


def pair(qtbot: Any, tablet: KioskController, care_manager: CareManager) -> None:
    """Pair a started, unpaired tablet as a care manager would."""
    assert tablet.window.current_screen_name() == "pairing"
    qtbot.wait_until(lambda: bool(shown_code(tablet)), timeout=10_000)
    code = shown_code(tablet)
    # Typed as a person might: lower case, no dash.
    typed = code.replace("-", "").lower()
    answer = care_manager.post(
        "/api/v1/devices/approve",
        {"user_code": typed, "beneficiary_id": care_manager.beneficiary_id},
    )
    assert answer.status_code == 200, answer.text
    # The tablet polls every 5 s (the RFC's default interval).
    qtbot.wait_until(lambda: tablet.window.current_screen_name() == "home", timeout=20_000)


class Tablets:
    """Real tablets (built as `foyer-kiosk` builds them, offscreen at 1280×800) on one data
    directory against the backend, one after the other (a restart). They start without night
    nor mood check-in (tests/quiet_tablet.py): the real clock runs here."""

    def __init__(self, qtbot: Any, data_dir: Path, backend: RunningBackend) -> None:
        self.qtbot = qtbot
        self.data_dir = data_dir
        self.backend = backend
        self.scheduler = make_scheduler()
        self.scheduler.start()
        self.made: list[KioskController] = []
        write_quiet_config(data_dir)

    def start(self) -> KioskController:
        local_time = LocalTime()
        window = MainWindow(local_time.now)
        self.qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        controller = KioskController(
            self.data_dir, self.backend.url, window, local_time, long_poll=25
        )
        controller.start(self.scheduler, new_session())
        self.made.append(controller)
        return controller

    def close(self) -> None:
        for controller in self.made:
            controller.shutdown()
        shutdown_scheduler(self.scheduler)


def spy_on_writes(monkeypatch: pytest.MonkeyPatch) -> list[Answer]:
    """Every write the tablet's outbox sends from now on, with the backend's real answer."""
    seen: list[Answer] = []
    original = DeviceClient.post_action

    def spy(
        self: DeviceClient, action_type: str, data: dict[str, Any], key: str
    ) -> tuple[int, dict[str, Any]]:
        status, body = original(self, action_type, data, key)
        seen.append((action_type, data, status, body))
        return status, body

    monkeypatch.setattr(DeviceClient, "post_action", spy)
    return seen

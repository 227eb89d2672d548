"""Driving a started tablet against a real backend the way a care manager would: pairing it;
and the clock such a tablet should run on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.controller import KioskController
from kiosk.store import DEFAULT_TZ
from tests.e2e.conftest import CareManager

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

"""Driving a started tablet against a real backend the way a care manager would: pairing it."""

from __future__ import annotations

from typing import Any

from kiosk.controller import KioskController
from tests.e2e.conftest import CareManager


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

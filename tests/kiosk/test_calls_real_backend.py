"""The tablet's side of a video call against a real backend process (docs/calls.md): the care
manager approves herself as a caller on the console's call log page, so home shows
« Appeler » once synced; she calls Jeanne from the console's JSON route, the tablet's sync
brings the call and it rings full screen; « Refuser » reaches the backend, which ends the
call as refused (and the tablet does not ring it again). No call process is started."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.controller import KioskController
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from provisioning.http import new_session
from tests.kiosk.paired_backend import Paired, api, paired_backend, quiet_tablet
from tests.kiosk.screen_checks import tap

PARIS = ZoneInfo("Europe/Paris")
GUARD_MS = 650


@pytest.fixture
def paired(tmp_path: Path) -> Iterator[Paired]:
    with paired_backend(tmp_path / "backend", new_session()) as found:
        yield found


class Console:
    """The care manager's console session (her token as the session cookie, as the console
    signs her in), with the page's CSRF token."""

    def __init__(self, paired: Paired) -> None:
        self.url = paired.backend.url
        self.http = requests.Session()
        token = paired.headers["Authorization"].split(" ", 1)[1]
        self.http.cookies.set("foyer_session", token)
        page = self.http.get(f"{self.url}/b/{paired.beneficiary_id}/calls", timeout=10)
        assert page.status_code == 200, page.text
        found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
        assert found is not None
        self.csrf = found.group(1)

    def form(self, path: str, **fields: str) -> None:
        answer = self.http.post(
            self.url + path, data={"csrf": self.csrf, **fields}, allow_redirects=False,
            timeout=10,
        )  # fmt: skip
        assert answer.status_code == 303, answer.text

    def call(self, beneficiary_id: int) -> dict[str, Any]:
        answer = self.http.post(
            f"{self.url}/b/{beneficiary_id}/calls",
            json={},
            headers={"X-CSRF-Token": self.csrf, "Accept": "application/json"},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json()["call"])


def click(button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    tap(button)


def test_a_console_call_rings_on_the_tablet_and_its_refusal_reaches_the_backend(
    qtbot: QtBot, tmp_path: Path, paired: Paired
) -> None:
    me = api(paired, "GET", "/me")
    data = tmp_path / "tablet"
    quiet_tablet(paired, data)
    console = Console(paired)
    console.form(f"/b/{paired.beneficiary_id}/callers", user_id=str(me["id"]), auto_answer="")
    scheduler = make_scheduler()
    scheduler.start()
    window = MainWindow(LocalTime(PARIS).now)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    controller = KioskController(data, paired.backend.url, window, LocalTime(PARIS), long_poll=1)
    calls = controller.calls
    try:
        controller.start(scheduler, new_session())
        home = window.home
        qtbot.wait_until(lambda: home.call_button.isVisible(), timeout=15_000)
        assert [c.name for c in calls.callers()] == ["Claire Dubois"]

        placed = console.call(paired.beneficiary_id)
        assert placed["state"] == "ringing" and placed["auto_answer"] is False
        qtbot.wait_until(lambda: calls.ringing() is not None, timeout=15_000)
        screen = calls.ringing_screen
        assert window.overlay() is screen and screen.isVisible()
        assert screen.texts() == ["Claire Dubois vous appelle", "Refuser", "Décrocher"]
        qtbot.wait(GUARD_MS)
        click(screen.refuse_button)
        assert window.overlay() is None

        def seen_by_backend() -> dict[str, Any]:
            answer = requests.get(
                f"{paired.backend.url}/api/v1/device/calls/{placed['id']}/signals",
                params={"after": 0},
                headers={"Authorization": f"Bearer {paired.access_token}"},
                timeout=10,
            )
            assert answer.status_code == 200, answer.text
            return dict(answer.json()["call"])

        qtbot.wait_until(lambda: seen_by_backend()["state"] == "ended", timeout=15_000)
        assert seen_by_backend()["outcome"] == "refused"
        # The tablet syncs the ended call: it never rings again.
        qtbot.wait(1500)
        assert calls.ringing() is None and window.overlay() is None
        assert not calls.in_call
    finally:
        controller.shutdown()
        shutdown_scheduler(scheduler, wait=True)

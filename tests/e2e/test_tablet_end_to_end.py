"""The tablet and the backend together: pairing, sync by long-poll, revocation.

The backend is a real process on loopback; the tablet is the real application, offscreen,
driven through its controller exactly as `foyer-kiosk` builds it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.controller import KioskController
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from provisioning import credentials
from provisioning.http import new_session
from tests.e2e.conftest import CareManager, RunningBackend, start_backend
from tests.e2e.tablet_driver import pair, shown_code
from tests.quiet_tablet import write_quiet_config

pytestmark = pytest.mark.e2e
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def tablet(qtbot: Any, tmp_path: Path, backend: RunningBackend) -> Iterator[KioskController]:
    scheduler = make_scheduler()
    scheduler.start()
    local_time = LocalTime()
    window = MainWindow(local_time.now)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    write_quiet_config(tmp_path / "tablet")
    # A long-poll far longer than the test waits proves that changes arrive by wake-up.
    controller = KioskController(tmp_path / "tablet", backend.url, window, local_time, long_poll=25)
    controller.start(scheduler, new_session())
    yield controller
    controller.shutdown()
    shutdown_scheduler(scheduler)


def test_pair_then_new_event_shows_on_home_screen(
    qtbot: Any, tablet: KioskController, care_manager: CareManager, tmp_path: Path
) -> None:
    pair(qtbot, tablet, care_manager)
    qtbot.wait_until(lambda: tablet.window.home.greeting_text().endswith("Jeanne"), timeout=10_000)
    cred_file = credentials.credential_path(tmp_path / "tablet")
    assert oct(cred_file.stat().st_mode & 0o777) == "0o600"

    now = datetime.now(PARIS)
    start = (now + timedelta(minutes=30)).replace(second=0, microsecond=0)
    if start.date() != now.date():  # just before midnight: keep it on today's agenda
        start = now.replace(second=0, microsecond=0)
    answer = care_manager.post(
        f"/api/v1/beneficiaries/{care_manager.beneficiary_id}/events",
        {
            "title": "Passage de l'infirmière",
            "who": "Claire, infirmière",
            "start": start.isoformat(),
            "duration_minutes": 30,
        },
    )
    assert answer.status_code == 201, answer.text
    # Well within the 25 s long-poll: the backend woke the waiting request.
    qtbot.wait_until(
        lambda: any("Passage de l'infirmière" in t for t in tablet.window.home.agenda_texts()),
        timeout=8_000,
    )
    assert "Claire, infirmière" in tablet.window.home.next_visit_text()


def test_revoked_tablet_wipes_and_shows_pairing_again(
    qtbot: Any, tablet: KioskController, care_manager: CareManager, tmp_path: Path
) -> None:
    pair(qtbot, tablet, care_manager)
    devices = requests.get(
        f"{care_manager.url}/api/v1/beneficiaries/{care_manager.beneficiary_id}/devices",
        headers=care_manager.headers,
        timeout=10,
    ).json()
    assert len(devices) == 1
    answer = care_manager.post(f"/api/v1/devices/{devices[0]['id']}/revoke", {})
    assert answer.status_code == 200
    qtbot.wait_until(lambda: tablet.window.current_screen_name() == "pairing", timeout=10_000)
    assert credentials.load(tmp_path / "tablet") is None
    assert tablet.store.load().events == () and tablet.store.load().beneficiary is None
    # And it offers a fresh code at once.
    qtbot.wait_until(lambda: bool(shown_code(tablet)), timeout=10_000)


def test_tablet_shows_the_day_with_the_backend_down(
    qtbot: Any, tmp_path: Path, care_manager: CareManager, backend: RunningBackend
) -> None:
    """Paired and synced once, then the backend disappears: a fresh start still shows the day."""
    start = datetime.now(PARIS).replace(hour=0, minute=5, second=0, microsecond=0)
    care_manager.post(
        f"/api/v1/beneficiaries/{care_manager.beneficiary_id}/events",
        {
            "title": "Soins infirmiers",
            "who": "Claire, infirmière",
            "start": start.isoformat(),
            "duration_minutes": 30,
            "rrule": "FREQ=DAILY",
        },
    )
    scheduler = make_scheduler()
    scheduler.start()
    local_time = LocalTime()
    window = MainWindow(local_time.now)
    qtbot.addWidget(window)
    write_quiet_config(tmp_path / "t")
    first = KioskController(tmp_path / "t", backend.url, window, local_time)
    first.start(scheduler, new_session())
    pair(qtbot, first, care_manager)
    qtbot.wait_until(lambda: any("Soins" in t for t in window.home.agenda_texts()), timeout=10_000)
    first.shutdown()
    shutdown_scheduler(scheduler)
    backend.stop()

    # The real command, as a new process, with nothing listening at the backend address.
    shot = tmp_path / "offline.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "--backend",
            backend.url,
            "--data",
            str(tmp_path / "t"),
            "--screenshot",
            str(shot),
            "--after",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert shot.stat().st_size > 10_000

    scheduler = make_scheduler()
    scheduler.start()
    local_time2 = LocalTime()
    window2 = MainWindow(local_time2.now)
    qtbot.addWidget(window2)
    window2.resize(1280, 800)
    window2.show()
    second = KioskController(tmp_path / "t", backend.url, window2, local_time2)
    second.start(scheduler, new_session())
    assert window2.current_screen_name() == "home"
    assert any("Soins infirmiers" in t for t in window2.home.agenda_texts())
    qtbot.wait_until(lambda: bool(window2.home.offline_text()), timeout=10_000)
    second.shutdown()
    shutdown_scheduler(scheduler)


def test_backend_restart_keeps_accounts(tmp_path: Path) -> None:
    """The SQLite file is the backend's memory: accounts outlive a restart, migrations rerun."""
    first = start_backend(tmp_path / "b")
    first.cli(
        "create-user",
        "--email",
        "a@b.fr",
        "--password",
        "0123456789",
        "--name",
        "A",
        "--role",
        "care_manager",
    )
    first.stop()
    second = start_backend(tmp_path / "b")
    try:
        token = requests.post(
            second.url + "/api/v1/auth/token",
            data={"username": "a@b.fr", "password": "0123456789"},
            timeout=10,
        )
        assert token.status_code == 200
    finally:
        second.stop()


def test_a_code_shown_stays_valid_across_a_restart_until_approved(
    qtbot: Any, tmp_path: Path, backend: RunningBackend, care_manager: CareManager
) -> None:
    """A family member reads the code out over the phone while someone unplugs the tablet:
    after the restart the tablet shows the same code, and approving it pairs the tablet."""
    data = tmp_path / "restarted"
    write_quiet_config(data)

    def start() -> tuple[KioskController, Any]:
        scheduler = make_scheduler()
        scheduler.start()
        local_time = LocalTime()
        window = MainWindow(local_time.now)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        controller = KioskController(data, backend.url, window, local_time)
        controller.start(scheduler, new_session())
        return controller, scheduler

    first, scheduler = start()
    qtbot.wait_until(lambda: bool(shown_code(first)), timeout=10_000)
    code = shown_code(first)
    first.shutdown()  # the plug is pulled
    shutdown_scheduler(scheduler)
    first.window.close()

    second, scheduler = start()
    try:
        qtbot.wait_until(lambda: bool(shown_code(second)), timeout=10_000)
        assert shown_code(second) == code  # not a new one
        answer = care_manager.post(
            "/api/v1/devices/approve",
            {"user_code": code, "beneficiary_id": care_manager.beneficiary_id},
        )
        assert answer.status_code == 200, answer.text
        qtbot.wait_until(lambda: second.window.current_screen_name() == "home", timeout=20_000)
        assert credentials.load(data) is not None
        assert not (data / "pairing_code.json").exists()  # used: never shown again
    finally:
        second.shutdown()
        shutdown_scheduler(scheduler)

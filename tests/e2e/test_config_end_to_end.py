"""A configuration change made by the care manager reaches a paired tablet by long-poll and is
applied live; the tablet then reports its status. Real backend process, real tablet."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.controller import KioskController
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from provisioning.http import new_session
from tests.e2e.conftest import CareManager, RunningBackend
from tests.e2e.tablet_driver import pair
from tests.quiet_tablet import write_quiet_config
from widgets import sizing

pytestmark = pytest.mark.e2e


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
    controller = KioskController(tmp_path / "tablet", backend.url, window, local_time, 25)
    controller.start(scheduler, new_session())
    yield controller
    controller.shutdown()
    shutdown_scheduler(scheduler)
    sizing.set_font_scale(1.0)


def test_a_config_put_reaches_the_tablet_live(
    qtbot: Any, tablet: KioskController, care_manager: CareManager
) -> None:
    pair(qtbot, tablet, care_manager)
    home = tablet.window.home
    assert home.tile_names() == ["agenda", "messages", "photos", "weather", "mood"]
    devices = requests.get(
        f"{care_manager.url}/api/v1/beneficiaries/{care_manager.beneficiary_id}/devices",
        headers=care_manager.headers,
        timeout=10,
    ).json()
    device_id = devices[0]["id"]
    # The first sync made the tablet report how it is.
    status_url = f"{care_manager.url}/api/v1/devices/{device_id}/status"

    def reported() -> bool:
        body = requests.get(status_url, headers=care_manager.headers, timeout=10).json()
        return body["reported_at"] is not None and body["app_version"] == "0.1.0"

    qtbot.wait_until(reported, timeout=10_000)

    qtbot.wait(300)  # the tablet is waiting in its long-poll now
    put = requests.put(
        f"{care_manager.url}/api/v1/devices/{device_id}/config",
        json={"document": {"modules": ["mood", "agenda"], "font_scale": 1.2}},
        headers=care_manager.headers,
        timeout=10,
    )
    assert put.status_code == 200, put.text
    saved_at = datetime.now(UTC)
    # Within 5 s, while the tablet's long-poll lasts 25 s: the change woke it (a wall-clock
    # limit tighter than that would only measure this machine's load).
    qtbot.wait_until(lambda: home.tile_names() == ["mood", "agenda"], timeout=5_000)
    assert tablet.config_version == 2  # version 1 came with pairing (its own maintenance PIN)
    assert sizing.font_scale() == 1.2

    # The tablet says so at once (not at its next routine report, minutes later), with when:
    # the console then reads "appliquée à …" instead of "en attente".
    def applied() -> bool:
        body = requests.get(status_url, headers=care_manager.headers, timeout=10).json()
        return body["config_version"] == 2 and body["config_applied_at"] is not None

    qtbot.wait_until(applied, timeout=10_000)
    body = requests.get(status_url, headers=care_manager.headers, timeout=10).json()
    applied_at = datetime.fromisoformat(body["config_applied_at"])
    assert saved_at - timedelta(seconds=1) <= applied_at <= datetime.now(UTC)

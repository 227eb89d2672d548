"""A professional's visit on a real tablet against a real backend process: her PIN (set through
the API as the console does), "Je suis un professionnel", the pad, "Arrivée" naming the planned
visit, "Départ" closing her screen at once; the backend records both, and once the tablet has
synced what happened the visit is no longer "En ce moment" on home."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.controller import KioskController
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from provisioning.http import new_session
from tests.kiosk.paired_backend import Paired, api, paired_backend, quiet_tablet

PARIS = ZoneInfo("Europe/Paris")
PIN = "4821"


@pytest.fixture
def paired(tmp_path: Path) -> Iterator[Paired]:
    with paired_backend(tmp_path / "backend", new_session()) as found:
        yield found


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_arrival_names_the_visit_and_departure_closes_her_screen(
    qtbot: QtBot, tmp_path: Path, paired: Paired
) -> None:
    # The care manager comes herself (she records visits too): her visit began 10 minutes ago.
    me = api(paired, "GET", "/me")
    api(paired, "POST", "/me/pin", json={"pin": PIN})
    start = (datetime.now(PARIS) - timedelta(minutes=10)).replace(second=0, microsecond=0)
    api(
        paired,
        "POST",
        f"/beneficiaries/{paired.beneficiary_id}/events",
        json={
            "title": "Bilan à domicile",
            "kind": "visit",
            "start": start.replace(tzinfo=None).isoformat(),
            "duration_minutes": 60,
            "person_id": me["id"],
        },
    )
    data = tmp_path / "tablet"
    quiet_tablet(paired, data)
    scheduler = make_scheduler()
    scheduler.start()
    window = MainWindow(LocalTime(PARIS).now)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    controller = KioskController(data, paired.backend.url, window, LocalTime(PARIS), long_poll=1)
    try:
        controller.start(scheduler, new_session())
        home = window.home
        qtbot.wait_until(lambda: "Bilan à domicile" in home.next_visit_text(), timeout=15_000)
        assert home.next_visit_text().startswith("En ce moment")

        click(qtbot, home.professional_button)
        screen = controller.professional.screen
        for key in [*PIN, "ok"]:
            qtbot.wait(260)  # a person's pace: past the keys' debounce
            click(qtbot, screen.pin_pad.keys[key])
        qtbot.wait_until(lambda: screen.page() == "identified", timeout=15_000)
        assert screen.title.text() == "Claire Dubois"
        assert not screen.departure_button.isVisible()  # not arrived yet
        click(qtbot, screen.arrival_button)
        hour = f"{start.hour} h" if start.minute == 0 else f"{start.hour} h {start.minute:02d}"
        assert f"pour la visite de {hour} (Bilan à domicile)." in screen.status_text()
        assert not screen.arrival_button.isVisible()

        log_path = f"/beneficiaries/{paired.beneficiary_id}/visits"

        def statuses() -> list[str]:
            return [e["status"] for e in api(paired, "GET", log_path)]

        qtbot.wait_until(lambda: statuses() == ["in_progress"], timeout=15_000)
        # Home learns she is there: under way until she leaves, whatever the clock says
        # (10 minutes after the planned start: not late).
        qtbot.wait_until(lambda: home.next_visit_text().startswith("En cours"), timeout=15_000)
        qtbot.wait(300)
        click(qtbot, screen.departure_button)
        # At once: the beneficiary's home, nothing of hers left up.
        assert window.current_screen_name() == "home"
        qtbot.wait_until(lambda: statuses() == ["on_time"], timeout=15_000)
        # The tablet learns she came and went: the visit is no longer under way.
        qtbot.wait_until(lambda: "Bilan à domicile" not in home.next_visit_text(), timeout=15_000)
        assert not home.next_visit_text().startswith(("En ce moment", "En cours"))
    finally:
        controller.shutdown()
        shutdown_scheduler(scheduler, wait=True)

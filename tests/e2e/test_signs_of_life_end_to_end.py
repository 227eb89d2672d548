"""Signs of life, end to end: a real backend process, the real tablet offscreen (built as
`foyer-kiosk` builds it), and the care manager on the API.

- The care manager opens today's « Je vais bien » window around now → the tablet learns it by
  sync and home asks "Tout va bien aujourd'hui ?" → Jeanne taps "Oui, je vais bien", twice, as
  a trembling hand does → the backend receives one `checkin_answer` and says the day is
  answered; restarted, the tablet does not ask again.
- The touches of an hour gone by (kept on disk by the tablet) reach the backend in a status
  report with the tablet's health (screen on, started at, twice today, memory, disk), then
  leave the tablet; the backend has its sign of life.
- "Mes proches" shows who is in her circle as the backend syncs it; "Mettre en pause" reaches
  the backend (`mood_sharing`), which answers and keeps the pause, and the screen says so;
  "Partager à nouveau" ends it.

The tablet runs on the real clock: it starts without night nor mood check-in, Jeanne lives in a
time zone where it is the middle of the day whenever the test runs, and the window is an hour
either side of now.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from PySide6.QtCore import Qt

from kiosk.checkin_view import ACTION as CHECKIN_ACTION
from kiosk.circle_view import ACTION as SHARING_ACTION
from kiosk.controller import KioskController
from kiosk.touch_counter import FILE_NAME as TOUCHES_FILE
from tests.e2e.conftest import CareManager, RunningBackend
from tests.e2e.tablet_driver import Answer, Tablets, pair, spy_on_writes

pytestmark = pytest.mark.e2e
API = "/api/v1"
# One of them is in the middle of its day at any hour the test runs.
ZONES = (
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "America/Sao_Paulo",
)


def midday_zone() -> ZoneInfo:
    def distance(name: str) -> float:
        local = datetime.now(ZoneInfo(name))
        return abs(local.hour + local.minute / 60 - 13)

    return ZoneInfo(min(ZONES, key=distance))


@pytest.fixture
def tablets(qtbot: Any, tmp_path: Path, backend: RunningBackend) -> Iterator[Tablets]:
    made = Tablets(qtbot, tmp_path / "tablet", backend)
    yield made
    made.close()


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[Answer]:
    """Every write the tablet's outbox sends, with the backend's real answer."""
    return spy_on_writes(monkeypatch)


def get(care_manager: CareManager, path: str) -> Any:
    answer = requests.get(care_manager.url + path, headers=care_manager.headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def quiet(care_manager: CareManager, tablet: KioskController, qtbot: Any) -> int:
    """No night and no mood check-in for this tablet (pairing brings the defaults)."""
    devices = get(care_manager, f"{API}/beneficiaries/{care_manager.beneficiary_id}/devices")
    device_id = int(devices[0]["id"])
    answer = requests.put(
        f"{care_manager.url}{API}/devices/{device_id}/config",
        json={"document": {"night_start": "07:00", "night_end": "07:00", "mood_times": []}},
        headers=care_manager.headers,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    qtbot.wait_until(
        lambda: tablet.config["night_start"] == tablet.config["night_end"], timeout=10_000
    )
    return device_id


def test_je_vais_bien_touches_health_and_the_pause_reach_the_backend(
    qtbot: Any,
    tablets: Tablets,
    care_manager: CareManager,
    answers: list[Answer],
) -> None:
    url, beneficiary = care_manager.url, care_manager.beneficiary_id
    zone = midday_zone()
    moved = requests.patch(
        f"{url}{API}/beneficiaries/{beneficiary}",
        json={"timezone": zone.key},
        headers=care_manager.headers,
        timeout=10,
    )
    assert moved.status_code == 200, moved.text
    now = datetime.now(zone)
    assert 9 <= now.hour <= 17, now  # far from the day's edges (the backend's starts at 4 h)
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)

    # An hour of touches from before this start, kept on disk by the tablet.
    earlier = (now - timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    tablets.data_dir.mkdir(parents=True, exist_ok=True)
    (tablets.data_dir / TOUCHES_FILE).write_text(
        json.dumps(
            {
                "format": 1,
                "hours": {earlier.isoformat(): 7},
                "last_touch": (earlier + timedelta(minutes=40)).isoformat(),
            }
        ),
        encoding="utf-8",
    )

    tablet = tablets.start()
    pair(qtbot, tablet, care_manager)
    device_id = quiet(care_manager, tablet, qtbot)
    home = tablet.window.home
    # The hour of touches goes with the first report after a sync, and leaves the tablet then.
    qtbot.wait_until(lambda: tablet.touches.completed() == [], timeout=20_000)
    signs = get(care_manager, f"{API}/beneficiaries/{beneficiary}/signs-of-life")["today"]
    assert signs["last_sign_at"] is not None

    # -- « Je vais bien » ----------------------------------------------------------------------
    assert not home.checkin_asking()
    window_rules = requests.put(
        f"{url}{API}/beneficiaries/{beneficiary}/signs-of-life",
        json={
            "checkin_enabled": True,
            "checkin_start": start.strftime("%H:%M"),
            "checkin_end": end.strftime("%H:%M"),
        },
        headers=care_manager.headers,
        timeout=10,
    )
    assert window_rules.status_code == 200, window_rules.text
    qtbot.wait_until(home.checkin_asking, timeout=15_000)  # by long-poll, within seconds
    assert home.checkin_text() == "Tout va bien aujourd'hui ?"
    qtbot.mouseClick(home.checkin_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(home.checkin_button, Qt.MouseButton.LeftButton)  # a trembling second tap
    qtbot.wait_until(
        lambda: any(a[0] == CHECKIN_ACTION for a in answers) and tablet.outbox.pending_count() == 0,
        timeout=20_000,
    )
    sent = [a for a in answers if a[0] == CHECKIN_ACTION]
    assert len(sent) == 1, sent
    _, data, status, body = sent[0]
    assert data["answer"] == "ok" and datetime.fromisoformat(data["answered_at"]).tzinfo
    assert status == 200, (status, body)
    assert tablet.outbox.rejected() == []
    today = get(care_manager, f"{API}/beneficiaries/{beneficiary}/signs-of-life")["today"]
    assert today["checkin"] == "answered", today

    # -- restarted: not asked again; the health and the touches in its report --------------------
    tablet.shutdown()
    again = tablets.start()
    qtbot.wait_until(lambda: again.window.current_screen_name() == "home", timeout=10_000)
    again.checkin.check()
    assert not again.window.home.checkin_asking()
    assert len([a for a in answers if a[0] == CHECKIN_ACTION]) == 1
    assert again.status_reporter is not None
    again.status_reporter.report_now()

    def reported() -> Any:
        return get(care_manager, f"{API}/devices/{device_id}/status")

    qtbot.wait_until(lambda: reported()["restarts_today"] == 2, timeout=15_000)  # twice today
    health = reported()
    assert health["screen_on"] is True
    assert datetime.fromisoformat(health["started_at"]) > now.astimezone(UTC) - timedelta(minutes=1)
    assert health["disk_total_bytes"] > 0
    assert health["last_error_code"] is None
    if Path("/proc/meminfo").exists():
        assert health["memory_available_bytes"] > 0
    # The last touch: the taps on "Oui, je vais bien" (kept across the restart).
    last_touch = datetime.fromisoformat(health["last_touch_at"])
    assert now - timedelta(minutes=1) < last_touch < datetime.now(UTC)
    words = get(care_manager, f"{API}/devices/{device_id}/health?lang=fr")
    assert words["items"], words

    # -- "Mes proches" and "Partager mon humeur" ------------------------------------------------
    home = again.window.home
    qtbot.wait_until(home.circle_button.isVisible, timeout=10_000)
    qtbot.mouseClick(home.circle_button, Qt.MouseButton.LeftButton)
    assert again.window.current_screen_name() == "circle"
    screen = again.circle.screen
    texts = screen.person_texts()
    assert any(t.startswith("Claire Dubois, votre conseiller autonomie, voit") for t in texts)
    assert screen.sharing_button.text() == "Mettre en pause"
    qtbot.mouseClick(screen.sharing_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(
        lambda: (
            any(a[0] == SHARING_ACTION for a in answers)
            and "connectée" not in screen.sharing_text()
        ),
        timeout=20_000,
    )
    [(_, data, status, body)] = [a for a in answers if a[0] == SHARING_ACTION]
    assert data["paused"] is True and status == 200 and body["paused"] is True, body
    assert screen.sharing_text().startswith("En pause depuis le ")
    assert get(care_manager, f"{API}/beneficiaries/{beneficiary}/mood-sharing")["paused"] is True
    qtbot.wait(500)  # past the button's guard against a double tap
    qtbot.mouseClick(screen.sharing_button, Qt.MouseButton.LeftButton)  # "Partager à nouveau"
    qtbot.wait_until(
        lambda: (
            len([a for a in answers if a[0] == SHARING_ACTION]) == 2
            and screen.sharing_button.text() == "Mettre en pause"
            and "connectée" not in screen.sharing_text()
        ),
        timeout=20_000,
    )
    assert get(care_manager, f"{API}/beneficiaries/{beneficiary}/mood-sharing")["paused"] is False

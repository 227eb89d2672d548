"""Network cut: the real tablet application, offscreen, reaches a real backend through a TCP
proxy the test controls (tests/reliability/tcp_proxy.py), which black-holes then resets the
link for a long time (in tablet terms: many failed attempts and growing backoff).

Time is bounded by injection only: the tablet's read timeout is 2 s instead of 15 s and its
backoff is capped at 1 s (the backoff policy itself is tested in tests/kiosk/test_background.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QElapsedTimer, QTimer

import kiosk.device_client
import kiosk.retrying_job
from common.backoff import full_jitter
from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.controller import KioskController
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from provisioning import credentials
from provisioning.http import new_session
from tests.quiet_tablet import write_quiet_config
from tests.reliability.harness import API, Home, start_home
from tests.reliability.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    running = start_home(tmp_path / "backend")
    yield running
    running.stop()


@pytest.fixture
def proxy(home: Home) -> Iterator[TcpProxy]:
    with TcpProxy(("127.0.0.1", home.port)) as running:
        yield running


@pytest.fixture
def tablet(
    qtbot: Any, tmp_path: Path, home: Home, proxy: TcpProxy, monkeypatch: pytest.MonkeyPatch
) -> Iterator[KioskController]:
    monkeypatch.setattr(kiosk.device_client, "READ_TIMEOUT", 2.0)
    monkeypatch.setattr(
        kiosk.retrying_job,  # every background job's backoff
        "full_jitter",
        lambda attempt, base, cap, rng: min(1.0, full_jitter(attempt, base, cap, rng)),
    )
    data = tmp_path / "tablet"
    credentials.save(
        data,
        credentials.DeviceCredential(
            proxy.url, home.device_id, home.beneficiary_id, home.device_token
        ),
    )
    write_quiet_config(data)
    scheduler = make_scheduler()
    scheduler.start()
    local_time = LocalTime()
    window = MainWindow(local_time.now)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    controller = KioskController(data, proxy.url, window, local_time, long_poll=3)
    controller.start(scheduler, new_session())
    yield controller
    controller.shutdown()
    # wait=True: no sync still in flight may signal a window that is gone (bounded: 2 s timeout).
    shutdown_scheduler(scheduler, wait=True)


def _visit_today(home: Home, title: str, minutes_from_now: int) -> None:
    now = datetime.now(PARIS)
    start = (now + timedelta(minutes=minutes_from_now)).replace(second=0, microsecond=0)
    if start.date() != now.date():  # just before midnight: keep it on today's agenda
        start = now.replace(second=0, microsecond=0)
    response = home.post(
        f"{API}/beneficiaries/{home.beneficiary_id}/events",
        {"title": title, "start": start.replace(tzinfo=None).isoformat(), "duration_minutes": 30},
    )
    assert response.status_code == 201, response.text


def _shows(controller: KioskController, title: str) -> bool:
    return any(title in text for text in controller.window.home.agenda_texts())


class GuiLatency:
    """The longest gap between ticks of a 50 ms timer on the GUI thread."""

    def __init__(self) -> None:
        self.worst_ms = 0
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        self.worst_ms = max(self.worst_ms, self._clock.restart())


def test_long_network_cut_then_back(
    qtbot: Any, home: Home, proxy: TcpProxy, tablet: KioskController
) -> None:
    """Black hole then resets for 8 s while the beneficiary answers three mood check-ins and the
    family adds a visit: the home screen keeps the day, the GUI never stalls, retries stay
    bounded; once the link is back the visit shows and each write arrives exactly once."""
    _visit_today(home, "Avant la coupure", 30)
    qtbot.wait_until(lambda: _shows(tablet, "Avant la coupure"), timeout=15_000)
    assert tablet.window.current_screen_name() == "home"

    latency = GuiLatency()
    latency.start()
    proxy.blackhole()
    connections_before = proxy.connections
    for score in (2, 3, 4):
        tablet.send(
            "mood", {"score": score, "tags": [], "recorded_at": datetime.now(UTC).isoformat()}
        )
        qtbot.wait(500)
    _visit_today(home, "Pendant la coupure", 45)
    qtbot.wait(3000)
    proxy.cut()
    qtbot.wait(3500)
    # Still the day, from the local store, with nothing new: the link is down.
    assert tablet.window.current_screen_name() == "home"
    assert tablet.window.home.greeting_text().endswith("Jeanne")
    assert _shows(tablet, "Avant la coupure") and not _shows(tablet, "Pendant la coupure")
    assert home.rows("SELECT COUNT(*) FROM mood_checkins") == [(0,)]
    assert tablet.outbox.pending_count() == 3
    retries = proxy.connections - connections_before
    assert 2 <= retries <= 60, f"{retries} connections in 8 s: no retry, or a hot loop"

    started = time.monotonic()
    proxy.resume()
    qtbot.wait_until(lambda: _shows(tablet, "Pendant la coupure"), timeout=20_000)
    qtbot.wait_until(lambda: tablet.outbox.pending_count() == 0, timeout=20_000)
    latency.stop()
    assert time.monotonic() - started < 20
    assert home.rows("SELECT score FROM mood_checkins ORDER BY score") == [(2,), (3,), (4,)]
    # A GUI thread waiting on the network would stall ≥ 2 s (the read timeout); the margin
    # below that is for a loaded CI machine, not for the application.
    assert latency.worst_ms < 1500, f"the GUI thread stalled {latency.worst_ms} ms"

"""Clock jumps: the tablet's and the backend's clocks jumping forward and back.

Time is injected where the code reads it: the tablet's `LocalTime(source=…)` (screens, clock,
controller) and the backend's `utc_now` dependency. A Raspberry Pi has no battery clock: it
boots with the time it stopped at, then NTP moves it by hours or days, in either direction.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import apscheduler.schedulers.base
import pytest

import kiosk.background
import kiosk.retrying_job
from kiosk.background import SyncService, make_scheduler, shutdown_scheduler
from kiosk.clock_guard import ClockJumpGuard
from kiosk.controller import KioskController
from kiosk.device_client import DeviceClient
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from kiosk.outbox import FlushOutcome, Outbox, flush
from kiosk.store import LocalStore
from kiosk.sync import Outcome, SyncResult
from provisioning import credentials
from provisioning.http import new_session
from tests.e2e.conftest import free_port
from tests.security.backend_app import RequestsLike, running_app

PARIS = ZoneInfo("Europe/Paris")


class JumpingClock:
    """Real time passing from a chosen instant; `jump(to)` moves it at once."""

    def __init__(self, at: datetime) -> None:
        self.jump(at)

    def jump(self, to: datetime) -> None:
        self._base, self._since = to, time.monotonic()

    def __call__(self) -> datetime:
        return (self._base + timedelta(seconds=time.monotonic() - self._since)).astimezone(UTC)


def _event(id_: int, title: str, start: str, rrule: str | None = None) -> dict[str, Any]:
    return {
        "id": id_,
        "title": title,
        "start_local": start,
        "duration_minutes": 30,
        "timezone": "Europe/Paris",
        "kind": "visit",
        "who": "",
        "rrule": rrule,
        "exdates": [],
    }


def _seed(data: Path) -> None:
    """A tablet paired to a backend that is not there: its day comes from its store only."""
    credentials.save(
        data, credentials.DeviceCredential(f"http://127.0.0.1:{free_port()}", 1, 1, "fyd_x")
    )
    LocalStore(data).apply(
        {
            "full": True,
            "cursor": "9",
            "beneficiary": {
                "id": 1,
                "first_name": "Jeanne",
                "last_name": "Martin",
                "timezone": "Europe/Paris",
            },
            "upserts": {
                "events": [
                    _event(1, "Aide à domicile", "2026-10-01T11:00:00", "FREQ=DAILY"),
                    _event(2, "Kiné", "2026-10-24T15:00:00"),
                    _event(3, "Infirmière", "2026-10-25T15:00:00"),
                    _event(4, "Médecin", "2026-10-21T15:00:00"),
                ]
            },
        }
    )


@pytest.fixture
def jumping(qtbot: Any, tmp_path: Path) -> Iterator[tuple[KioskController, JumpingClock]]:
    data = tmp_path / "tablet"
    _seed(data)
    # 2 s before a minute turns: the clock's own minute timer reads the time soon after a jump.
    clock = JumpingClock(datetime(2026, 10, 24, 10, 0, 58, tzinfo=PARIS))
    scheduler = make_scheduler()
    scheduler.start()
    local_time = LocalTime(source=clock)
    window = MainWindow(local_time.now)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    controller = KioskController(data, "http://127.0.0.1:9", window, local_time)
    controller.start(scheduler, new_session())
    yield controller, clock
    controller.shutdown()
    shutdown_scheduler(scheduler, wait=True)  # nothing in flight outlives the window


def _agenda(controller: KioskController) -> str:
    return " | ".join(controller.window.home.agenda_texts())


@pytest.mark.parametrize(
    ("to", "shown", "gone"),
    [
        # Forward one day, onto the day summer time ends (a 25-hour day).
        (datetime(2026, 10, 25, 10, 0, 58, tzinfo=PARIS), "Infirmière", "Kiné"),
        # Back three days.
        (datetime(2026, 10, 21, 10, 0, 58, tzinfo=PARIS), "Médecin", "Kiné"),
        # Forward a year, far past every one-off visit.
        (datetime(2027, 10, 24, 10, 0, 58, tzinfo=PARIS), "Aide à domicile", "Kiné"),
    ],
    ids=["forward_onto_dst_day", "back_three_days", "forward_a_year"],
)
def test_tablet_shows_the_day_its_clock_says(
    qtbot: Any,
    jumping: tuple[KioskController, JumpingClock],
    to: datetime,
    shown: str,
    gone: str,
) -> None:
    """The tablet's clock jumps (no network, the day from the store): within its next minute
    tick the home screen shows that day's visits, the daily visit still at 11:00 local time."""
    controller, clock = jumping
    qtbot.wait_until(lambda: "Kiné" in _agenda(controller), timeout=10_000)
    clock.jump(to)
    qtbot.wait_until(
        lambda: shown in _agenda(controller) and gone not in _agenda(controller), timeout=10_000
    )
    assert controller.window.current_screen_name() == "home"
    daily = [t for t in controller.window.home.agenda_texts() if "Aide à domicile" in t]
    assert daily and "11" in daily[0]
    assert controller.window.home.clock.date_text() != ""


def test_writes_survive_tablet_and_backend_clock_jumps(tmp_path: Path) -> None:
    """Writes stamped by a tablet clock three days behind arrive once; one stamped a day ahead
    is refused with a French reason and kept aside (not retried forever, the queue goes on);
    the same idempotency key resent after the backend's clock jumped back then forward is still
    applied once."""
    backend_now = [datetime.now(UTC)]
    with running_app(tmp_path / "backend", clock=lambda: backend_now[0]) as app:
        client = DeviceClient(RequestsLike(app.client), "http://testserver", app.device_token)  # type: ignore[arg-type]
        outbox = Outbox(tmp_path / "tablet")
        real = datetime.now(UTC)
        behind = outbox.enqueue(
            "mood", {"score": 2, "tags": [], "recorded_at": (real - timedelta(days=3)).isoformat()}
        )
        ahead = outbox.enqueue(
            "mood", {"score": 4, "tags": [], "recorded_at": (real + timedelta(days=1)).isoformat()}
        )
        after = outbox.enqueue("mood", {"score": 5, "tags": [], "recorded_at": real.isoformat()})
        assert flush(outbox, client) is FlushOutcome.EMPTY
        rejected = outbox.rejected()
        assert [(k, t) for k, t, _ in rejected] == [(ahead, "mood")]
        assert "futur" in rejected[0][2]

        body = {"type": "mood", "data": {"score": 3, "tags": [], "recorded_at": real.isoformat()}}
        headers = {**app.device_headers, "Idempotency-Key": "jump-key-0001"}
        answers = []
        for shift in (timedelta(0), timedelta(hours=-1), timedelta(days=2), timedelta(0)):
            backend_now[0] = real + shift
            answers.append(app.client.post("/api/v1/device/actions", json=body, headers=headers))
        assert answers[0].status_code in (200, 201)
        assert len({a.text for a in answers}) == 1, "a replay must give the stored answer"
        scores = app.client.get(
            f"/api/v1/beneficiaries/{app.beneficiary_id}/wellbeing", headers=app.cm.headers
        ).json()
        moods = sorted(i["score"] for i in scores["items"] if i["type"] == "mood")
        assert moods == [2, 3, 5]
        assert outbox.pending_count() == 0
        assert not {behind, after} & {k for k, _, _ in rejected}


class _Shifted(datetime):
    """`datetime` whose now() is the real time plus a shift the test sets (the wall clock)."""

    shift = timedelta(0)

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return datetime.now(tz) + cls.shift


class _CountingSyncer:
    """Stands in for kiosk.sync.Syncer: the backend is out of reach, each try is counted."""

    def __init__(self) -> None:
        self.runs = 0

    def run_once(self, wait: float) -> SyncResult:
        self.runs += 1
        return SyncResult(Outcome.UNREACHABLE, reason="réseau coupé")


class _OneSecond(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return 1.0  # backoff of 1 s: the retries are what is watched


@pytest.mark.parametrize(
    "jump", [timedelta(hours=-1), timedelta(days=2)], ids=["back_an_hour", "forward_two_days"]
)
def test_background_retries_go_on_when_the_wall_clock_jumps(
    monkeypatch: pytest.MonkeyPatch, jump: timedelta
) -> None:
    """The wall clock jumps while the tablet retries an unreachable backend: the retries go on
    within seconds (kiosk/clock_guard.py) instead of waiting out the jump when it goes back an
    hour; going forward two days does not stop them either."""
    monkeypatch.setattr(_Shifted, "shift", timedelta(0))
    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", _Shifted)
    monkeypatch.setattr(kiosk.background, "datetime", _Shifted)
    monkeypatch.setattr(kiosk.retrying_job, "datetime", _Shifted)  # plans the next run
    scheduler = make_scheduler()
    scheduler.start()
    syncer = _CountingSyncer()
    service = SyncService(syncer, scheduler, rng=_OneSecond())  # type: ignore[arg-type]
    guard = ClockJumpGuard(scheduler, wall=lambda: _Shifted.now(UTC), interval=0.2)
    guard.start()
    try:
        service.start()
        _wait_for(lambda: syncer.runs >= 2, 10)
        monkeypatch.setattr(_Shifted, "shift", jump)
        runs = syncer.runs
        _wait_for(lambda: syncer.runs >= runs + 2, 8)
    finally:
        service.stop()
        guard.stop()
        shutdown_scheduler(scheduler)


def _wait_for(condition: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s"
        time.sleep(0.05)

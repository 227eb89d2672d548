"""The sync service on APScheduler: start, reschedule with backoff, stop, shut down.

APScheduler runs jobs on a thread pool; results must reach the GUI thread through signals.
"""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from kiosk.background import SyncService, make_scheduler, shutdown_scheduler
from kiosk.store import LocalState
from kiosk.sync import Outcome, SyncResult

EMPTY = LocalState(None, (), "1")


class FakeSyncer:
    def __init__(self, *outcomes: Outcome) -> None:
        self.outcomes = list(outcomes)
        self.waits: list[float] = []
        self.threads: list[threading.Thread] = []
        self.done = threading.Event()

    def run_once(self, wait: float = 25) -> SyncResult:
        self.waits.append(wait)
        self.threads.append(threading.current_thread())
        if not self.outcomes:
            self.done.set()
            # Idle like a long-poll would, without holding the test up.
            threading.Event().wait(0.05)
            return SyncResult(Outcome.UNCHANGED)
        outcome = self.outcomes.pop(0)
        return SyncResult(outcome, EMPTY if outcome is Outcome.CHANGED else None, reason="x")


@pytest.fixture
def scheduler() -> Any:
    sched = make_scheduler()
    sched.start()
    yield sched
    # Every test stops its service first: after SyncService.stop() no job adds another, so
    # waiting for running jobs here cannot deadlock.
    shutdown_scheduler(sched, wait=True)


def test_results_arrive_on_the_gui_thread(qtbot: Any, scheduler: Any) -> None:
    syncer = FakeSyncer(Outcome.CHANGED)
    service = SyncService(syncer, scheduler, long_poll=7)  # type: ignore[arg-type]
    received: list[tuple[object, QThread]] = []
    service.state_changed.connect(lambda s: received.append((s, QThread.currentThread())))
    with qtbot.wait_signal(service.state_changed, timeout=5000):
        service.start()
    qtbot.wait_until(lambda: bool(received))
    assert received[0][0] is EMPTY
    app = QApplication.instance()
    assert app is not None and received[0][1] is app.thread()
    assert syncer.threads[0] is not threading.main_thread()
    service.stop()


def test_unreachable_backs_off_then_recovers(
    qtbot: Any, scheduler: Any, caplog: pytest.LogCaptureFixture
) -> None:
    syncer = FakeSyncer(Outcome.UNREACHABLE, Outcome.CHANGED)
    # A jitter source that always picks the lowest delay keeps the test short.
    rng = random.Random()
    rng.uniform = lambda a, b: 0.0  # type: ignore[method-assign]
    service = SyncService(syncer, scheduler, long_poll=7, rng=rng)  # type: ignore[arg-type]
    changes: list[object] = []
    service.offline_since_changed.connect(changes.append)
    with qtbot.wait_signal(service.offline_since_changed, timeout=5000):
        service.start()
    assert isinstance(changes[0], datetime)
    assert service.failures == 1
    # The retry is scheduled about a second out (full jitter, floor of 1 s), not immediately.
    next_run = service.next_run_time()
    assert next_run is not None and next_run > datetime.now(UTC) + timedelta(seconds=0.3)
    with qtbot.wait_signal(service.state_changed, timeout=5000):
        pass
    qtbot.wait_until(lambda: None in changes)
    assert service.failures == 0
    # After an outage the first sync does not wait; once online again it long-polls.
    qtbot.wait_until(lambda: len(syncer.waits) >= 3)
    assert syncer.waits[:3] == [7, 0, 7]
    service.stop()
    # Each run schedules the next one before it ends: none may be skipped as "still running".
    assert "skipped" not in caplog.text


def test_stop_removes_the_pending_job_and_shutdown_is_clean(qtbot: Any) -> None:
    sched = make_scheduler()
    sched.start()
    syncer = FakeSyncer(Outcome.UNREACHABLE)
    service = SyncService(syncer, sched, rng=random.Random(3))  # type: ignore[arg-type]
    with qtbot.wait_signal(service.offline_since_changed, timeout=5000):
        service.start()
    qtbot.wait_until(lambda: service.next_run_time() is not None)
    assert len(sched.get_jobs()) == 1
    service.stop()
    assert sched.get_jobs() == []
    service.sync_now()  # a stopped service schedules nothing
    assert sched.get_jobs() == []
    shutdown_scheduler(sched, wait=True)
    assert not sched.running


def test_sync_now_during_a_run_reruns_right_after(qtbot: Any, scheduler: Any) -> None:
    gate = threading.Event()
    syncer = FakeSyncer()
    original = syncer.run_once

    def slow(wait: float = 25) -> SyncResult:
        gate.wait(5)
        return original(wait)

    syncer.run_once = slow  # type: ignore[method-assign]
    service = SyncService(syncer, scheduler, long_poll=7)  # type: ignore[arg-type]
    service.start()
    qtbot.wait(100)
    service.sync_now()  # arrives while the first run is blocked
    gate.set()
    qtbot.wait_until(lambda: len(syncer.waits) >= 2, timeout=5000)
    service.stop()


def test_outbox_service_delivers_at_once_and_retries_later(
    qtbot: Any, scheduler: Any, tmp_path: Any
) -> None:
    from kiosk.background import OutboxService
    from kiosk.client_errors import Unreachable
    from kiosk.outbox import Outbox

    class Backend:
        def __init__(self) -> None:
            self.down = True
            self.applied: list[str] = []

        def post_action(self, t: str, d: dict[str, Any], k: str) -> tuple[int, dict[str, Any]]:
            if self.down:
                raise Unreachable("connection refused")
            self.applied.append(k)
            return 200, {}

    backend = Backend()
    rng = random.Random()
    rng.uniform = lambda a, b: 0.0  # type: ignore[method-assign]
    service = OutboxService(Outbox(tmp_path), backend, scheduler, rng=rng)  # type: ignore[arg-type]
    counts: list[int] = []
    service.pending_changed.connect(counts.append)
    service.start()
    qtbot.wait_until(lambda: counts == [0], timeout=5000)  # the start-up flush: nothing queued
    key = service.enqueue("mood", {"score": 4})
    qtbot.wait_until(lambda: counts[-1] == 1, timeout=5000)
    assert backend.applied == []  # kept while the backend is down
    backend.down = False
    # No new write needed: the retry (about a second later) delivers it.
    qtbot.wait_until(lambda: backend.applied == [key], timeout=5000)
    qtbot.wait_until(lambda: counts[-1] == 0, timeout=5000)
    service.stop()

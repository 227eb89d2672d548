"""Status reports run off the GUI thread, at most once per period, and retry after a failure."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.status_report import Status, StatusReporter, free_disk


@pytest.fixture
def scheduler() -> Iterator[BackgroundScheduler]:
    s = make_scheduler()
    s.start()
    yield s
    shutdown_scheduler(s, wait=True)


class Backend:
    def __init__(self, answers: list[bool]) -> None:
        self.answers = answers
        self.sent: list[Status] = []
        self.threads: list[threading.Thread] = []
        self.arrived = threading.Semaphore(0)

    def send(self, status: Status) -> bool:
        self.sent.append(status)
        self.threads.append(threading.current_thread())
        self.arrived.release()
        return self.answers.pop(0)


def every_five_minutes(
    scheduler: BackgroundScheduler,
    backend: Backend,
    collect: Callable[[], Status],
    now: list[datetime],
) -> StatusReporter:
    """A reporter to `backend` at most every 300 s, on the clock `now[0]`."""
    return StatusReporter(collect, backend.send, scheduler, every=300, clock=lambda: now[0])


def test_reports_at_most_once_per_period_and_retry_after_failure(
    scheduler: BackgroundScheduler, tmp_path: Path
) -> None:
    now = [datetime(2026, 12, 2, 8, 0, tzinfo=UTC)]
    backend = Backend([False, True, True])
    reporter = every_five_minutes(
        scheduler, backend, lambda: Status("0.1.0", free_disk(tmp_path), None, 2, 3), now
    )
    reporter.report_soon()
    assert backend.arrived.acquire(timeout=5)
    assert backend.threads[0] is not threading.main_thread()
    assert backend.sent[0].as_json()["outbox_pending"] == 2
    # That one failed: the next successful sync reports again at once.
    deadline = time.monotonic() + 5
    while reporter._last_sent is not None and time.monotonic() < deadline:
        time.sleep(0.01)  # the worker is finishing its failed attempt
    reporter.report_soon()
    assert backend.arrived.acquire(timeout=5)
    reporter.report_soon()  # sent a moment ago: not again
    now[0] += timedelta(seconds=299)
    reporter.report_soon()
    assert not backend.arrived.acquire(timeout=0.3)
    now[0] += timedelta(seconds=1)
    reporter.report_soon()
    assert backend.arrived.acquire(timeout=5)
    assert len(backend.sent) == 3
    reporter.stop()
    now[0] += timedelta(hours=1)
    reporter.report_soon()
    assert not backend.arrived.acquire(timeout=0.2)


def test_a_long_error_is_cut() -> None:
    status = Status("0.1.0", None, "x" * 5000, 0, None)
    assert len(status.as_json()["last_error"]) == 2000


def test_news_is_reported_now_without_waiting_for_the_period(
    scheduler: BackgroundScheduler, tmp_path: Path
) -> None:
    now = [datetime(2026, 12, 2, 8, 0, tzinfo=UTC)]
    applied = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    backend = Backend([True, True])
    reporter = every_five_minutes(
        scheduler, backend, lambda: Status("0.1.0", None, None, 0, 4, applied), now
    )
    reporter.report_soon()
    assert backend.arrived.acquire(timeout=5)
    reporter.report_soon()  # routine: not twice within the period
    assert not backend.arrived.acquire(timeout=0.3)
    reporter.report_now()  # a new configuration applied: the console is waiting for it
    assert backend.arrived.acquire(timeout=5)
    assert backend.sent[-1].as_json()["config_applied_at"] == "2026-12-02T09:00:00+00:00"
    reporter.stop()
    reporter.report_now()
    assert not backend.arrived.acquire(timeout=0.2)


def test_news_while_a_report_is_being_sent_goes_out_right_after_it(
    scheduler: BackgroundScheduler,
) -> None:
    release = threading.Event()
    backend = Backend([True, True, True])
    versions = iter([4, 5, 6])

    def slow_send(status: Status) -> bool:
        answer = backend.send(status)
        release.wait(5)  # the backend is slow to answer the first report
        return answer

    reporter = StatusReporter(
        lambda: Status("0.1.0", None, None, 0, next(versions)), slow_send, scheduler
    )
    reporter.report_soon()
    assert backend.arrived.acquire(timeout=5)  # version 4 is on its way
    reporter.report_now()  # version 5 applied meanwhile: not lost, not skipped
    release.set()
    assert backend.arrived.acquire(timeout=5)
    assert [s.config_version for s in backend.sent] == [4, 5]
    assert not backend.arrived.acquire(timeout=0.3)  # and only once

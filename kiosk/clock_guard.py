"""Keeps the background jobs on time when the wall clock jumps.

APScheduler plans jobs in wall-clock time and then sleeps on a monotonic timer. When the clock
jumps back by an hour (a Raspberry Pi has no battery clock: NTP corrects whatever it booted
with), every pending job (the next sync while offline, the outbox's retry, weather, status)
would wait that extra hour; after a jump forward, the scheduler sleeps on until something wakes
it. This guard compares the wall clock with the monotonic clock once a second and, when they
part by more than a few seconds, moves every pending job by the jump (so each keeps the delay
it had left) and wakes the scheduler. tests/reliability/test_clock_jumps.py.

It runs on its own thread with monotonic waits, not as a scheduler job: that would stall too.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler

log = logging.getLogger(__name__)

THRESHOLD = timedelta(seconds=5)


class ClockJumpGuard:
    def __init__(
        self,
        scheduler: BaseScheduler,
        *,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        interval: float = 1.0,
    ) -> None:
        self._scheduler = scheduler
        self._wall = wall
        self._monotonic = monotonic
        self._interval = interval
        self._last = (wall(), monotonic())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> timedelta | None:
        """Compare the clocks once; returns the jump when there was one (jobs moved)."""
        wall, mono = self._wall(), self._monotonic()
        last_wall, last_mono = self._last
        self._last = (wall, mono)
        jump = wall - (last_wall + timedelta(seconds=mono - last_mono))
        if abs(jump) < THRESHOLD:
            return None
        jobs = [job for job in self._scheduler.get_jobs() if job.next_run_time is not None]
        log.warning("wall clock jumped by %s; moving %d pending jobs with it", jump, len(jobs))
        for job in jobs:
            with contextlib.suppress(JobLookupError):  # it ran or was removed meanwhile
                job.modify(next_run_time=job.next_run_time + jump)
        self._scheduler.wakeup()
        return jump

    def start(self) -> None:
        self._stop.clear()
        self._last = (self._wall(), self._monotonic())
        self._thread = threading.Thread(target=self._run, name="clock-guard", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * self._interval + 1)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.check()
            except Exception:  # never let the guard die silently
                log.exception("clock guard check failed")

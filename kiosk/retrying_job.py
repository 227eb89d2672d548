"""A background job that plans its own next run: the one way the tablet's services repeat
(sync, outbox, weather, photos).

The job's `step` runs on the APScheduler thread pool and says how it went:

- SUCCEEDED: the next run comes after the normal `interval` (0: at once, e.g. a sync that
  long-polls; None: only when woken, e.g. the outbox once empty), and the failure count resets;
- FAILED (or the step raised): the next run comes after a capped "full jitter" backoff
  (`common.backoff.full_jitter`), longer with each failure in a row;
- STOPPED: no next run until `start()` (the credential was revoked).

`wake()` runs the step as soon as possible: now, or right after the run under way (never two at
once). `stop()` removes what is planned; a run under way finishes and plans nothing. A step's
`then` callables (Qt signal emits: Qt queues them onto the GUI thread) are called once the next
run is planned, so whoever hears them sees a consistent job (failures counted, next run known).

No Qt here: the services that use it are the QObjects.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED

from common.backoff import full_jitter

log = logging.getLogger(__name__)


class JobOutcome(Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True)
class JobResult:
    outcome: JobOutcome
    # Called in order once the next run is planned (signals to emit).
    then: Sequence[Callable[[], None]] = ()


SUCCEEDED = JobResult(JobOutcome.SUCCEEDED)
FAILED = JobResult(JobOutcome.FAILED)
STOPPED = JobResult(JobOutcome.STOPPED)


def guarded(name: str, job: Callable[[], None]) -> Callable[[], None]:
    """A job that logs its crash instead of dying silently."""

    def run() -> None:
        try:
            job()
        except Exception:
            log.exception("background job %s failed", name)

    return run


class RetryingJob:
    """One repeating background job on `scheduler` (see the module's docstring)."""

    def __init__(
        self,
        name: str,
        step: Callable[[], JobResult],
        scheduler: BackgroundScheduler,
        *,
        interval: float | None,
        retry_base: float = 2.0,
        retry_cap: float = 300.0,
        retry_at_most: float | None = None,
        rng: random.Random | None = None,
        executor: str = "default",
    ) -> None:
        """`retry_base`, `retry_cap`: the backoff after failures (common.backoff.full_jitter);
        `retry_at_most`: never wait longer than this after a failure (e.g. the interval)."""
        self.name = name
        self._step = step
        self._scheduler = scheduler
        self._interval = interval
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        self._retry_at_most = retry_at_most
        self._rng = rng or random.Random()
        self._executor = executor
        # Lock order is always self._lock, then APScheduler's own locks; never the reverse.
        self._lock = threading.RLock()
        self._stopped = threading.Event()
        self._failures = 0
        self._running = False
        self._rerun = False
        self._pending: Job | None = None
        self._run_ids = itertools.count(1)

    # -- what it is doing -------------------------------------------------------------------
    @property
    def failures(self) -> int:
        """Failures in a row (0 after a success)."""
        return self._failures

    @property
    def running(self) -> bool:
        with self._lock:
            return self._running

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def next_run_time(self) -> datetime | None:
        """When the planned run starts; None when none is planned."""
        with self._lock:
            job = self._pending
        if job is None or self._scheduler.get_job(job.id) is None:
            return None
        return job.next_run_time  # type: ignore[no-any-return]

    @property
    def idle(self) -> bool:
        """Neither running nor planned."""
        with self._lock:
            return not self._running and self._pending is None

    # -- what it is told --------------------------------------------------------------------
    def start(self, *, run_now: bool = True) -> None:
        """Allow runs again, and run now (unless `run_now` is False: then when woken)."""
        with self._lock:
            self._stopped.clear()
            if run_now:
                self._wake_locked()

    def stop(self) -> None:
        """No run starts after this returns (one under way finishes and plans nothing)."""
        with self._lock:
            self._stopped.set()
            self._rerun = False
            self._remove_pending_locked()

    def wake(self, *, reset_failures: bool = False) -> None:
        """Run as soon as possible: now, or right after the run under way. `reset_failures`:
        the backoff starts again from the first step (something new is worth a quick try)."""
        with self._lock:
            if reset_failures:
                self._failures = 0
            self._wake_locked()

    # -- scheduling -------------------------------------------------------------------------
    def _wake_locked(self) -> None:
        if self._running:
            self._rerun = not self._stopped.is_set()
        else:
            self._schedule_locked(0.0)

    def _remove_pending_locked(self) -> None:
        job, self._pending = self._pending, None
        if job is not None:
            with contextlib.suppress(JobLookupError):  # it has already started
                job.remove()

    def _schedule_locked(self, delay: float) -> None:
        # Nothing is added once stopped: a scheduler shutting down holds its job-store lock
        # while it waits for running jobs, so a job adding its successor then would deadlock.
        if self._stopped.is_set() or self._scheduler.state == STATE_STOPPED:
            return
        self._remove_pending_locked()
        # A fresh id per run: APScheduler counts running instances per id, and each run
        # plans its successor before it has itself finished.
        job_id = f"{self.name}-{next(self._run_ids)}"
        self._pending = self._scheduler.add_job(
            guarded(self.name, lambda: self._run(job_id)),
            trigger="date",
            run_date=datetime.now(UTC) + timedelta(seconds=delay),
            id=job_id,
            executor=self._executor,
        )

    def _retry_delay_locked(self) -> float:
        self._failures += 1
        delay = full_jitter(self._failures, self._retry_base, self._retry_cap, self._rng)
        if self._retry_at_most is not None:
            delay = min(delay, self._retry_at_most)
        return delay

    # -- worker side ------------------------------------------------------------------------
    def _run(self, job_id: str) -> None:
        with self._lock:
            if self._pending is not None and self._pending.id == job_id:
                # This job is running, not pending: APScheduler removes it from its store
                # itself, and removing it here too would race with that.
                self._pending = None
            if self._stopped.is_set():
                return  # stopped after APScheduler had taken the job: nothing runs
            if self._running:
                # A wake came as another run had been handed to a thread but had not yet
                # taken this lock (too late to remove it), so it planned this one: never two
                # at once; this one becomes "once more, right after".
                self._rerun = True
                return
            self._running = True
        result = FAILED
        try:
            result = self._step()
        except Exception:
            log.exception("%s failed; retried with backoff", self.name)
        finally:
            with self._lock:
                self._running = False
                rerun, self._rerun = self._rerun, False
                delay: float | None
                if result.outcome is JobOutcome.STOPPED:
                    self._stopped.set()
                    delay = None
                elif result.outcome is JobOutcome.FAILED:
                    delay = self._retry_delay_locked()
                    log.info(
                        "%s: failure %d in a row; next try in %.0f s",
                        self.name,
                        self._failures,
                        delay,
                    )
                else:
                    self._failures = 0
                    delay = self._interval
                if rerun:
                    delay = 0.0
                if delay is not None:
                    self._schedule_locked(delay)
        for then in result.then:
            then()

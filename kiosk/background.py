"""The one way the tablet works off the GUI thread: jobs on an APScheduler thread pool whose
results come back as Qt signals (queued onto the GUI thread by Qt's automatic connection).

APScheduler's `QtScheduler` is not used: its jobs run in a thread pool anyway, and with
PySide6 it cannot cancel its own wake-up timer (`QTimer.singleShot` returns None).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from PySide6.QtCore import QObject, Signal

from common.backoff import full_jitter
from kiosk.device_client import DeviceClient
from kiosk.outbox import FlushOutcome, Outbox, flush
from kiosk.sync import LONG_POLL_SECONDS, Outcome, Syncer
from provisioning.pairing import PairingCallbacks, PairingClient, run_pairing

log = logging.getLogger(__name__)

SYNC_JOB = "sync"
PAIRING_JOB = "pairing"
OUTBOX_JOB = "outbox"


def make_scheduler() -> BackgroundScheduler:
    # APScheduler logs every run at INFO: a long-poll loop would fill the journal.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = BackgroundScheduler(
        timezone=UTC,
        # The outbox gets a one-thread executor of its own: its flushes run one at a time
        # and are never queued behind a long-poll.
        executors={"default": ThreadPoolExecutor(10), "outbox": ThreadPoolExecutor(1)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            # A job late because the machine slept still runs, once.
            "misfire_grace_time": None,
        },
    )
    return scheduler


def shutdown_scheduler(scheduler: BackgroundScheduler, wait: bool = False) -> None:
    """Shut down once every service is stopped (nothing pending, nothing added any more).

    APScheduler 3 has a race: if shutdown() lands while its loop is dispatching a job, the
    loop's own removal of that job fails in the stopped state and its thread dies with
    JobLookupError. get_jobs() takes the job-store lock, so it returns only once any dispatch
    under way has finished.
    """
    scheduler.get_jobs()
    scheduler.shutdown(wait=wait)


def _guarded(name: str, job: Callable[[], None]) -> Callable[[], None]:
    """A job that logs its crash instead of dying silently."""

    def run() -> None:
        try:
            job()
        except Exception:
            log.exception("background job %s failed", name)

    return run


class SyncService(QObject):
    """Keeps the local store in step with the backend: long-poll while online, back off with
    full jitter while the backend is unreachable."""

    state_changed = Signal(object)  # kiosk.store.LocalState
    offline_since_changed = Signal(object)  # datetime | None
    revoked = Signal()
    synced = Signal(object)  # aware UTC datetime of a sync that reached the backend

    def __init__(
        self,
        syncer: Syncer,
        scheduler: BackgroundScheduler,
        long_poll: float = LONG_POLL_SECONDS,
        rng: random.Random | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self._syncer = syncer
        self._scheduler = scheduler
        self._long_poll = long_poll
        self._rng = rng or random.Random()
        self._now = now
        self._failures = 0
        self._offline_since: datetime | None = None
        self._stopped = threading.Event()
        self._lock = threading.RLock()
        self._running = False
        self._rerun = False
        self._pending: Job | None = None
        self._run_ids = itertools.count(1)

    @property
    def failures(self) -> int:
        return self._failures

    def start(self) -> None:
        with self._lock:
            self._stopped.clear()
            self._schedule_locked(0.0)

    def stop(self) -> None:
        """No sync starts after this returns (one under way finishes on its own)."""
        with self._lock:
            self._stopped.set()
            self._remove_pending_locked()

    def sync_now(self) -> None:
        """Sync as soon as possible (after the one under way, if any)."""
        with self._lock:
            if self._running:
                self._rerun = True
            else:
                self._schedule_locked(0.0)

    def next_run_time(self) -> datetime | None:
        with self._lock:
            job = self._pending
        if job is None or self._scheduler.get_job(job.id) is None:
            return None
        return job.next_run_time  # type: ignore[no-any-return]

    # Lock order is always self._lock, then APScheduler's own locks; never the reverse.
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
        job_id = f"{SYNC_JOB}-{next(self._run_ids)}"
        # A fresh id per run: APScheduler counts running instances per id, and each run
        # schedules its successor before it has itself finished.
        self._pending = self._scheduler.add_job(
            _guarded(SYNC_JOB, lambda: self._run(job_id)),
            trigger="date",
            run_date=datetime.now(UTC) + timedelta(seconds=delay),
            id=job_id,
        )

    def _run(self, job_id: str) -> None:
        with self._lock:
            self._running = True
            if self._pending is not None and self._pending.id == job_id:
                # This job is running, not pending: APScheduler removes it from its store
                # itself, and removing it here too would race with that.
                self._pending = None
        delay = 0.0
        emit: list[Callable[[], None]] = []
        try:
            delay, emit = self._sync_step()
        finally:
            # Schedule the next step before telling anyone, so that observers see a
            # consistent service (failures counted, next run planned).
            with self._lock:
                self._running = False
                rerun, self._rerun = self._rerun, False
                self._schedule_locked(0.0 if rerun else delay)
            for notify in emit:
                notify()

    def _sync_step(self) -> tuple[float, list[Callable[[], None]]]:
        """One sync; returns the delay before the next one and the signals to emit."""
        # The first sync after an outage answers at once; otherwise it waits for a change.
        wait = self._long_poll if self._failures == 0 and self._offline_since is None else 0
        result = self._syncer.run_once(wait=wait)
        if result.outcome is Outcome.REVOKED:
            self._stopped.set()
            return 0.0, [self.revoked.emit]
        if result.outcome is Outcome.UNREACHABLE:
            self._failures += 1
            delay = full_jitter(self._failures, base=2.0, cap=300.0, rng=self._rng)
            log.info("sync: backend unreachable (%s); retry in %.0f s", result.reason, delay)
            if self._offline_since is not None:
                return delay, []
            since = self._offline_since = self._now()
            return delay, [lambda: self.offline_since_changed.emit(since)]
        at = self._now()
        emit: list[Callable[[], None]] = [lambda: self.synced.emit(at)]
        self._failures = 0
        if self._offline_since is not None:
            self._offline_since = None
            emit.append(lambda: self.offline_since_changed.emit(None))
        state = result.state
        if state is not None:
            emit.append(lambda: self.state_changed.emit(state))
        return 0.0, emit


class OutboxService(QObject):
    """Delivers the outbox: at once when something is queued, then with backoff while the
    backend is out of reach. One flush at a time, in queue order."""

    pending_changed = Signal(int)  # writes still waiting
    revoked = Signal()

    def __init__(
        self,
        outbox: Outbox,
        client: DeviceClient,
        scheduler: BackgroundScheduler,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__()
        self._outbox = outbox
        self._client = client
        self._scheduler = scheduler
        self._rng = rng or random.Random()
        self._lock = threading.RLock()
        self._stopped = threading.Event()
        self._failures = 0
        self._job_ids = itertools.count(1)
        self._pending: Job | None = None

    def start(self) -> None:
        with self._lock:
            self._stopped.clear()
            self._schedule_locked(0.0)

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
            self._cancel_locked()

    def enqueue(self, action_type: str, data: dict[str, object]) -> str:
        """Queue a write (durable on return) and try to deliver it now. Called from the GUI
        thread: one small SQLite commit, well under a frame."""
        key = self._outbox.enqueue(action_type, dict(data))
        self.kick()
        return key

    def kick(self) -> None:
        with self._lock:
            self._failures = 0
            self._schedule_locked(0.0)

    def _cancel_locked(self) -> None:
        job, self._pending = self._pending, None
        if job is not None:
            with contextlib.suppress(JobLookupError):
                job.remove()

    def _schedule_locked(self, delay: float) -> None:
        if self._stopped.is_set() or self._scheduler.state == STATE_STOPPED:
            return
        self._cancel_locked()
        job_id = f"{OUTBOX_JOB}-{next(self._job_ids)}"
        self._pending = self._scheduler.add_job(
            _guarded(OUTBOX_JOB, lambda: self._run(job_id)),
            trigger="date",
            run_date=datetime.now(UTC) + timedelta(seconds=delay),
            id=job_id,
            # Flushes never overlap: entries go out in order, each once at a time.
            executor="outbox",
        )

    def _run(self, job_id: str) -> None:
        with self._lock:
            if self._pending is not None and self._pending.id == job_id:
                self._pending = None
        outcome = flush(self._outbox, self._client)
        if outcome is FlushOutcome.REVOKED:
            self.revoked.emit()
            return
        delay = None
        with self._lock:
            if outcome is FlushOutcome.UNREACHABLE:
                self._failures += 1
                delay = full_jitter(self._failures, base=2.0, cap=300.0, rng=self._rng)
                self._schedule_locked(delay)
            else:
                self._failures = 0
        self.pending_changed.emit(self._outbox.pending_count())


class PairingService(QObject):
    """Runs the RFC 8628 flow on a worker thread and reports each step as a signal."""

    code_ready = Signal(object)  # provisioning.pairing.PairingCode
    problem = Signal(str, float)  # reason, seconds before the next try
    denied = Signal()
    paired = Signal(object)  # provisioning.credentials.DeviceCredential

    def __init__(self, client: PairingClient, scheduler: BackgroundScheduler) -> None:
        super().__init__()
        self._client = client
        self._scheduler = scheduler
        self._stop = threading.Event()

    def start(self) -> None:
        self._stop = threading.Event()
        stop = self._stop
        self._scheduler.add_job(
            _guarded(PAIRING_JOB, lambda: self._run(stop)),
            id=PAIRING_JOB,
            replace_existing=True,
        )

    def stop(self) -> None:
        self._stop.set()

    def _run(self, stop: threading.Event) -> None:
        callbacks = PairingCallbacks(
            on_code=self.code_ready.emit,
            on_problem=self.problem.emit,
            on_denied=self.denied.emit,
        )
        credential = run_pairing(self._client, callbacks, stop)
        if credential is not None and not stop.is_set():
            self.paired.emit(credential)

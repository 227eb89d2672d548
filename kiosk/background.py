"""The one way the tablet works off the GUI thread: jobs on an APScheduler thread pool whose
results come back as Qt signals (queued onto the GUI thread by Qt's automatic connection).

APScheduler's `QtScheduler` is not used: its jobs run in a thread pool anyway, and with
PySide6 it cannot cancel its own wake-up timer (`QTimer.singleShot` returns None).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from PySide6.QtCore import QObject, Signal

from kiosk.device_client import DeviceClient
from kiosk.outbox import FlushOutcome, Outbox, flush
from kiosk.retrying_job import FAILED, JobOutcome, JobResult, RetryingJob, guarded
from kiosk.sync import LONG_POLL_SECONDS, Outcome, Syncer
from provisioning.pairing import PairingCallbacks, PairingClient, SavedCode, run_pairing

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


class SyncService(QObject):
    """Keeps the local store in step with the backend: long-poll while online, back off with
    full jitter while the backend is unreachable (kiosk.retrying_job)."""

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
        self._long_poll = long_poll
        self._now = now
        self._offline_since: datetime | None = None
        # The next sync starts at once after each one: the long-poll does the waiting.
        self._job = RetryingJob(
            SYNC_JOB, self._sync_step, scheduler, interval=0.0, retry_cap=300.0, rng=rng
        )

    @property
    def failures(self) -> int:
        return self._job.failures

    def start(self) -> None:
        self._job.start()

    def stop(self) -> None:
        """No sync starts after this returns (one under way finishes on its own)."""
        self._job.stop()

    def sync_now(self) -> None:
        """Sync as soon as possible (after the one under way, if any)."""
        self._job.wake()

    def next_run_time(self) -> datetime | None:
        return self._job.next_run_time()

    def _sync_step(self) -> JobResult:
        """One sync; the signals to emit once the next one is planned."""
        # The first sync after an outage answers at once; otherwise it waits for a change.
        online = self._job.failures == 0 and self._offline_since is None
        result = self._syncer.run_once(wait=self._long_poll if online else 0)
        if result.outcome is Outcome.REVOKED:
            return JobResult(JobOutcome.STOPPED, [self.revoked.emit])
        if result.outcome is Outcome.UNREACHABLE:
            log.info("sync: backend unreachable (%s)", result.reason)
            if self._offline_since is not None:
                return FAILED
            since = self._offline_since = self._now()
            return JobResult(JobOutcome.FAILED, [lambda: self.offline_since_changed.emit(since)])
        at = self._now()
        emit: list[Callable[[], None]] = [lambda: self.synced.emit(at)]
        if self._offline_since is not None:
            self._offline_since = None
            emit.append(lambda: self.offline_since_changed.emit(None))
        state = result.state
        if state is not None:
            emit.append(lambda: self.state_changed.emit(state))
        return JobResult(JobOutcome.SUCCEEDED, emit)


class OutboxService(QObject):
    """Delivers the outbox: at once when something is queued, then with backoff while the
    backend is out of reach (kiosk.retrying_job). One flush at a time, in queue order."""

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
        # Idle once everything is delivered, until the next write wakes it. Flushes never
        # overlap and have a one-thread executor of their own: entries go out in order.
        self._job = RetryingJob(
            OUTBOX_JOB,
            self._flush,
            scheduler,
            interval=None,
            retry_cap=300.0,
            rng=rng,
            executor="outbox",
        )

    @property
    def failures(self) -> int:
        return self._job.failures

    def start(self) -> None:
        self._job.start()

    def stop(self) -> None:
        self._job.stop()

    def enqueue(self, action_type: str, data: dict[str, object]) -> str:
        """Queue a write (durable on return) and try to deliver it now. Called from the GUI
        thread: one small SQLite commit, well under a frame."""
        key = self._outbox.enqueue(action_type, dict(data))
        self.kick()
        return key

    def kick(self) -> None:
        """Something new to send: try now, the backoff starting afresh."""
        self._job.wake(reset_failures=True)

    def _flush(self) -> JobResult:
        outcome = flush(self._outbox, self._client)
        if outcome is FlushOutcome.REVOKED:
            return JobResult(JobOutcome.STOPPED, [self.revoked.emit])
        pending = self._outbox.pending_count()
        ok = outcome is not FlushOutcome.UNREACHABLE
        return JobResult(
            JobOutcome.SUCCEEDED if ok else JobOutcome.FAILED,
            [lambda: self.pending_changed.emit(pending)],
        )


class PairingService(QObject):
    """Runs the RFC 8628 flow on a worker thread and reports each step as a signal."""

    code_ready = Signal(object)  # provisioning.pairing.PairingCode
    problem = Signal(str, float)  # reason, seconds before the next try
    denied = Signal()
    paired = Signal(object)  # provisioning.credentials.DeviceCredential

    def __init__(
        self,
        client: PairingClient,
        scheduler: BackgroundScheduler,
        saved: SavedCode | None = None,
    ) -> None:
        super().__init__()
        self._client = client
        self._scheduler = scheduler
        self._saved = saved  # the code shown, kept across a restart until it ends
        self._stop = threading.Event()

    def start(self) -> None:
        self._stop = threading.Event()
        stop = self._stop
        self._scheduler.add_job(
            guarded(PAIRING_JOB, lambda: self._run(stop)),
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
        credential = run_pairing(self._client, callbacks, stop, saved=self._saved)
        if credential is not None and not stop.is_set():
            self.paired.emit(credential)

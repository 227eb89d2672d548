"""The one repeating background job (kiosk.retrying_job): failures back off with full jitter,
a success resets the backoff and plans the next run at the interval, wake runs it now (or
right after the run under way), stop while running plans nothing more."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.retrying_job import FAILED, SUCCEEDED, JobOutcome, JobResult, RetryingJob


class Highest(random.Random):
    """Full jitter always at its upper bound: the delays are base·2^n exactly."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.fixture
def scheduler() -> Iterator[Any]:
    sched = make_scheduler()
    sched.start()
    yield sched
    shutdown_scheduler(sched, wait=True)


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


class Steps:
    """A step that answers from a script, then succeeds; counts its runs."""

    def __init__(self, *results: JobResult) -> None:
        self.results = list(results)
        self.runs = 0
        self.threads: list[threading.Thread] = []

    def __call__(self) -> JobResult:
        self.runs += 1
        self.threads.append(threading.current_thread())
        return self.results.pop(0) if self.results else SUCCEEDED


def seconds_until(job: RetryingJob) -> float:
    when = job.next_run_time()
    assert when is not None, "no next run planned"
    return (when - datetime.now(UTC)).total_seconds()


def test_failures_back_off_with_full_jitter_up_to_the_cap(scheduler: Any) -> None:
    steps = Steps(FAILED, FAILED)
    job = RetryingJob(
        "t", steps, scheduler, interval=3600, retry_base=2.0, retry_cap=5.0, rng=Highest()
    )
    job.start()
    wait_for(lambda: job.failures == 1)
    assert 3.0 < seconds_until(job) <= 4.0  # base·2^1
    assert steps.threads[0] is not threading.main_thread()
    job.stop()
    job.start()  # run again now: the second failure in a row
    wait_for(lambda: job.failures == 2)
    assert 4.0 < seconds_until(job) <= 5.0  # base·2^2 = 8, capped at 5
    job.stop()


def test_retry_at_most_bounds_the_delay_after_a_failure(scheduler: Any) -> None:
    job = RetryingJob(
        "t",
        Steps(FAILED),
        scheduler,
        interval=3600,
        retry_base=5.0,
        retry_cap=600.0,
        retry_at_most=2.0,
        rng=Highest(),
    )
    job.start()
    wait_for(lambda: job.failures == 1)
    assert seconds_until(job) <= 2.0
    job.stop()


def test_a_success_resets_the_backoff_and_plans_the_interval(scheduler: Any) -> None:
    steps = Steps(FAILED)
    job = RetryingJob("t", steps, scheduler, interval=3600, retry_cap=1.0, rng=Highest())
    job.start()
    wait_for(lambda: steps.runs == 2)  # failed, retried a second later, succeeded
    wait_for(lambda: job.failures == 0 and job.next_run_time() is not None)
    assert 3500 < seconds_until(job) <= 3600
    job.stop()


def test_without_an_interval_a_success_waits_for_a_wake(scheduler: Any) -> None:
    steps = Steps()
    job = RetryingJob("t", steps, scheduler, interval=None)
    job.start()
    wait_for(lambda: steps.runs == 1 and job.idle)
    assert job.next_run_time() is None
    job.wake()
    wait_for(lambda: steps.runs == 2 and job.idle)
    job.stop()


def test_wake_runs_now_instead_of_at_the_planned_time(scheduler: Any) -> None:
    steps = Steps()
    job = RetryingJob("t", steps, scheduler, interval=3600)
    job.start()
    wait_for(lambda: steps.runs == 1 and job.next_run_time() is not None)
    job.wake()
    wait_for(lambda: steps.runs == 2)
    wait_for(lambda: job.next_run_time() is not None)
    assert seconds_until(job) > 3500  # one planned run, not two
    assert len(scheduler.get_jobs()) == 1
    job.stop()


def test_wake_during_a_run_runs_once_more_right_after_never_at_the_same_time(
    scheduler: Any,
) -> None:
    gate = threading.Event()
    inside = threading.Event()
    running = 0
    most = 0
    runs = 0

    def step() -> JobResult:
        nonlocal running, most, runs
        running += 1
        most = max(most, running)
        runs += 1
        inside.set()
        gate.wait(5)
        running -= 1
        return SUCCEEDED

    job = RetryingJob("t", step, scheduler, interval=None)
    job.start()
    assert inside.wait(5)
    job.wake()
    job.wake()  # twice while running: still one more run
    assert job.running
    gate.set()
    wait_for(lambda: runs == 2 and job.idle)
    time.sleep(0.1)
    assert runs == 2 and most == 1
    job.stop()


def test_a_wake_as_a_run_is_starting_never_starts_a_second_run_alongside(
    scheduler: Any,
) -> None:
    """The window: APScheduler has handed run A to a pool thread, which has not yet marked the
    job running, when wake() comes. A can no longer be removed, so wake plans run B; both
    start. B must see A running and leave it to run once more after A, not run beside it.

    The window is held open by holding the job's lock (an RLock: this thread may still call
    start and wake) until both runs wait for it."""
    gate = threading.Event()
    running = 0
    most = 0
    runs = 0
    count = threading.Lock()

    def step() -> JobResult:
        nonlocal running, most, runs
        with count:
            running += 1
            runs += 1
            most = max(most, running)
        gate.wait(5)
        with count:
            running -= 1
        return SUCCEEDED

    job = RetryingJob("t", step, scheduler, interval=None)
    with job._lock:
        job.start()  # run A, due now
        wait_for(lambda: scheduler.get_jobs() == [])  # handed to a thread, waiting for the lock
        job.wake()  # A is not running yet, and can no longer be removed: run B
        wait_for(lambda: scheduler.get_jobs() == [])  # B waits for the lock too
    time.sleep(0.3)  # both take the lock now: one runs, the other finds it running
    gate.set()
    wait_for(lambda: runs == 2 and job.idle)
    time.sleep(0.1)
    assert (runs, most) == (2, 1)  # A, then once more right after; never two at once
    job.stop()


def test_wake_can_reset_the_backoff(scheduler: Any) -> None:
    job = RetryingJob("t", Steps(FAILED, FAILED), scheduler, interval=None, rng=Highest())
    job.start()
    wait_for(lambda: job.failures == 1)
    job.wake(reset_failures=True)
    wait_for(lambda: job.failures == 1 and job.next_run_time() is not None)
    assert seconds_until(job) <= 4.0  # the first step of the backoff again, not the second
    job.stop()


def test_stop_while_running_plans_nothing_more(scheduler: Any) -> None:
    gate = threading.Event()
    inside = threading.Event()
    told: list[str] = []

    def step() -> JobResult:
        inside.set()
        gate.wait(5)
        return JobResult(JobOutcome.FAILED, [lambda: told.append("failed")])

    job = RetryingJob("t", step, scheduler, interval=0.0)
    job.start()
    assert inside.wait(5)
    job.stop()
    job.wake()  # stopped: ignored
    gate.set()
    wait_for(lambda: told == ["failed"])  # the run under way finishes and tells
    wait_for(lambda: not job.running)
    assert job.next_run_time() is None and scheduler.get_jobs() == []
    assert job.stopped


def test_stopped_by_its_step_until_started_again(scheduler: Any) -> None:
    steps = Steps(JobResult(JobOutcome.STOPPED))
    job = RetryingJob("t", steps, scheduler, interval=0.0)
    job.start()
    wait_for(lambda: job.stopped and not job.running)
    job.wake()
    time.sleep(0.1)
    assert steps.runs == 1 and scheduler.get_jobs() == []
    job.start()
    wait_for(lambda: steps.runs >= 2)
    job.stop()


def test_a_step_that_raises_is_a_failure_not_a_dead_job(
    scheduler: Any, caplog: pytest.LogCaptureFixture
) -> None:
    calls = 0

    def step() -> JobResult:
        nonlocal calls
        calls += 1
        raise RuntimeError("bug")

    job = RetryingJob("t", step, scheduler, interval=0.0, rng=Highest())
    job.start()
    wait_for(lambda: job.failures == 1 and job.next_run_time() is not None)
    assert seconds_until(job) > 3.0  # backed off, not a hot loop
    assert calls == 1 and "bug" in caplog.text
    job.stop()


def test_then_is_called_once_the_next_run_is_planned(scheduler: Any) -> None:
    planned: list[datetime | None] = []
    job: RetryingJob

    def step() -> JobResult:
        return JobResult(JobOutcome.FAILED, [lambda: planned.append(job.next_run_time())])

    job = RetryingJob("t", step, scheduler, interval=None, rng=Highest())
    job.start()
    wait_for(lambda: bool(planned))
    assert planned[0] is not None
    assert planned[0] > datetime.now(UTC) + timedelta(seconds=1)
    job.stop()


def test_nothing_is_planned_once_the_scheduler_is_shut_down() -> None:
    sched = make_scheduler()
    sched.start()
    steps = Steps()
    job = RetryingJob("t", steps, sched, interval=None)
    job.stop()
    shutdown_scheduler(sched, wait=True)
    job.start()  # no error, nothing added to a stopped scheduler
    assert steps.runs == 0 and job.next_run_time() is None

"""The jobs table (backend/services/jobs.py) on SQLite and PostgreSQL: planned once per dedupe
key, leased to one worker, given to another once the lease is over, retried with backoff,
"failed" after its last attempt, and never run twice, even by a worker that outlived its lease.

The handlers here write a marker row in the same transaction as the job's "done", so "ran"
means "its writes were kept".
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend import db
from backend.models import Change, Job
from backend.services import jobs

T0 = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
MARK = "job-test"


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = db.make_engine(database_url)
    try:
        yield db.make_session_factory(engine)
    finally:
        engine.dispose()


def mark(session: Session, payload: dict[str, Any]) -> None:
    session.add(Change(beneficiary_id=0, entity=MARK, entity_id=int(payload["n"]), op="upsert"))


def marks(sessions: sessionmaker[Session]) -> list[int]:
    with sessions() as session:
        return list(
            session.scalars(
                select(Change.entity_id).where(Change.entity == MARK).order_by(Change.id)
            )
        )


def kind(
    monkeypatch: pytest.MonkeyPatch, name: str, handler: jobs.Handler, max_attempts: int = 8
) -> str:
    monkeypatch.setitem(jobs._HANDLERS, name, jobs.Registration(handler, LEASE, max_attempts))
    return name


def plan(
    sessions: sessionmaker[Session], name: str, n: int, at: datetime = T0, key: str | None = None
) -> bool:
    with sessions() as session:
        planned = jobs.enqueue(session, name, {"n": n}, at, dedupe_key=key)
        session.commit()
        return planned


def job(sessions: sessionmaker[Session], name: str) -> Job:
    with sessions() as session:
        found = session.scalars(select(Job).where(Job.kind == name).order_by(Job.id)).first()
        assert found is not None
        return found


def test_a_job_planned_twice_under_one_key_is_one_job(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = kind(monkeypatch, "test-dedupe", lambda s, p, now: mark(s, p))
    assert plan(sessions, name, 1, key="same") is True
    # Lost to the existing key inside a larger transaction: the caller's other writes stay.
    with sessions() as session:
        session.add(Change(beneficiary_id=0, entity=MARK, entity_id=99, op="upsert"))
        assert jobs.enqueue(session, name, {"n": 2}, T0, dedupe_key="same") is False
        session.commit()
    assert marks(sessions) == [99]
    with sessions() as session:
        assert session.scalar(select(func.count(Job.id)).where(Job.kind == name)) == 1
    assert jobs.run_due(sessions, "w1", T0) == 1
    assert marks(sessions) == [99, 1]
    assert plan(sessions, name, 3, key="same") is False  # done, the key still holds

    with sessions() as session, pytest.raises(ValueError):
        jobs.enqueue(session, "test-nobody-runs-this", {}, T0)
    with sessions() as session, pytest.raises(ValueError):
        jobs.enqueue(session, name, {}, T0.replace(tzinfo=None))


def test_a_job_is_not_run_before_its_time(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = kind(monkeypatch, "test-time", lambda s, p, now: mark(s, p))
    plan(sessions, name, 1, at=T0 + timedelta(minutes=30))
    assert jobs.run_due(sessions, "w1", T0 + timedelta(minutes=29)) == 0
    assert jobs.run_due(sessions, "w1", T0 + timedelta(minutes=30)) == 1
    assert marks(sessions) == [1]


def test_a_lease_keeps_a_job_from_others_until_it_ends(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = kind(monkeypatch, "test-lease", lambda s, p, now: mark(s, p))
    plan(sessions, name, 1)
    claimed = jobs.claim(sessions, "w1", T0)
    assert len(claimed) == 1
    # w1 dies. Until its lease ends, nobody else takes the job.
    assert jobs.claim(sessions, "w2", T0 + LEASE - timedelta(seconds=1)) == []
    later = T0 + LEASE + timedelta(seconds=1)
    assert jobs.claim(sessions, "w2", later) == claimed
    # Had w1 only been slow, it no longer runs the job; w2 does, once.
    assert jobs.run_claimed(sessions, claimed[0], "w1", later) is False
    assert jobs.run_claimed(sessions, claimed[0], "w2", later) is True
    assert jobs.run_claimed(sessions, claimed[0], "w2", later) is False
    assert marks(sessions) == [1]
    done = job(sessions, name)
    assert (done.state, done.attempts, done.locked_by, done.done_at) == (jobs.DONE, 2, None, later)


def test_a_worker_that_outlives_its_lease_keeps_nothing(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, is_postgres: bool
) -> None:
    """w1's handler is still running when its lease ends, and w2 looks for due jobs then.
    PostgreSQL: the job's row stays locked while it runs, so w2's claim skips it and w1
    finishes it. SQLite: w2 takes it over and runs it, and w1's "done" (a compare-and-set on
    its lease) fails, so w1's writes are rolled back. Either way they happen once."""
    started, release = threading.Event(), threading.Event()

    def slow(session: Session, payload: dict[str, Any], now: datetime) -> None:
        mark(session, payload)
        if not started.is_set():
            started.set()
            assert release.wait(30)

    name = kind(monkeypatch, "test-slow", slow)
    plan(sessions, name, 1)
    [claimed] = jobs.claim(sessions, "w1", T0)
    result: dict[str, bool] = {}
    runner = threading.Thread(
        target=lambda: result.setdefault("w1", jobs.run_claimed(sessions, claimed, "w1", T0))
    )
    runner.start()
    assert started.wait(30)
    try:
        by_w2 = jobs.run_due(sessions, "w2", T0 + LEASE + timedelta(seconds=1))
    finally:
        release.set()
        runner.join(30)
    if is_postgres:
        assert (by_w2, result["w1"]) == (0, True)  # skipped while locked; w1 finished it
    else:
        assert (by_w2, result["w1"]) == (1, False)  # taken over; w1 kept nothing
    assert marks(sessions) == [1]
    assert job(sessions, name).state == jobs.DONE


def test_a_failing_job_is_retried_with_backoff_and_its_writes_undone(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[datetime] = []

    def flaky(session: Session, payload: dict[str, Any], now: datetime) -> None:
        mark(session, payload)
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("SMTP server said no")

    name = kind(monkeypatch, "test-flaky", flaky)
    plan(sessions, name, 1)
    assert jobs.run_due(sessions, "w1", T0) == 0
    assert marks(sessions) == []  # the failed attempt's writes were rolled back
    retry = job(sessions, name)
    assert (retry.state, retry.attempts, retry.locked_by) == (jobs.PENDING, 1, None)
    assert retry.last_error == "RuntimeError: SMTP server said no"
    # Full jitter: at least a second, at most base·2^attempts (capped).
    assert T0 + timedelta(seconds=1) <= retry.run_at
    assert retry.run_at <= T0 + timedelta(seconds=jobs.RETRY_BASE_SECONDS * 2)
    if retry.run_at > T0 + timedelta(seconds=1):
        assert jobs.run_due(sessions, "w1", retry.run_at - timedelta(seconds=1)) == 0
    assert jobs.run_due(sessions, "w1", retry.run_at) == 1
    assert marks(sessions) == [1]
    done = job(sessions, name)
    assert (done.state, done.attempts, done.last_error) == (jobs.DONE, 2, None)


def test_a_job_failing_every_time_is_failed_after_its_last_attempt(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(session: Session, payload: dict[str, Any], now: datetime) -> None:
        raise ValueError(f"attempt at {now:%H:%M:%S}")

    name = kind(monkeypatch, "test-broken", broken, max_attempts=3)
    plan(sessions, name, 1)
    now = T0
    for attempt in range(1, 4):
        assert jobs.run_due(sessions, "w1", now) == 0
        state = job(sessions, name)
        assert state.attempts == attempt
        now = state.run_at
    failed = job(sessions, name)
    assert failed.state == jobs.FAILED
    assert failed.last_error is not None and failed.last_error.startswith("ValueError: attempt at")
    # Left for a person: never claimed again.
    assert jobs.run_due(sessions, "w1", now + timedelta(days=1)) == 0
    assert job(sessions, name).attempts == 3


def test_a_job_of_an_unknown_kind_fails_and_is_kept(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = kind(monkeypatch, "test-forgotten", lambda s, p, now: None)
    plan(sessions, name, 1)
    monkeypatch.delitem(jobs._HANDLERS, name)
    assert jobs.run_due(sessions, "w1", T0) == 0
    kept = job(sessions, name)
    assert kept.state == jobs.FAILED  # no registration: one attempt
    assert kept.last_error == f"LookupError: no handler for job kind {name!r}"


def test_two_workers_claiming_at_once_share_the_jobs(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, is_postgres: bool
) -> None:
    if not is_postgres:
        pytest.skip("several workers at once are several processes on PostgreSQL")
    name = kind(monkeypatch, "test-share", lambda s, p, now: mark(s, p))
    with sessions() as session:
        for n in range(120):
            jobs.enqueue(session, name, {"n": n}, T0)
        session.commit()
    start = threading.Barrier(2)
    done: dict[str, int] = {}

    def work(worker: str) -> None:
        start.wait(30)
        done[worker] = jobs.run_due(sessions, worker, T0)

    threads = [threading.Thread(target=work, args=(w,)) for w in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(done.values()) == 120
    assert sorted(marks(sessions)) == list(range(120))

"""The jobs table (backend/services/jobs.py) on SQLite and PostgreSQL: planned once per dedupe
key, leased to one worker, given to another once the lease is over, retried with backoff,
"failed" after its last attempt, and never run twice, even by a worker that outlived its lease.

The handlers here write a marker row in the same transaction as the job's "done", so "ran"
means "its writes were kept".
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
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


def test_a_job_of_a_kind_this_process_cannot_run_is_left_for_one_that_can(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker whose process did not import the module of a kind (or an older version of the
    backend, during an upgrade) neither claims nor fails its jobs."""
    name = kind(monkeypatch, "test-forgotten", lambda s, p, now: mark(s, p))
    plan(sessions, name, 1)
    registration = jobs._HANDLERS[name]
    monkeypatch.delitem(jobs._HANDLERS, name)
    assert jobs.claim(sessions, "w1", T0) == []
    assert jobs.run_due(sessions, "w1", T0 + timedelta(days=1)) == 0
    left = job(sessions, name)
    assert (left.state, left.attempts, left.locked_by, left.last_error) == (
        jobs.PENDING,
        0,
        None,
        None,
    )
    monkeypatch.setitem(jobs._HANDLERS, name, registration)  # a process that knows it
    assert jobs.run_due(sessions, "w2", T0 + timedelta(days=1)) == 1
    assert marks(sessions) == [1]


def two_workers_at_once(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Workers "a" and "b" run what is due at the same instant, each in its own thread: how
    many jobs each did."""
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
    return done


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
    done = two_workers_at_once(sessions)
    assert sum(done.values()) == 120
    assert sorted(marks(sessions)) == list(range(120))


def test_enqueue_many_plans_each_dedupe_key_once(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = kind(monkeypatch, "test-many", lambda s, p, now: mark(s, p))
    plan(sessions, name, 0, key="k0")
    with sessions() as session:
        planned = jobs.enqueue_many(
            session,
            [
                jobs.Planned(name, {"n": 0}, T0, "k0"),  # planned before
                jobs.Planned(name, {"n": 1}, T0, "k1"),
                jobs.Planned(name, {"n": 2}, T0, "k1"),  # twice in the list
                jobs.Planned(name, {"n": 3}, T0),  # no key: always new
            ],
        )
        session.commit()
    assert planned == 2
    assert jobs.run_due(sessions, "w1", T0) == 3
    assert sorted(marks(sessions)) == [0, 1, 3]


# --- batches -------------------------------------------------------------------------------------


def batch_kind(
    monkeypatch: pytest.MonkeyPatch, name: str, batches: list[list[int]], poison: int | None = None
) -> str:
    """A kind decided in batches: each batch's payload numbers are recorded (`batches`) and
    marked; a batch holding `poison` raises, and so does that job alone."""

    def one(session: Session, payload: dict[str, Any], now: datetime) -> None:
        if payload["n"] == poison:
            raise ValueError("poison")
        mark(session, payload)

    def many(session: Session, payloads: list[dict[str, Any]], now: datetime) -> None:
        batches.append([int(p["n"]) for p in payloads])
        for payload in payloads:
            one(session, payload, now)

    registration = jobs.Registration(one, LEASE, 3, batch=many)
    monkeypatch.setitem(jobs._HANDLERS, name, registration)
    return name


def test_a_batch_kind_runs_a_claim_in_one_transaction(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[list[int]] = []
    name = batch_kind(monkeypatch, "test-batch", batches)
    other = kind(monkeypatch, "test-single", lambda s, p, now: mark(s, {"n": 1000 + p["n"]}))
    with sessions() as session:
        for n in range(jobs.CLAIM_BATCH + 10):
            jobs.enqueue(session, name, {"n": n}, T0 + timedelta(seconds=n))
        jobs.enqueue(session, other, {"n": 1}, T0)
        session.commit()
    assert jobs.run_due(sessions, "w1", T0 + timedelta(minutes=5)) == jobs.CLAIM_BATCH + 11
    # The first claim: the single job and 49 of the batch kind, in their due order; then the rest.
    assert batches == [list(range(jobs.CLAIM_BATCH - 1)), list(range(jobs.CLAIM_BATCH - 1, 60))]
    assert sorted(marks(sessions)) == [*range(60), 1001]
    with sessions() as session:
        states = session.execute(
            select(Job.state, Job.attempts, Job.locked_by, func.count()).group_by(
                Job.state, Job.attempts, Job.locked_by
            )
        ).all()
    assert states == [(jobs.DONE, 1, None, 61)]


def test_a_batch_that_fails_is_run_one_by_one_and_only_the_bad_job_fails(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[list[int]] = []
    name = batch_kind(monkeypatch, "test-poisoned", batches, poison=3)
    with sessions() as session:
        for n in range(6):
            jobs.enqueue(session, name, {"n": n}, T0)
        session.commit()
    assert jobs.run_due(sessions, "w1", T0) == 5
    assert batches == [[0, 1, 2, 3, 4, 5]]  # tried together, undone, then one by one
    assert marks(sessions) == [0, 1, 2, 4, 5]  # once each: the batch's writes were rolled back
    with sessions() as session:
        bad = session.scalars(select(Job).where(Job.kind == name, Job.state != jobs.DONE)).one()
    assert (bad.state, bad.attempts, bad.last_error) == (jobs.PENDING, 1, "ValueError: poison")
    assert json.loads(bad.payload) == {"n": 3}


def test_a_batch_whose_lease_was_taken_over_keeps_nothing(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite, several processes: w1 outlived its lease and w2 has taken one of w1's jobs over.
    w1's batch commits nothing; w1 runs the jobs still its own one by one."""
    batches: list[list[int]] = []
    name = batch_kind(monkeypatch, "test-overtaken", batches)
    for n in range(3):
        plan(sessions, name, n)
    claimed = jobs.claim(sessions, "w1", T0)
    later = T0 + LEASE + timedelta(seconds=1)
    with sessions() as session:  # w2's claim of the second job, once w1's lease is over
        session.execute(
            update(Job)
            .where(Job.id == claimed[1])
            .values(locked_by="w2", locked_until=later + LEASE, attempts=Job.attempts + 1)
        )
        session.commit()
    assert jobs.run_batch(sessions, name, claimed, "w1", later) == 2
    assert batches == [[0, 2]]  # the job w2 holds is not w1's to run
    assert marks(sessions) == [0, 2]
    assert jobs.run_claimed(sessions, claimed[1], "w2", later) is True
    assert sorted(marks(sessions)) == [0, 1, 2]


def test_two_workers_share_batches_and_run_each_job_once(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, is_postgres: bool
) -> None:
    if not is_postgres:
        pytest.skip("several workers at once are several processes on PostgreSQL")
    batches: list[list[int]] = []
    name = batch_kind(monkeypatch, "test-share-batches", batches)
    with sessions() as session:
        for n in range(300):
            jobs.enqueue(session, name, {"n": n}, T0)
        session.commit()
    done = two_workers_at_once(sessions)
    assert sum(done.values()) == 300
    assert sorted(marks(sessions)) == list(range(300))
    assert sorted(n for batch in batches for n in batch) == list(range(300))


# --- giving up, retention ------------------------------------------------------------------------


def test_a_job_failed_for_good_runs_its_kinds_give_up_handler_once(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[tuple[int, str, datetime]] = []

    def broken(session: Session, payload: dict[str, Any], now: datetime) -> None:
        mark(session, payload)  # rolled back with the attempt
        raise ConnectionError("server down")

    def give_up(session: Session, payload: dict[str, Any], error: str, now: datetime) -> None:
        told.append((int(payload["n"]), error, now))
        mark(session, {"n": 100 + int(payload["n"])})  # kept, with the job's "failed"

    name = "test-give-up"
    monkeypatch.setitem(
        jobs._HANDLERS, name, jobs.Registration(broken, LEASE, 2, on_give_up=give_up)
    )
    plan(sessions, name, 7)
    assert jobs.run_due(sessions, "w1", T0) == 0
    assert told == []  # a retry is planned: not given up yet
    retry_at = job(sessions, name).run_at
    assert jobs.run_due(sessions, "w1", retry_at) == 0
    assert told == [(7, "ConnectionError: server down", retry_at)]
    assert marks(sessions) == [107]
    failed = job(sessions, name)
    assert (failed.state, failed.done_at) == (jobs.FAILED, retry_at)


def finished(sessions: sessionmaker[Session], name: str, state: str, at: datetime, n: int) -> None:
    with sessions() as session:
        session.add(
            Job(
                kind=name,
                payload=json.dumps({"n": n}),
                run_at=at,
                state=state,
                attempts=1,
                dedupe_key=f"{name}:{n}",
                created_at=at,
                done_at=None if state == jobs.PENDING else at,
            )
        )
        session.commit()


def kept(sessions: sessionmaker[Session], name: str) -> list[int]:
    with sessions() as session:
        payloads = session.scalars(select(Job.payload).where(Job.kind == name).order_by(Job.id))
        return [int(json.loads(p)["n"]) for p in payloads]


def test_finished_jobs_are_purged_after_their_retention(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = kind(monkeypatch, "test-purge", lambda s, p, now: mark(s, p))
    now = T0
    day = timedelta(days=1)
    finished(sessions, name, jobs.DONE, now - 8 * day, 1)  # done more than 7 days ago: purged
    finished(sessions, name, jobs.DONE, now - 6 * day, 2)  # kept
    finished(sessions, name, jobs.FAILED, now - 8 * day, 3)  # failed, kept for 30 days
    finished(sessions, name, jobs.FAILED, now - 31 * day, 4)  # purged
    finished(sessions, name, jobs.PENDING, now - 60 * day, 5)  # never done: never purged
    with sessions() as session:  # failed before failures had a done_at: by its run_at
        session.add(
            Job(
                kind=name,
                payload='{"n": 6}',
                run_at=now - 40 * day,
                state=jobs.FAILED,
                attempts=8,
                created_at=now - 41 * day,
            )
        )
        session.commit()
    monkeypatch.setattr(jobs, "PURGE_BATCH", 1)  # several rounds, one row each
    assert jobs.purge(sessions, now) == 3
    assert kept(sessions, name) == [2, 3, 5]
    assert jobs.purge(sessions, now) == 0
    # Its dedupe key is free again once a job is purged.
    assert plan(sessions, name, 11, key=f"{name}:1") is True


def test_the_worker_purges_in_its_idle_time(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = kind(monkeypatch, "test-worker-purge", lambda s, p, now: mark(s, p))
    finished(sessions, name, jobs.DONE, T0 - timedelta(days=8), 1)
    plan(sessions, name, 2)
    worker = jobs.Worker(sessions, lambda: T0, poll_seconds=0.05, worker_id="w1")
    worker.start()
    try:
        for _ in range(200):  # up to 10 s: a loaded machine
            if kept(sessions, name) == [2] and marks(sessions) == [2]:
                break
            time.sleep(0.05)
    finally:
        worker.stop()
    assert kept(sessions, name) == [2]  # the old one purged, the one it just ran kept
    assert marks(sessions) == [2]

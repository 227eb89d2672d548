"""Work that must happen once, whichever backend process does it: the jobs table.

An escalation check at 8:30, an e-mail to send, a daily digest: each is a row in `jobs`, written
in the same transaction as its cause (`enqueue`), and run by whichever worker claims it first.
There is no timer that every worker runs: with four uvicorn workers on PostgreSQL each one polls
the table, and a claim takes rows with `SELECT … FOR UPDATE SKIP LOCKED`, so two workers never
wait on, nor take, the same row. On SQLite (one process) the same code runs; the claim is a
compare-and-set `UPDATE … WHERE locked_until IS NULL OR locked_until < now`, which is also what
makes the claim safe on PostgreSQL.

A claim is a lease (`Registration.lease`). The handler runs in one transaction with the job's
"done": a worker killed mid-job commits nothing, the lease ends, another worker runs it again
from the start. So a handler's own database writes happen exactly once; an effect outside the
database (an SMTP server accepting a message) can happen again after such a kill, which is why
an e-mail's Message-ID is fixed before it is sent (`backend.services.mail`).

A failing handler is retried with full-jitter backoff up to `max_attempts`, then the job is
"failed" and kept, with its last error, for a person to look at; its kind's `on_give_up` runs in
the transaction that says so (an e-mail row is marked failed with the reason).

A worker claims only the kinds registered in its process (a kind it cannot run is left for a
process that can, never failed for want of a handler). A kind may also register a `batch`
handler: the jobs of that kind in one claim are then decided in one transaction (the escalation
checks of 10,000 reminders due in the same minute: `backend.services.reminders`), their "done"
in one compare-and-set; if the batch raises, each job runs alone, so one bad job fails alone.

Finished jobs are purged (`purge`): done ones after DONE_KEPT, failed ones after FAILED_KEPT,
by each process's `Worker` at most every PURGE_EVERY, after a round of due jobs. A dedupe key
holds while its job is kept: keys name work within days (a check, an e-mail, a day's digest),
never work planned again after weeks.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Job
from common.backoff import full_jitter

log = logging.getLogger(__name__)

# (session, payload, now) -> None. Runs inside the transaction that marks the job done.
Handler = Callable[[Session, dict[str, Any], datetime], None]
# (session, payloads, now) -> None: several jobs of one kind in one transaction, which marks
# them all done. Must leave the database as running `handler` on each, in order, would.
BatchHandler = Callable[[Session, list[dict[str, Any]], datetime], None]
# (session, payload, last error, now) -> None: the job failed for good; runs in the
# transaction that marks it "failed".
GiveUpHandler = Callable[[Session, dict[str, Any], str, datetime], None]


@dataclass(frozen=True)
class Registration:
    handler: Handler
    lease: timedelta
    max_attempts: int
    batch: BatchHandler | None = None
    on_give_up: GiveUpHandler | None = None


_HANDLERS: dict[str, Registration] = {}

PENDING, DONE, FAILED = "pending", "done", "failed"
CLAIM_BATCH = 50
RETRY_BASE_SECONDS = 30.0
RETRY_CAP_SECONDS = 3600.0
_rng = random.Random()
# Retention of finished jobs (docs/reminders.md, "The jobs table").
DONE_KEPT = timedelta(days=7)
FAILED_KEPT = timedelta(days=30)
PURGE_EVERY = timedelta(hours=1)
PURGE_BATCH = 1000  # rows per DELETE: short transactions, never a long lock on the table


def register(
    kind: str,
    handler: Handler,
    *,
    lease: timedelta = timedelta(minutes=2),
    max_attempts: int = 8,
    batch: BatchHandler | None = None,
    on_give_up: GiveUpHandler | None = None,
) -> None:
    """Declare what runs a job of `kind` (once, by the module that owns the work). `batch`:
    decides several at once (see the module's docstring); `on_give_up`: what a job failed for
    good leaves behind (its reason)."""
    _HANDLERS[kind] = Registration(handler, lease, max_attempts, batch, on_give_up)


def kinds() -> list[str]:
    return sorted(_HANDLERS)


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    run_at: datetime,
    *,
    dedupe_key: str | None = None,
) -> bool:
    """Plan a job in the caller's transaction. False when a job with `dedupe_key` already
    exists (planned twice, by two workers or by a retry, it runs once)."""
    return enqueue_many(session, [Planned(kind, payload, run_at, dedupe_key)]) == 1


@dataclass(frozen=True)
class Planned:
    """A job to plan (`enqueue_many`)."""

    kind: str
    payload: dict[str, Any]
    run_at: datetime
    dedupe_key: str | None = None


def enqueue_many(session: Session, planned: list[Planned]) -> int:
    """Plan several jobs in the caller's transaction, in one statement; how many were new (a
    dedupe key already planned, or twice in `planned`, is one job)."""
    values = []
    keys: set[str] = set()
    created = datetime.now(UTC)
    for job in planned:
        if job.run_at.tzinfo is None:
            raise ValueError("run_at must be aware")
        if job.kind not in _HANDLERS:
            raise ValueError(f"no handler registered for job kind {job.kind!r}")
        if job.dedupe_key is not None:
            if job.dedupe_key in keys:
                continue
            keys.add(job.dedupe_key)
        values.append(
            {
                "kind": job.kind,
                "payload": json.dumps(job.payload, sort_keys=True),
                "run_at": job.run_at,
                "state": PENDING,
                "attempts": 0,
                "dedupe_key": job.dedupe_key,
                "created_at": created,
            }
        )
    if not values:
        return 0
    # One statement, whatever the race: INSERT … ON CONFLICT (dedupe_key) DO NOTHING on both
    # databases (a savepoint and a look first cost four round trips per job, a third of an
    # escalation's time: bench/reminder_escalation.py). Losing the race undoes nothing else.
    dialect = session.get_bind().dialect.name
    insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = Job.metadata.tables[Job.__tablename__]
    statement = (
        insert_(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    )
    # A list of rows: SQLAlchemy's "insertmanyvalues" sends them as multi-row INSERTs of one
    # cached statement (`values([...])` would compile a new statement for every list).
    planned_count = len(session.connection().execute(statement, values).all())
    return planned_count


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim(
    sessions: sessionmaker[Session], worker_id: str, now: datetime, limit: int = CLAIM_BATCH
) -> list[int]:
    """Lease up to `limit` due jobs of the kinds registered here to this worker; their ids,
    oldest due first. One SELECT and one UPDATE per kind claimed, in one transaction."""
    return [job_id for job_id, _ in _claim(sessions, worker_id, now, limit)]


def _claim(
    sessions: sessionmaker[Session], worker_id: str, now: datetime, limit: int
) -> list[tuple[int, str]]:
    registered = list(_HANDLERS)
    if not registered:
        return []
    with sessions() as session:
        due = (
            select(Job.id, Job.kind)
            .where(
                Job.state == PENDING,
                Job.run_at <= now,
                Job.kind.in_(registered),
                or_(Job.locked_until.is_(None), Job.locked_until < now),
            )
            .order_by(Job.run_at, Job.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        candidates = session.execute(due).all()
        by_kind: dict[str, list[int]] = {}
        for job_id, kind in candidates:
            by_kind.setdefault(kind, []).append(job_id)
        won: set[int] = set()
        for kind, ids in by_kind.items():
            # Compare-and-set: on SQLite (no row locks) two processes may both have read them.
            result = session.execute(
                update(Job)
                .where(
                    Job.id.in_(ids),
                    Job.state == PENDING,
                    or_(Job.locked_until.is_(None), Job.locked_until < now),
                )
                .values(
                    locked_by=worker_id,
                    locked_until=now + _HANDLERS[kind].lease,
                    attempts=Job.attempts + 1,
                )
                .returning(Job.id)
                .execution_options(synchronize_session=False)
            )
            won.update(result.scalars())
        session.commit()
    return [(job_id, kind) for job_id, kind in candidates if job_id in won]


def run_claimed(
    sessions: sessionmaker[Session], job_id: int, worker_id: str, now: datetime
) -> bool:
    """Run one job this worker holds; True when it is done.

    The job's row stays locked while its handler runs (PostgreSQL: a claim by another worker
    skips it, even once the lease has run out), and "done" is a compare-and-set on this
    worker's lease: a worker whose lease was taken over meanwhile (SQLite, several processes)
    commits nothing, so the handler's writes happen once."""
    error: str | None = None
    kind = "?"
    with sessions() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None or job.state != PENDING or job.locked_by != worker_id:
            return False  # the lease ran out and another worker has it
        kind = job.kind
        registration = _HANDLERS.get(kind)
        payload = json.loads(job.payload)
        try:
            if registration is None:
                raise LookupError(f"no handler for job kind {kind!r}")
            registration.handler(session, payload, now)
            session.flush()
            finished = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.state == PENDING, Job.locked_by == worker_id)
                .values(state=DONE, done_at=now, locked_by=None, locked_until=None, last_error=None)
                .execution_options(synchronize_session=False)
            )
            if finished.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                log.warning("job %s (%s): lease lost to another worker; not kept", job_id, kind)
                return False
            session.commit()
            return True
        except Exception as exc:
            session.rollback()
            log.exception("job %s (%s) failed", job_id, kind)
            error = f"{type(exc).__name__}: {exc}"[:2000]
    _record_failure(sessions, job_id, worker_id, now, error)
    return False


def _record_failure(
    sessions: sessionmaker[Session], job_id: int, worker_id: str, now: datetime, error: str
) -> None:
    with sessions() as session:
        job = session.get(Job, job_id)
        if job is None or job.locked_by != worker_id:
            return
        registration = _HANDLERS.get(job.kind)
        max_attempts = registration.max_attempts if registration else 1
        job.last_error = error
        job.locked_by = None
        job.locked_until = None
        if job.attempts >= max_attempts:
            job.state = FAILED
            job.done_at = now  # finished, for the retention (`purge`)
            log.error(
                "job %s (%s) failed %s times; left for a person", job_id, job.kind, job.attempts
            )
            if registration is not None and registration.on_give_up is not None:
                try:
                    with session.begin_nested():
                        registration.on_give_up(session, json.loads(job.payload), error, now)
                except Exception:
                    # The job is "failed" all the same: a person looks at it and its error.
                    log.exception("job %s (%s): its give-up handler failed", job_id, job.kind)
        else:
            job.run_at = now + timedelta(
                seconds=full_jitter(job.attempts, RETRY_BASE_SECONDS, RETRY_CAP_SECONDS, _rng)
            )
        session.commit()


def run_batch(
    sessions: sessionmaker[Session], kind: str, job_ids: list[int], worker_id: str, now: datetime
) -> int:
    """Run jobs of one `kind` (registered with a `batch` handler) that this worker holds, in
    one transaction; how many are done. Their rows stay locked while the batch runs and their
    "done" is one compare-and-set on this worker's lease, as in `run_claimed`. If the batch
    raises, or a lease was lost meanwhile, nothing of it is kept and each job runs alone."""
    registration = _HANDLERS.get(kind)
    if registration is None or registration.batch is None:
        return sum(run_claimed(sessions, job_id, worker_id, now) for job_id in job_ids)
    with sessions() as session:
        rows = session.scalars(
            select(Job).where(Job.id.in_(job_ids)).order_by(Job.id).with_for_update()
        ).all()
        by_id = {
            job.id: job
            for job in rows
            if job.state == PENDING and job.locked_by == worker_id and job.kind == kind
        }
        mine = [job_id for job_id in job_ids if job_id in by_id]  # in the claim's order
        if not mine:
            return 0
        try:
            registration.batch(session, [json.loads(by_id[i].payload) for i in mine], now)
            session.flush()
            finished = session.execute(
                update(Job)
                .where(Job.id.in_(mine), Job.state == PENDING, Job.locked_by == worker_id)
                .values(state=DONE, done_at=now, locked_by=None, locked_until=None, last_error=None)
                .execution_options(synchronize_session=False)
            )
            if finished.rowcount == len(mine):  # type: ignore[attr-defined]
                session.commit()
                return len(mine)
            session.rollback()
            log.warning("jobs %s (%s): a lease was lost; one by one", mine, kind)
        except Exception:
            session.rollback()
            log.warning("a batch of %d %s jobs failed; one by one", len(mine), kind, exc_info=True)
    return sum(run_claimed(sessions, job_id, worker_id, now) for job_id in mine)


def run_due(sessions: sessionmaker[Session], worker_id: str, now: datetime) -> int:
    """Claim and run every due job; how many were done. Of each claim, the jobs of kinds
    without a batch handler run one by one in the claim's order, then each batch kind's jobs
    together."""
    done = 0
    while True:
        claimed = _claim(sessions, worker_id, now, CLAIM_BATCH)
        if not claimed:
            return done
        batches: dict[str, list[int]] = {}
        for job_id, kind in claimed:
            registration = _HANDLERS.get(kind)
            if registration is not None and registration.batch is not None:
                batches.setdefault(kind, []).append(job_id)
            else:
                done += run_claimed(sessions, job_id, worker_id, now)
        for kind, ids in batches.items():
            done += run_batch(sessions, kind, ids, worker_id, now)
        if len(claimed) < CLAIM_BATCH:
            return done


def purge(sessions: sessionmaker[Session], now: datetime) -> int:
    """Delete the jobs done more than DONE_KEPT ago and those failed more than FAILED_KEPT ago
    (PURGE_BATCH rows per transaction); how many. Pending jobs are never touched."""
    removed = 0
    for state, kept in ((DONE, DONE_KEPT), (FAILED, FAILED_KEPT)):
        cutoff = now - kept
        # run_at first: the index (state, run_at) finds them; a job finishes after it is due.
        old = (
            select(Job.id)
            .where(
                Job.state == state,
                Job.run_at < cutoff,
                or_(Job.done_at.is_(None), Job.done_at < cutoff),
            )
            .limit(PURGE_BATCH)
        )
        while True:
            with sessions() as session:
                ids = list(session.scalars(old))
                if ids:
                    session.execute(
                        delete(Job)
                        .where(Job.id.in_(ids), Job.state == state)
                        .execution_options(synchronize_session=False)
                    )
                session.commit()
            removed += len(ids)
            if len(ids) < PURGE_BATCH:
                break
    if removed:
        log.info("jobs: %d finished job(s) purged", removed)
    return removed


class Worker:
    """A thread of a backend process that runs due jobs every `poll_seconds`.

    Every process may run one: the claim decides who does what. `clock` is the backend's
    (tests give a fixed one)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        *,
        poll_seconds: float = 1.0,
        worker_id: str | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._poll = poll_seconds
        self.worker_id = worker_id or default_worker_id()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._purged_at: datetime | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="foyer-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the table now (a job was just planned for now)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_due(self._sessions, self.worker_id, self._clock())
                self._purge_now_and_then()
            except Exception:
                log.exception("jobs: could not run due jobs; trying again")
            self._wake.wait(self._poll)
            self._wake.clear()

    def _purge_now_and_then(self) -> None:
        """Once the due jobs are done, the finished ones' retention, every PURGE_EVERY. Each
        process does it (a DELETE of what another just deleted deletes nothing)."""
        now = self._clock()
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return
        self._purged_at = now
        purge(self._sessions, now)

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
"failed" and kept, with its last error, for a person to look at.
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

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Job
from common.backoff import full_jitter

log = logging.getLogger(__name__)

# (session, payload, now) -> None. Runs inside the transaction that marks the job done.
Handler = Callable[[Session, dict[str, Any], datetime], None]


@dataclass(frozen=True)
class Registration:
    handler: Handler
    lease: timedelta
    max_attempts: int


_HANDLERS: dict[str, Registration] = {}

PENDING, DONE, FAILED = "pending", "done", "failed"
CLAIM_BATCH = 50
RETRY_BASE_SECONDS = 30.0
RETRY_CAP_SECONDS = 3600.0
_rng = random.Random()


def register(
    kind: str,
    handler: Handler,
    *,
    lease: timedelta = timedelta(minutes=2),
    max_attempts: int = 8,
) -> None:
    """Declare what runs a job of `kind` (once, by the module that owns the work)."""
    _HANDLERS[kind] = Registration(handler, lease, max_attempts)


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
    if run_at.tzinfo is None:
        raise ValueError("run_at must be aware")
    if kind not in _HANDLERS:
        raise ValueError(f"no handler registered for job kind {kind!r}")
    values = {
        "kind": kind,
        "payload": json.dumps(payload, sort_keys=True),
        "run_at": run_at,
        "state": PENDING,
        "attempts": 0,
        "dedupe_key": dedupe_key,
        "created_at": datetime.now(UTC),
    }
    # One statement, whatever the race: INSERT … ON CONFLICT (dedupe_key) DO NOTHING on both
    # databases (a savepoint and a look first cost four round trips per job, a third of an
    # escalation's time: bench/reminder_escalation.py). Losing the race undoes nothing else.
    dialect = session.get_bind().dialect.name
    insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert_(Job)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Job.id)
    )
    return session.execute(statement).scalar() is not None


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim(
    sessions: sessionmaker[Session], worker_id: str, now: datetime, limit: int = CLAIM_BATCH
) -> list[int]:
    """Lease up to `limit` due jobs to this worker; their ids, oldest due first."""
    with sessions() as session:
        due = (
            select(Job.id, Job.kind)
            .where(
                Job.state == PENDING,
                Job.run_at <= now,
                or_(Job.locked_until.is_(None), Job.locked_until < now),
            )
            .order_by(Job.run_at, Job.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        candidates = session.execute(due).all()
        claimed: list[int] = []
        for job_id, kind in candidates:
            registration = _HANDLERS.get(kind)
            lease = registration.lease if registration else timedelta(minutes=2)
            # Compare-and-set: on SQLite (no row locks) two processes may both have read it.
            result = session.execute(
                update(Job)
                .where(
                    Job.id == job_id,
                    Job.state == PENDING,
                    or_(Job.locked_until.is_(None), Job.locked_until < now),
                )
                .values(locked_by=worker_id, locked_until=now + lease, attempts=Job.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(job_id)
        session.commit()
    return claimed


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
            log.error(
                "job %s (%s) failed %s times; left for a person", job_id, job.kind, job.attempts
            )
        else:
            job.run_at = now + timedelta(
                seconds=full_jitter(job.attempts, RETRY_BASE_SECONDS, RETRY_CAP_SECONDS, _rng)
            )
        session.commit()


def run_due(sessions: sessionmaker[Session], worker_id: str, now: datetime) -> int:
    """Claim and run every due job; how many were done."""
    done = 0
    while True:
        claimed = claim(sessions, worker_id, now)
        if not claimed:
            return done
        for job_id in claimed:
            done += run_claimed(sessions, job_id, worker_id, now)
        if len(claimed) < CLAIM_BATCH:
            return done


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
            except Exception:
                log.exception("jobs: could not run due jobs; trying again")
            self._wake.wait(self._poll)
            self._wake.clear()

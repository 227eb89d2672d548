"""What an application plans when its jobs worker starts (`backend.app.start_jobs`): the chains
of jobs that plan their own next run — the tablets' offline check and the audit log's nightly
purge — each once, however many processes start; none where this process runs no jobs."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import Job
from backend.services import audit, jobs
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import session_of

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def _pending(client: TestClient, kind: str) -> list[datetime]:
    with session_of(client) as session:
        return list(
            session.scalars(select(Job.run_at).where(Job.kind == kind, Job.state == jobs.PENDING))
        )


def test_the_audit_purge_is_planned_once_when_jobs_start(make_client: MakeClient) -> None:
    idle = make_client(Clock(NOW), run_jobs=False)
    assert _pending(idle, audit.RETENTION_JOB) == []  # no worker here: nothing planned
    first = make_client(Clock(NOW))
    tonight = datetime(2026, 12, 5, 3, 30, tzinfo=UTC)  # audit.RETENTION_AT, the next one
    assert _pending(first, audit.RETENTION_JOB) == [tonight]
    make_client(Clock(NOW))  # a second process on the same database
    assert _pending(first, audit.RETENTION_JOB) == [tonight]

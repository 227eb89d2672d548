"""PostgreSQL connections: every worker's pool fits in one budget, and a pool exhausted under
load answers 503 with Retry-After (the tablets back off), never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from backend import db
from backend.app import create_app
from backend.config import Settings
from tests.api.conftest import _PgServer


@pytest.mark.parametrize("workers", [1, 2, 3, 4, 6, 8, 10])
@pytest.mark.parametrize("budget", [20, 60, 95])
def test_the_workers_together_stay_within_the_budget(budget: int, workers: int) -> None:
    pool_size, overflow = db.pool_for(budget, workers)
    assert pool_size >= 1 and overflow >= 0
    assert pool_size + overflow >= 2  # a request and a long-poll's read at least
    assert workers * (pool_size + overflow) <= budget
    assert pool_size + overflow <= db.PER_WORKER_CEILING


def test_a_budget_too_small_for_the_workers_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot serve 16 workers"):
        db.pool_for(20, 16)


def test_one_worker_keeps_the_former_pool() -> None:
    assert db.pool_for(db.DEFAULT_MAX_CONNECTIONS, 1) == (10, 20)


def test_four_workers_share_the_default_budget() -> None:
    # Four workers used to ask for 4 × 30 = 120 connections, over PostgreSQL's 100.
    assert db.pool_for(db.DEFAULT_MAX_CONNECTIONS, 4) == (10, 5)


def _engine_of(client: TestClient) -> Engine:
    engine = client.app.state.foyer.sessions.kw["bind"]  # type: ignore[attr-defined]
    assert isinstance(engine, Engine)
    return engine


@pytest.mark.postgres
def test_an_exhausted_pool_answers_503_with_retry_after(
    pg_server: _PgServer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg_server.empty()
    monkeypatch.setattr(db, "POOL_TIMEOUT_SECONDS", 0.5)
    settings = Settings.for_data_dir(
        tmp_path, pg_server.url, "http://foyer.test", database_connections=4, workers=2
    )
    with TestClient(create_app(settings)) as client:
        engine = _engine_of(client)
        assert engine.pool.size() == 2  # 4 connections for 2 workers: 2 each, no overflow
        held = [engine.connect(), engine.connect()]  # every connection busy elsewhere
        try:
            answer = client.post(
                "/api/v1/auth/token", data={"username": "a@b.fr", "password": "nope"}
            )
        finally:
            for connection in held:
                connection.close()
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == "5"
        assert "sollicité" in answer.json()["detail"]
        # Connections back: the same request is answered normally again.
        again = client.post("/api/v1/auth/token", data={"username": "a@b.fr", "password": "nope"})
        assert again.status_code in (400, 401)


def _failing(error: Exception) -> Any:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise error

    return fail


def test_a_deadlock_answers_503_with_retry_after_and_other_failures_stay_500(
    make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests that deadlocked (PostgreSQL rolled one back: tests/e2e/test_haproxy.py met
    it) or a serialisation failure: nothing was kept, and a "try again" lets the tablet's outbox
    resend; a database that is broken otherwise is still a 500, not hidden."""
    import psycopg
    from sqlalchemy.exc import OperationalError

    from backend.api import beneficiaries
    from tests.api.factories import care_manager

    client = make_client()
    client_500 = TestClient(client.app, raise_server_exceptions=False)
    headers = care_manager(client).headers
    for transient in (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
        error = OperationalError("SELECT …", {}, transient("deadlock detected"))
        monkeypatch.setattr(beneficiaries.access, "visible_beneficiaries", _failing(error))
        answer = client.get("/api/v1/beneficiaries", headers=headers)
        assert answer.status_code == 503, answer.text
        assert int(answer.headers["Retry-After"]) > 0
        assert "nouvel essai" in answer.json()["detail"]
    broken = OperationalError("SELECT …", {}, psycopg.errors.DiskFull("could not extend file"))
    monkeypatch.setattr(beneficiaries.access, "visible_beneficiaries", _failing(broken))
    assert client_500.get("/api/v1/beneficiaries", headers=headers).status_code == 500
